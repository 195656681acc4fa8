/* Keras model config (JSON) → the node graph of rs_model, in topological order.
 *
 * Sequential (a bare list in Keras <= 2.1, else {"layers": [...]}) chains its layers.
 * Functional ("Model", "Functional") lists each layer's calls in "inbound_nodes": Keras 2 as
 * lists of [layer, node_index, tensor_index(, kwargs)], Keras 3 as {"args", "kwargs"} with
 * tensors carrying "keras_history": [layer, node_index, tensor_index]. Calls are created once
 * all their inputs exist, which yields a topological order even for shared layers. A model
 * used as a layer is flattened: its layers become nodes named "outer/inner", its InputLayers
 * are replaced by the tensors it is called with. */
#include <stdlib.h>
#include <string.h>

#include "model/internal.h"

#define MAX_NESTING 32

typedef struct triple {
    const char *layer;
    int node_index;
    int tensor_index;
} triple;

typedef struct call {
    bool done;
    int node;        /* >= 0: a plain layer's node: output t is (node, t) */
    int n_refs;      /* node < 0: the outputs (nested model or replaced InputLayer) */
    rs_ref *refs;
    const cJSON *inbound; /* this call's inbound spec; NULL for InputLayer */
    struct entry *entry;  /* the layer it calls, and which call it is */
    int index;
    int pending;          /* inputs not made yet (while ordering the calls) */
    int n_dependents;     /* calls waiting for this one */
    struct call **dependents;
} call;

typedef struct entry {
    const char *name;
    const char *class_name;
    const cJSON *layer;   /* the layer object: {"class_name", "config", ...} */
    int owner;
    int n_calls;
    int node_base;        /* 1 when references count this nested model's calls from 1 */
    call *calls;
} entry;

typedef struct builder {
    rs_model *m;
    rs_graph *g;
    const char *where;
    rs_error *err;
    entry **index;  /* the current container's entries sorted by name */
    int n_index;
} builder;

static int build_container(builder *b, const cJSON *model_obj, int parent, const char *prefix,
                           const rs_ref *ins, int n_ins, rs_ref **outs, int *n_outs, int depth);

/* ---- small JSON helpers ---- */

static const char *json_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *layer_config(const cJSON *layer)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(layer, "config");
    return c ? c : layer;
}

static const char *layer_name(const cJSON *layer)
{
    const char *n = json_str(layer, "name");
    return n ? n : json_str(layer_config(layer), "name");
}

static bool is_model_class(const cJSON *layer)
{
    const char *cls = json_str(layer, "class_name");
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(layer, "config");
    if (!cls)
        return false;
    if (!strcmp(cls, "Sequential") || !strcmp(cls, "Model") || !strcmp(cls, "Functional"))
        return true;
    if (!strcmp(cls, "InputLayer"))
        return false; /* whatever its config holds */
    return cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(cfg, "layers")) &&
           cJSON_GetObjectItemCaseSensitive(cfg, "input_layers") != NULL;
}

static char *join_name(const char *prefix, const char *name, int call_index)
{
    size_t n = strlen(prefix) + strlen(name) + 16;
    char *s = malloc(n);
    if (!s)
        return NULL;
    if (call_index > 0)
        snprintf(s, n, "%s%s#%d", prefix, name, call_index);
    else
        snprintf(s, n, "%s%s", prefix, name);
    return s;
}

/* ---- owners and nodes ---- */

static int get_owner(builder *b, int parent, const char *short_name, const char *class_name,
                     const cJSON *config, bool is_model)
{
    rs_graph *g = b->g;
    int found = rs_graph_find_owner(g, parent, short_name);
    if (found >= 0)
        return found;
    if (g->n_owners >= RS_MAX_LAYERS)
        return rs_fail(b->err, b->where, "more than %d layers", RS_MAX_LAYERS);
    if (g->n_owners == g->cap_owners) {
        int cap = g->cap_owners ? g->cap_owners * 2 : 16;
        rs_owner *o = realloc(g->owners, (size_t)cap * sizeof *o);
        if (!o)
            return rs_fail_oom(b->err, b->where);
        g->owners = o;
        g->cap_owners = cap;
    }
    rs_owner *o = &g->owners[g->n_owners];
    memset(o, 0, sizeof *o);
    o->parent = parent;
    o->first_node = -1;
    o->is_model = is_model;
    o->config = config;
    o->short_name = rs_strdup(short_name);
    o->class_name = rs_strdup(class_name);
    if (parent < 0) {
        o->name = rs_strdup(short_name);
    } else {
        const char *pname = g->owners[parent].name;
        o->name = malloc(strlen(pname) + strlen(short_name) + 2);
        if (o->name)
            sprintf(o->name, "%s/%s", pname, short_name);
    }
    g->n_owners++;
    if (!o->short_name || !o->class_name || !o->name)
        return rs_fail_oom(b->err, b->where);
    if (rs_graph_index_owner(g, b->err) < 0)
        return -1;
    return g->n_owners - 1;
}

static int new_node(builder *b, int owner, const char *name, const rs_ref *ins, int n_ins)
{
    rs_model *m = b->m;
    rs_graph *g = b->g;
    if (m->n_nodes >= RS_MAX_CALLS)
        return rs_fail(b->err, b->where, "too many layer calls");
    if (m->n_nodes == g->cap_nodes) {
        int cap = g->cap_nodes ? g->cap_nodes * 2 : 16;
        rs_node *nodes = realloc(m->nodes, (size_t)cap * sizeof *nodes);
        if (!nodes)
            return rs_fail_oom(b->err, b->where);
        m->nodes = nodes;
        int *no = realloc(g->node_owner, (size_t)cap * sizeof *no);
        if (!no)
            return rs_fail_oom(b->err, b->where);
        g->node_owner = no;
        g->cap_nodes = cap;
    }
    int id = m->n_nodes;
    rs_node *n = &m->nodes[id];
    memset(n, 0, sizeof *n);
    m->n_nodes++;
    g->node_owner[id] = owner;
    rs_owner *o = &g->owners[owner];
    n->name = rs_strdup(name);
    n->class_name = rs_strdup(o->class_name);
    n->keras_config = o->config;
    if (!n->name || !n->class_name)
        return rs_fail_oom(b->err, b->where);
    if (n_ins > 0) {
        n->inputs = malloc((size_t)n_ins * sizeof *n->inputs);
        if (!n->inputs)
            return rs_fail_oom(b->err, b->where);
        memcpy(n->inputs, ins, (size_t)n_ins * sizeof *ins);
        n->n_inputs = n_ins;
    }
    if (o->first_node < 0)
        o->first_node = id;
    return id;
}

/* ---- inbound specs ---- */

typedef struct triples {
    triple *t;
    int n, cap;
} triples;

static int push_triple(builder *b, triples *ts, const cJSON *arr)
{
    const cJSON *name = cJSON_GetArrayItem(arr, 0), *ni = cJSON_GetArrayItem(arr, 1),
                *ti = cJSON_GetArrayItem(arr, 2);
    if (!cJSON_IsString(name) || !cJSON_IsNumber(ni))
        return rs_fail(b->err, b->where, "a layer input is not [name, node_index, tensor_index]");
    if (ts->n >= RS_MAX_CALLS)
        return rs_fail(b->err, b->where, "a layer has more than %d inputs", RS_MAX_CALLS);
    if (ts->n == ts->cap) {
        int cap = ts->cap ? ts->cap * 2 : 4;
        triple *t = realloc(ts->t, (size_t)cap * sizeof *t);
        if (!t)
            return rs_fail_oom(b->err, b->where);
        ts->t = t;
        ts->cap = cap;
    }
    double nid = ni->valuedouble, tid = cJSON_IsNumber(ti) ? ti->valuedouble : 0;
    if (!(nid >= 0 && nid <= 1e6 && tid >= 0 && tid <= 1e6)) /* NaN fails too */
        return rs_fail(b->err, b->where, "layer input '%s' has a bad node or tensor index",
                       name->valuestring);
    ts->t[ts->n++] = (triple){name->valuestring, (int)nid, (int)tid};
    return 0;
}

/* Keras 3: every {"keras_history": [...]} anywhere in args and kwargs, in order. */
static int collect_history(builder *b, triples *ts, const cJSON *v, int depth)
{
    if (depth > 64)
        return rs_fail(b->err, b->where, "layer inputs are nested too deeply");
    if (cJSON_IsObject(v)) {
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(v, "keras_history");
        if (h)
            return push_triple(b, ts, h);
    }
    if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
        const cJSON *c;
        cJSON_ArrayForEach(c, v)
            if (collect_history(b, ts, c, depth + 1) < 0)
                return -1;
    }
    return 0;
}

/* A tensor anywhere in a keyword argument: a tf.keras 2 [name, node, tensor] list or a Keras 3
 * {"keras_history": ...}. */
static bool holds_tensor(const cJSON *v, int depth)
{
    if (depth > 64)
        return false;
    if (cJSON_IsArray(v) && cJSON_IsString(cJSON_GetArrayItem(v, 0)))
        return true;
    if (cJSON_IsObject(v) && cJSON_GetObjectItemCaseSensitive(v, "keras_history"))
        return true;
    const cJSON *c;
    if (cJSON_IsObject(v) || cJSON_IsArray(v))
        cJSON_ArrayForEach(c, v)
            if (holds_tensor(c, depth + 1))
                return true;
    return false;
}

/* A mask given to a call as a tensor (mask=, attention_mask=, ...) would be taken for one more
 * input, or dropped: refused by name. Masks come from the layers that make them (Masking,
 * Embedding with mask_zero) and flow along the graph. */
static int refuse_mask_kwargs(builder *b, const char *layer, const cJSON *kwargs)
{
    const cJSON *kw;
    cJSON_ArrayForEach(kw, kwargs) {
        size_t n = kw->string ? strlen(kw->string) : 0;
        if (n >= 4 && strcmp(kw->string + n - 4, "mask") == 0 && holds_tensor(kw, 0))
            return rs_fail(b->err, b->where, "layer '%s' is called with a tensor as %s=, which "
                           "rnnscope does not support (masks come from Masking and Embedding "
                           "layers)", layer, kw->string);
    }
    return 0;
}

/* tf.keras 2 passes some tensors as keyword arguments: [name, node, tensor, {"value": [...]}]
 * (MultiHeadAttention, Attention). Take them after the positional one, in call order. */
static int push_kwargs_tensors(builder *b, const char *layer, triples *ts, const cJSON *kwargs)
{
    static const char *const keys[] = {"value", "key"};
    if (refuse_mask_kwargs(b, layer, kwargs) < 0)
        return -1;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(kwargs, keys[i]);
        if (cJSON_IsArray(v) && cJSON_IsString(cJSON_GetArrayItem(v, 0)) &&
            push_triple(b, ts, v) < 0)
            return -1;
    }
    return 0;
}

/* The tensors of one call of `layer`, in order, into ts. */
static int parse_inbound(builder *b, const char *layer, const cJSON *spec, triples *ts)
{
    if (cJSON_IsObject(spec)) {
        const cJSON *kwargs = cJSON_GetObjectItemCaseSensitive(spec, "kwargs");
        if (collect_history(b, ts, cJSON_GetObjectItemCaseSensitive(spec, "args"), 0) < 0 ||
            refuse_mask_kwargs(b, layer, kwargs) < 0 || collect_history(b, ts, kwargs, 0) < 0)
            return -1;
        return 0;
    }
    if (!cJSON_IsArray(spec))
        return rs_fail(b->err, b->where, "inbound node is neither a list nor an object");
    if (cJSON_IsString(cJSON_GetArrayItem(spec, 0)))
        return push_triple(b, ts, spec); /* a single [name, node, tensor] */
    const cJSON *ref;
    cJSON_ArrayForEach(ref, spec) {
        if (cJSON_IsArray(ref)) {
            if (push_triple(b, ts, ref) < 0 ||
                push_kwargs_tensors(b, layer, ts, cJSON_GetArrayItem(ref, 3)) < 0)
                return -1;
        } else if (collect_history(b, ts, ref, 0) < 0) {
            return -1;
        }
    }
    return 0;
}

/* ---- resolving references ---- */

static int by_name(const void *a, const void *b)
{
    return strcmp((*(entry *const *)a)->name, (*(entry *const *)b)->name);
}

/* Index the entries by name (configs can hold thousands of layers); duplicates are an error. */
static int index_entries(builder *b, entry *es, int n)
{
    b->index = malloc(((size_t)n + 1) * sizeof *b->index);
    if (!b->index)
        return rs_fail_oom(b->err, b->where);
    for (int i = 0; i < n; i++)
        b->index[i] = &es[i];
    b->n_index = n;
    qsort(b->index, (size_t)n, sizeof *b->index, by_name);
    for (int i = 1; i < n; i++)
        if (strcmp(b->index[i - 1]->name, b->index[i]->name) == 0)
            return rs_fail(b->err, b->where, "two layers are named '%s'", b->index[i]->name);
    return 0;
}

static entry *find_entry(const builder *b, const char *name)
{
    entry key = {.name = name}, *pk = &key;
    entry **found = bsearch(&pk, b->index, (size_t)b->n_index, sizeof *b->index, by_name);
    return found ? *found : NULL;
}

/* The call a reference points at, or NULL with an error. */
static call *source_call(builder *b, const triple *t)
{
    entry *e = find_entry(b, t->layer);
    if (!e) {
        rs_fail(b->err, b->where, "a layer takes its input from '%s', which is not in the model",
                t->layer);
        return NULL;
    }
    int k = t->node_index - e->node_base;
    if (k < 0 || k >= e->n_calls) {
        rs_fail(b->err, b->where, "a layer uses call %d of '%s', which has %d", t->node_index,
                t->layer, e->n_calls);
        return NULL;
    }
    return &e->calls[k];
}

/* 1: resolved into *out; 0: not yet; -1: error. */
static int resolve(builder *b, const triple *t, rs_ref *out)
{
    call *c = source_call(b, t);
    if (!c)
        return -1;
    if (!c->done)
        return 0;
    if (c->node >= 0) {
        *out = (rs_ref){c->node, t->tensor_index};
        return 1;
    }
    if (t->tensor_index >= c->n_refs)
        return rs_fail(b->err, b->where, "a layer uses output %d of '%s', which has %d",
                       t->tensor_index, t->layer, c->n_refs);
    *out = c->refs[t->tensor_index];
    return 1;
}

static int resolve_all(builder *b, const triples *ts, rs_ref *refs)
{
    for (int i = 0; i < ts->n; i++) {
        int r = resolve(b, &ts->t[i], &refs[i]);
        if (r <= 0)
            return r;
    }
    return 1;
}

/* Create call k of entry e with its inputs; nested models recurse. */
static int make_call(builder *b, entry *e, int k, const rs_ref *ins, int n_ins,
                     const char *prefix, int depth)
{
    call *c = &e->calls[k];
    char *name = join_name(prefix, e->name, k);
    if (!name)
        return rs_fail_oom(b->err, b->where);
    int rc = 0;
    if (b->g->owners[e->owner].is_model) {
        char *inner = malloc(strlen(name) + 2);
        if (inner) {
            sprintf(inner, "%s/", name);
            rc = build_container(b, e->layer, e->owner, inner, ins, n_ins, &c->refs, &c->n_refs,
                                 depth + 1);
            free(inner);
        } else {
            rc = rs_fail_oom(b->err, b->where);
        }
        c->node = -1;
    } else {
        c->node = new_node(b, e->owner, name, ins, n_ins);
        rc = c->node < 0 ? -1 : 0;
    }
    free(name);
    c->done = rc == 0;
    return rc;
}

static void free_entries(entry *es, int n)
{
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < es[i].n_calls; k++) {
            free(es[i].calls[k].refs);
            free(es[i].calls[k].dependents);
        }
        free(es[i].calls);
    }
    free(es);
}

/* Fill the entries (one per layer object) of a container, creating owners. */
static int make_entries(builder *b, const cJSON *layers, int parent, entry **out, int *n_out)
{
    int n = cJSON_GetArraySize(layers);
    if (n > RS_MAX_LAYERS)
        return rs_fail(b->err, b->where, "more than %d layers", RS_MAX_LAYERS);
    entry *es = calloc((size_t)n + 1, sizeof *es);
    if (!es)
        return rs_fail_oom(b->err, b->where);
    *out = es;
    *n_out = n;
    int i = 0;
    const cJSON *layer;
    cJSON_ArrayForEach(layer, layers) {
        entry *e = &es[i++];
        e->layer = layer;
        e->name = layer_name(layer);
        e->class_name = json_str(layer, "class_name");
        if (!cJSON_IsObject(layer) || !e->name || !e->class_name)
            return rs_fail(b->err, b->where, "layer %d has no name or class_name", i - 1);
        e->owner = get_owner(b, parent, e->name, e->class_name, layer_config(layer),
                             is_model_class(layer));
        if (e->owner < 0)
            return -1;
    }
    return 0;
}

static int alloc_calls(builder *b, entry *e, int n)
{
    e->n_calls = n;
    e->calls = calloc((size_t)(n ? n : 1), sizeof *e->calls);
    if (!e->calls)
        return rs_fail_oom(b->err, b->where);
    for (int k = 0; k < n; k++) {
        e->calls[k].entry = e;
        e->calls[k].index = k;
    }
    return 0;
}

/* ---- Sequential ---- */

/* An InputLayer implied by batch_input_shape (Keras 2) or batch_shape / build_config. */
static const cJSON *implied_input_config(builder *b, const cJSON *first, char **name)
{
    const cJSON *cfg = layer_config(first);
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(cfg, "batch_input_shape");
    if (!shape)
        shape = cJSON_GetObjectItemCaseSensitive(cfg, "batch_shape");
    if (!shape) {
        const cJSON *bc = cJSON_GetObjectItemCaseSensitive(first, "build_config");
        shape = cJSON_GetObjectItemCaseSensitive(bc, "input_shape");
    }
    const char *fname = layer_name(first);
    *name = join_name(fname ? fname : "input", "_input", 0);
    if (!*name)
        return NULL;
    /* Keras names it "<first layer>_input". */
    cJSON *c = cJSON_CreateObject();
    if (!c)
        return NULL;
    cJSON_AddStringToObject(c, "name", *name);
    if (shape)
        cJSON_AddItemToObject(c, "batch_input_shape", cJSON_Duplicate(shape, 1));
    if (!b->m->synth_json)
        b->m->synth_json = cJSON_CreateArray();
    cJSON_AddItemToArray(b->m->synth_json, c);
    return c;
}

static int build_sequential(builder *b, const cJSON *layers, int parent, const char *prefix,
                            const rs_ref *ins, int n_ins, rs_ref **outs, int *n_outs, int depth)
{
    if (!cJSON_IsArray(layers) || cJSON_GetArraySize(layers) == 0)
        return rs_fail(b->err, b->where, "Sequential model has no layers");
    entry *es = NULL;
    int n_es = 0, rc = -1;
    if (make_entries(b, layers, parent, &es, &n_es) < 0)
        goto done;
    rs_ref cur = {-1, 0};
    if (ins) {
        if (n_ins != 1) {
            rs_fail(b->err, b->where, "nested Sequential model called with %d inputs", n_ins);
            goto done;
        }
        cur = ins[0];
    } else if (strcmp(es[0].class_name, "InputLayer") != 0) {
        char *name = NULL;
        const cJSON *cfg = implied_input_config(b, es[0].layer, &name);
        int owner = cfg ? get_owner(b, parent, name, "InputLayer", cfg, false) : -1;
        if (owner >= 0)
            cur.node = new_node(b, owner, name, NULL, 0);
        free(name);
        if (!cfg)
            rs_fail_oom(b->err, b->where);
        if (cur.node < 0)
            goto done;
    }
    for (int i = 0; i < n_es; i++) {
        entry *e = &es[i];
        if (alloc_calls(b, e, 1) < 0)
            goto done;
        if (!strcmp(e->class_name, "InputLayer")) {
            if (ins || i > 0)
                continue; /* nested: the input tensor stands in for it */
            cur.node = make_call(b, e, 0, NULL, 0, prefix, depth) < 0 ? -1 : e->calls[0].node;
            if (cur.node < 0)
                goto done;
            continue;
        }
        if (make_call(b, e, 0, &cur, 1, prefix, depth) < 0)
            goto done;
        call *c = &e->calls[0];
        if (c->node >= 0) {
            cur = (rs_ref){c->node, 0};
        } else if (c->n_refs >= 1) {
            cur = c->refs[0];
        } else {
            rs_fail(b->err, b->where, "nested model '%s' has no output", e->name);
            goto done;
        }
    }
    *outs = malloc(sizeof **outs);
    if (!*outs) {
        rs_fail_oom(b->err, b->where);
        goto done;
    }
    (*outs)[0] = cur;
    *n_outs = 1;
    rc = 0;
done:
    free_entries(es, n_es);
    return rc;
}

/* ---- Functional ---- */

static int parse_io_list(builder *b, const cJSON *list, triples *ts)
{
    if (!cJSON_IsArray(list))
        return rs_fail(b->err, b->where, "model has no input_layers/output_layers list");
    if (cJSON_IsString(cJSON_GetArrayItem(list, 0)))
        return push_triple(b, ts, list);
    const cJSON *t;
    cJSON_ArrayForEach(t, list)
        if (push_triple(b, ts, t) < 0)
            return -1;
    return 0;
}

/* Mark every InputLayer call: a node at the top, the given tensor inside a nested model. */
static int place_inputs(builder *b, const triples *in_list,
                        const rs_ref *ins, int n_ins, const char *prefix, int depth)
{
    if (ins && n_ins != in_list->n)
        return rs_fail(b->err, b->where, "nested model takes %d inputs but is given %d",
                       in_list->n, n_ins);
    for (int i = 0; i < in_list->n; i++) {
        entry *e = find_entry(b, in_list->t[i].layer);
        if (!e)
            return rs_fail(b->err, b->where, "model input '%s' is not one of its layers",
                           in_list->t[i].layer);
        if (e->calls[0].done)
            continue;
        if (ins) {
            call *c = &e->calls[0];
            c->refs = malloc(sizeof *c->refs);
            if (!c->refs)
                return rs_fail_oom(b->err, b->where);
            c->refs[0] = ins[i];
            c->n_refs = 1;
            c->node = -1;
            c->done = true;
        } else {
            if (make_call(b, e, 0, NULL, 0, prefix, depth) < 0)
                return -1;
            rs_model *m = b->m;
            int *grown = realloc(m->inputs, ((size_t)m->n_inputs + 1) * sizeof *grown);
            if (!grown)
                return rs_fail_oom(b->err, b->where);
            m->inputs = grown;
            m->inputs[m->n_inputs++] = e->calls[0].node;
        }
    }
    return 0;
}

static int add_dependent(builder *b, call *src, call *c)
{
    if (src->n_dependents % 8 == 0) {
        call **d = realloc(src->dependents, ((size_t)src->n_dependents + 8) * sizeof *d);
        if (!d)
            return rs_fail_oom(b->err, b->where);
        src->dependents = d;
    }
    src->dependents[src->n_dependents++] = c;
    return 0;
}

/* A min-heap of ready calls ordered by (layer position, call index): among the calls whose
 * inputs exist, the one listed first is made first, so the nodes keep the config's order
 * wherever the graph allows (and call 0 of a shared layer is its first node). */
typedef struct ready {
    call **v;
    int n;
} ready;

static bool before(const call *a, const call *b)
{
    return a->entry != b->entry ? a->entry < b->entry : a->index < b->index;
}

static void ready_push(ready *r, call *c)
{
    int i = r->n++;
    while (i > 0 && before(c, r->v[(i - 1) / 2])) {
        r->v[i] = r->v[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    r->v[i] = c;
}

static call *ready_pop(ready *r)
{
    call *top = r->v[0], *last = r->v[--r->n];
    int i = 0;
    for (;;) {
        int l = 2 * i + 1, m = l + 1, min = i;
        const call *best = last;
        if (l < r->n && before(r->v[l], best)) {
            min = l;
            best = r->v[l];
        }
        if (m < r->n && before(r->v[m], best))
            min = m;
        if (min == i)
            break;
        r->v[i] = r->v[min];
        i = min;
    }
    if (r->n > 0)
        r->v[i] = last;
    return top;
}

/* Count each pending call's missing inputs, register it with their sources, and queue the
 * calls that miss none. */
static int link_calls(builder *b, entry *es, int n_es, ready *queue, triples *ts)
{
    for (int i = 0; i < n_es; i++)
        for (int k = 0; k < es[i].n_calls; k++) {
            call *c = &es[i].calls[k];
            if (c->done || !c->inbound)
                continue;
            ts->n = 0;
            if (parse_inbound(b, es[i].name, c->inbound, ts) < 0)
                return -1;
            for (int t = 0; t < ts->n; t++) {
                call *src = source_call(b, &ts->t[t]);
                if (!src)
                    return -1;
                if (!src->done && !src->inbound)
                    return rs_fail(b->err, b->where, "layer '%s' takes its input from '%s', "
                                   "which is never called", es[i].name, ts->t[t].layer);
                if (!src->done && (c->pending++, add_dependent(b, src, c) < 0))
                    return -1;
            }
            if (c->pending == 0)
                ready_push(queue, c);
        }
    return 0;
}

/* Create the calls in dependency order (Kahn's algorithm), so that shared layers and layers
 * listed before their inputs work, in O(calls log calls). */
static int make_calls(builder *b, entry *es, int n_es, const char *prefix, int depth)
{
    size_t total = 0;
    for (int i = 0; i < n_es; i++)
        total += (size_t)es[i].n_calls;
    triples ts = {0};
    rs_ref *refs = NULL;
    ready queue = {malloc((total + 1) * sizeof *queue.v), 0};
    int rc = -1;
    if (!queue.v) {
        rs_fail_oom(b->err, b->where);
        goto done;
    }
    if (link_calls(b, es, n_es, &queue, &ts) < 0)
        goto done;
    while (queue.n > 0) {
        call *c = ready_pop(&queue);
        ts.n = 0;
        if (parse_inbound(b, c->entry->name, c->inbound, &ts) < 0)
            goto done;
        rs_ref *grown = realloc(refs, ((size_t)ts.n + 1) * sizeof *refs);
        if (!grown) {
            rs_fail_oom(b->err, b->where);
            goto done;
        }
        refs = grown;
        if (resolve_all(b, &ts, refs) <= 0 ||
            make_call(b, c->entry, c->index, refs, ts.n, prefix, depth) < 0)
            goto done;
        for (int d = 0; d < c->n_dependents; d++)
            if (--c->dependents[d]->pending == 0)
                ready_push(&queue, c->dependents[d]);
    }
    for (int i = 0; i < n_es; i++)
        for (int k = 0; k < es[i].n_calls; k++)
            if (!es[i].calls[k].done && es[i].calls[k].inbound) {
                rs_fail(b->err, b->where, "the inputs of layer '%s' never become available "
                                          "(a cycle in the graph)", es[i].name);
                goto done;
            }
    rc = 0;
done:
    free(queue.v);
    free(ts.t);
    free(refs);
    return rc;
}

/* Keras numbers the calls of a nested model from 1 when it kept the model's own first node
 * (Keras 2 for every nested model, Keras 3 for nested Functional models): a reference one past
 * its last call shows that numbering. */
static void note_node_base(builder *b, const triple *t)
{
    entry *e = find_entry(b, t->layer);
    if (e && b->g->owners[e->owner].is_model && t->node_index == e->n_calls)
        e->node_base = 1;
}

static int find_node_bases(builder *b, entry *es, int n_es, const triples *out_list)
{
    triples ts = {0};
    int rc = 0;
    for (int i = 0; i < n_es && rc == 0; i++)
        for (int k = 0; k < es[i].n_calls && rc == 0; k++) {
            if (!es[i].calls[k].inbound)
                continue;
            ts.n = 0; /* one call at a time: the cap on inputs is per call, not per model */
            rc = parse_inbound(b, es[i].name, es[i].calls[k].inbound, &ts);
            for (int t = 0; rc == 0 && t < ts.n; t++)
                note_node_base(b, &ts.t[t]);
        }
    for (int t = 0; rc == 0 && t < out_list->n; t++)
        note_node_base(b, &out_list->t[t]);
    free(ts.t);
    return rc;
}

static int build_functional(builder *b, const cJSON *cfg, int parent, const char *prefix,
                            const rs_ref *ins, int n_ins, rs_ref **outs, int *n_outs, int depth)
{
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(cfg, "layers");
    if (!cJSON_IsArray(layers))
        return rs_fail(b->err, b->where, "model config has no layers");
    entry *es = NULL, **outer_index = b->index;
    int n_es = 0, rc = -1, outer_n = b->n_index;
    triples in_list = {0}, out_list = {0};
    b->index = NULL; /* this container's names, restored for the outer one at the end */
    if (make_entries(b, layers, parent, &es, &n_es) < 0 || index_entries(b, es, n_es) < 0)
        goto done;
    for (int i = 0; i < n_es; i++) {
        const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(es[i].layer, "inbound_nodes");
        int n = cJSON_IsArray(nodes) ? cJSON_GetArraySize(nodes) : 0;
        if (n > RS_MAX_LAYERS) {
            rs_fail(b->err, b->where, "layer '%s' has too many calls", es[i].name);
            goto done;
        }
        if (alloc_calls(b, &es[i], n ? n : 1) < 0)
            goto done;
        const cJSON *node = n > 0 ? nodes->child : NULL;
        for (int k = 0; k < n && node; k++, node = node->next)
            es[i].calls[k].inbound = node;
    }
    if (parse_io_list(b, cJSON_GetObjectItemCaseSensitive(cfg, "input_layers"), &in_list) < 0 ||
        parse_io_list(b, cJSON_GetObjectItemCaseSensitive(cfg, "output_layers"), &out_list) < 0 ||
        find_node_bases(b, es, n_es, &out_list) < 0 ||
        place_inputs(b, &in_list, ins, n_ins, prefix, depth) < 0 ||
        make_calls(b, es, n_es, prefix, depth) < 0)
        goto done;
    *outs = calloc((size_t)out_list.n + 1, sizeof **outs);
    if (!*outs) {
        rs_fail_oom(b->err, b->where);
        goto done;
    }
    for (int i = 0; i < out_list.n; i++) {
        int r = resolve(b, &out_list.t[i], &(*outs)[i]);
        if (r == 0)
            rs_fail(b->err, b->where, "model output '%s' is never computed", out_list.t[i].layer);
        if (r <= 0) {
            free(*outs);
            *outs = NULL;
            goto done;
        }
    }
    *n_outs = out_list.n;
    rc = 0;
done:
    free(in_list.t);
    free(out_list.t);
    free_entries(es, n_es);
    free(b->index);
    b->index = outer_index;
    b->n_index = outer_n;
    return rc;
}

static int build_container(builder *b, const cJSON *model_obj, int parent, const char *prefix,
                           const rs_ref *ins, int n_ins, rs_ref **outs, int *n_outs, int depth)
{
    if (depth > MAX_NESTING)
        return rs_fail(b->err, b->where, "models nested more than %d deep", MAX_NESTING);
    const char *cls = json_str(model_obj, "class_name");
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(model_obj, "config");
    if (!cls || !cfg)
        return rs_fail(b->err, b->where, "model config has no class_name or config");
    if (!strcmp(cls, "Sequential")) {
        const cJSON *layers = cJSON_IsArray(cfg) ? cfg
                                                 : cJSON_GetObjectItemCaseSensitive(cfg, "layers");
        return build_sequential(b, layers, parent, prefix, ins, n_ins, outs, n_outs, depth);
    }
    return build_functional(b, cfg, parent, prefix, ins, n_ins, outs, n_outs, depth);
}

int rs_graph_build(rs_model *m, const cJSON *model_obj, rs_graph *g, rs_error *err)
{
    builder b = {m, g, m->path, err, NULL, 0};
    const char *cls = json_str(model_obj, "class_name");
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(model_obj, "config");
    if (!cls)
        return rs_fail(err, m->path, "model config has no class_name");
    m->model_class = rs_strdup(cls);
    const char *name = cJSON_IsObject(cfg) ? json_str(cfg, "name") : NULL;
    m->model_name = rs_strdup(name ? name : "");
    if (!m->model_class || !m->model_name)
        return rs_fail_oom(err, m->path);
    rs_ref *outs = NULL;
    int n_outs = 0;
    if (build_container(&b, model_obj, -1, "", NULL, 0, &outs, &n_outs, 0) < 0)
        return -1;
    m->outputs = outs;
    m->n_outputs = n_outs;
    if (m->n_inputs == 0) {
        /* Sequential: its first node is its input. */
        for (int i = 0; i < m->n_nodes; i++)
            if (m->nodes[i].n_inputs == 0 && !strcmp(m->nodes[i].class_name, "InputLayer")) {
                m->inputs = malloc(sizeof *m->inputs);
                if (!m->inputs)
                    return rs_fail_oom(err, m->path);
                m->inputs[0] = i;
                m->n_inputs = 1;
                break;
            }
    }
    return 0;
}

/* On-demand forward pass with a per-input cache of every node's outputs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/layer.h"
#include "rnnscope/memcap.h"
#include "rnnscope/run.h"

typedef struct node_cache {
    bool done;
    bool internals;     /* the internal tensors are filled (they are made only when asked for) */
    bool borrowed;      /* an input layer's: outs[0] is the run's input, not a copy */
    int n;              /* outputs + internals */
    rs_tensor *outs;
    rs_tensor *masks;   /* per Keras output */
} node_cache;

struct rs_run {
    const rs_model *m;
    rs_progress progress;
    bool has_progress;
    rs_tensor *inputs;  /* m->n_inputs */
    bool have_inputs;
    node_cache *cache;  /* m->n_nodes */
    size_t weight_bytes; /* the model's weights */
    size_t held;         /* its inputs and cached outputs (counted in all_held) */
};

/* What every run holds (the explorer keeps one per sample it has shown): the memory cap is
 * checked against the model's weights plus all of it. */
static _Atomic size_t all_held;

static void set_held(rs_run *r, size_t bytes)
{
    all_held -= r->held; /* modular: exact even for saturated sizes */
    all_held += bytes;
    r->held = bytes;
}

static size_t tensor_bytes(const rs_tensor *t)
{
    return t->data ? rs_size_mul(t->size, sizeof(float)) : 0;
}

rs_run *rs_run_new(const rs_model *m, rs_error *err)
{
    rs_run *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->m = m;
    r->weight_bytes = rs_model_weight_bytes(m);
    r->inputs = calloc((size_t)(m->n_inputs ? m->n_inputs : 1), sizeof *r->inputs);
    r->cache = calloc((size_t)(m->n_nodes ? m->n_nodes : 1), sizeof *r->cache);
    if (!r->inputs || !r->cache) {
        rs_run_free(r);
        rs_fail_oom(err, m->path);
        return NULL;
    }
    return r;
}

/* The bytes a cache entry holds. */
static size_t entry_bytes(const node_cache *c)
{
    size_t bytes = 0;
    if (c->borrowed)
        return 0; /* counted with the inputs */
    for (int i = 0; i < c->n; i++)
        bytes = rs_size_add(bytes, rs_size_add(tensor_bytes(&c->outs[i]),
                                               c->masks ? tensor_bytes(&c->masks[i]) : 0));
    return bytes;
}

static void free_cache_entry(node_cache *c)
{
    for (int i = 0; i < c->n && !c->borrowed; i++)
        rs_tensor_free(&c->outs[i]);
    if (c->masks)
        for (int i = 0; i < c->n; i++)
            rs_tensor_free(&c->masks[i]);
    free(c->outs);
    free(c->masks);
    memset(c, 0, sizeof *c);
}

void rs_run_clear(rs_run *r)
{
    for (int i = 0; i < r->m->n_nodes; i++)
        free_cache_entry(&r->cache[i]);
    size_t inputs = 0;
    for (int i = 0; r->inputs && i < r->m->n_inputs; i++)
        inputs = rs_size_add(inputs, tensor_bytes(&r->inputs[i]));
    set_held(r, inputs);
}

void rs_run_free(rs_run *r)
{
    if (!r)
        return;
    if (r->cache)
        rs_run_clear(r);
    if (r->inputs)
        for (int i = 0; i < r->m->n_inputs; i++)
            rs_tensor_free(&r->inputs[i]);
    set_held(r, 0);
    free(r->inputs);
    free(r->cache);
    free(r);
}

void rs_run_set_progress(rs_run *r, const rs_progress *p)
{
    r->has_progress = p != NULL;
    if (p)
        r->progress = *p;
}

/* Does a tensor with a batch axis fit a static shape without one (-1 dims match anything)? */
static bool shape_fits(const rs_tensor *t, const rs_shape *s)
{
    if (s->rank < 0)
        return true;
    if (t->rank != s->rank + 1)
        return false;
    for (int i = 0; i < s->rank; i++)
        if (s->dims[i] >= 0 && (size_t)s->dims[i] != t->shape[i + 1])
            return false;
    return true;
}

/* Checks new inputs against the model, drops the old ones and what was computed from them, and
 * checks that the new ones fit the memory cap; the caller then fills r->inputs. */
static int make_room_for_inputs(rs_run *r, const rs_tensor *inputs, int n, rs_error *err)
{
    const rs_model *m = r->m;
    if (n != m->n_inputs)
        return rs_fail(err, m->path, "the model has %d input%s, %d given", m->n_inputs,
                       m->n_inputs == 1 ? "" : "s", n);
    for (int i = 0; i < n; i++) {
        const rs_node *in = &m->nodes[m->inputs[i]];
        if (in->n_outputs > 0 && !shape_fits(&inputs[i], &in->out_shapes[0])) {
            char want[160], got[160];
            return rs_fail_code(err, RS_ERR_BAD_ARGUMENT, in->name,
                                "input has shape %s, the model expects %s",
                                rs_shape_format(inputs[i].rank, inputs[i].shape, got, sizeof got),
                                rs_shape_format_batch(&in->out_shapes[0], want, sizeof want));
        }
    }
    rs_run_clear(r);
    for (int i = 0; i < m->n_inputs; i++)
        rs_tensor_free(&r->inputs[i]);
    r->have_inputs = false;
    set_held(r, 0);
    size_t need = 0;
    for (int i = 0; i < n; i++)
        need = rs_size_add(need, tensor_bytes(&inputs[i]));
    if (rs_memcap_check(rs_size_add(r->weight_bytes, all_held), need, m->path, "the inputs need",
                        err) < 0)
        return -1;
    set_held(r, need);
    return 0;
}

int rs_run_set_inputs(rs_run *r, const rs_tensor *inputs, int n, rs_error *err)
{
    if (make_room_for_inputs(r, inputs, n, err) < 0)
        return -1;
    for (int i = 0; i < n; i++)
        if (rs_tensor_copy(&r->inputs[i], &inputs[i], err) < 0) {
            for (int j = 0; j < i; j++)
                rs_tensor_free(&r->inputs[j]);
            set_held(r, 0);
            return rs_error_prefix(err, r->m->path);
        }
    r->have_inputs = true;
    return 0;
}

int rs_run_take_inputs(rs_run *r, rs_tensor *inputs, int n, rs_error *err)
{
    if (make_room_for_inputs(r, inputs, n, err) < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        r->inputs[i] = inputs[i];
        memset(&inputs[i], 0, sizeof inputs[i]);
    }
    r->have_inputs = true;
    return 0;
}

static int input_index(const rs_model *m, int node)
{
    for (int i = 0; i < m->n_inputs; i++)
        if (m->inputs[i] == node)
            return i;
    return -1;
}

static int layer_fail(rs_error *err, rs_error_code code, const rs_node *node, const char *what)
{
    char where[256];
    snprintf(where, sizeof where, "layer %s (%s)", node->name, node->class_name);
    return rs_fail_code(err, code, where, "%s", what);
}

static int alloc_cache(node_cache *c, int n, rs_error *err)
{
    c->n = n;
    c->outs = calloc((size_t)(n ? n : 1), sizeof *c->outs);
    c->masks = calloc((size_t)(n ? n : 1), sizeof *c->masks);
    if (!c->outs || !c->masks) {
        free_cache_entry(c);
        return rs_fail_oom(err, NULL);
    }
    return 0;
}

static int compute(rs_run *r, int idx, bool internals, rs_error *err);

/* Move the internals (entries from first on) of a recomputed node into its cache entry and
 * free the rest of the recomputation. */
static void take_internals(rs_run *r, node_cache *c, node_cache *fresh, int first)
{
    size_t before = entry_bytes(c);
    for (int i = first; i < c->n && i < fresh->n; i++) {
        rs_tensor_free(&c->outs[i]);
        rs_tensor_move(&c->outs[i], &fresh->outs[i]);
    }
    free_cache_entry(fresh);
    set_held(r, rs_size_add(r->held - before, entry_bytes(c)));
}

static int run_layer(rs_run *r, int idx, bool internals, rs_error *err)
{
    const rs_node *node = &r->m->nodes[idx];
    if (node->unsupported)
        return layer_fail(err, RS_ERR_UNSUPPORTED, node, node->unsupported);
    if (!node->kind || !node->kind->forward)
        return layer_fail(err, RS_ERR_UNSUPPORTED, node,
                          "its forward pass is not implemented yet");
    const rs_tensor **ins = calloc((size_t)node->n_inputs + 1, sizeof *ins);
    const rs_tensor **masks = calloc((size_t)node->n_inputs + 1, sizeof *masks);
    int rc = -1;
    if (!ins || !masks) {
        rs_fail_oom(err, node->name);
        goto done;
    }
    for (int i = 0; i < node->n_inputs; i++) {
        rs_ref ref = node->inputs[i];
        if (compute(r, ref.node, false, err) < 0)
            goto done;
        node_cache *src = &r->cache[ref.node];
        if (ref.output < 0 || ref.output >= src->n) {
            layer_fail(err, RS_ERR_BAD_FILE, node,
                       "refers to an output its input layer does not have");
            goto done;
        }
        ins[i] = &src->outs[ref.output];
        masks[i] = src->masks[ref.output].data ? &src->masks[ref.output] : NULL;
    }
    /* what this layer will allocate, on top of the weights, inputs and outputs held */
    char where[256];
    snprintf(where, sizeof where, "layer %s (%s)", node->name, node->class_name);
    if (rs_memcap_check(rs_size_add(r->weight_bytes, all_held),
                        rs_node_need_bytes(node, ins, internals, &r->m->layer_ctx), where, "computing it needs", err) < 0)
        goto done;
    /* Asked for the internals of a node already computed: run it again into a fresh entry
     * and keep only the internals, so that the outputs others point to stay where they are. */
    node_cache fresh = {0}, *c = internals && r->cache[idx].done ? &fresh : &r->cache[idx];
    if (alloc_cache(c, node->n_outputs + node->n_internal, err) < 0)
        goto done;
    rs_layer_io io = {
        .n_inputs = node->n_inputs,
        .inputs = ins,
        .in_masks = masks,
        .outputs = c->outs,
        .out_masks = c->masks,
        .progress = r->has_progress ? &r->progress : NULL,
        .keras_major = r->m->keras_major,
        .skip_internals = !internals,
    };
    if (node->kind->forward(node, &io, err) < 0) {
        free_cache_entry(c);
        rs_error_prefix(err, where);
        goto done;
    }
    if (c == &fresh)
        take_internals(r, &r->cache[idx], &fresh, node->n_outputs);
    else
        set_held(r, rs_size_add(r->held, entry_bytes(c)));
    c = &r->cache[idx];
    c->done = true;
    c->internals = internals || node->n_internal == 0;
    rc = 0;
done:
    free(ins);
    free(masks);
    return rc;
}

/* Compute one node whose inputs are computed (an input layer: take the model's input), with
 * its internals when asked. */
static int compute_one(rs_run *r, int idx, bool internals, rs_error *err)
{
    node_cache *c = &r->cache[idx];
    int in = input_index(r->m, idx);
    if (in < 0)
        return run_layer(r, idx, internals, err);
    if (!r->have_inputs)
        return rs_fail(err, r->m->path, "no input has been given to the model");
    if (alloc_cache(c, 1, err) < 0)
        return -1;
    c->outs[0] = r->inputs[in]; /* the input layer's output is the input itself */
    c->borrowed = true;
    c->done = true;
    return 0;
}

const rs_tensor *rs_run_mask(const rs_run *r, int node, int k)
{
    if (node < 0 || node >= r->m->n_nodes || !r->cache[node].done || !r->cache[node].masks)
        return NULL;
    const rs_node *n = &r->m->nodes[node];
    int j = k < n->n_outputs ? k : 0;
    const rs_tensor *mask = &r->cache[node].masks[j];
    return k >= 0 && n->n_outputs > 0 && mask->data ? mask : NULL;
}

/* Mark in need[] the nodes idx depends on that are not computed yet, walking the graph with a
 * stack of its own (a chain of 20 000 layers would overflow the call stack). Every input of a
 * node comes before it (the model's nodes are in topological order). */
static int mark_needed(const rs_run *r, int idx, bool *need, int *stack, rs_error *err)
{
    const rs_model *m = r->m;
    int sp = 0;
    need[idx] = true;
    stack[sp++] = idx;
    while (sp > 0) {
        const rs_node *n = &m->nodes[stack[--sp]];
        for (int i = 0; i < n->n_inputs; i++) {
            int src = n->inputs[i].node;
            if (src < 0 || src >= (int)(n - m->nodes))
                return rs_fail(err, n->name, "takes its input from a layer that does not come "
                                             "before it");
            if (!need[src] && !r->cache[src].done) {
                need[src] = true;
                stack[sp++] = src; /* each node is pushed once: sp < n_nodes */
            }
        }
    }
    return 0;
}

/* Compute node idx and what it needs, in the model's order; long chains report progress
 * between layers, and stop when it says to. internals: node idx keeps its internals (asked for
 * one first, it then runs once instead of twice). */
static int compute(rs_run *r, int idx, bool internals, rs_error *err)
{
    const rs_model *m = r->m;
    if (idx < 0 || idx >= m->n_nodes)
        return rs_fail(err, m->path, "no layer number %d", idx);
    if (r->cache[idx].done)
        return 0;
    bool *need = calloc((size_t)m->n_nodes, sizeof *need);
    int *stack = malloc((size_t)m->n_nodes * sizeof *stack);
    int rc = need && stack ? mark_needed(r, idx, need, stack, err)
                           : rs_fail_oom(err, m->path);
    for (int i = 0; rc == 0 && i <= idx; i++) {
        if (!need[i])
            continue;
        rc = compute_one(r, i, i == idx && internals, err);
        if (rc == 0 && r->has_progress &&
            !rs_progress_report(&r->progress, idx ? (double)i / idx : 1.0))
            rc = rs_fail_cancelled(err);
    }
    free(need);
    free(stack);
    return rc;
}

int rs_run_output(rs_run *r, int node, int k, const rs_tensor **out, rs_error *err)
{
    *out = NULL;
    bool internal = node >= 0 && node < r->m->n_nodes && k >= r->m->nodes[node].n_outputs;
    if (compute(r, node, internal, err) < 0)
        return -1;
    node_cache *c = &r->cache[node];
    if (k >= r->m->nodes[node].n_outputs && k < c->n && !c->internals &&
        run_layer(r, node, true, err) < 0)
        return -1;
    if (k < 0 || k >= c->n)
        return rs_fail(err, r->m->nodes[node].name, "has no output %d (it has %d)", k, c->n);
    *out = &c->outs[k];
    return 0;
}

size_t rs_run_held(const rs_run *r)
{
    return rs_size_add(r->weight_bytes, all_held);
}

const rs_model *rs_run_model(const rs_run *r)
{
    return r->m;
}

const rs_progress *rs_run_progress(const rs_run *r)
{
    return r->has_progress ? &r->progress : NULL;
}

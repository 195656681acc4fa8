/* The reverse pass over the graph: nodes are in topological order, so one sweep from the
 * objective's node down to the first visits every node after all its consumers. Each node's
 * output gradients are summed from its consumers, handed to its kind's `backward`, and freed
 * once its input gradients are out (unless the request keeps them): at any time the sweep holds
 * the gradients of the frontier only. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/grad.h"
#include "rnnscope/layer.h"
#include "rnnscope/memcap.h"

typedef struct node_grads {
    rs_tensor *d_out;   /* per Keras output; data NULL: no gradient reached it */
    rs_tensor *d_w;     /* per weight, when kept */
    bool integer_input; /* its only gradient-taking consumers take token ids */
} node_grads;

struct rs_grads {
    const rs_model *m;
    int node;           /* the request's node */
    node_grads *g;      /* per node */
    rs_tensor *zeros;   /* the request node's outputs nothing used */
    double objective;
    size_t held;        /* bytes of gradients held, for the memory cap */
};

static size_t tensor_bytes(const rs_tensor *t)
{
    return t->data ? rs_size_mul(t->size, sizeof(float)) : 0;
}

static void free_tensors(rs_tensor *t, int n)
{
    for (int i = 0; t && i < n; i++)
        rs_tensor_free(&t[i]);
    free(t);
}

void rs_grads_free(rs_grads *g)
{
    if (!g)
        return;
    for (int i = 0; g->g && i < g->m->n_nodes; i++) {
        const rs_node *n = &g->m->nodes[i];
        free_tensors(g->g[i].d_out, n->n_outputs);
        free_tensors(g->g[i].d_w, n->n_weights);
    }
    if (g->node >= 0)
        free_tensors(g->zeros, g->m->nodes[g->node].n_outputs);
    free(g->g);
    free(g);
}

static const char *layer_where(const rs_node *n, char *buf, size_t len)
{
    snprintf(buf, len, "layer %s (%s)", n->name, n->class_name);
    return buf;
}

/* The node that owns the weights of a shared layer's call (itself when it owns them). */
static int weight_owner(const rs_model *m, int i)
{
    const rs_node *n = &m->nodes[i];
    if (n->owns_weights || n->n_weights == 0)
        return i;
    for (int j = 0; j < m->n_nodes; j++)
        if (m->nodes[j].owns_weights && m->nodes[j].weights == n->weights)
            return j;
    return i;
}

static bool wants_weights(const rs_model *m, const rs_grad_request *req, int i)
{
    if (m->nodes[i].n_weights == 0)
        return false;
    return req->all_weights || (req->weights_node >= 0 &&
                                weight_owner(m, req->weights_node) == weight_owner(m, i));
}

/* upstream[i]: node i, or a node it reads from, is something the request keeps; only such
 * nodes need their input gradients. */
static bool *wanted_upstream(const rs_model *m, const rs_grad_request *req)
{
    bool *up = calloc((size_t)m->n_nodes + 1, sizeof *up);
    if (!up)
        return NULL;
    for (int i = 0; i < m->n_nodes; i++) {
        up[i] = i == req->node || wants_weights(m, req, i);
        for (int k = 0; k < m->nodes[i].n_inputs && !up[i]; k++)
            up[i] = up[m->nodes[i].inputs[k].node];
    }
    return up;
}

/* Add src into the gradient slot dst (taking src when the slot is empty). */
static int accumulate(rs_tensor *dst, rs_tensor *src, const char *where, rs_error *err)
{
    if (!dst->data) {
        rs_tensor_move(dst, src);
        return 0;
    }
    if (!rs_shape_equal(dst, src))
        return rs_fail(err, where, "gradients of different shapes meet (internal error)");
    for (size_t i = 0; i < dst->size; i++)
        dst->data[i] += src->data[i];
    rs_tensor_free(src);
    return 0;
}

static int alloc_slots(rs_tensor **slots, int n, rs_error *err)
{
    *slots = calloc((size_t)(n > 0 ? n : 1), sizeof **slots);
    return *slots ? 0 : rs_fail_oom(err, NULL);
}

/* Bytes a node's reverse pass will allocate: its input gradients, its weights' gradients when
 * kept, and its scratch. */
static size_t backward_need(const rs_node *n, const rs_tensor *const *ins, bool weights)
{
    size_t bytes = 0;
    for (int k = 0; k < n->n_inputs; k++)
        bytes = rs_size_add(bytes, tensor_bytes(ins[k]));
    for (int w = 0; weights && w < n->n_weights; w++)
        bytes = rs_size_add(bytes, tensor_bytes(&n->weights[w].value));
    if (n->kind && n->kind->backward_scratch)
        bytes = rs_size_add(bytes, n->kind->backward_scratch(n, ins));
    return bytes;
}

typedef struct sweep {
    rs_run *run;
    rs_grads *g;
    const rs_grad_request *req;
    const bool *up;
} sweep;

/* The forward values a node's reverse pass reads, from the run. */
static int gather_forward(sweep *s, int i, const rs_tensor **ins, const rs_tensor **masks,
                          rs_tensor *outs, rs_error *err)
{
    const rs_node *n = &s->g->m->nodes[i];
    for (int k = 0; k < n->n_inputs; k++) {
        rs_ref ref = n->inputs[k];
        if (rs_run_output(s->run, ref.node, ref.output, &ins[k], err) < 0)
            return -1;
        masks[k] = rs_run_mask(s->run, ref.node, ref.output);
    }
    for (int k = 0; k < n->n_outputs; k++) {
        const rs_tensor *t;
        if (rs_run_output(s->run, i, k, &t, err) < 0)
            return -1;
        outs[k] = *t; /* a shallow view: the run owns the data */
    }
    return 0;
}

/* Hand a node's input gradients to the nodes they come from. */
static int pass_down(sweep *s, int i, rs_tensor *d_in, rs_error *err)
{
    const rs_model *m = s->g->m;
    const rs_node *n = &m->nodes[i];
    for (int k = 0; k < n->n_inputs; k++) {
        rs_ref ref = n->inputs[k];
        node_grads *src = &s->g->g[ref.node];
        if (!s->up[ref.node]) {
            rs_tensor_free(&d_in[k]);
            continue;
        }
        if (!d_in[k].data) {
            src->integer_input = true;
            continue;
        }
        if (!src->d_out && alloc_slots(&src->d_out, m->nodes[ref.node].n_outputs, err) < 0)
            return -1;
        bool fresh = !src->d_out[ref.output].data;
        size_t bytes = tensor_bytes(&d_in[k]);
        if (accumulate(&src->d_out[ref.output], &d_in[k], m->nodes[ref.node].name, err) < 0)
            return -1;
        if (fresh)
            s->g->held = rs_size_add(s->g->held, bytes);
    }
    return 0;
}

/* Keep the weights' gradients of a node: in its owner's slots (a shared layer sums its calls). */
static int keep_weights(sweep *s, int i, rs_tensor *d_w, rs_error *err)
{
    const rs_model *m = s->g->m;
    int owner = weight_owner(m, i);
    node_grads *o = &s->g->g[owner];
    if (!o->d_w && alloc_slots(&o->d_w, m->nodes[owner].n_weights, err) < 0)
        return -1;
    for (int w = 0; w < m->nodes[i].n_weights && w < m->nodes[owner].n_weights; w++)
        if (d_w[w].data && accumulate(&o->d_w[w], &d_w[w], m->nodes[i].name, err) < 0)
            return -1;
    return 0;
}

static int call_backward(sweep *s, int i, const rs_tensor **ins, const rs_tensor **masks,
                         rs_tensor *outs, rs_tensor *d_in, rs_tensor *d_w, rs_error *err)
{
    const rs_model *m = s->g->m;
    const rs_node *n = &m->nodes[i];
    node_grads *ng = &s->g->g[i];
    char where[256];
    layer_where(n, where, sizeof where);
    if (!n->kind || !n->kind->backward)
        return rs_fail_code(err, RS_ERR_UNSUPPORTED, where, "no reverse pass for this layer kind");
    if (gather_forward(s, i, ins, masks, outs, err) < 0)
        return -1;
    size_t held = rs_size_add(rs_run_held(s->run), s->g->held);
    size_t need = backward_need(n, ins, d_w != NULL), cap = rs_memcap_get();
    if (rs_memcap_check(held, need, where, "its reverse pass needs", err) < 0)
        return -1;
    size_t scratch = n->kind->backward_scratch ? n->kind->backward_scratch(n, ins) : 0;
    const rs_tensor **d_out = calloc((size_t)n->n_outputs + 1, sizeof *d_out);
    if (!d_out)
        return rs_fail_oom(err, where);
    for (int k = 0; k < n->n_outputs; k++)
        d_out[k] = ng->d_out[k].data ? &ng->d_out[k] : NULL;
    rs_layer_grad_io io = {
        .n_inputs = n->n_inputs,
        .inputs = ins,
        .in_masks = masks,
        .outputs = outs,
        .d_outputs = d_out,
        .d_inputs = d_in,
        .d_weights = d_w,
        .progress = rs_run_progress(s->run),
        .keras_major = m->keras_major,
        /* the scratch counted above, and what the cap leaves on top */
        .scratch_budget = cap == RS_MEMCAP_NONE ? SIZE_MAX
                                                : rs_size_add(cap - rs_size_add(held, need), scratch),
    };
    int rc = n->kind->backward(n, &io, err);
    free(d_out);
    if (rc < 0)
        return rs_error_prefix(err, where);
    return 0;
}

/* The reverse pass of node i: its input gradients go to its sources, its weights' to keep. */
static int backward_node(sweep *s, int i, rs_error *err)
{
    const rs_model *m = s->g->m;
    const rs_node *n = &m->nodes[i];
    bool weights = wants_weights(m, s->req, i);
    bool inputs = false;
    for (int k = 0; k < n->n_inputs; k++)
        inputs = inputs || s->up[n->inputs[k].node];
    if (!weights && !inputs)
        return 0;
    int ni = n->n_inputs + 1;
    const rs_tensor **ins = calloc((size_t)ni, sizeof *ins);
    const rs_tensor **masks = calloc((size_t)ni, sizeof *masks);
    rs_tensor *outs = calloc((size_t)n->n_outputs + 1, sizeof *outs);
    rs_tensor *d_in = calloc((size_t)ni, sizeof *d_in);
    rs_tensor *d_w = weights ? calloc((size_t)n->n_weights + 1, sizeof *d_w) : NULL;
    int rc = -1;
    if (!ins || !masks || !outs || !d_in || (weights && !d_w))
        rs_fail_oom(err, n->name);
    else if (call_backward(s, i, ins, masks, outs, d_in, d_w, err) == 0 &&
             pass_down(s, i, d_in, err) == 0 && (!weights || keep_weights(s, i, d_w, err) == 0))
        rc = 0;
    for (int k = 0; k < n->n_inputs; k++)
        rs_tensor_free(&d_in[k]);
    free_tensors(d_w, n->n_weights);
    free(d_in);
    free(ins);
    free(masks);
    free(outs);
    return rc;
}

/* Forget a node's output gradients once its reverse pass has used them. */
static void drop_outputs(rs_grads *g, int i)
{
    node_grads *ng = &g->g[i];
    if (i == g->node || !ng->d_out)
        return;
    for (int k = 0; k < g->m->nodes[i].n_outputs; k++) {
        g->held -= tensor_bytes(&ng->d_out[k]);
        rs_tensor_free(&ng->d_out[k]);
    }
}

/* d objective / d the objective's model output, into the output node's slot. */
static int seed_objective(sweep *s, const rs_objective *obj, rs_error *err)
{
    const rs_model *m = s->g->m;
    if (obj->output < 0 || obj->output >= m->n_outputs)
        return rs_fail(err, m->path, "the model has no output %d", obj->output);
    rs_ref ref = m->outputs[obj->output];
    const rs_node *n = &m->nodes[ref.node];
    const rs_tensor *y;
    if (rs_run_output(s->run, ref.node, ref.output, &y, err) < 0)
        return -1;
    node_grads *ng = &s->g->g[ref.node];
    if (alloc_slots(&ng->d_out, n->n_outputs, err) < 0)
        return -1;
    char where[256];
    layer_where(n, where, sizeof where);
    if (rs_objective_grad(obj, y, where, &ng->d_out[ref.output], &s->g->objective, err) < 0)
        return -1;
    s->g->held = tensor_bytes(&ng->d_out[ref.output]);
    return 0;
}

/* Zeros for the request node's outputs that no gradient reached. */
static int fill_zeros(sweep *s, rs_error *err)
{
    rs_grads *g = s->g;
    const rs_node *n = &g->m->nodes[g->node];
    if (g->g[g->node].integer_input && !g->g[g->node].d_out) {
        char where[256];
        return rs_fail(err, layer_where(n, where, sizeof where),
                       "its values are integer token ids, which have no gradient");
    }
    if (alloc_slots(&g->zeros, n->n_outputs, err) < 0)
        return -1;
    for (int k = 0; k < n->n_outputs; k++) {
        if (g->g[g->node].d_out && g->g[g->node].d_out[k].data)
            continue;
        const rs_tensor *t;
        if (rs_run_output(s->run, g->node, k, &t, err) < 0 ||
            rs_tensor_alloc(&g->zeros[k], t->rank, t->shape, err) < 0)
            return -1;
    }
    return 0;
}

static int sweep_graph(sweep *s, const rs_objective *obj, rs_error *err)
{
    const rs_model *m = s->g->m;
    if (seed_objective(s, obj, err) < 0)
        return -1;
    for (int i = m->outputs[obj->output].node; i >= 0; i--) {
        if (!s->g->g[i].d_out)
            continue; /* no gradient reaches it */
        if (backward_node(s, i, err) < 0)
            return -1;
        drop_outputs(s->g, i);
    }
    return s->g->node >= 0 ? fill_zeros(s, err) : 0;
}

/* An InputLayer of integers (token ids for an Embedding). */
static bool integer_input(const rs_node *n)
{
    const cJSON *dtype = n->n_inputs == 0 ? cJSON_GetObjectItemCaseSensitive(n->keras_config, "dtype")
                                          : NULL;
    return cJSON_IsString(dtype) &&
           (!strncmp(dtype->valuestring, "int", 3) || !strncmp(dtype->valuestring, "uint", 4));
}

int rs_grad_compute(rs_run *r, const rs_objective *obj, const rs_grad_request *req,
                    rs_grads **out, rs_error *err)
{
    *out = NULL;
    const rs_model *m = rs_run_model(r);
    char where[256];
    if (req->node >= m->n_nodes || req->weights_node >= m->n_nodes)
        return rs_fail(err, m->path, "no such layer (internal error)");
    if (req->node >= 0 && integer_input(&m->nodes[req->node]))
        return rs_fail(err, layer_where(&m->nodes[req->node], where, sizeof where),
                       "its values are integer token ids, which have no gradient");
    rs_grads *g = calloc(1, sizeof *g);
    bool *up = wanted_upstream(m, req);
    if (!g || !up || !(g->g = calloc((size_t)m->n_nodes + 1, sizeof *g->g))) {
        free(g);
        free(up);
        return rs_fail_oom(err, m->path);
    }
    g->m = m;
    g->node = req->node;
    sweep s = {r, g, req, up};
    int rc = sweep_graph(&s, obj, err);
    free(up);
    if (rc < 0) {
        rs_grads_free(g);
        return -1;
    }
    *out = g;
    return 0;
}

const rs_tensor *rs_grads_output(const rs_grads *g, int k)
{
    if (g->node < 0 || k < 0 || k >= g->m->nodes[g->node].n_outputs)
        return NULL;
    const node_grads *ng = &g->g[g->node];
    return ng->d_out && ng->d_out[k].data ? &ng->d_out[k] : &g->zeros[k];
}

const rs_tensor *rs_grads_weight(const rs_grads *g, int node, int w)
{
    if (node < 0 || node >= g->m->n_nodes)
        return NULL;
    int owner = weight_owner(g->m, node);
    const node_grads *ng = &g->g[owner];
    if (w < 0 || w >= g->m->nodes[owner].n_weights || !ng->d_w || !ng->d_w[w].data)
        return NULL;
    return &ng->d_w[w];
}

double rs_grads_objective(const rs_grads *g)
{
    return g->objective;
}

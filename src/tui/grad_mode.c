/* The explorer's gradient mode: the gradient cache, the strip's data and the status text. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explorer.h"
#include "grad_mode.h"

int exg_init(ex_grad *g, const rs_model *m, int nsamples, rs_error *err)
{
    memset(g, 0, sizeof *g);
    g->first_slot = calloc((size_t)m->n_nodes + 1, sizeof *g->first_slot);
    for (int i = 0; g->first_slot && i < m->n_nodes; i++) {
        g->first_slot[i] = g->nslots;
        g->nslots += m->nodes[i].n_outputs;
    }
    g->nsamples = nsamples;
    g->nnodes = m->n_nodes;
    g->cache = calloc((size_t)nsamples * (size_t)g->nslots + 1, sizeof *g->cache);
    g->weights = calloc((size_t)nsamples * (size_t)m->n_nodes + 1, sizeof *g->weights);
    if (!g->first_slot || !g->cache || !g->weights) {
        exg_free(g);
        return rs_fail(err, m->path, "out of memory");
    }
    return 0;
}

static void free_weight_grads(ex_weight_grads *w)
{
    for (int i = 0; w->w && i < w->n; i++)
        rs_tensor_free(&w->w[i]);
    free(w->w);
    memset(w, 0, sizeof *w);
}

void exg_forget(ex_grad *g)
{
    for (size_t i = 0; g->cache && i < (size_t)g->nsamples * (size_t)g->nslots; i++) {
        rs_tensor_free(&g->cache[i].value);
        memset(&g->cache[i], 0, sizeof g->cache[i]);
    }
    for (size_t i = 0; g->weights && i < (size_t)g->nsamples * (size_t)g->nnodes; i++)
        free_weight_grads(&g->weights[i]);
}

void exg_free(ex_grad *g)
{
    exg_forget(g);
    free(g->cache);
    free(g->weights);
    free(g->first_slot);
    rs_tensor_free(&g->labels);
    rs_tensor_free(&g->strip);
    free(g->reflected);
    memset(g, 0, sizeof *g);
}

/* The model input index of a node, or -1. */
static int model_input_of(const rs_model *m, int node)
{
    for (int i = 0; i < m->n_inputs; i++)
        if (m->inputs[i] == node)
            return i;
    return -1;
}

/* The objective for the explorer's sample: the labels' row of that sample (a batch of one). */
static int sample_objective(explorer *ex, rs_objective *obj, rs_error *err)
{
    ex_grad *g = &ex->grad;
    *obj = g->opts.obj;
    const rs_tensor *all = obj->labels;
    if (!all)
        return 0;
    if (all->rank < 1 || all->shape[0] != (size_t)ex->nsamples)
        return rs_fail(err, "--labels", "holds %zu samples, the input %d",
                       all->rank ? all->shape[0] : 0, ex->nsamples);
    size_t shape[RS_MAX_RANK], per = all->size / all->shape[0];
    memcpy(shape, all->shape, sizeof shape);
    shape[0] = 1;
    rs_tensor_free(&g->labels);
    if (rs_tensor_alloc(&g->labels, all->rank, shape, err) < 0)
        return -1;
    memcpy(g->labels.data, all->data + (size_t)ex->sample * per, per * sizeof(float));
    obj->labels = &g->labels;
    return 0;
}

/* An InputLayer's saliency by the chosen method (integrated gradients: with completeness). */
static int input_saliency(rs_run *r, const rs_objective *obj, int input, ex_grad *g,
                          ex_grad_entry *e, rs_error *err)
{
    rs_saliency s;
    if (rs_saliency_compute(r, obj, input, &g->opts.saliency, g->opts.baseline_name, &s, err) < 0)
        return -1;
    rs_tensor_move(&e->value, &s.values);
    e->ig = s;
    e->ig.values = (rs_tensor){0};
    return 0;
}

static int layer_gradient(rs_run *r, const rs_objective *obj, int node, int k,
                          ex_grad_entry *e, rs_error *err)
{
    rs_grad_request req = {node, -1, false};
    rs_grads *grads = NULL;
    int rc = rs_grad_compute(r, obj, &req, &grads, err) < 0 ? -1
             : rs_tensor_copy(&e->value, rs_grads_output(grads, k), err);
    rs_grads_free(grads);
    return rc;
}

static void compute(explorer *ex, int node, int k, ex_grad_entry *e)
{
    const rs_model *m = ex->m;
    rs_objective obj;
    rs_run *r = NULL;
    int input = model_input_of(m, node);
    e->done = true;
    e->ig.completeness_error = NAN;
    int rc = sample_objective(ex, &obj, &e->err) < 0 || !(r = ex_sample_run(ex, &e->err)) ? -1
             : input >= 0 ? input_saliency(r, &obj, input, &ex->grad, e, &e->err)
                          : layer_gradient(r, &obj, node, k, e, &e->err);
    if (rc < 0)
        return;
    e->zero = true;
    for (size_t i = 0; i < e->value.size && e->zero; i++)
        e->zero = e->value.data[i] == 0.0f;
}

const rs_tensor *exg_gradient(explorer *ex, int node, int k, const ex_grad_entry **entry,
                              rs_error *err)
{
    ex_grad *g = &ex->grad;
    const rs_node *n = &ex->m->nodes[node];
    if (entry)
        *entry = NULL;
    if (k >= n->n_outputs) { /* gates, cell state: inside the layer, not differentiated */
        rs_fail(err, n->name, "internals have no gradient here (d shows values)");
        return NULL;
    }
    ex_grad_entry *e = &g->cache[(size_t)ex->sample * (size_t)g->nslots +
                                 (size_t)(g->first_slot[node] + k)];
    if (!e->done)
        compute(ex, node, k, e);
    if (entry)
        *entry = e;
    if (!e->value.data) {
        *err = e->err;
        return NULL;
    }
    return &e->value;
}

const float *exg_strip(explorer *ex, int node, int k, size_t steps, char *why, size_t why_len)
{
    ex_grad *g = &ex->grad;
    rs_error err = {0};
    why[0] = '\0';
    int src = g->strip_input ? ex->m->inputs[0] : node;
    const rs_tensor *d = exg_gradient(ex, src, g->strip_input ? 0 : k, NULL, &err);
    if (!d) {
        snprintf(why, why_len, "%s", err.msg);
        return NULL;
    }
    if (d->rank < 3 || steps < 2)
        return NULL;
    if (d->shape[1] != steps) {
        snprintf(why, why_len, "the input has %zu steps, this output %zu: no common time axis",
                 d->shape[1], steps);
        return NULL;
    }
    rs_tensor_free(&g->strip);
    if (rs_timestep_importance(d, &g->strip, &err) < 0) {
        snprintf(why, why_len, "%s", err.msg);
        return NULL;
    }
    return g->strip.data;
}

static int compute_weights(explorer *ex, int node, ex_weight_grads *w, rs_error *err)
{
    rs_objective obj;
    rs_run *r;
    int n = ex->m->nodes[node].n_weights;
    w->done = true;
    if (!(w->w = calloc((size_t)n + 1, sizeof *w->w)))
        return rs_fail(err, NULL, "out of memory");
    if (sample_objective(ex, &obj, err) < 0 || !(r = ex_sample_run(ex, err)) ||
        rs_node_weight_grads(r, &obj, node, w->w, err) < 0) {
        free(w->w);
        w->w = NULL;
        return -1;
    }
    w->n = n;
    return 0;
}

/* "kernel: i 0.0028 f 1.6e-05 c 0.032 o 0.0028  bias: ..." */
static void weights_text(const rs_node *n, const rs_layer_desc *d, const rs_tensor *grads,
                         char *text, size_t len)
{
    size_t used = 0;
    text[0] = '\0';
    for (int w = 0; w < n->n_weights && used < len; w++) {
        rs_gate_stats rows[RS_MAX_GATE_BLOCKS];
        rs_error err;
        char line[400];
        int k = rs_weight_grad_by_gate(n, w, &grads[w], rows, &err);
        const char *name = n->weights[w].name;
        for (int i = 0; i < d->n_weights; i++)
            if (d->weights[i].index == w)
                name = d->weights[i].name;
        if (k < 0)
            continue;
        int wrote = snprintf(text + used, len - used, "%s%s: %s", used ? "  " : "", name,
                             rs_gate_stats_text(rows, k, line, sizeof line));
        if (wrote < 0)
            break;
        used += (size_t)wrote;
    }
}

int exg_weights(explorer *ex, int node, rs_layer_desc *d, char *text, size_t len, rs_error *err)
{
    ex_grad *g = &ex->grad;
    const rs_node *n = &ex->m->nodes[node];
    ex_weight_grads *w = &g->weights[(size_t)ex->sample * (size_t)g->nnodes + (size_t)node];
    if (!w->done && compute_weights(ex, node, w, &w->err) < 0)
        w->w = NULL;
    if (!w->w) {
        *err = w->err;
        return -1;
    }
    rs_node_describe(n, d);
    rs_describe_over(n, d, w->w);
    rs_gate_notes_make(n, w->w, &g->notes);
    if (text)
        weights_text(n, d, w->w, text, len);
    return 0;
}

/* The objective: "binary_crossentropy(label 1)", "dense_1[0]". */
static void objective_text(explorer *ex, char *buf, size_t len)
{
    const rs_objective *o = &ex->grad.opts.obj;
    const rs_model *m = ex->m;
    if (!o->labels) {
        snprintf(buf, len, "%s[%ld]", m->nodes[m->outputs[o->output].node].name, o->unit);
        return;
    }
    const rs_tensor *l = o->labels;
    size_t per = l->rank >= 1 && l->shape[0] ? l->size / l->shape[0] : 0;
    if (per == 1 && ex->sample < (int)l->shape[0])
        snprintf(buf, len, "%s(label %g)", rs_loss_kind_name(o->loss.kind),
                 (double)l->data[ex->sample]);
    else
        snprintf(buf, len, "%s(labels)", rs_loss_kind_name(o->loss.kind));
}

void exg_what(explorer *ex, int node, int k, char *buf, size_t len)
{
    bool u = ex->style.graphics == RS_GFX_UNICODE;
    const char *d = u ? "\u2202" : "d";
    const rs_node *n = &ex->m->nodes[node];
    char objective[256], target[300];
    objective_text(ex, objective, sizeof objective);
    if (k > 0 && n->out_names && n->out_names[k])
        snprintf(target, sizeof target, "%s[%s]", n->name, n->out_names[k]);
    else
        snprintf(target, sizeof target, "%s", n->name);
    bool input = model_input_of(ex->m, node) >= 0;
    rs_saliency_method method = ex->grad.opts.saliency.method;
    if (input && method == RS_SALIENCY_IG)
        snprintf(buf, len, "integrated gradients of %s %s %s", objective, u ? "\u2192" : "->",
                 target);
    else if (input && method == RS_SALIENCY_INPUT_X_GRAD)
        snprintf(buf, len, "%s %s %s %s / %s %s", target, u ? "\u2299" : "x", d, objective, d,
                 target);
    else
        snprintf(buf, len, "%s %s / %s %s", d, objective, d, target);
}

/* Every value of the objective's model output exactly 0 or 1 (a sigmoid or softmax saturated
 * in float32, as Keras computes it): its gradient is then exactly zero. */
static bool output_saturated(explorer *ex)
{
    rs_error err;
    rs_ref out = ex->m->outputs[ex->grad.opts.obj.output];
    rs_run *r = ex_sample_run(ex, &err);
    const rs_tensor *y;
    if (!r || rs_run_output(r, out.node, out.output, &y, &err) < 0 || y->size == 0)
        return false;
    for (size_t i = 0; i < y->size; i++)
        if (y->data[i] != 0.0f && y->data[i] != 1.0f)
            return false;
    return true;
}

/* The integrated gradients' completeness, in words when it has no number. */
static void completeness_text(const rs_saliency *ig, char *buf, size_t len)
{
    if (!isnan(ig->completeness_error))
        snprintf(buf, len, "  completeness error %.3g%%", 100 * ig->completeness_error);
    else
        snprintf(buf, len, "  completeness unknown: the objective is not a number at the %s",
                 isnan(ig->f_input) ? "input" : "baseline");
}

void exg_status(explorer *ex, char *buf, size_t len)
{
    bool u = ex->style.graphics == RS_GFX_UNICODE;
    const ex_row *row = &ex->rows[ex->sel];
    const ex_grad_entry *e = NULL;
    rs_error err = {0};
    char what[600], extra[200] = "", strip[240] = "";
    exg_what(ex, row->node, row->output, what, sizeof what);
    exg_gradient(ex, row->node, row->output, &e, &err);
    bool ig = e && model_input_of(ex->m, row->node) >= 0 &&
              ex->grad.opts.saliency.method == RS_SALIENCY_IG;
    if (ig)
        completeness_text(&e->ig, extra, sizeof extra);
    else if (e && e->zero && output_saturated(ex))
        snprintf(extra, sizeof extra, "  gradient is zero: output saturated %s try integrated "
                 "gradients (i, m)", u ? "\u2014" : "--");
    else if (e && e->zero)
        snprintf(extra, sizeof extra, "  the gradient is exactly zero here");
    const ex_grad *g = &ex->grad;
    const char *source = g->strip_input ? ex->m->nodes[ex->m->inputs[0]].name
                                        : ex->m->nodes[row->node].name;
    if (g->strip_peak != SIZE_MAX)
        snprintf(strip, sizeof strip, "  strip: %s, peak t=%zu", source, g->strip_peak);
    else if (g->strip_note[0])
        snprintf(strip, sizeof strip, "  strip: %s", g->strip_note);
    snprintf(buf, len, "%s%s%s", what, strip, extra); /* the strip's peak before the words */
}

void exg_toggle(explorer *ex)
{
    if (ex->cmp.b) { /* the gradient of A, B or A - B is not built: say so rather than mislabel */
        ex_say(ex, false, "d: gradients are not shown while comparing two checkpoints");
        return;
    }
    ex->grad.on = !ex->grad.on;
}

/* u: the objective's unit J, through the model output's last axis. */
void exg_next_unit(explorer *ex)
{
    ex_grad *g = &ex->grad;
    if (g->opts.obj.labels) {
        ex_say(ex, false, "u: the objective is the loss against --labels, not a unit");
        return;
    }
    const rs_model *m = ex->m;
    const rs_node *out = &m->nodes[m->outputs[g->opts.obj.output].node];
    const rs_shape *s = out->out_shapes ? &out->out_shapes[m->outputs[g->opts.obj.output].output]
                                        : NULL;
    long units = s && s->rank > 0 && s->dims[s->rank - 1] > 0 ? s->dims[s->rank - 1] : 1;
    g->opts.obj.unit = (g->opts.obj.unit + 1) % units;
    exg_forget(g);
    ex_say(ex, false, "objective: %s[%ld] (unit %ld of %ld)", out->name, g->opts.obj.unit,
           g->opts.obj.unit, units);
}

void exg_toggle_strip(explorer *ex)
{
    ex->grad.strip_input = !ex->grad.strip_input;
    ex_say(ex, false, "strip: %s", ex->grad.strip_input
                                       ? "the model input's attribution (m: its method)"
                                       : "the importance of the output on screen");
}

/* m: the InputLayer's saliency method; only the inputs' gradients change. */
void exg_next_method(explorer *ex)
{
    static const char *const names[] = {"grad", "input_x_grad", "ig"};
    ex_grad *g = &ex->grad;
    g->opts.saliency.method = (rs_saliency_method)((g->opts.saliency.method + 1) % 3);
    for (int s = 0; s < g->nsamples; s++)
        for (int i = 0; i < ex->m->n_inputs; i++) {
            ex_grad_entry *e = &g->cache[(size_t)s * (size_t)g->nslots +
                                         (size_t)g->first_slot[ex->m->inputs[i]]];
            rs_tensor_free(&e->value);
            memset(e, 0, sizeof *e);
        }
    ex_say(ex, false, "saliency on the input: %s", names[g->opts.saliency.method]);
}

void exg_toggle_reflect(explorer *ex)
{
    ex->grad.reflect_half = !ex->grad.reflect_half;
    ex_say(ex, false, "reflect_half %s: a Bidirectional's backward half %s",
           ex->grad.reflect_half ? "on" : "off",
           ex->grad.reflect_half ? "reversed in time (its processing order)" : "in time order");
}

/* Weight gradients by gate (See RNN's rnn_histogram / rnn_heatmap with mode='grads'): per gate
 * block of a weight, the gradient's norm and the shares of exact zeros, NaN and Inf — dead
 * gates, saturation and overflow read at a glance. The split is the layer's own description
 * (rs_node_describe: the gate blocks and direction the weights view draws too). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rnnscope/grad.h"
#include "rnnscope/layer.h"
#include "rnnscope/layer_desc.h"

/* Add value v to the block's statistics (norm accumulates the sum of squares). */
static void count_value(rs_gate_stats *s, float v)
{
    s->count++;
    if (isnan(v))
        s->nans++;
    else if (isinf(v))
        s->infs++;
    else {
        s->zeros += v == 0.0f;
        s->norm += (double)v * v;
    }
}

int rs_weight_grad_by_gate(const rs_node *n, int w, const rs_tensor *grad, rs_gate_stats *out,
                           rs_error *err)
{
    struct { int gates; const char *const *names; const char *direction; } split = {1, NULL, NULL};
    rs_layer_desc d;
    rs_node_describe(n, &d);
    for (int i = 0; i < d.n_weights; i++) {
        const rs_weight_desc *wd = &d.weights[i];
        if (wd->index != w)
            continue;
        split.direction = wd->direction;
        if (wd->gates > 1)
            split.gates = wd->gates, split.names = wd->gate_names;
    }
    size_t cols = grad->rank ? grad->shape[grad->rank - 1] : 1;
    if (split.gates < 1 || split.gates > RS_MAX_GATE_BLOCKS || cols % (size_t)split.gates)
        return rs_fail(err, n->name, "weight %d has %zu columns, not a multiple of %d gates", w,
                       cols, split.gates);
    size_t per = cols / (size_t)split.gates;
    for (int g = 0; g < split.gates; g++)
        out[g] = (rs_gate_stats){split.direction, split.names ? split.names[g] : NULL, 0, 0, 0, 0, 0};
    for (size_t j = 0; j < grad->size && per; j++)
        count_value(&out[(j % cols) / per], grad->data[j]);
    for (int g = 0; g < split.gates; g++) {
        rs_gate_stats *s = &out[g];
        s->norm = sqrt(s->norm);
        if (s->count) {
            s->zeros /= (double)s->count;
            s->nans /= (double)s->count;
            s->infs /= (double)s->count;
        }
    }
    return split.gates;
}

int rs_node_weight_grads(rs_run *r, const rs_objective *obj, int node, rs_tensor *out,
                         rs_error *err)
{
    const rs_node *n = &rs_run_model(r)->nodes[node];
    rs_grad_request req = {-1, node, false};
    rs_grads *g = NULL;
    int rc = rs_grad_compute(r, obj, &req, &g, err);
    for (int w = 0; rc == 0 && w < n->n_weights; w++) {
        const rs_tensor *d = rs_grads_weight(g, node, w), *v = &n->weights[w].value;
        rc = d ? rs_tensor_copy(&out[w], d, err) : rs_tensor_alloc(&out[w], v->rank, v->shape, err);
    }
    rs_grads_free(g);
    for (int w = 0; rc < 0 && w < n->n_weights; w++)
        rs_tensor_free(&out[w]);
    return rc;
}

char *rs_gate_norm_text(const rs_gate_stats *s, int digits, char *buf, size_t len)
{
    bool none = s->count > 0 && s->nans + s->infs >= 1.0;
    if (none)
        snprintf(buf, len, "%s", s->nans > 0 ? "nan" : "inf");
    else
        snprintf(buf, len, "%.*g", digits, s->norm);
    return buf;
}

char *rs_gate_stats_text(const rs_gate_stats *rows, int n, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used < len; i++) {
        const rs_gate_stats *s = &rows[i];
        char norm[32], shares[64] = "";
        rs_gate_norm_text(s, 3, norm, sizeof norm);
        if (s->zeros > 0 || s->nans > 0 || s->infs > 0)
            snprintf(shares, sizeof shares, " (zeros %.0f%% NaN %.0f%% Inf %.0f%%)",
                     100 * s->zeros, 100 * s->nans, 100 * s->infs);
        bool new_dir = s->direction && (i == 0 || !rows[i - 1].direction ||
                                        strcmp(rows[i - 1].direction, s->direction) != 0);
        int k = snprintf(buf + used, len - used, "%s%s%s%s %s%s", i ? " " : "",
                         new_dir ? s->direction : "", new_dir ? ": " : "",
                         s->gate ? s->gate : "all", norm, shares);
        if (k < 0)
            break;
        used += (size_t)k;
    }
    return buf;
}

void rs_gate_notes_make(const rs_node *n, const rs_tensor *grads, rs_gate_notes *out)
{
    memset(out, 0, sizeof *out);
    for (int w = 0; w < n->n_weights && w < RS_DESC_MAX_WEIGHTS; w++) {
        rs_gate_stats rows[RS_MAX_GATE_BLOCKS];
        rs_error err;
        int k = rs_weight_grad_by_gate(n, w, &grads[w], rows, &err);
        for (int g = 0; g < k; g++)
            out->gate[w][g] = rs_gate_norm_text(&rows[g], 3, out->text[w][g],
                                                sizeof out->text[w][g]);
    }
}

/* Weight gradients by gate (See RNN's rnn_histogram / rnn_heatmap with mode='grads'): per gate
 * block of a weight, the gradient's norm and the shares of exact zeros, NaN and Inf — dead
 * gates, saturation and overflow read at a glance. The split is the layer's own description
 * (rs_node_describe: the gate blocks and direction the weights view draws too). */
#include <math.h>
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

/* Normalization layers: BatchNormalization (inference: moving statistics), LayerNormalization. */
#include <string.h>

#include "rnnscope/ops.h"
#include "layers/common.h"
#include "layers/families.h"

typedef struct norm_params {
    int axis;          /* index into the shape without batch */
    double epsilon;
    bool center, scale;
    bool rms_scaling;  /* Keras 3 LayerNormalization */
} norm_params;

/* The normalized axis: an int or a one-element list in Keras numbering. */
static int norm_axis(const rs_node *n, const rs_shape *in, int *axis, rs_error *err)
{
    const cJSON *a = cfg_get(n, "axis");
    if (cJSON_IsArray(a)) {
        if (cJSON_GetArraySize(a) != 1)
            return rs_node_unsupported((rs_node *)n, "normalization over several axes"), 1;
        a = cJSON_GetArrayItem(a, 0);
    }
    long k = cJSON_IsNumber(a) ? (long)a->valuedouble : -1;
    *axis = rs_axis_index(k, in->rank);
    if (*axis < 0)
        return rs_fail(err, n->name, "axis %ld is out of range for an input of rank %d", k,
                       in->rank + 1);
    return 0;
}

int rs_batch_norm_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
{
    norm_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0)
        return -1;
    n->out_shapes[0] = in[0];
    int r = norm_axis(n, &in[0], &p->axis, err);
    if (r != 0)
        return r < 0 ? -1 : 0;
    p->epsilon = cfg_num(n, "epsilon", 1e-3);
    p->center = cfg_bool(n, "center", true);
    p->scale = cfg_bool(n, "scale", true);
    long c = in[0].dims[p->axis];
    int count = 2 + p->center + p->scale;
    if (rs_expect_weight_count(n, count, err) < 0)
        return -1;
    for (int i = 0; i < count; i++)
        if (RS_EXPECT_SHAPE(n, i, err, c) < 0)
            return -1;
    return 0;
}

int rs_layer_norm_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
{
    norm_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0)
        return -1;
    n->out_shapes[0] = in[0];
    int r = norm_axis(n, &in[0], &p->axis, err);
    if (r != 0)
        return r < 0 ? -1 : 0;
    p->epsilon = cfg_num(n, "epsilon", 1e-3);
    p->center = cfg_bool(n, "center", true);
    p->scale = cfg_bool(n, "scale", true);
    p->rms_scaling = cfg_bool(n, "rms_scaling", false);
    if (p->rms_scaling) /* its formula changed between Keras 3 releases */
        return rs_node_unsupported(n, "LayerNormalization with rms_scaling");
    long c = in[0].dims[p->axis];
    int count = p->center + p->scale;
    if (rs_expect_weight_count(n, count, err) < 0)
        return -1;
    for (int i = 0; i < count; i++)
        if (RS_EXPECT_SHAPE(n, i, err, c) < 0)
            return -1;
    return 0;
}

/* ==== forward pass ==== */

/* The weights in Keras order: gamma if scale, beta if center, then what follows. */
static const float *next_weight(const rs_node *n, int *i, bool present)
{
    return present ? n->weights[(*i)++].value.data : NULL;
}

/* Sizes around the normalized axis (index into the tensor with its batch axis), checked
 * against the length of the layer's weights (when it has any). */
static int split_at(const rs_node *n, const rs_tensor *x, int axis, size_t *outer, size_t *C,
                    size_t *inner, rs_error *err)
{
    if (x->rank != n->out_shapes[0].rank + 1)
        return rs_fail(err, NULL, "input has rank %d, the layer was built for %d", x->rank,
                       n->out_shapes[0].rank + 1);
    if (n->n_weights > 0 && x->shape[axis] != n->weights[0].value.size)
        return rs_fail(err, NULL, "input has %zu values on axis %d, the weights %zu",
                       x->shape[axis], axis, n->weights[0].value.size);
    *outer = *inner = 1;
    for (int i = 0; i < axis; i++)
        *outer *= x->shape[i];
    for (int i = axis + 1; i < x->rank; i++)
        *inner *= x->shape[i];
    *C = x->shape[axis];
    return 0;
}

int rs_batch_norm_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const norm_params *p = n->params;
    const rs_tensor *x = io->inputs[0];
    size_t outer, C, inner;
    if (split_at(n, x, p->axis + 1, &outer, &C, &inner, err) < 0)
        return -1;
    int w = 0;
    const float *gamma = next_weight(n, &w, p->scale), *beta = next_weight(n, &w, p->center);
    const float *mean = next_weight(n, &w, true), *var = next_weight(n, &w, true);
    rs_tensor *y = &io->outputs[0];
    if (rs_tensor_alloc(y, x->rank, x->shape, err) < 0)
        return -1;
    float eps = (float)p->epsilon;
    if (inner == 1) {
        rs_batch_norm_run(outer, C, x->data, gamma, beta, mean, var, eps, y->data);
    } else { /* channel axis inside: each channel's run of `inner` values as rows of one */
        for (size_t o = 0; o < outer; o++)
            for (size_t c = 0; c < C; c++) {
                size_t at = (o * C + c) * inner;
                rs_batch_norm_run(inner, 1, x->data + at, gamma ? gamma + c : NULL,
                                  beta ? beta + c : NULL, mean + c, var + c, eps, y->data + at);
            }
    }
    return io->in_masks[0] ? rs_tensor_copy(&io->out_masks[0], io->in_masks[0], err) : 0;
}

int rs_layer_norm_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const norm_params *p = n->params;
    const rs_tensor *x = io->inputs[0];
    int axis = p->axis + 1;
    size_t outer, C, inner;
    if (split_at(n, x, axis, &outer, &C, &inner, err) < 0)
        return -1;
    int w = 0;
    const float *gamma = next_weight(n, &w, p->scale), *beta = next_weight(n, &w, p->center);
    rs_tensor *y = &io->outputs[0];
    float eps = (float)p->epsilon;
    if (inner == 1) {
        if (rs_tensor_alloc(y, x->rank, x->shape, err) < 0)
            return -1;
        rs_layer_norm_run(outer, C, x->data, gamma, beta, eps, y->data);
    } else { /* move the axis last, normalize rows, move it back */
        int to_last[RS_MAX_RANK], back[RS_MAX_RANK], k = 0;
        for (int i = 0; i < x->rank; i++)
            if (i != axis)
                to_last[k++] = i;
        to_last[k] = axis;
        for (int i = 0; i < x->rank; i++)
            back[to_last[i]] = i;
        rs_tensor t = {0};
        if (rs_tensor_permute(&t, x, to_last, err) < 0)
            return -1;
        rs_layer_norm_run(outer * inner, C, t.data, gamma, beta, eps, t.data);
        int rc = rs_tensor_permute(y, &t, back, err);
        rs_tensor_free(&t);
        if (rc < 0)
            return -1;
    }
    return io->in_masks[0] ? rs_tensor_copy(&io->out_masks[0], io->in_masks[0], err) : 0;
}

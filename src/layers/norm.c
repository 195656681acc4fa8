/* Normalization layers: BatchNormalization (inference: moving statistics), LayerNormalization. */
#include <string.h>

#include "rnnscope/ops.h"
#include "layers/common.h"
#include "layers/families.h"
#include "layers/norm_params.h"

/* The normalized axis: an int or a one-element list in Keras numbering. */
static int norm_axis(const rs_node *n, const rs_shape *in, int *axis, rs_error *err)
{
    const cJSON *a = cfg_get(n, "axis");
    if (cJSON_IsArray(a)) {
        if (cJSON_GetArraySize(a) != 1)
            return rs_node_unsupported((rs_node *)n, "normalization over several axes"), 1;
        a = cJSON_GetArrayItem(a, 0);
    }
    long k = cfg_whole(a, -1);
    *axis = rs_axis_index(k, in->rank);
    if (*axis < 0)
        return rs_fail(err, n->name, "axis %ld is out of range for an input of rank %d", k,
                       in->rank + 1);
    return 0;
}

int rs_batch_norm_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
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

/* LayerNormalization's axes: an int or a list, in Keras numbering; 1 (unsupported) when they
 * are not increasing: older Keras shapes gamma in the listed order, newer sorts them. */
static int layer_norm_axes(rs_node *n, const rs_shape *in, norm_params *p, rs_error *err)
{
    const cJSON *a = cfg_get(n, "axis"), *e;
    int count = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : 1;
    if (count < 1 || count > in->rank)
        return rs_fail(err, n->name, "LayerNormalization has %d axes for an input of rank %d",
                       count, in->rank + 1);
    p->n_axes = 0;
    for (int i = 0; i < count; i++) {
        e = cJSON_IsArray(a) ? cJSON_GetArrayItem(a, i) : a;
        long k = cfg_whole(e, -1);
        int axis = rs_axis_index(k, in->rank);
        if (axis < 0)
            return rs_fail(err, n->name, "axis %ld is out of range for an input of rank %d", k,
                           in->rank + 1);
        if (i > 0 && axis <= p->axes[i - 1])
            return rs_node_unsupported(n, "LayerNormalization over axes not in increasing order"),
                   1;
        p->axes[p->n_axes++] = axis;
    }
    return 0;
}

int rs_layer_norm_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
{
    norm_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0)
        return -1;
    n->out_shapes[0] = in[0];
    int r = layer_norm_axes(n, &in[0], p, err);
    if (r != 0)
        return r < 0 ? -1 : 0;
    p->epsilon = cfg_num(n, "epsilon", 1e-3);
    p->center = cfg_bool(n, "center", true);
    p->scale = cfg_bool(n, "scale", true);
    p->rms_scaling = cfg_bool(n, "rms_scaling", false);
    if (p->rms_scaling) /* its formula changed between Keras 3 releases */
        return rs_node_unsupported(n, "LayerNormalization with rms_scaling");
    long dims[RS_MAX_RANK]; /* gamma and beta: the normalized axes' sizes */
    for (int i = 0; i < p->n_axes; i++)
        dims[i] = in[0].dims[p->axes[i]];
    int count = p->center + p->scale;
    if (rs_expect_weight_count(n, count, err) < 0)
        return -1;
    for (int i = 0; i < count; i++)
        if (rs_expect_weight_shape(n, i, p->n_axes, dims, err) < 0)
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
    *outer = *C = *inner = 0;
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

/* Normalize rows of C values: x itself when the axes are the last ones, else a transposed copy
 * with the normalized axes moved last (then moved back into y). */
bool layer_norm_perm(const norm_params *p, int rank, int *perm, int *back)
{
    bool normalized[RS_MAX_RANK + 1] = {false}, moves = false;
    int k = 1;
    for (int i = 0; i < p->n_axes; i++)
        normalized[p->axes[i] + 1] = true;
    perm[0] = 0;
    for (int i = 1; i < rank; i++)
        if (!normalized[i])
            perm[k++] = i;
    for (int i = 1; i < rank; i++)
        if (normalized[i])
            perm[k++] = i;
    for (int i = 0; i < rank; i++) {
        back[perm[i]] = i;
        moves = moves || perm[i] != i;
    }
    return moves;
}

static int layer_norm_rows(const norm_params *p, const rs_tensor *x, const float *gamma,
                           const float *beta, size_t C, rs_tensor *y, rs_error *err)
{
    int perm[RS_MAX_RANK], back[RS_MAX_RANK];
    bool moves = layer_norm_perm(p, x->rank, perm, back);
    float eps = (float)p->epsilon;
    size_t rows = C ? x->size / C : 0;
    if (!moves) {
        if (rs_tensor_alloc(y, x->rank, x->shape, err) < 0)
            return -1;
        rs_layer_norm_run(rows, C, x->data, gamma, beta, eps, y->data);
        return 0;
    }
    rs_tensor t = {0};
    if (rs_tensor_permute(&t, x, perm, err) < 0)
        return -1;
    rs_layer_norm_run(rows, C, t.data, gamma, beta, eps, t.data);
    int rc = rs_tensor_permute(y, &t, back, err);
    rs_tensor_free(&t);
    return rc;
}

int rs_layer_norm_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const norm_params *p = n->params;
    const rs_tensor *x = io->inputs[0];
    if (x->rank != n->out_shapes[0].rank + 1)
        return rs_fail(err, NULL, "input has rank %d, the layer was built for %d", x->rank,
                       n->out_shapes[0].rank + 1);
    size_t C = 1;
    for (int i = 0; i < p->n_axes; i++)
        C *= x->shape[p->axes[i] + 1];
    if (n->n_weights > 0 && C != n->weights[0].value.size)
        return rs_fail(err, NULL, "input has %zu values on the normalized axes, the weights %zu",
                       C, n->weights[0].value.size);
    int w = 0;
    const float *gamma = next_weight(n, &w, p->scale), *beta = next_weight(n, &w, p->center);
    if (layer_norm_rows(p, x, gamma, beta, C, &io->outputs[0], err) < 0)
        return -1;
    return io->in_masks[0] ? rs_tensor_copy(&io->out_masks[0], io->in_masks[0], err) : 0;
}

/* ---- description (rnnscope/layer_desc.h) ---- */

/* The weights in Keras order, named whatever the file stored (Keras 3 writes vars/0, vars/1...,
 * which the generic description would call kernel and bias): gamma if scale, beta if center,
 * then BatchNormalization's moving statistics. */
void rs_norm_describe(const rs_node *n, rs_layer_desc *d)
{
    const norm_params *p = n->params;
    int i = 0;
    if (p->scale)
        rs_describe_weight(d, i++, RS_WEIGHT_SCALE, "gamma");
    if (p->center)
        rs_describe_weight(d, i++, RS_WEIGHT_BIAS, "beta");
    if (n->n_weights == i + 2) { /* BatchNormalization */
        rs_describe_weight(d, i++, RS_WEIGHT_OTHER, "moving_mean");
        rs_describe_weight(d, i, RS_WEIGHT_OTHER, "moving_variance");
    }
}

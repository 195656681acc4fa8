/* Reverse passes of the core layers: InputLayer, Dense, the activation layers, the identities
 * at inference (Dropout & co), Masking, Rescaling, Embedding, and the shape movers Flatten, Reshape,
 * Permute, RepeatVector. */
#include <math.h>
#include <string.h>

#include "rnnscope/grad_kernels.h"
#include "layers/common.h"
#include "layers/core_params.h"
#include "layers/grad_common.h"

/* An InputLayer inside the graph, Dropout-likes, ActivityRegularization: dx = dy. */
static int identity_backward(rs_layer_grad_io *io, rs_error *err)
{
    if (!io->d_outputs[0])
        return rs_tensor_alloc(&io->d_inputs[0], io->inputs[0]->rank, io->inputs[0]->shape, err);
    return rs_tensor_copy(&io->d_inputs[0], io->d_outputs[0], err);
}

int rs_input_backward(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    return identity_backward(io, err);
}

/* Masking zeroes the masked steps: no gradient reaches them. */
static int masking_backward(const identity_params *p, rs_layer_grad_io *io, rs_error *err)
{
    if (identity_backward(io, err) < 0)
        return -1;
    const rs_tensor *x = io->inputs[0];
    size_t row = x->rank >= 2 ? x->shape[x->rank - 1] : x->size;
    rs_tensor *dx = &io->d_inputs[0];
    for (size_t r = 0; row && r < x->size / row; r++) {
        bool keep = false;
        for (size_t c = 0; c < row && !keep; c++)
            keep = x->data[r * row + c] != (float)p->mask_value;
        if (!keep)
            memset(dx->data + r * row, 0, row * sizeof(float));
    }
    return 0;
}

int rs_identity_backward(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    const identity_params *p = n->params;
    return p->masks ? masking_backward(p, io, err) : identity_backward(io, err);
}

/* Rescaling: dx = dy * scale. */
int rs_rescaling_backward(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    const rescaling_params *p = n->params;
    if (identity_backward(io, err) < 0)
        return -1;
    rs_tensor *dx = &io->d_inputs[0];
    for (size_t i = 0; io->d_outputs[0] && i < dx->size; i++)
        dx->data[i] *= p->scale;
    return 0;
}

/* dx from dy through an element-wise or softmax activation; x the pre-activations, y = f(x). */
static int activation_backward(const rs_activation *a, const rs_tensor *x, const rs_tensor *y,
                               const rs_tensor *dy, rs_tensor *dx, int axis, rs_error *err)
{
    if (rs_tensor_alloc(dx, y->rank, y->shape, err) < 0)
        return -1;
    if (a->kind == RS_ACT_SOFTMAX || a->kind == RS_ACT_LOG_SOFTMAX) {
        rs_softmax_axis_backward(y->data, dy->data, dx->data, y->rank, y->shape, axis,
                                 a->kind == RS_ACT_LOG_SOFTMAX);
        return 0;
    }
    if (!rs_activation_has_grad(a))
        return rs_fail(err, NULL, "no reverse pass for its activation");
    rs_activation_backward(a, x->data, dy->data, dx->data, dx->size);
    return 0;
}

int rs_activation_backward_layer(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    const activation_params *p = n->params;
    const rs_tensor *x = io->inputs[0], *y = &io->outputs[0];
    rs_tensor zero = {0};
    const rs_tensor *dy = rs_grad_or_zeros(io, 0, &zero, err);
    if (!dy)
        return -1;
    int axis = (int)(p->axis < 0 ? p->axis + y->rank : p->axis);
    int rc = activation_backward(&p->activation, x, y, dy, &io->d_inputs[0], axis, err);
    rs_tensor_free(&zero);
    return rc;
}

/* ---- Dense: y = f(x W + b) over the last axis ---- */

int rs_dense_backward(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    const dense_params *p = n->params;
    const rs_tensor *x = io->inputs[0], *y = &io->outputs[0], *W = &n->weights[0].value;
    size_t d = W->shape[0], units = (size_t)p->units, rows = d ? x->size / d : 0;
    rs_tensor z = {0}, dz = {0}, zero = {0};
    const rs_tensor *dy = rs_grad_or_zeros(io, 0, &zero, err);
    int rc = -1;
    if (!dy || rs_tensor_alloc(&z, y->rank, y->shape, err) < 0)
        goto done;
    /* the pre-activations again: the run keeps only f(z) */
    rs_gemm(rows, units, d, x->data, d, W->data, units, z.data, units, false);
    for (size_t r = 0; p->use_bias && r < rows; r++)
        for (size_t u = 0; u < units; u++)
            z.data[r * units + u] += n->weights[1].value.data[u];
    if (activation_backward(&p->activation, &z, y, dy, &dz, y->rank - 1, err) < 0)
        goto done;
    if (rs_tensor_alloc(&io->d_inputs[0], x->rank, x->shape, err) < 0 ||
        rs_gemm_nt(rows, d, units, dz.data, units, W->data, units, io->d_inputs[0].data, d,
                   false) < 0)
        goto oom;
    if (io->d_weights) {
        if (rs_grad_alloc_weights(n, io, err) < 0)
            goto done;
        if (rs_gemm_tn(d, units, rows, x->data, d, dz.data, units, io->d_weights[0].data, units,
                       false) < 0)
            goto oom;
        for (size_t r = 0; p->use_bias && r < rows; r++)
            for (size_t u = 0; u < units; u++)
                io->d_weights[1].data[u] += dz.data[r * units + u];
    }
    rc = 0;
    goto done;
oom:
    rs_fail_oom(err, NULL);
done:
    rs_tensor_free(&z);
    rs_tensor_free(&dz);
    rs_tensor_free(&zero);
    return rc;
}

/* ---- Embedding: the gradient lands on the rows of the table the ids picked ---- */

int rs_embedding_backward(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    const embedding_params *p = n->params;
    const rs_tensor *ids = io->inputs[0], *dy = io->d_outputs[0];
    size_t dim = (size_t)p->output_dim;
    /* token ids have no gradient: d_inputs[0] stays empty */
    if (!io->d_weights)
        return 0;
    if (rs_grad_alloc_weights(n, io, err) < 0)
        return -1;
    for (size_t i = 0; dy && i < ids->size; i++) {
        long id = (long)ids->data[i];
        if (id < 0 || id >= p->input_dim)
            return rs_fail(err, NULL, "token id %ld is outside 0..%ld", id, p->input_dim - 1);
        for (size_t c = 0; c < dim; c++)
            io->d_weights[0].data[(size_t)id * dim + c] += dy->data[i * dim + c];
    }
    return 0;
}

/* ---- shape movers ---- */

/* Flatten and Reshape: the same values in the input's shape. */
int rs_reshape_backward(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    const rs_tensor *x = io->inputs[0];
    if (!io->d_outputs[0])
        return rs_tensor_alloc(&io->d_inputs[0], x->rank, x->shape, err);
    if (rs_tensor_copy(&io->d_inputs[0], io->d_outputs[0], err) < 0)
        return -1;
    return rs_tensor_reshape(&io->d_inputs[0], x->rank, x->shape, err);
}

int rs_permute_backward(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    const reshape_params *p = n->params;
    const rs_tensor *x = io->inputs[0];
    if (!io->d_outputs[0])
        return rs_tensor_alloc(&io->d_inputs[0], x->rank, x->shape, err);
    /* forward: out axis i = in axis perm[i]; back: in axis perm[i] = out axis i */
    int inverse[RS_MAX_RANK] = {0};
    for (int i = 1; i < x->rank; i++)
        inverse[p->perm[i - 1] + 1] = i;
    return rs_tensor_permute(&io->d_inputs[0], io->d_outputs[0], inverse, err);
}

int rs_repeat_vector_backward(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    const rs_tensor *x = io->inputs[0], *dy = io->d_outputs[0];
    if (rs_tensor_alloc(&io->d_inputs[0], x->rank, x->shape, err) < 0 || !dy)
        return dy ? -1 : 0;
    size_t B = x->shape[0], D = x->shape[1], R = dy->shape[1];
    for (size_t b = 0; b < B; b++)
        for (size_t r = 0; r < R; r++)
            for (size_t c = 0; c < D; c++)
                io->d_inputs[0].data[b * D + c] += dy->data[(b * R + r) * D + c];
    return 0;
}

/* ---- PReLU: y = x (x > 0), alpha x (x < 0); alpha broadcast along shared_axes ---- */

int rs_prelu_backward(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    const rs_tensor *x = io->inputs[0], *alpha = &n->weights[0].value, *dy = io->d_outputs[0];
    size_t stride[RS_MAX_RANK];
    if (rs_broadcast_strides(alpha, x->rank, x->shape, stride) < 0)
        return rs_fail(err, NULL, "its alpha does not broadcast to its input");
    if (rs_tensor_alloc(&io->d_inputs[0], x->rank, x->shape, err) < 0 ||
        (io->d_weights && rs_grad_alloc_weights(n, io, err) < 0) || !dy)
        return dy ? -1 : 0;
    rs_walk w;
    rs_walk_init(&w, x->rank, x->shape, stride);
    for (size_t i = 0; i < x->size; i++, rs_walk_next(&w)) {
        float v = x->data[i];
        /* TensorFlow's: relu(x) - alpha relu(-x), so 0 at x = 0 */
        io->d_inputs[0].data[i] = dy->data[i] * (v > 0 ? 1.0f : v < 0 ? alpha->data[w.at] : 0.0f);
        if (io->d_weights && v < 0)
            io->d_weights[0].data[w.at] += dy->data[i] * v;
    }
    return 0;
}

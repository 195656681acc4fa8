/* Reverse passes of the merge layers: Concatenate splits the gradient, the element-wise merges
 * route it (summed over the axes an input was broadcast along). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "layers/common.h"
#include "layers/merge_params.h"
#include "layers/grad_common.h"

static int concat_backward(const merge_params *p, rs_layer_grad_io *io, const rs_tensor *dy,
                           rs_error *err)
{
    int axis = p->axis + 1;
    size_t outer = 1, inner = 1;
    for (int d = 0; d < axis; d++)
        outer *= dy->shape[d];
    for (int d = axis + 1; d < dy->rank; d++)
        inner *= dy->shape[d];
    size_t row = dy->shape[axis] * inner, at = 0;
    for (int k = 0; k < io->n_inputs; k++) {
        const rs_tensor *x = io->inputs[k];
        if (rs_tensor_alloc(&io->d_inputs[k], x->rank, x->shape, err) < 0)
            return -1;
        size_t part = x->shape[axis] * inner;
        for (size_t o = 0; o < outer; o++)
            memcpy(io->d_inputs[k].data + o * part, dy->data + o * row + at, part * sizeof(float));
        at += part;
    }
    return 0;
}

/* The input whose value the output took at this element (Maximum, Minimum): the first of the
 * extreme ones, as Keras' pairwise fold gives the gradient to the left operand on ties. */
static int winner(const merge_params *p, const rs_layer_grad_io *io, const rs_walk *w)
{
    int best = 0;
    for (int k = 1; k < io->n_inputs; k++) {
        float v = io->inputs[k]->data[w[k].at], b = io->inputs[best]->data[w[best].at];
        if (p->op == MERGE_MAXIMUM ? v > b : v < b)
            best = k;
    }
    return best;
}

/* d output / d input k at this element. */
static float factor(const merge_params *p, const rs_layer_grad_io *io, const rs_walk *w, int k,
                    int win)
{
    switch (p->op) {
    case MERGE_SUBTRACT: return k == 0 ? 1.0f : -1.0f;
    case MERGE_AVERAGE: return 1.0f / (float)io->n_inputs;
    case MERGE_MAXIMUM:
    case MERGE_MINIMUM: return k == win ? 1.0f : 0.0f;
    case MERGE_MULTIPLY: {
        float prod = 1.0f;
        for (int j = 0; j < io->n_inputs; j++)
            if (j != k)
                prod *= io->inputs[j]->data[w[j].at];
        return prod;
    }
    default: return 1.0f; /* Add */
    }
}

static int elementwise_backward(const merge_params *p, rs_layer_grad_io *io, const rs_tensor *dy,
                                rs_error *err)
{
    rs_walk *w = calloc((size_t)io->n_inputs, sizeof *w);
    if (!w)
        return rs_fail_oom(err, NULL);
    int rc = 0;
    for (int k = 0; k < io->n_inputs && rc == 0; k++) {
        size_t stride[RS_MAX_RANK];
        const rs_tensor *x = io->inputs[k];
        rc = rs_tensor_alloc(&io->d_inputs[k], x->rank, x->shape, err);
        if (rc == 0 && rs_broadcast_strides(x, dy->rank, dy->shape, stride) < 0)
            rc = rs_fail(err, NULL, "input %d does not broadcast to the output", k);
        if (rc == 0)
            rs_walk_init(&w[k], dy->rank, dy->shape, stride);
    }
    for (size_t i = 0; rc == 0 && i < dy->size; i++) {
        int win = p->op == MERGE_MAXIMUM || p->op == MERGE_MINIMUM ? winner(p, io, w) : -1;
        for (int k = 0; k < io->n_inputs; k++)
            io->d_inputs[k].data[w[k].at] += dy->data[i] * factor(p, io, w, k, win);
        for (int k = 0; k < io->n_inputs; k++)
            rs_walk_next(&w[k]);
    }
    free(w);
    return rc;
}

/* Through y = x / sqrt(max(Σ x², min_sq)) along axis: dx = (dy - y (y·dy)) / norm (only dy /
 * norm where the floor holds). x is the input, y its normalized copy; dx replaces dy. */
static void l2_normalize_backward(const rs_tensor *x, const rs_tensor *y, int axis, float min_sq,
                                  rs_tensor *d)
{
    size_t outer = 1, inner = 1, len = x->shape[axis];
    for (int k = 0; k < axis; k++)
        outer *= x->shape[k];
    for (int k = axis + 1; k < x->rank; k++)
        inner *= x->shape[k];
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++) {
            size_t base = o * len * inner + i;
            double ss = 0, dot = 0;
            for (size_t k = 0; k < len; k++) {
                ss += (double)x->data[base + k * inner] * x->data[base + k * inner];
                dot += (double)y->data[base + k * inner] * d->data[base + k * inner];
            }
            bool floored = ss <= min_sq;
            double norm = sqrt(floored ? min_sq : ss);
            for (size_t k = 0; k < len; k++) {
                size_t at = base + k * inner;
                d->data[at] = (float)((d->data[at] - (floored ? 0 : y->data[at] * dot)) / norm);
            }
        }
}

/* Dot: per output element, d x[ox + k ka] += dy z[oz + k kb] and the other way round. */
static int dot_backward(const merge_params *p, rs_layer_grad_io *io, const rs_tensor *dy,
                        rs_error *err)
{
    int a = p->axes[0] + 1, b = p->axes[1] + 1;
    const rs_tensor *x = io->inputs[0], *z = io->inputs[1];
    rs_tensor nx = {0}, nz = {0};
    float min_sq = dot_min_sq(io->keras_major);
    int rank, rc = -1;
    size_t shape[RS_MAX_RANK];
    dot_plan pl;
    if (p->normalize && (l2_normalize(x, a, min_sq, &nx, err) < 0 ||
                         l2_normalize(z, b, min_sq, &nz, err) < 0))
        goto done;
    const rs_tensor *xv = p->normalize ? &nx : x, *zv = p->normalize ? &nz : z;
    rs_tensor *dx = &io->d_inputs[0], *dz = &io->d_inputs[1];
    if (dot_plan_make(x, a, z, b, &pl, shape, &rank, err) < 0 ||
        rs_tensor_alloc(dx, x->rank, x->shape, err) < 0 ||
        rs_tensor_alloc(dz, z->rank, z->shape, err) < 0)
        goto done;
    for (size_t s = 0; s < x->shape[0]; s++)
        for (size_t i = 0; i < pl.per; i++) {
            size_t ox, oz;
            dot_plan_offsets(&pl, s, i, &ox, &oz);
            float g = dy->data[s * pl.per + i];
            for (size_t k = 0; k < pl.len; k++) {
                dx->data[ox + k * pl.ka] += g * zv->data[oz + k * pl.kb];
                dz->data[oz + k * pl.kb] += g * xv->data[ox + k * pl.ka];
            }
        }
    if (p->normalize) {
        l2_normalize_backward(x, &nx, a, min_sq, dx);
        l2_normalize_backward(z, &nz, b, min_sq, dz);
    }
    rc = 0;
done:
    rs_tensor_free(&nx);
    rs_tensor_free(&nz);
    return rc;
}

int rs_merge_backward(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    const merge_params *p = n->params;
    bool masked = false;
    for (int k = 0; k < io->n_inputs; k++)
        masked = masked || io->in_masks[k];
    if (io->keras_major >= 3 && masked &&
        (p->op == MERGE_MULTIPLY || p->op == MERGE_MAXIMUM || p->op == MERGE_MINIMUM))
        return rs_fail(err, NULL, "no reverse pass for a masked %s of Keras 3", n->class_name);
    rs_tensor zero = {0};
    const rs_tensor *dy = rs_grad_or_zeros(io, 0, &zero, err);
    int rc = !dy                     ? -1
             : p->op == MERGE_CONCAT ? concat_backward(p, io, dy, err)
             : p->op == MERGE_DOT    ? dot_backward(p, io, dy, err)
                                     : elementwise_backward(p, io, dy, err);
    rs_tensor_free(&zero);
    return rc;
}

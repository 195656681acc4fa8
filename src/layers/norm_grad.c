/* Reverse passes of BatchNormalization (inference: an affine map of constants, so the moving
 * statistics have gradients too) and LayerNormalization (through each row's mean and
 * variance). */
#include <math.h>
#include <string.h>

#include "layers/common.h"
#include "layers/norm_params.h"
#include "layers/grad_common.h"

/* The weight gradients in Keras order: gamma if scale, beta if center, then the rest. */
static float *next_grad(const rs_layer_grad_io *io, int *i, bool present)
{
    if (!present)
        return NULL;
    float *g = io->d_weights ? io->d_weights[*i].data : NULL;
    (*i)++;
    return g;
}

int rs_batch_norm_backward(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    const norm_params *p = n->params;
    const rs_tensor *x = io->inputs[0];
    int axis = p->axis + 1, w = 0, gw = 0;
    size_t outer = 1, inner = 1, C = x->shape[axis];
    for (int i = 0; i < axis; i++)
        outer *= x->shape[i];
    for (int i = axis + 1; i < x->rank; i++)
        inner *= x->shape[i];
    if (rs_tensor_alloc(&io->d_inputs[0], x->rank, x->shape, err) < 0 ||
        (io->d_weights && rs_grad_alloc_weights(n, io, err) < 0) || !io->d_outputs[0])
        return io->d_outputs[0] ? -1 : 0;
    const float *gamma = p->scale ? n->weights[w++].value.data : NULL;
    w += p->center;
    const float *mean = n->weights[w].value.data, *var = n->weights[w + 1].value.data;
    float *dgamma = next_grad(io, &gw, p->scale), *dbeta = next_grad(io, &gw, p->center);
    float *dmean = next_grad(io, &gw, true), *dvar = next_grad(io, &gw, true);
    const float *dy = io->d_outputs[0]->data;
    double eps = p->epsilon;
    for (size_t o = 0; o < outer; o++)
        for (size_t c = 0; c < C; c++) {
            double g = gamma ? gamma[c] : 1.0, s = 1.0 / sqrt((double)var[c] + eps);
            for (size_t i = 0; i < inner; i++) {
                size_t at = (o * C + c) * inner + i;
                double d = dy[at], centred = (double)x->data[at] - mean[c];
                io->d_inputs[0].data[at] = (float)(d * g * s);
                if (!io->d_weights)
                    continue;
                if (dgamma)
                    dgamma[c] += (float)(d * centred * s);
                if (dbeta)
                    dbeta[c] += (float)d;
                dmean[c] -= (float)(d * g * s);
                dvar[c] -= (float)(d * g * centred * 0.5 * s * s * s);
            }
        }
    return 0;
}

/* One row of C values: dx from dy, and gamma's and beta's gradients added to. */
static void layer_norm_row(size_t C, const float *x, const float *dy, const float *gamma,
                           double eps, float *dx, float *dgamma, float *dbeta)
{
    double mean = 0, var = 0, m1 = 0, m2 = 0;
    for (size_t c = 0; c < C; c++)
        mean += x[c];
    mean /= (double)C;
    for (size_t c = 0; c < C; c++)
        var += (x[c] - mean) * (x[c] - mean);
    var /= (double)C;
    double inv = 1.0 / sqrt(var + eps);
    for (size_t c = 0; c < C; c++) { /* the means of d xhat and d xhat · xhat */
        double dxh = dy[c] * (gamma ? gamma[c] : 1.0), xh = (x[c] - mean) * inv;
        m1 += dxh;
        m2 += dxh * xh;
        if (dgamma)
            dgamma[c] += (float)(dy[c] * xh);
        if (dbeta)
            dbeta[c] += dy[c];
    }
    m1 /= (double)C;
    m2 /= (double)C;
    for (size_t c = 0; c < C; c++) {
        double dxh = dy[c] * (gamma ? gamma[c] : 1.0), xh = (x[c] - mean) * inv;
        dx[c] = (float)(inv * (dxh - m1 - xh * m2));
    }
}

int rs_layer_norm_backward(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    const norm_params *p = n->params;
    const rs_tensor *x = io->inputs[0];
    int perm[RS_MAX_RANK], back[RS_MAX_RANK], gw = 0;
    bool moves = layer_norm_perm(p, x->rank, perm, back);
    rs_tensor xt = {0}, dyt = {0}, dxt = {0}, zero = {0};
    const rs_tensor *dy = rs_grad_or_zeros(io, 0, &zero, err);
    int rc = -1;
    if (!dy || (io->d_weights && rs_grad_alloc_weights(n, io, err) < 0))
        goto done;
    if (moves ? rs_tensor_permute(&xt, x, perm, err) < 0 || rs_tensor_permute(&dyt, dy, perm, err) < 0
              : rs_tensor_copy(&xt, x, err) < 0 || rs_tensor_copy(&dyt, dy, err) < 0)
        goto done;
    if (rs_tensor_alloc(&dxt, xt.rank, xt.shape, err) < 0)
        goto done;
    size_t C = 1;
    for (int i = 0; i < p->n_axes; i++)
        C *= x->shape[p->axes[i] + 1];
    const float *gamma = p->scale ? n->weights[0].value.data : NULL;
    float *dgamma = next_grad(io, &gw, p->scale), *dbeta = next_grad(io, &gw, p->center);
    for (size_t r = 0; C && r < xt.size / C; r++)
        layer_norm_row(C, xt.data + r * C, dyt.data + r * C, gamma, p->epsilon,
                       dxt.data + r * C, dgamma, dbeta);
    rc = moves ? rs_tensor_permute(&io->d_inputs[0], &dxt, back, err) : 0;
    if (!moves)
        rs_tensor_move(&io->d_inputs[0], &dxt);
done:
    rs_tensor_free(&xt);
    rs_tensor_free(&dyt);
    rs_tensor_free(&dxt);
    rs_tensor_free(&zero);
    return rc;
}

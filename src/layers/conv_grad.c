/* Reverse passes of Conv1D (dilation, strides, groups, causal and same padding), the 1-D
 * poolings and global poolings, Cropping1D, ZeroPadding1D and UpSampling1D, channels last
 * (a channels_first layer runs on transposed copies, as its forward pass does). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "rnnscope/grad_kernels.h"
#include "layers/common.h"
#include "layers/conv_params.h"
#include "layers/grad_common.h"

typedef int (*backward_fn)(const rs_node *n, rs_layer_grad_io *io, const rs_tensor *x,
                           const rs_tensor *y, const rs_tensor *dy, rs_tensor *dx, rs_error *err);

/* Sizes of a (batch, steps, channels) tensor. */
typedef struct seq3 {
    size_t B, T, C;
} seq3;

static seq3 dims3(const rs_tensor *t)
{
    return (seq3){t->shape[0], t->shape[1], t->shape[2]};
}

/* Run a channels-last reverse pass, transposing a channels_first layer's tensors around it. */
static int channels_last_back(const rs_node *n, rs_layer_grad_io *io, backward_fn fn,
                              rs_error *err)
{
    const conv_params *p = n->params;
    const rs_tensor *x = io->inputs[0];
    if (x->rank != 3)
        return rs_fail(err, NULL, "needs an input of rank 3 (batch, steps, channels)");
    rs_tensor zero = {0};
    const rs_tensor *dy = rs_grad_or_zeros(io, 0, &zero, err);
    if (!dy)
        return -1;
    if (!p->channels_first) {
        int rc = fn(n, io, x, &io->outputs[0], dy, &io->d_inputs[0], err);
        rs_tensor_free(&zero);
        return rc;
    }
    static const int swap[3] = {0, 2, 1};
    rs_tensor xt = {0}, yt = {0}, dyt = {0}, dxt = {0};
    int rc = -1;
    bool y3 = io->outputs[0].rank == 3;
    if (rs_tensor_permute(&xt, x, swap, err) == 0 &&
        (y3 ? rs_tensor_permute(&yt, &io->outputs[0], swap, err) == 0 &&
                  rs_tensor_permute(&dyt, dy, swap, err) == 0
            : rs_tensor_copy(&yt, &io->outputs[0], err) == 0 && rs_tensor_copy(&dyt, dy, err) == 0) &&
        fn(n, io, &xt, &yt, &dyt, &dxt, err) == 0)
        rc = rs_tensor_permute(&io->d_inputs[0], &dxt, swap, err);
    rs_tensor_free(&xt);
    rs_tensor_free(&yt);
    rs_tensor_free(&dyt);
    rs_tensor_free(&dxt);
    rs_tensor_free(&zero);
    return rc;
}

/* ---- Conv1D ---- */

static rs_conv1d conv_of(const rs_node *n, size_t C)
{
    const conv_params *p = n->params;
    return (rs_conv1d){
        .kernel_size = (size_t)p->kernel_size, .in_channels = C, .filters = (size_t)p->filters,
        .stride = (size_t)p->strides, .dilation = (size_t)p->dilation,
        .groups = (size_t)p->groups, .padding = kernel_padding(p->pad),
        .kernel = n->weights[0].value.data, .bias = p->use_bias ? n->weights[1].value.data : NULL,
    };
}

/* dz = dy through the activation, from the pre-activations computed again. */
static int conv_dz(const rs_node *n, const rs_conv1d *c, const rs_tensor *x, const rs_tensor *y,
                   const rs_tensor *dy, rs_tensor *dz, rs_error *err)
{
    const conv_params *p = n->params;
    const rs_activation *a = &p->activation;
    seq3 d = dims3(x);
    if (rs_tensor_alloc(dz, y->rank, y->shape, err) < 0)
        return -1;
    if (a->kind == RS_ACT_SOFTMAX || a->kind == RS_ACT_LOG_SOFTMAX) {
        rs_softmax_axis_backward(y->data, dy->data, dz->data, y->rank, y->shape, y->rank - 1,
                                 a->kind == RS_ACT_LOG_SOFTMAX);
        return 0;
    }
    if (!rs_activation_has_grad(a))
        return rs_fail(err, NULL, "no reverse pass for its activation");
    size_t len = y->shape[1];
    for (size_t b = 0; b < d.B; b++)
        rs_conv1d_run(c, d.T, x->data + b * d.T * d.C, dz->data + b * len * c->filters);
    rs_activation_backward(a, dz->data, dy->data, dz->data, dz->size);
    return 0;
}

static int conv1d_back(const rs_node *n, rs_layer_grad_io *io, const rs_tensor *x,
                       const rs_tensor *y, const rs_tensor *dy, rs_tensor *dx, rs_error *err)
{
    seq3 d = dims3(x);
    rs_conv1d c = conv_of(n, d.C);
    rs_tensor dz = {0};
    if (conv_dz(n, &c, x, y, dy, &dz, err) < 0 || rs_tensor_alloc(dx, 3, x->shape, err) < 0 ||
        (io->d_weights && rs_grad_alloc_weights(n, io, err) < 0)) {
        rs_tensor_free(&dz);
        return -1;
    }
    size_t len, pad_left, G = c.groups, cin_g = d.C / G, F = c.filters, f_g = F / G;
    rs_window_geometry(d.T, c.kernel_size, c.stride, c.dilation, c.padding, &len, &pad_left);
    float *dk = io->d_weights ? io->d_weights[0].data : NULL;
    float *db = io->d_weights && c.bias ? io->d_weights[1].data : NULL;
    for (size_t b = 0; b < d.B; b++)
        for (size_t t = 0; t < len; t++) {
            const float *g = dz.data + (b * len + t) * F;
            for (size_t f = 0; db && f < F; f++)
                db[f] += g[f];
            for (size_t j = 0; j < c.kernel_size; j++) {
                long long pos = (long long)(t * c.stride + j * c.dilation) - (long long)pad_left;
                if (pos < 0 || pos >= (long long)d.T)
                    continue;
                const float *xt = x->data + (b * d.T + (size_t)pos) * d.C;
                float *dxt = dx->data + (b * d.T + (size_t)pos) * d.C;
                for (size_t gr = 0; gr < G; gr++)
                    for (size_t ci = 0; ci < cin_g; ci++) {
                        const float *kr = c.kernel + (j * cin_g + ci) * F + gr * f_g;
                        const float *gg = g + gr * f_g;
                        float *dkr = dk ? dk + (j * cin_g + ci) * F + gr * f_g : NULL;
                        float acc = 0, xv = xt[gr * cin_g + ci];
                        for (size_t f = 0; f < f_g; f++) {
                            acc += gg[f] * kr[f];
                            if (dkr)
                                dkr[f] += xv * gg[f];
                        }
                        dxt[gr * cin_g + ci] += acc;
                    }
            }
        }
    rs_tensor_free(&dz);
    return 0;
}

int rs_conv1d_backward(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    return channels_last_back(n, io, conv1d_back, err);
}

/* ---- pooling ---- */

static int pooling1d_back(const rs_node *n, rs_layer_grad_io *io, const rs_tensor *x,
                          const rs_tensor *y, const rs_tensor *dy, rs_tensor *dx, rs_error *err)
{
    const conv_params *p = n->params;
    seq3 d = dims3(x);
    bool average = strstr(n->class_name, "Av") != NULL;
    size_t pool = (size_t)p->kernel_size, stride = (size_t)p->strides, len, pad_left;
    rs_window_geometry(d.T, pool, stride, 1, kernel_padding(p->pad), &len, &pad_left);
    if (rs_tensor_alloc(dx, 3, x->shape, err) < 0)
        return -1;
    for (size_t b = 0; b < d.B; b++)
        for (size_t t = 0; t < len; t++)
            for (size_t c = 0; c < d.C; c++) {
                size_t count = 0, best = SIZE_MAX;
                float bv = -INFINITY;
                for (size_t j = 0; j < pool; j++) { /* the window's valid steps, its maximum */
                    long long pos = (long long)(t * stride + j) - (long long)pad_left;
                    if (pos < 0 || pos >= (long long)d.T)
                        continue;
                    float v = x->data[(b * d.T + (size_t)pos) * d.C + c];
                    if (best == SIZE_MAX || v > bv)
                        best = (size_t)pos, bv = v;
                    count++;
                }
                float g = dy->data[(b * len + t) * d.C + c];
                for (size_t j = 0; average && j < pool; j++) {
                    long long pos = (long long)(t * stride + j) - (long long)pad_left;
                    if (pos >= 0 && pos < (long long)d.T)
                        dx->data[(b * d.T + (size_t)pos) * d.C + c] += g / (float)count;
                }
                if (!average && best != SIZE_MAX)
                    dx->data[(b * d.T + best) * d.C + c] += g;
            }
    (void)y;
    (void)io;
    return 0;
}

int rs_pooling1d_backward(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    return channels_last_back(n, io, pooling1d_back, err);
}

/* Global average: dy / count at the unmasked steps. Global max: dy shared by the steps that
 * hold the maximum (TensorFlow's reduce_max gradient). */
static int global_pooling1d_back(const rs_node *n, rs_layer_grad_io *io, const rs_tensor *x,
                                 const rs_tensor *y, const rs_tensor *dy, rs_tensor *dx,
                                 rs_error *err)
{
    seq3 d = dims3(x);
    bool average = strstr(n->class_name, "Av") != NULL;
    const rs_tensor *mask = average && io->in_masks ? io->in_masks[0] : NULL;
    if (rs_tensor_alloc(dx, 3, x->shape, err) < 0)
        return -1;
    for (size_t b = 0; b < d.B; b++)
        for (size_t c = 0; c < d.C; c++) {
            float g = dy->data[b * d.C + c], ymax = y->data[b * d.C + c], count = 0;
            for (size_t t = 0; t < d.T; t++)
                count += average ? (mask ? mask->data[b * d.T + t] : 1.0f)
                                 : (float)(x->data[(b * d.T + t) * d.C + c] == ymax);
            for (size_t t = 0; t < d.T; t++) {
                float w = average ? (mask ? mask->data[b * d.T + t] : 1.0f)
                                  : (float)(x->data[(b * d.T + t) * d.C + c] == ymax);
                dx->data[(b * d.T + t) * d.C + c] = g * w / count;
            }
        }
    return 0;
}

int rs_global_pooling1d_backward(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    return channels_last_back(n, io, global_pooling1d_back, err);
}

/* ---- Cropping1D, ZeroPadding1D, UpSampling1D ---- */

static int resize_back(const rs_node *n, rs_layer_grad_io *io, const rs_tensor *x,
                       const rs_tensor *y, const rs_tensor *dy, rs_tensor *dx, rs_error *err)
{
    const conv_params *p = n->params;
    seq3 d = dims3(x);
    size_t out_T = dy->shape[1];
    if (rs_tensor_alloc(dx, 3, x->shape, err) < 0)
        return -1;
    for (size_t b = 0; b < d.B; b++)
        for (size_t t = 0; t < out_T; t++) {
            size_t src; /* the input step output step t came from, or none */
            if (!strcmp(n->class_name, "UpSampling1D"))
                src = t / (size_t)p->size;
            else if (!strcmp(n->class_name, "Cropping1D"))
                src = t + (size_t)p->crop_or_pad[0];
            else if (t >= (size_t)p->crop_or_pad[0] && t - (size_t)p->crop_or_pad[0] < d.T)
                src = t - (size_t)p->crop_or_pad[0]; /* ZeroPadding1D */
            else
                continue;
            for (size_t c = 0; c < d.C; c++)
                dx->data[(b * d.T + src) * d.C + c] += dy->data[(b * out_T + t) * d.C + c];
        }
    (void)y;
    (void)io;
    return 0;
}

int rs_resize1d_backward(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    return channels_last_back(n, io, resize_back, err);
}

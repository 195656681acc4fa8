/* Conv1D (cross-correlation, no kernel flip) and the window geometry shared with pooling. */
#include <string.h>

#include "rnnscope/ops.h"

void rs_window_geometry(size_t len, size_t k, size_t stride, size_t dilation, rs_padding pad,
                        size_t *out_len, size_t *pad_left)
{
    size_t span = (k - 1) * dilation + 1;
    *pad_left = 0;
    if (stride == 0)
        stride = 1;
    switch (pad) {
    case RS_PAD_VALID:
        *out_len = len >= span ? (len - span) / stride + 1 : 0;
        break;
    case RS_PAD_SAME: {
        *out_len = (len + stride - 1) / stride;
        size_t need = *out_len ? (*out_len - 1) * stride + span : 0;
        size_t total = need > len ? need - len : 0;
        *pad_left = total / 2;
        break;
    }
    case RS_PAD_CAUSAL:
        *pad_left = span - 1;
        *out_len = len ? (len - 1) / stride + 1 : 0;
        break;
    }
}

void rs_conv1d_run(const rs_conv1d *c, size_t T, const float *x, float *y)
{
    size_t out_len, pad_left;
    rs_window_geometry(T, c->kernel_size, c->stride, c->dilation, c->padding, &out_len, &pad_left);
    size_t G = c->groups ? c->groups : 1;
    size_t cin_g = c->in_channels / G, f_g = c->filters / G, F = c->filters;
    for (size_t t = 0; t < out_len; t++) {
        float *row = y + t * F;
        if (c->bias)
            memcpy(row, c->bias, F * sizeof(float));
        else
            memset(row, 0, F * sizeof(float));
        for (size_t j = 0; j < c->kernel_size; j++) {
            long long pos = (long long)(t * c->stride + j * c->dilation) - (long long)pad_left;
            if (pos < 0 || pos >= (long long)T)
                continue; /* zero padding */
            const float *xt = x + (size_t)pos * c->in_channels;
            const float *kj = c->kernel + j * cin_g * F;
            for (size_t g = 0; g < G; g++)
                for (size_t ci = 0; ci < cin_g; ci++) {
                    float xv = xt[g * cin_g + ci];
                    const float *kr = kj + ci * F + g * f_g;
                    float *yr = row + g * f_g;
                    for (size_t f = 0; f < f_g; f++)
                        yr[f] += xv * kr[f];
                }
        }
    }
}

/* Sequence operations of the layers around the recurrent ones: Conv1D, 1-D pooling,
 * normalization. One sample at a time, channels last, as Keras computes them. */
#ifndef RNNSCOPE_OPS_H
#define RNNSCOPE_OPS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum rs_padding {
    RS_PAD_VALID,
    RS_PAD_SAME,
    RS_PAD_CAUSAL,
} rs_padding;

/* Output length and left padding of a window op over `len` steps (TensorFlow's rules):
 * valid: floor((len - span) / stride) + 1 with span = (k-1)*dilation + 1 (0 if negative);
 * same: ceil(len / stride), padding split with the extra step on the right;
 * causal: all padding on the left, (k-1)*dilation. */
void rs_window_geometry(size_t len, size_t k, size_t stride, size_t dilation, rs_padding pad,
                        size_t *out_len, size_t *pad_left);

typedef struct rs_conv1d {
    size_t kernel_size, in_channels, filters, stride, dilation, groups;
    rs_padding padding;
    const float *kernel; /* (kernel_size, in_channels / groups, filters) */
    const float *bias;   /* (filters) or NULL */
} rs_conv1d;

/* x (T, in_channels) → y (out_len, filters), out_len from rs_window_geometry. */
void rs_conv1d_run(const rs_conv1d *c, size_t T, const float *x, float *y);

/* MaxPooling1D / AveragePooling1D: x (T, C) → y (out_len, C). Padded steps are ignored
 * (average over the valid steps only, as TensorFlow does). */
void rs_pool1d_run(bool average, size_t pool, size_t stride, rs_padding pad, size_t T, size_t C,
                   const float *x, float *y);
/* The same for output rows [first, end) only (a long pooling in slices, between which the
 * caller reports progress). */
void rs_pool1d_rows(bool average, size_t pool, size_t stride, rs_padding pad, size_t T, size_t C,
                    const float *x, float *y, size_t first, size_t end);

/* y = gamma (x - mean) / sqrt(var + eps) + beta over rows of length C; gamma/beta may be NULL. */
void rs_batch_norm_run(size_t rows, size_t C, const float *x, const float *gamma, const float *beta,
                       const float *mean, const float *var, float eps, float *y);

/* Normalise each row of length C by its own mean and variance; gamma/beta may be NULL. */
void rs_layer_norm_run(size_t rows, size_t C, const float *x, const float *gamma, const float *beta,
                       float eps, float *y);

#endif

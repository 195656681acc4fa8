/* Convolution and friends over time (channels last): Conv1D, MaxPooling1D, AveragePooling1D,
 * global pooling, Cropping1D, ZeroPadding1D, UpSampling1D. */
#include <math.h>
#include <string.h>

#include "rnnscope/ops.h"
#include "layers/common.h"
#include "layers/families.h"

#define POOL_SLICE_OPS ((size_t)1 << 24)

#include "layers/conv_params.h"

static int parse_padding(rs_node *n, padding *out, rs_error *err)
{
    const char *s = cfg_str(n, "padding", "valid");
    if (!strcmp(s, "valid"))
        *out = PAD_VALID;
    else if (!strcmp(s, "same"))
        *out = PAD_SAME;
    else if (!strcmp(s, "causal"))
        *out = PAD_CAUSAL;
    else
        return rs_fail(err, n->name, "padding '%s' is not supported", s);
    return 0;
}

/* Output length of a sliding window; -1 stays unknown. */
static long out_length(long len, long window, long stride, padding pad)
{
    if (len < 0)
        return -1;
    if (pad != PAD_VALID)
        return (len + stride - 1) / stride;
    return len < window ? 0 : (len - window) / stride + 1;
}

/* A window over the steps: with 'valid' padding no longer than the input (Keras refuses the
 * negative output length too). Other paddings slide over the input's steps only, whatever
 * the window (see rs_pool1d_run). */
static int check_window(const rs_node *n, const char *what, long span, padding pad, long steps,
                        rs_error *err)
{
    if (pad == PAD_VALID && steps >= 0 && span > steps)
        return rs_fail(err, n->name, "%s spans %ld steps, more than the %ld of its input "
                       "(padding 'valid')", what, span, steps);
    return 0;
}

static bool channels_first(const rs_node *n)
{
    return strcmp(cfg_str(n, "data_format", "channels_last"), "channels_first") == 0;
}

static conv_params *begin(rs_node *n, const rs_shape *in, rs_error *err)
{
    conv_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0 ||
        rs_expect_rank(n, &in[0], 2, err) < 0)
        return NULL;
    p->channels_first = channels_first(n);
    return p;
}

/* The input's steps and channels, whatever the data_format. */
static long in_steps(const conv_params *p, const rs_shape *in)
{
    return in->dims[p->channels_first ? 1 : 0];
}

static long in_channels(const conv_params *p, const rs_shape *in)
{
    return in->dims[p->channels_first ? 0 : 1];
}

/* A (steps, channels) output shape in the layer's data_format. */
static rs_shape steps_shape(const conv_params *p, long steps, long channels)
{
    return p->channels_first ? rs_shape_make(2, channels, steps) : rs_shape_make(2, steps, channels);
}

int rs_conv1d_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
{
    conv_params *p = begin(n, in, err);
    if (!p || parse_padding(n, &p->pad, err) < 0)
        return -1;
    if (cfg_size(n, "filters", -1, 1, RS_MAX_UNITS, &p->filters, err) < 0 ||
        cfg_size(n, "kernel_size", -1, 1, RS_MAX_WINDOW, &p->kernel_size, err) < 0 ||
        cfg_size(n, "strides", 1, 1, RS_MAX_WINDOW, &p->strides, err) < 0 ||
        cfg_size(n, "dilation_rate", 1, 1, RS_MAX_WINDOW, &p->dilation, err) < 0 ||
        cfg_size(n, "groups", 1, 1, RS_MAX_UNITS, &p->groups, err) < 0)
        return -1;
    p->use_bias = cfg_bool(n, "use_bias", true);
    if (p->filters <= 0 || p->kernel_size <= 0 || p->filters % p->groups != 0)
        return rs_fail(err, n->name, "Conv1D has invalid filters/kernel_size/groups");
    if (cfg_activation(n, "activation", "linear", ctx, &p->activation, err) < 0)
        return rs_node_unsupported_by(n, err);
    long c = in_channels(p, &in[0]);
    if (c >= 0 && c % p->groups != 0)
        return rs_fail(err, n->name, "%ld input channels do not divide into %ld groups", c,
                       p->groups);
    if (rs_expect_weight_count(n, p->use_bias ? 2 : 1, err) < 0 ||
        RS_EXPECT_SHAPE(n, 0, err, p->kernel_size, c < 0 ? -1 : c / p->groups, p->filters) < 0 ||
        (p->use_bias && RS_EXPECT_SHAPE(n, 1, err, p->filters) < 0))
        return -1;
    long span = (p->kernel_size - 1) * p->dilation + 1; /* <= 2^40: no overflow */
    if (check_window(n, "kernel_size x dilation_rate", span, p->pad, in_steps(p, &in[0]), err) < 0)
        return -1;
    n->out_shapes[0] = steps_shape(p, out_length(in_steps(p, &in[0]), span, p->strides, p->pad),
                                   p->filters);
    return 0;
}

int rs_pooling1d_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
{
    conv_params *p = begin(n, in, err);
    if (!p || parse_padding(n, &p->pad, err) < 0 || rs_expect_weight_count(n, 0, err) < 0)
        return -1;
    if (cfg_size(n, "pool_size", 2, 1, RS_MAX_WINDOW, &p->kernel_size, err) < 0 ||
        cfg_size(n, "strides", p->kernel_size, 1, RS_MAX_WINDOW, &p->strides, err) < 0)
        return -1;
    if (p->pad == PAD_CAUSAL)
        return rs_fail(err, n->name, "pooling has no 'causal' padding");
    if (check_window(n, "pool_size", p->kernel_size, p->pad, in_steps(p, &in[0]), err) < 0)
        return -1;
    n->out_shapes[0] = steps_shape(p, out_length(in_steps(p, &in[0]), p->kernel_size,
                                                 p->strides, p->pad), in_channels(p, &in[0]));
    return 0;
}

int rs_global_pooling1d_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
{
    conv_params *p = begin(n, in, err);
    if (!p || rs_expect_weight_count(n, 0, err) < 0)
        return -1;
    p->keepdims = cfg_bool(n, "keepdims", false);
    n->out_shapes[0] = p->keepdims ? steps_shape(p, 1L, in_channels(p, &in[0]))
                                   : rs_shape_make(1, in_channels(p, &in[0]));
    return 0;
}

/* A whole number of steps from a config value, or -1. */
static long whole(const cJSON *v)
{
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= RS_MAX_STEPS) ||
        v->valuedouble != floor(v->valuedouble))
        return -1;
    return (long)v->valuedouble;
}

/* "cropping"/"padding": an int (both sides) or [before, after]. */
static int pair(rs_node *n, const char *key, long dflt, long out[2], rs_error *err)
{
    const cJSON *v = cfg_get(n, key);
    if (cJSON_IsArray(v) && cJSON_GetArraySize(v) == 2) {
        for (int i = 0; i < 2; i++) {
            const cJSON *e = cJSON_GetArrayItem(v, i);
            out[i] = whole(e);
        }
    } else {
        out[0] = out[1] = v ? whole(v) : dflt;
    }
    if (!(out[0] >= 0 && out[1] >= 0 && out[0] <= RS_MAX_STEPS && out[1] <= RS_MAX_STEPS))
        return rs_fail(err, n->name, "'%s' must be whole numbers from 0 to %ld", key,
                       RS_MAX_STEPS);
    return 0;
}

int rs_cropping1d_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
{
    conv_params *p = begin(n, in, err);
    if (!p || pair(n, "cropping", 1, p->crop_or_pad, err) < 0 ||
        rs_expect_weight_count(n, 0, err) < 0)
        return -1;
    long len = in[0].dims[0];
    if (len >= 0 && p->crop_or_pad[0] + p->crop_or_pad[1] > len)
        return rs_fail(err, n->name, "crops more than the %ld timesteps", len);
    n->out_shapes[0] = rs_shape_make(2, len < 0 ? -1 : len - p->crop_or_pad[0] - p->crop_or_pad[1],
                                     in[0].dims[1]);
    return 0;
}

int rs_zero_padding1d_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
{
    conv_params *p = begin(n, in, err);
    if (!p || pair(n, "padding", 1, p->crop_or_pad, err) < 0 ||
        rs_expect_weight_count(n, 0, err) < 0)
        return -1;
    long len = in_steps(p, &in[0]);
    if (len > RS_MAX_STEPS)
        return rs_fail(err, n->name, "pads an input of %ld steps, more than %ld", len,
                       RS_MAX_STEPS);
    n->out_shapes[0] = steps_shape(p, len < 0 ? -1 : len + p->crop_or_pad[0] + p->crop_or_pad[1],
                                   in_channels(p, &in[0]));
    return 0;
}

int rs_upsampling1d_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
{
    conv_params *p = begin(n, in, err);
    if (!p || rs_expect_weight_count(n, 0, err) < 0)
        return -1;
    if (cfg_size(n, "size", 2, 1, RS_MAX_WINDOW, &p->size, err) < 0)
        return -1;
    long len = in[0].dims[0];
    if (len > RS_MAX_STEPS / p->size)
        return rs_fail(err, n->name, "%ld steps repeated %ld times is more than %ld", len,
                       p->size, RS_MAX_STEPS);
    n->out_shapes[0] = rs_shape_make(2, len < 0 ? -1 : len * p->size, in[0].dims[1]);
    return 0;
}

/* ==== forward pass ==== */

/* The input as (batch, steps, channels); channels checked when `want` is not -1. */
static int sequence_input(const rs_layer_io *io, long want, size_t *B, size_t *T, size_t *C,
                          rs_error *err)
{
    const rs_tensor *x = io->inputs[0];
    *B = *T = *C = 0;
    if (x->rank != 3)
        return rs_fail(err, NULL, "needs an input of rank 3 (batch, steps, channels), got %d",
                       x->rank);
    *B = x->shape[0];
    *T = x->shape[1];
    *C = x->shape[2];
    if (want >= 0 && *C != (size_t)want)
        return rs_fail(err, NULL, "input has %zu channels, the layer expects %ld", *C, want);
    return 0;
}

/* Run a channels-last forward on a channels_first layer: transpose the input to
 * (batch, steps, channels) and a rank-3 output back. */
static int channels_last_run(const rs_node *n, rs_layer_io *io, rs_error *err,
                             int (*forward)(const rs_node *, rs_layer_io *, rs_error *))
{
    const conv_params *p = n->params;
    if (!p->channels_first)
        return forward(n, io, err);
    static const int swap[3] = {0, 2, 1};
    if (io->inputs[0]->rank != 3)
        return rs_fail(err, NULL, "needs an input of rank 3 (batch, channels, steps), got %d",
                       io->inputs[0]->rank);
    rs_tensor x = {0}, y = {0};
    const rs_tensor *ins[1] = {&x};
    rs_layer_io inner = *io;
    inner.inputs = ins;
    int rc = rs_tensor_permute(&x, io->inputs[0], swap, err);
    if (rc == 0)
        rc = forward(n, &inner, err);
    if (rc == 0 && io->outputs[0].rank == 3) {
        rc = rs_tensor_permute(&y, &io->outputs[0], swap, err);
        rs_tensor_move(&io->outputs[0], &y);
    }
    rs_tensor_free(&x);
    return rc;
}

static int conv1d_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const conv_params *p = n->params;
    const rs_tensor *kernel = &n->weights[0].value;
    size_t B, T, C, len, pad_left;
    if (sequence_input(io, (long)(kernel->shape[1] * (size_t)p->groups), &B, &T, &C, err) < 0)
        return -1;
    rs_conv1d c = {
        .kernel_size = (size_t)p->kernel_size, .in_channels = C, .filters = (size_t)p->filters,
        .stride = (size_t)p->strides, .dilation = (size_t)p->dilation,
        .groups = (size_t)p->groups, .padding = kernel_padding(p->pad),
        .kernel = kernel->data, .bias = p->use_bias ? n->weights[1].value.data : NULL,
    };
    rs_window_geometry(T, c.kernel_size, c.stride, c.dilation, c.padding, &len, &pad_left);
    rs_tensor *y = &io->outputs[0];
    if (rs_tensor_alloc_dims(y, err, 3, B, len, c.filters) < 0)
        return -1;
    for (size_t b = 0; b < B; b++)
        rs_conv1d_run(&c, T, io->inputs[0]->data + b * T * C, y->data + b * len * c.filters);
    rs_activate(&p->activation, y->data, y->size, c.filters);
    return 0; /* Conv1D drops the mask */
}

int rs_conv1d_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    return channels_last_run(n, io, err, conv1d_forward);
}

static int pooling1d_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const conv_params *p = n->params;
    size_t B, T, C, len, pad_left;
    if (sequence_input(io, -1, &B, &T, &C, err) < 0)
        return -1;
    bool average = strstr(n->class_name, "Av") != NULL;
    size_t pool = (size_t)p->kernel_size, stride = (size_t)p->strides;
    rs_window_geometry(T, pool, stride, 1, kernel_padding(p->pad), &len, &pad_left);
    rs_tensor *y = &io->outputs[0];
    if (rs_tensor_alloc_dims(y, err, 3, B, len, C) < 0)
        return -1;
    /* slices of about POOL_SLICE_OPS additions, with progress and cancellation between them:
     * a window as long as a long input, sliding one step at a time, takes T x T x C */
    size_t window = pool < T ? pool : T, per_row = (window ? window : 1) * (C ? C : 1);
    size_t rows = POOL_SLICE_OPS / per_row ? POOL_SLICE_OPS / per_row : 1;
    for (size_t b = 0; b < B; b++)
        for (size_t t = 0; t < len; t += rows) {
            rs_pool1d_rows(average, pool, stride, kernel_padding(p->pad), T, C,
                           io->inputs[0]->data + b * T * C, y->data + b * len * C, t, t + rows);
            if (!rs_progress_report(io->progress, ((double)b * len + t) / ((double)B * len)))
                return rs_fail_cancelled(err);
        }
    return 0;
}

/* Mean over the unmasked steps (mask NULL: all), as Keras: sum(x * m) / sum(m). */
static void masked_mean(size_t T, size_t C, const float *x, const float *mask, float *y)
{
    float count = 0;
    for (size_t c = 0; c < C; c++)
        y[c] = 0;
    for (size_t t = 0; t < T; t++) {
        float m = mask ? mask[t] : 1.0f;
        count += m;
        for (size_t c = 0; c < C; c++)
            y[c] += x[t * C + c] * m;
    }
    for (size_t c = 0; c < C; c++)
        y[c] /= count; /* every step masked: 0/0 = NaN, as in Keras */
}

static void step_max(size_t T, size_t C, const float *x, float *y)
{
    for (size_t c = 0; c < C; c++) {
        float m = -INFINITY;
        for (size_t t = 0; t < T; t++)
            m = x[t * C + c] > m || isnan(x[t * C + c]) ? x[t * C + c] : m;
        y[c] = m;
    }
}

int rs_pooling1d_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    return channels_last_run(n, io, err, pooling1d_forward);
}

static int global_pooling1d_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const conv_params *p = n->params;
    size_t B, T, C;
    if (sequence_input(io, -1, &B, &T, &C, err) < 0)
        return -1;
    bool average = strstr(n->class_name, "Av") != NULL;
    const rs_tensor *mask = average ? io->in_masks[0] : NULL; /* max ignores the mask */
    if (mask && (mask->rank != 2 || mask->shape[0] != B || mask->shape[1] != T))
        return rs_fail(err, NULL, "its input mask does not have the shape (%zu, %zu)", B, T);
    rs_tensor *y = &io->outputs[0];
    int rc = p->keepdims ? rs_tensor_alloc_dims(y, err, 3, B, (size_t)1, C)
                         : rs_tensor_alloc_dims(y, err, 2, B, C);
    if (rc < 0)
        return -1;
    for (size_t b = 0; b < B; b++) {
        const float *x = io->inputs[0]->data + b * T * C;
        if (average)
            masked_mean(T, C, x, mask ? mask->data + b * T : NULL, y->data + b * C);
        else
            step_max(T, C, x, y->data + b * C);
    }
    return 0;
}

int rs_global_pooling1d_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    return channels_last_run(n, io, err, global_pooling1d_forward);
}

/* y[b, skip_out + t] = x[b, skip_in + t] for t < len: the shared copy of the 1-D resizers. */
static void copy_steps(size_t B, size_t T_in, size_t T_out, size_t C, size_t skip_in,
                       size_t skip_out, size_t len, const float *x, float *y)
{
    for (size_t b = 0; b < B; b++)
        memcpy(y + (b * T_out + skip_out) * C, x + (b * T_in + skip_in) * C,
               len * C * sizeof(float));
}

int rs_cropping1d_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const conv_params *p = n->params;
    size_t B, T, C;
    if (sequence_input(io, -1, &B, &T, &C, err) < 0)
        return -1;
    size_t before = (size_t)p->crop_or_pad[0], after = (size_t)p->crop_or_pad[1];
    if (before + after > T)
        return rs_fail(err, NULL, "crops %zu steps from an input of %zu", before + after, T);
    size_t len = T - before - after;
    if (rs_tensor_alloc_dims(&io->outputs[0], err, 3, B, len, C) < 0)
        return -1;
    copy_steps(B, T, len, C, before, 0, len, io->inputs[0]->data, io->outputs[0].data);
    return 0;
}

static int zero_padding1d_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const conv_params *p = n->params;
    size_t B, T, C;
    if (sequence_input(io, -1, &B, &T, &C, err) < 0)
        return -1;
    size_t before = (size_t)p->crop_or_pad[0], len = T + before + (size_t)p->crop_or_pad[1];
    if (rs_tensor_alloc_dims(&io->outputs[0], err, 3, B, len, C) < 0)
        return -1;
    copy_steps(B, T, len, C, 0, before, T, io->inputs[0]->data, io->outputs[0].data);
    return 0;
}

int rs_zero_padding1d_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    return channels_last_run(n, io, err, zero_padding1d_forward); /* Keras 3 has data_format */
}

int rs_upsampling1d_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const conv_params *p = n->params;
    size_t B, T, C, S = (size_t)p->size, len;
    if (sequence_input(io, -1, &B, &T, &C, err) < 0)
        return -1;
    if (rs_mul_overflows(T, S, &len))
        return rs_fail(err, NULL, "%zu steps repeated %zu times is too long", T, S);
    if (rs_tensor_alloc_dims(&io->outputs[0], err, 3, B, len, C) < 0)
        return -1;
    const float *x = io->inputs[0]->data;
    float *y = io->outputs[0].data;
    for (size_t b = 0; b < B; b++)
        for (size_t t = 0; t < T; t++)
            for (size_t s = 0; s < S; s++)
                memcpy(y + ((b * T + t) * S + s) * C, x + (b * T + t) * C, C * sizeof(float));
    return 0;
}

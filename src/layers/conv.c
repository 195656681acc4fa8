/* Convolution and friends over time (channels last): Conv1D, MaxPooling1D, AveragePooling1D,
 * global pooling, Cropping1D, ZeroPadding1D, UpSampling1D. */
#include <string.h>

#include "layers/common.h"
#include "layers/families.h"

typedef enum padding { PAD_VALID, PAD_SAME, PAD_CAUSAL } padding;

typedef struct conv_params {
    long filters, kernel_size, strides, dilation, groups;
    padding pad;
    rs_activation activation;
    bool use_bias;
    bool keepdims;          /* global pooling */
    long crop_or_pad[2];    /* Cropping1D / ZeroPadding1D: before, after */
    long size;              /* UpSampling1D */
} conv_params;

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
    return p;
}

int rs_conv1d_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
{
    conv_params *p = begin(n, in, err);
    if (!p || parse_padding(n, &p->pad, err) < 0)
        return -1;
    p->filters = cfg_int(n, "filters", -1);
    p->kernel_size = cfg_int(n, "kernel_size", -1);
    p->strides = cfg_int(n, "strides", 1);
    p->dilation = cfg_int(n, "dilation_rate", 1);
    p->groups = cfg_int(n, "groups", 1);
    p->use_bias = cfg_bool(n, "use_bias", true);
    if (p->filters <= 0 || p->kernel_size <= 0 || p->strides <= 0 || p->dilation <= 0 ||
        p->groups <= 0 || p->filters % p->groups != 0)
        return rs_fail(err, n->name, "Conv1D has invalid filters/kernel_size/strides/groups");
    if (cfg_activation(n, "activation", "linear", m, &p->activation, err) < 0)
        return rs_node_unsupported(n, "%s", err->msg);
    long c = in[0].dims[1];
    if (c >= 0 && c % p->groups != 0)
        return rs_fail(err, n->name, "%ld input channels do not divide into %ld groups", c,
                       p->groups);
    if (rs_expect_weight_count(n, p->use_bias ? 2 : 1, err) < 0 ||
        RS_EXPECT_SHAPE(n, 0, err, p->kernel_size, c < 0 ? -1 : c / p->groups, p->filters) < 0 ||
        (p->use_bias && RS_EXPECT_SHAPE(n, 1, err, p->filters) < 0))
        return -1;
    if (channels_first(n))
        rs_node_unsupported(n, "Conv1D with data_format channels_first");
    long span = (p->kernel_size - 1) * p->dilation + 1;
    n->out_shapes[0] = rs_shape_make(2, out_length(in[0].dims[0], span, p->strides, p->pad),
                                     p->filters);
    return 0;
}

int rs_pooling1d_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
{
    conv_params *p = begin(n, in, err);
    if (!p || parse_padding(n, &p->pad, err) < 0 || rs_expect_weight_count(n, 0, err) < 0)
        return -1;
    p->kernel_size = cfg_int(n, "pool_size", 2);
    p->strides = cfg_int(n, "strides", p->kernel_size);
    if (p->kernel_size <= 0 || p->strides <= 0)
        return rs_fail(err, n->name, "pooling has invalid pool_size/strides");
    if (channels_first(n))
        rs_node_unsupported(n, "pooling with data_format channels_first");
    n->out_shapes[0] = rs_shape_make(2, out_length(in[0].dims[0], p->kernel_size, p->strides,
                                                   p->pad), in[0].dims[1]);
    return 0;
}

int rs_global_pooling1d_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
{
    conv_params *p = begin(n, in, err);
    if (!p || rs_expect_weight_count(n, 0, err) < 0)
        return -1;
    p->keepdims = cfg_bool(n, "keepdims", false);
    if (channels_first(n))
        rs_node_unsupported(n, "pooling with data_format channels_first");
    n->out_shapes[0] = p->keepdims ? rs_shape_make(2, 1L, in[0].dims[1])
                                   : rs_shape_make(1, in[0].dims[1]);
    return 0;
}

/* "cropping"/"padding": an int (both sides) or [before, after]. */
static int pair(rs_node *n, const char *key, long dflt, long out[2], rs_error *err)
{
    const cJSON *v = cfg_get(n, key);
    if (cJSON_IsArray(v) && cJSON_GetArraySize(v) == 2) {
        for (int i = 0; i < 2; i++) {
            const cJSON *e = cJSON_GetArrayItem(v, i);
            out[i] = cJSON_IsNumber(e) ? (long)e->valuedouble : -1;
        }
    } else {
        out[0] = out[1] = cJSON_IsNumber(v) ? (long)v->valuedouble : v ? -1 : dflt;
    }
    if (out[0] < 0 || out[1] < 0 || out[0] > (1L << 40) || out[1] > (1L << 40))
        return rs_fail(err, n->name, "invalid '%s'", key);
    return 0;
}

int rs_cropping1d_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
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

int rs_zero_padding1d_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
{
    conv_params *p = begin(n, in, err);
    if (!p || pair(n, "padding", 1, p->crop_or_pad, err) < 0 ||
        rs_expect_weight_count(n, 0, err) < 0)
        return -1;
    long len = in[0].dims[0];
    n->out_shapes[0] = rs_shape_make(2, len < 0 ? -1 : len + p->crop_or_pad[0] + p->crop_or_pad[1],
                                     in[0].dims[1]);
    return 0;
}

int rs_upsampling1d_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
{
    conv_params *p = begin(n, in, err);
    if (!p || rs_expect_weight_count(n, 0, err) < 0)
        return -1;
    p->size = cfg_int(n, "size", 2);
    if (p->size <= 0 || p->size > (1L << 20))
        return rs_fail(err, n->name, "invalid 'size'");
    long len = in[0].dims[0];
    n->out_shapes[0] = rs_shape_make(2, len < 0 ? -1 : len * p->size, in[0].dims[1]);
    return 0;
}

/* The parsed configs (node->params) of the conv layers, shared by their forward pass
 * (src/layers/conv.c) and their reverse pass (src/layers/conv_grad.c). Not a public interface. */
#ifndef RNNSCOPE_LAYERS_CONV_PARAMS_H
#define RNNSCOPE_LAYERS_CONV_PARAMS_H

#include "rnnscope/kernels.h"
#include "rnnscope/node.h"
#include "rnnscope/ops.h"

typedef enum padding { PAD_VALID, PAD_SAME, PAD_CAUSAL } padding;

typedef struct conv_params {
    long filters, kernel_size, strides, dilation, groups;
    padding pad;
    rs_activation activation;
    bool use_bias;
    bool keepdims;          /* global pooling */
    bool channels_first;    /* data_format: input (channels, steps) */
    long crop_or_pad[2];    /* Cropping1D / ZeroPadding1D: before, after */
    long size;              /* UpSampling1D */
} conv_params;

/* The kernels' name of a padding (rnnscope/ops.h). */
static inline rs_padding kernel_padding(padding pad)
{
    return pad == PAD_SAME ? RS_PAD_SAME : pad == PAD_CAUSAL ? RS_PAD_CAUSAL : RS_PAD_VALID;
}

#endif

/* The parsed configs (node->params) of the core layers, shared by their forward pass
 * (src/layers/core.c) and their reverse pass (src/layers/core_grad.c). Not a public interface. */
#ifndef RNNSCOPE_LAYERS_CORE_PARAMS_H
#define RNNSCOPE_LAYERS_CORE_PARAMS_H

#include "rnnscope/kernels.h"
#include "rnnscope/node.h"

typedef struct dense_params {
    long units;
    rs_activation activation;
    bool use_bias;
} dense_params;

typedef struct activation_params {
    rs_activation activation;
    double alpha;      /* LeakyReLU / ELU slope, ReLU negative_slope */
    double max_value;  /* ReLU cap; < 0 = none */
    double threshold;  /* ReLU threshold */
    long axis;         /* Softmax axis (Keras numbering, -1 = last) */
    bool zero_masked;  /* Softmax with a mask zeroes the masked outputs (Keras >= 3.14) */
} activation_params;

typedef struct identity_params {
    double mask_value;  /* Masking */
    bool masks;
} identity_params;

typedef struct rescaling_params {
    float scale, offset;
} rescaling_params;

typedef struct embedding_params {
    long input_dim, output_dim;
    bool mask_zero;
} embedding_params;

typedef struct reshape_params {
    rs_shape target;     /* Reshape: target shape (resolved); Flatten: the result */
    int perm[RS_MAX_RANK]; /* Permute: output dim i = input dim perm[i] */
    long repeat;         /* RepeatVector */
} reshape_params;

#endif

/* The parsed configs (node->params) of the norm layers, shared by their forward pass
 * (src/layers/norm.c) and their reverse pass (src/layers/norm_grad.c). Not a public interface. */
#ifndef RNNSCOPE_LAYERS_NORM_PARAMS_H
#define RNNSCOPE_LAYERS_NORM_PARAMS_H

#include "rnnscope/kernels.h"
#include "rnnscope/node.h"

typedef struct norm_params {
    int axis;          /* BatchNormalization: index into the shape without batch */
    int n_axes;        /* LayerNormalization: its axes, increasing, without batch */
    int axes[RS_MAX_RANK];
    double epsilon;
    bool center, scale;
    bool rms_scaling;  /* Keras 3 LayerNormalization */
} norm_params;

/* LayerNormalization's rows: perm moves the normalized axes last (back undoes it), for a tensor
 * of `rank` with its batch axis; false when they are last already (norm.c). */
bool layer_norm_perm(const norm_params *p, int rank, int *perm, int *back);

#endif

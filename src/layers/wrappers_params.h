/* The parsed config (node->params) of TimeDistributed, shared by its forward pass
 * (src/layers/wrappers.c) and its reverse pass (src/layers/wrappers_grad.c). Not a public
 * interface. */
#ifndef RNNSCOPE_LAYERS_WRAPPERS_PARAMS_H
#define RNNSCOPE_LAYERS_WRAPPERS_PARAMS_H

#include "rnnscope/model.h"

typedef struct time_distributed_params {
    rs_node *inner;  /* set up on the per-timestep shape, with all the wrapper's weights */
    bool pass_mask;  /* a mask over the inner steps reaches the inner layer (see above) */
    bool keep_mask;  /* the output keeps the input's mask (Keras 3, step-by-step path) */
} time_distributed_params;

/* x (B, T, rest...) seen as (B*T, rest...) without copying: the inner layer's batch
 * (wrappers.c). */
int merge_batch_and_time(const rs_tensor *x, rs_tensor *view, rs_error *err);

#endif

/* The parsed config (node->params) of TimeDistributed, shared by its forward pass
 * (src/layers/wrappers.c) and its reverse pass (src/layers/wrappers_grad.c). Not a public
 * interface. */
#ifndef RNNSCOPE_LAYERS_WRAPPERS_PARAMS_H
#define RNNSCOPE_LAYERS_WRAPPERS_PARAMS_H

#include "rnnscope/node.h"

typedef struct time_distributed_params {
    rs_node *inner;  /* set up on the per-timestep shape, with all the wrapper's weights */
    bool pass_mask;  /* a mask over the inner steps reaches the inner layer (see above) */
    bool keep_mask;  /* the output keeps the input's mask (Keras 3, step-by-step path) */
} time_distributed_params;

/* x (B, T, rest...) seen as (B*T, rest...) without copying: the inner layer's batch
 * (wrappers.c). */
int merge_batch_and_time(const rs_tensor *x, rs_tensor *view, rs_error *err);

/* The mask over the inner layer's steps, (B, T, rest...) with rest non-empty, as (B*T, rest...)
 * without copying, into *out; NULL when there is none or the writer passes none (wrappers.c;
 * the forward and the reverse pass hand the inner layer the same mask). */
int td_inner_mask(const time_distributed_params *p, const rs_tensor *mask, const rs_tensor *x,
                  rs_tensor *view, const rs_tensor **out, rs_error *err);

#endif

/* Reverse pass of TimeDistributed: the wrapped layer's, on the batch and time axes seen as one
 * (each timestep a sample, as in the forward pass). */
#include "layers/common.h"
#include "layers/wrappers_params.h"
#include "layers/grad_common.h"

int rs_time_distributed_backward(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    const time_distributed_params *p = n->params;
    const rs_node *inner = p->inner;
    if (!inner->kind || !inner->kind->backward)
        return rs_fail(err, NULL, "no reverse pass for the wrapped %s", inner->class_name);
    if (inner->n_outputs != 1)
        return rs_fail(err, NULL, "no reverse pass for a wrapped %s with several outputs",
                       inner->class_name);
    const rs_tensor *x = io->inputs[0];
    rs_tensor xv, yv, dyv, mask_view, zero = {0};
    const rs_tensor *mask = io->in_masks ? io->in_masks[0] : NULL;
    const rs_tensor *ins[1] = {&xv}, *in_masks[1] = {NULL}, *d_outs[1] = {&dyv};
    const rs_tensor *dy = rs_grad_or_zeros(io, 0, &zero, err);
    if (!dy || merge_batch_and_time(x, &xv, err) < 0 ||
        td_inner_mask(p, mask, x, &mask_view, &in_masks[0], err) < 0 ||
        merge_batch_and_time(&io->outputs[0], &yv, err) < 0 ||
        merge_batch_and_time(dy, &dyv, err) < 0) {
        rs_tensor_free(&zero);
        return -1;
    }
    rs_layer_grad_io sub = {.n_inputs = 1, .inputs = ins, .in_masks = in_masks, .outputs = &yv,
                            .d_outputs = d_outs, .d_inputs = io->d_inputs,
                            .d_weights = io->d_weights, .progress = io->progress,
                            .keras_major = io->keras_major};
    int rc = inner->kind->backward(inner, &sub, err);
    if (rc < 0)
        rs_error_prefix(err, inner->class_name);
    else if (io->d_inputs[0].data)
        rc = rs_tensor_reshape(&io->d_inputs[0], x->rank, x->shape, err);
    rs_tensor_free(&zero);
    return rc;
}

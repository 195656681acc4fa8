/* Helpers of the layers' reverse passes. */
#include "layers/grad_common.h"

const rs_tensor *rs_grad_or_zeros(const rs_layer_grad_io *io, int k, rs_tensor *zero,
                                  rs_error *err)
{
    if (io->d_outputs[k])
        return io->d_outputs[k];
    const rs_tensor *y = &io->outputs[k];
    return rs_tensor_alloc(zero, y->rank, y->shape, err) < 0 ? NULL : zero;
}

int rs_grad_alloc_weights(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    for (int w = 0; w < n->n_weights; w++) {
        const rs_tensor *v = &n->weights[w].value;
        if (!io->d_weights[w].data && rs_tensor_alloc(&io->d_weights[w], v->rank, v->shape, err) < 0)
            return -1;
    }
    return 0;
}

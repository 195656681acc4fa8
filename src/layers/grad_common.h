/* Helpers shared by the layer families' reverse passes (src/layers/<family>_grad.c) and their
 * entries for the registry. Not a public interface. */
#ifndef RNNSCOPE_LAYERS_GRAD_COMMON_H
#define RNNSCOPE_LAYERS_GRAD_COMMON_H

#include "rnnscope/layer.h"

/* d_outputs[k], or (nothing downstream used output k) zeros of its shape in *zero, which the
 * caller frees. NULL with err when out of memory. */
const rs_tensor *rs_grad_or_zeros(const rs_layer_grad_io *io, int k, rs_tensor *zero,
                                  rs_error *err);

/* Allocate every io->d_weights[w] as zeros of its weight's shape. */
int rs_grad_alloc_weights(const rs_node *n, rs_layer_grad_io *io, rs_error *err);

#define RS_BACKWARD(name) int name(const rs_node *n, rs_layer_grad_io *io, rs_error *err)

/* core_grad.c */
RS_BACKWARD(rs_input_backward);
RS_BACKWARD(rs_identity_backward);
RS_BACKWARD(rs_rescaling_backward);
RS_BACKWARD(rs_activation_backward_layer);
RS_BACKWARD(rs_dense_backward);
RS_BACKWARD(rs_embedding_backward);
RS_BACKWARD(rs_reshape_backward);
RS_BACKWARD(rs_permute_backward);
RS_BACKWARD(rs_repeat_vector_backward);
RS_BACKWARD(rs_prelu_backward);
/* merge_grad.c */
RS_BACKWARD(rs_merge_backward);
/* recurrent_grad.c */
RS_BACKWARD(rs_rnn_backward_layer);
RS_BACKWARD(rs_bidirectional_backward);
size_t rs_rnn_backward_scratch(const rs_node *n, const rs_tensor *const *inputs);
size_t rs_bidirectional_backward_scratch(const rs_node *n, const rs_tensor *const *inputs);
/* norm_grad.c */
RS_BACKWARD(rs_batch_norm_backward);
RS_BACKWARD(rs_layer_norm_backward);
/* conv_grad.c */
RS_BACKWARD(rs_conv1d_backward);
RS_BACKWARD(rs_pooling1d_backward);
RS_BACKWARD(rs_global_pooling1d_backward);
RS_BACKWARD(rs_resize1d_backward);
/* wrappers_grad.c */
RS_BACKWARD(rs_time_distributed_backward);
/* attention_grad.c */
RS_BACKWARD(rs_seq_self_attention_backward);
RS_BACKWARD(rs_seq_weighted_attention_backward);
/* attention_qkv_grad.c */
RS_BACKWARD(rs_scaled_dot_attention_backward);
RS_BACKWARD(rs_keras_attention_backward);
RS_BACKWARD(rs_multi_head_attention_backward);

#endif

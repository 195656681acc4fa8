/* The setup functions of every layer family, for the table in registry.c. */
#ifndef RNNSCOPE_LAYERS_FAMILIES_H
#define RNNSCOPE_LAYERS_FAMILIES_H

#include "rnnscope/layer.h"

#define RS_SETUP(name) \
    int name(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
#define RS_FORWARD(name) int name(const rs_node *n, rs_layer_io *io, rs_error *err)
#define RS_DESCRIBE(name) void name(const rs_node *n, rs_layer_desc *d)

/* core.c */
RS_SETUP(rs_input_setup);
RS_SETUP(rs_dense_setup);
RS_SETUP(rs_activation_setup);
RS_SETUP(rs_identity_setup);
RS_SETUP(rs_rescaling_setup);
RS_SETUP(rs_prelu_setup);
RS_SETUP(rs_embedding_setup);
RS_SETUP(rs_flatten_setup);
RS_SETUP(rs_reshape_setup);
RS_SETUP(rs_permute_setup);
RS_SETUP(rs_repeat_vector_setup);
RS_FORWARD(rs_input_forward);
RS_FORWARD(rs_dense_forward);
RS_FORWARD(rs_activation_forward);
RS_FORWARD(rs_identity_forward);
RS_FORWARD(rs_rescaling_forward);
RS_FORWARD(rs_prelu_forward);
RS_FORWARD(rs_embedding_forward);
RS_FORWARD(rs_flatten_forward);
RS_FORWARD(rs_reshape_forward);
RS_FORWARD(rs_permute_forward);
RS_FORWARD(rs_repeat_vector_forward);
/* norm.c */
RS_SETUP(rs_batch_norm_setup);
RS_SETUP(rs_layer_norm_setup);
RS_FORWARD(rs_batch_norm_forward);
RS_FORWARD(rs_layer_norm_forward);
RS_DESCRIBE(rs_norm_describe);
/* conv.c */
RS_SETUP(rs_conv1d_setup);
RS_SETUP(rs_pooling1d_setup);
RS_SETUP(rs_global_pooling1d_setup);
RS_SETUP(rs_cropping1d_setup);
RS_SETUP(rs_zero_padding1d_setup);
RS_SETUP(rs_upsampling1d_setup);
RS_FORWARD(rs_conv1d_forward);
RS_FORWARD(rs_pooling1d_forward);
RS_FORWARD(rs_global_pooling1d_forward);
RS_FORWARD(rs_cropping1d_forward);
RS_FORWARD(rs_zero_padding1d_forward);
RS_FORWARD(rs_upsampling1d_forward);
/* merge.c */
RS_SETUP(rs_merge_setup);
RS_FORWARD(rs_merge_forward);
/* recurrent.c */
RS_SETUP(rs_rnn_setup);
RS_SETUP(rs_bidirectional_setup);
void rs_bidirectional_free(void *params);
size_t rs_bidirectional_scratch(const rs_node *n, const rs_tensor *const *inputs);
int rs_rnn_forward(const rs_node *n, rs_layer_io *io, rs_error *err);
int rs_bidirectional_forward(const rs_node *n, rs_layer_io *io, rs_error *err);
RS_DESCRIBE(rs_rnn_describe);
RS_DESCRIBE(rs_bidirectional_describe);
/* wrappers.c */
RS_SETUP(rs_time_distributed_setup);
void rs_time_distributed_free(void *params);
int rs_time_distributed_forward(const rs_node *n, rs_layer_io *io, rs_error *err);
/* attention.c */
RS_SETUP(rs_seq_self_attention_setup);
RS_SETUP(rs_seq_weighted_attention_setup);
RS_SETUP(rs_scaled_dot_attention_setup);
RS_SETUP(rs_keras_attention_setup);
RS_SETUP(rs_multi_head_attention_setup);
int rs_seq_self_attention_forward(const rs_node *n, rs_layer_io *io, rs_error *err);
int rs_seq_weighted_attention_forward(const rs_node *n, rs_layer_io *io, rs_error *err);
int rs_scaled_dot_attention_forward(const rs_node *n, rs_layer_io *io, rs_error *err);
int rs_keras_attention_forward(const rs_node *n, rs_layer_io *io, rs_error *err);
/* Scratch bytes of the attention layers' forward passes (one T x T matrix per sample...). */
size_t rs_attention_scratch(const rs_node *n, const rs_tensor *const *inputs);
int rs_multi_head_attention_forward(const rs_node *n, rs_layer_io *io, rs_error *err);
RS_DESCRIBE(rs_attention_describe);
RS_DESCRIBE(rs_seq_self_attention_describe);
RS_DESCRIBE(rs_multi_head_attention_describe);
/* describe.c: the generic description and what kinds add to it */
void rs_describe_generic(const rs_node *n, rs_layer_desc *d);
void rs_describe_weight(rs_layer_desc *d, int i, rs_weight_role role, const char *name);
void rs_describe_gates(rs_layer_desc *d, int first_weight, int count, int gates);
void rs_describe_attention_output(rs_layer_desc *d, int k);

#endif

/* The layer registry: one line per supported Keras class, with its setup and forward pass. */
#include <stdlib.h>
#include <string.h>

#include "rnnscope/memcap.h"
#include "layers/common.h"
#include "layers/families.h"
#include "layers/grad_common.h"

#define LAYER_F(cls, setup, forward) {cls, setup, forward, rs_params_free, NULL, NULL, NULL, NULL}
/* An attention layer: its scratch holds a T x T matrix per sample. */
#define LAYER_A(cls, setup, forward) \
    {cls, setup, forward, rs_params_free, rs_attention_scratch, NULL, NULL, rs_attention_describe}
/* The same with a reverse pass (src/layers/<family>_grad.c). */
#define LAYER_FB(cls, setup, forward, backward) \
    {cls, setup, forward, rs_params_free, NULL, backward, NULL, NULL}
#define LAYER_AB(cls, setup, forward, backward) \
    {cls, setup, forward, rs_params_free, rs_attention_scratch, backward, rs_attention_scratch, \
     rs_attention_describe}

static const rs_layer_kind KINDS[] = {
    LAYER_FB("InputLayer", rs_input_setup, rs_input_forward, rs_input_backward),
    LAYER_FB("Dense", rs_dense_setup, rs_dense_forward, rs_dense_backward),
    LAYER_FB("Activation", rs_activation_setup, rs_activation_forward, rs_activation_backward_layer),
    LAYER_FB("ReLU", rs_activation_setup, rs_activation_forward, rs_activation_backward_layer),
    LAYER_FB("LeakyReLU", rs_activation_setup, rs_activation_forward, rs_activation_backward_layer),
    LAYER_FB("ELU", rs_activation_setup, rs_activation_forward, rs_activation_backward_layer),
    LAYER_FB("ThresholdedReLU", rs_activation_setup, rs_activation_forward, rs_activation_backward_layer),
    LAYER_FB("Softmax", rs_activation_setup, rs_activation_forward, rs_activation_backward_layer),
    LAYER_FB("PReLU", rs_prelu_setup, rs_prelu_forward, rs_prelu_backward),
    LAYER_FB("Identity", rs_identity_setup, rs_identity_forward, rs_identity_backward),
    LAYER_FB("Dropout", rs_identity_setup, rs_identity_forward, rs_identity_backward),
    LAYER_FB("SpatialDropout1D", rs_identity_setup, rs_identity_forward, rs_identity_backward),
    LAYER_FB("GaussianNoise", rs_identity_setup, rs_identity_forward, rs_identity_backward),
    LAYER_FB("GaussianDropout", rs_identity_setup, rs_identity_forward, rs_identity_backward),
    LAYER_FB("AlphaDropout", rs_identity_setup, rs_identity_forward, rs_identity_backward),
    LAYER_FB("ActivityRegularization", rs_identity_setup, rs_identity_forward, rs_identity_backward),
    LAYER_FB("Masking", rs_identity_setup, rs_identity_forward, rs_identity_backward),
    LAYER_FB("Rescaling", rs_rescaling_setup, rs_rescaling_forward, rs_rescaling_backward),
    LAYER_FB("Embedding", rs_embedding_setup, rs_embedding_forward, rs_embedding_backward),
    LAYER_FB("Flatten", rs_flatten_setup, rs_flatten_forward, rs_reshape_backward),
    LAYER_FB("Reshape", rs_reshape_setup, rs_reshape_forward, rs_reshape_backward),
    LAYER_FB("Permute", rs_permute_setup, rs_permute_forward, rs_permute_backward),
    LAYER_FB("RepeatVector", rs_repeat_vector_setup, rs_repeat_vector_forward, rs_repeat_vector_backward),
    {"BatchNormalization", rs_batch_norm_setup, rs_batch_norm_forward, rs_params_free, NULL,
     rs_batch_norm_backward, NULL, rs_norm_describe},
    {"LayerNormalization", rs_layer_norm_setup, rs_layer_norm_forward, rs_params_free, NULL,
     rs_layer_norm_backward, NULL, rs_norm_describe},
    LAYER_FB("Conv1D", rs_conv1d_setup, rs_conv1d_forward, rs_conv1d_backward),
    LAYER_FB("Convolution1D", rs_conv1d_setup, rs_conv1d_forward, rs_conv1d_backward),
    LAYER_FB("MaxPooling1D", rs_pooling1d_setup, rs_pooling1d_forward, rs_pooling1d_backward),
    LAYER_FB("MaxPool1D", rs_pooling1d_setup, rs_pooling1d_forward, rs_pooling1d_backward),
    LAYER_FB("AveragePooling1D", rs_pooling1d_setup, rs_pooling1d_forward, rs_pooling1d_backward),
    LAYER_FB("AvgPool1D", rs_pooling1d_setup, rs_pooling1d_forward, rs_pooling1d_backward),
    LAYER_FB("GlobalMaxPooling1D", rs_global_pooling1d_setup, rs_global_pooling1d_forward, rs_global_pooling1d_backward),
    LAYER_FB("GlobalMaxPool1D", rs_global_pooling1d_setup, rs_global_pooling1d_forward, rs_global_pooling1d_backward),
    LAYER_FB("GlobalAveragePooling1D", rs_global_pooling1d_setup, rs_global_pooling1d_forward, rs_global_pooling1d_backward),
    LAYER_FB("GlobalAvgPool1D", rs_global_pooling1d_setup, rs_global_pooling1d_forward, rs_global_pooling1d_backward),
    LAYER_FB("Cropping1D", rs_cropping1d_setup, rs_cropping1d_forward, rs_resize1d_backward),
    LAYER_FB("ZeroPadding1D", rs_zero_padding1d_setup, rs_zero_padding1d_forward, rs_resize1d_backward),
    LAYER_FB("UpSampling1D", rs_upsampling1d_setup, rs_upsampling1d_forward, rs_resize1d_backward),
    LAYER_FB("Concatenate", rs_merge_setup, rs_merge_forward, rs_merge_backward),
    LAYER_FB("Add", rs_merge_setup, rs_merge_forward, rs_merge_backward),
    LAYER_FB("Subtract", rs_merge_setup, rs_merge_forward, rs_merge_backward),
    LAYER_FB("Multiply", rs_merge_setup, rs_merge_forward, rs_merge_backward),
    LAYER_FB("Average", rs_merge_setup, rs_merge_forward, rs_merge_backward),
    LAYER_FB("Maximum", rs_merge_setup, rs_merge_forward, rs_merge_backward),
    LAYER_FB("Minimum", rs_merge_setup, rs_merge_forward, rs_merge_backward),
    LAYER_FB("Dot", rs_merge_setup, rs_merge_forward, rs_merge_backward),
    {"SimpleRNN", rs_rnn_setup, rs_rnn_forward, rs_params_free, NULL, rs_rnn_backward_layer,
     rs_rnn_backward_scratch, rs_rnn_describe},
    {"LSTM", rs_rnn_setup, rs_rnn_forward, rs_params_free, NULL, rs_rnn_backward_layer,
     rs_rnn_backward_scratch, rs_rnn_describe},
    {"GRU", rs_rnn_setup, rs_rnn_forward, rs_params_free, NULL, rs_rnn_backward_layer,
     rs_rnn_backward_scratch, rs_rnn_describe},
    {"CuDNNLSTM", rs_rnn_setup, rs_rnn_forward, rs_params_free, NULL, rs_rnn_backward_layer,
     rs_rnn_backward_scratch, rs_rnn_describe},
    {"CuDNNGRU", rs_rnn_setup, rs_rnn_forward, rs_params_free, NULL, rs_rnn_backward_layer,
     rs_rnn_backward_scratch, rs_rnn_describe},
    {"Bidirectional", rs_bidirectional_setup, rs_bidirectional_forward, rs_bidirectional_free,
     rs_bidirectional_scratch, rs_bidirectional_backward,
     rs_bidirectional_backward_scratch, rs_bidirectional_describe},
    {"TimeDistributed", rs_time_distributed_setup, rs_time_distributed_forward,
     rs_time_distributed_free, NULL, rs_time_distributed_backward, NULL, NULL},
    {"SeqSelfAttention", rs_seq_self_attention_setup, rs_seq_self_attention_forward,
     rs_params_free, rs_attention_scratch, rs_seq_self_attention_backward, rs_attention_scratch,
     rs_seq_self_attention_describe},
    LAYER_AB("SeqWeightedAttention", rs_seq_weighted_attention_setup,
             rs_seq_weighted_attention_forward, rs_seq_weighted_attention_backward),
    LAYER_AB("ScaledDotProductAttention", rs_scaled_dot_attention_setup,
             rs_scaled_dot_attention_forward, rs_scaled_dot_attention_backward),
    /* no reverse pass yet: gradients through it are refused by name */
    LAYER_A("ResidualScaledDotProductAttention", rs_scaled_dot_attention_setup,
            rs_scaled_dot_attention_forward),
    LAYER_AB("Attention", rs_keras_attention_setup,
             rs_keras_attention_forward, rs_keras_attention_backward),
    LAYER_AB("AdditiveAttention", rs_keras_attention_setup,
             rs_keras_attention_forward, rs_keras_attention_backward),
    {"MultiHeadAttention", rs_multi_head_attention_setup, rs_multi_head_attention_forward,
     rs_params_free, rs_attention_scratch, rs_multi_head_attention_backward, rs_attention_scratch,
     rs_multi_head_attention_describe},
};

const rs_layer_kind *rs_layer_kind_find(const char *class_name)
{
    /* Keras 3 custom objects may be registered as "package>Class". */
    const char *gt = strrchr(class_name, '>');
    if (gt)
        class_name = gt + 1;
    for (size_t i = 0; i < sizeof KINDS / sizeof *KINDS; i++)
        if (strcmp(KINDS[i].class_name, class_name) == 0)
            return &KINDS[i];
    return NULL;
}

static const char *unknown_reason(const char *cls)
{
    if (!strcmp(cls, "Lambda") || !strcmp(cls, "TFOpLambda") || !strcmp(cls, "SlicingOpLambda"))
        return "holds Python code";
    return "is not supported";
}

/* An unsupported node still gets outputs (of unknown shape) for what its consumers use. */
static int placeholder_outputs(rs_node *n, int needed, rs_error *err)
{
    if (n->out_shapes && n->n_outputs >= needed)
        return 0;
    return rs_node_outputs(n, needed > 1 ? needed : 1, 0, err);
}

int rs_node_setup(rs_node *n, const rs_shape *in_shapes, int needed, const rs_layer_ctx *ctx,
                  rs_error *err)
{
    if (!n->unsupported) {
        n->kind = rs_layer_kind_find(n->class_name);
        if (!n->kind) {
            rs_node_unsupported(n, "%s layer %s", n->class_name, unknown_reason(n->class_name));
        } else {
            rs_error local = {0};
            if (n->kind->setup(n, in_shapes, ctx, &local) < 0)
                return rs_fail_code(err, local.code, NULL, "%s", local.msg);
        }
    }
    if (n->unsupported || !n->out_shapes)
        return placeholder_outputs(n, needed, err);
    for (int k = 0; k < n->n_outputs + n->n_internal; k++)
        if (n->out_shapes[k].rank > RS_MAX_SHAPE_RANK) /* the batch axis would not fit */
            return rs_fail(err, n->name, "an output of rank %d (besides the batch) is more than "
                           "the %d rnnscope handles", n->out_shapes[k].rank, RS_MAX_SHAPE_RANK);
    if (needed > n->n_outputs)
        return rs_fail(err, n->name, "the model uses output %d of this %s, which has %d",
                       needed - 1, n->class_name, n->n_outputs);
    return 0;
}

size_t rs_node_need_bytes(const rs_node *n, const rs_tensor *const *inputs, bool internals,
                          const rs_layer_ctx *ctx)
{
    if (!n->kind)
        return 0;
    rs_shape *shapes = calloc((size_t)n->n_inputs + 1, sizeof *shapes);
    if (!shapes)
        return 0;
    size_t batch = n->n_inputs > 0 && inputs[0]->rank > 0 ? inputs[0]->shape[0] : 1;
    for (int k = 0; k < n->n_inputs; k++) {
        shapes[k].rank = inputs[k]->rank - 1;
        for (int i = 1; i < inputs[k]->rank; i++)
            shapes[k].dims[i - 1] = (long)inputs[k]->shape[i];
    }
    /* a scratch copy of the node set up again: the real one stays as the model has it */
    rs_node tmp = *n;
    tmp.params = NULL;
    tmp.out_shapes = NULL;
    tmp.out_names = NULL;
    tmp.n_outputs = tmp.n_internal = 0;
    tmp.unsupported = NULL;
    rs_error ignored;
    size_t bytes = 0;
    if (n->kind->setup && n->kind->setup(&tmp, shapes, ctx, &ignored) == 0 && !tmp.unsupported)
        for (int k = 0; k < tmp.n_outputs + (internals ? tmp.n_internal : 0); k++) {
            const rs_shape *s = &tmp.out_shapes[k];
            size_t one = rs_size_mul(batch, sizeof(float));
            for (int i = 0; i < s->rank; i++)
                one = s->dims[i] >= 0 ? rs_size_mul(one, (size_t)s->dims[i]) : 0;
            bytes = rs_size_add(bytes, s->rank >= 0 ? one : 0);
        }
    if (n->kind->free_params)
        n->kind->free_params(tmp.params);
    if (tmp.out_names)
        for (int k = 0; k < tmp.n_outputs + tmp.n_internal; k++)
            free(tmp.out_names[k]);
    free(tmp.out_names);
    free(tmp.out_shapes);
    free(tmp.unsupported);
    free(shapes);
    if (n->kind->scratch)
        bytes = rs_size_add(bytes, n->kind->scratch(n, inputs));
    return bytes;
}

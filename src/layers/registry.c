/* The layer registry: one line per supported Keras class. The forward functions are NULL until
 * the forward pass of each family is written. */
#include <stdlib.h>
#include <string.h>

#include "layers/common.h"
#include "layers/families.h"

#define LAYER(cls, setup) {cls, setup, NULL, rs_params_free}
#define WRAPPER(cls, setup, free_fn) {cls, setup, NULL, free_fn}

static const rs_layer_kind KINDS[] = {
    LAYER("InputLayer", rs_input_setup),
    LAYER("Dense", rs_dense_setup),
    LAYER("Activation", rs_activation_setup),
    LAYER("ReLU", rs_activation_setup),
    LAYER("LeakyReLU", rs_activation_setup),
    LAYER("ELU", rs_activation_setup),
    LAYER("Softmax", rs_activation_setup),
    LAYER("Dropout", rs_identity_setup),
    LAYER("SpatialDropout1D", rs_identity_setup),
    LAYER("GaussianNoise", rs_identity_setup),
    LAYER("GaussianDropout", rs_identity_setup),
    LAYER("AlphaDropout", rs_identity_setup),
    LAYER("ActivityRegularization", rs_identity_setup),
    LAYER("Masking", rs_identity_setup),
    LAYER("Embedding", rs_embedding_setup),
    LAYER("Flatten", rs_flatten_setup),
    LAYER("Reshape", rs_reshape_setup),
    LAYER("Permute", rs_permute_setup),
    LAYER("RepeatVector", rs_repeat_vector_setup),
    LAYER("BatchNormalization", rs_batch_norm_setup),
    LAYER("LayerNormalization", rs_layer_norm_setup),
    LAYER("Conv1D", rs_conv1d_setup),
    LAYER("Convolution1D", rs_conv1d_setup),
    LAYER("MaxPooling1D", rs_pooling1d_setup),
    LAYER("MaxPool1D", rs_pooling1d_setup),
    LAYER("AveragePooling1D", rs_pooling1d_setup),
    LAYER("AvgPool1D", rs_pooling1d_setup),
    LAYER("GlobalMaxPooling1D", rs_global_pooling1d_setup),
    LAYER("GlobalMaxPool1D", rs_global_pooling1d_setup),
    LAYER("GlobalAveragePooling1D", rs_global_pooling1d_setup),
    LAYER("GlobalAvgPool1D", rs_global_pooling1d_setup),
    LAYER("Cropping1D", rs_cropping1d_setup),
    LAYER("ZeroPadding1D", rs_zero_padding1d_setup),
    LAYER("UpSampling1D", rs_upsampling1d_setup),
    LAYER("Concatenate", rs_merge_setup),
    LAYER("Add", rs_merge_setup),
    LAYER("Subtract", rs_merge_setup),
    LAYER("Multiply", rs_merge_setup),
    LAYER("Average", rs_merge_setup),
    LAYER("Maximum", rs_merge_setup),
    LAYER("Minimum", rs_merge_setup),
    LAYER("Dot", rs_merge_setup),
    {"SimpleRNN", rs_rnn_setup, rs_rnn_forward, rs_params_free},
    {"LSTM", rs_rnn_setup, rs_rnn_forward, rs_params_free},
    {"GRU", rs_rnn_setup, rs_rnn_forward, rs_params_free},
    {"CuDNNLSTM", rs_rnn_setup, rs_rnn_forward, rs_params_free},
    {"CuDNNGRU", rs_rnn_setup, rs_rnn_forward, rs_params_free},
    {"Bidirectional", rs_bidirectional_setup, rs_bidirectional_forward, rs_bidirectional_free},
    {"TimeDistributed", rs_time_distributed_setup, rs_time_distributed_forward,
     rs_time_distributed_free},
    LAYER("SeqSelfAttention", rs_seq_self_attention_setup),
    LAYER("SeqWeightedAttention", rs_seq_weighted_attention_setup),
    LAYER("ScaledDotProductAttention", rs_scaled_dot_attention_setup),
    LAYER("Attention", rs_keras_attention_setup),
    LAYER("AdditiveAttention", rs_keras_attention_setup),
    LAYER("MultiHeadAttention", rs_multi_head_attention_setup),
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

/* For every node, 1 + the largest output index any consumer or the model asks of it. */
static int *outputs_needed(const rs_model *m, rs_error *err)
{
    int *need = calloc((size_t)m->n_nodes + 1, sizeof *need);
    if (!need) {
        rs_fail(err, m->path, "out of memory");
        return NULL;
    }
    for (int i = 0; i < m->n_nodes; i++)
        for (int k = 0; k < m->nodes[i].n_inputs; k++) {
            rs_ref r = m->nodes[i].inputs[k];
            if (r.output + 1 > need[r.node])
                need[r.node] = r.output + 1;
        }
    for (int k = 0; k < m->n_outputs; k++)
        if (m->outputs[k].output + 1 > need[m->outputs[k].node])
            need[m->outputs[k].node] = m->outputs[k].output + 1;
    return need;
}

/* Shapes of the node's inputs; 1 when an input is unknown (the node cannot be set up). */
static int gather_inputs(const rs_model *m, rs_node *n, rs_shape *shapes, rs_error *err)
{
    for (int k = 0; k < n->n_inputs; k++) {
        const rs_node *src = &m->nodes[n->inputs[k].node];
        int out = n->inputs[k].output;
        if (src->unsupported) {
            rs_node_unsupported(n, "its input comes from '%s', which cannot run", src->name);
            return 1;
        }
        if (out >= src->n_outputs)
            return rs_fail(err, n->name, "uses output %d of '%s', which has %d", out, src->name,
                           src->n_outputs);
        shapes[k] = src->out_shapes[out];
        if (shapes[k].rank < 0) {
            rs_node_unsupported(n, "the shape of its input from '%s' is unknown", src->name);
            return 1;
        }
    }
    return 0;
}

/* An unsupported node still gets outputs (of unknown shape) for what its consumers use. */
static int placeholder_outputs(rs_node *n, int needed, rs_error *err)
{
    if (n->out_shapes && n->n_outputs >= needed)
        return 0;
    return rs_node_outputs(n, needed > 1 ? needed : 1, 0, err);
}

static int setup_node(rs_model *m, rs_node *n, int needed, rs_error *err)
{
    rs_shape *shapes = calloc((size_t)n->n_inputs + 1, sizeof *shapes);
    if (!shapes)
        return rs_fail(err, n->name, "out of memory");
    int rc = gather_inputs(m, n, shapes, err);
    if (rc == 0) {
        n->kind = rs_layer_kind_find(n->class_name);
        if (!n->kind) {
            rs_node_unsupported(n, "%s layer %s", n->class_name, unknown_reason(n->class_name));
        } else {
            rs_error local = {{0}};
            rc = n->kind->setup(n, shapes, m, &local);
            if (rc < 0)
                rs_fail(err, NULL, "%s", local.msg);
        }
    }
    free(shapes);
    if (rc < 0)
        return -1;
    if (n->unsupported || !n->out_shapes)
        return placeholder_outputs(n, needed, err);
    if (needed > n->n_outputs)
        return rs_fail(err, n->name, "the model uses output %d of this %s, which has %d",
                       needed - 1, n->class_name, n->n_outputs);
    return 0;
}

int rs_model_setup_layers(rs_model *m, rs_error *err)
{
    int *need = outputs_needed(m, err);
    if (!need)
        return -1;
    int rc = 0;
    for (int i = 0; i < m->n_nodes && rc == 0; i++)
        rc = setup_node(m, &m->nodes[i], need[i], err);
    free(need);
    if (rc < 0)
        rs_error_prefix(err, m->path);
    return rc;
}

/* The parsed configs (node->params) of the attention layers, shared by their forward pass
 * (src/layers/attention.c) and their reverse pass (src/layers/attention_grad.c). Not a public interface. */
#ifndef RNNSCOPE_LAYERS_ATTENTION_PARAMS_H
#define RNNSCOPE_LAYERS_ATTENTION_PARAMS_H

#include "rnnscope/kernels.h"
#include "rnnscope/attention.h"
#include "rnnscope/node.h"

typedef struct attention_params {
    /* SeqSelfAttention */
    bool multiplicative;       /* attention_type */
    long units;
    long attention_width;      /* -1: none (history_only without a width saves 1e9) */
    bool history_only;
    bool use_additive_bias, use_attention_bias;
    rs_activation attention_activation;
    double attention_regularizer_weight;
    /* ScaledDotProductAttention; residual: ResidualScaledDotProductAttention (RealFormer) */
    bool residual;
    /* all */
    bool return_attention;
    bool use_bias;             /* SeqWeightedAttention, MultiHeadAttention */
    /* Keras Attention / AdditiveAttention */
    bool use_scale, concat_score, causal;
    double dropout;
    /* MultiHeadAttention */
    bool multi_head_package;   /* keras-multi-head */
    long num_heads, key_dim, value_dim, out_dim;
    bool softmax_zeroes_masked; /* Keras >= 3.10: masked weights are 0 even in a masked row */
    rs_activation activation;  /* keras-multi-head: on q, k, v and the output */
} attention_params;

/* The kernel's view of a SeqSelfAttention node for inputs of `dim` features (attention.c). */
int rs_self_attention_of(const rs_node *n, const attention_params *p, size_t dim,
                         rs_self_attention *s, rs_error *err);

/* y (T, out) = x (T, in) W (in, out) + bias (out), or no bias (attention.c). */
void attention_project(size_t T, size_t in, const float *x, const float *W, const float *bias,
                       size_t out, float *y);

/* Keras' Attention (dot or concat score) and AdditiveAttention scores of one sample, before the
 * mask and the softmax (attention.c). */
void keras_scores(const rs_node *n, const attention_params *p, const float *q, const float *k,
                  size_t tq, size_t tk, size_t dim, float *scores);

#endif

/* keras-self-attention's SeqSelfAttention and SeqWeightedAttention (v0.51 maths, with the
 * masking rule of v0.46+), one sample at a time. */
#ifndef RNNSCOPE_ATTENTION_H
#define RNNSCOPE_ATTENTION_H

#include <stdbool.h>
#include <stddef.h>

#include "rnnscope/error.h"
#include "rnnscope/kernels.h"

typedef struct rs_self_attention {
    bool multiplicative;      /* attention_type: additive (default) or multiplicative */
    size_t dim, units;        /* D (input features), units (additive only) */
    const float *Wt, *Wx;     /* additive: (D, units) query side, key side */
    const float *bh;          /* additive: (units) or NULL (use_additive_bias=False) */
    const float *Wa;          /* additive: (units, 1); multiplicative: (D, D) */
    const float *ba;          /* (1) or NULL (use_attention_bias=False) */
    rs_activation activation; /* attention_activation applied to the emission; linear if None */
    long long width;          /* attention_width; 0 = no local window */
    bool history_only;
} rs_self_attention;

/* x (T, D), mask (T) or NULL → v (T, D) and a (T, T) (row = query step). scratch holds
 * at least T*units + T*units floats for additive, T*D for multiplicative. */
void rs_self_attention_run(const rs_self_attention *s, size_t T, const float *x, const float *mask,
                           float *v, float *a, float *scratch);

/* Scratch floats rs_self_attention_run needs. */
size_t rs_self_attention_scratch(const rs_self_attention *s, size_t T);

/* SeqWeightedAttention: logits = x W + b; alpha = softmax with mask (eps 1e-7); out = Σ alpha x.
 * W (D), b (1) or NULL; x (T, D), mask (T) or NULL → out (D), alpha (T). */
void rs_weighted_attention_run(size_t D, const float *W, const float *b, size_t T, const float *x,
                               const float *mask, float *out, float *alpha);

/* The generic parts of query/key/value attention (ScaledDotProductAttention, Keras' Attention,
 * AdditiveAttention and MultiHeadAttention, keras-multi-head), one sample and one head at a time.
 * Rows of q, k, v start every ldq, ldk, ldv floats, so that a head can be a column slice. */

/* scores (tq, tk) = scale * q kᵀ; q rows of dk at stride ldq, k rows of dk at stride ldk. */
void rs_dot_scores(size_t tq, size_t tk, size_t dk, const float *q, size_t ldq, const float *k,
                   size_t ldk, float scale, float *scores);

/* Additive (Bahdanau) scores: scores[i][j] = post * Σ_d w[d] tanh(pre * (q[i][d] + k[j][d]));
 * w NULL means all ones. Vectorised and split across rs_threads() (src/core/additive_scores.c);
 * each tanh term is within about 3e-7 absolute of the exact value. */
void rs_additive_scores(size_t tq, size_t tk, size_t d, const float *q, size_t ldq, const float *k,
                        size_t ldk, const float *w, float pre, float post, float *scores);

/* Which (query, key) pairs a softmax over keys leaves out, and how. */
typedef struct rs_score_mask {
    const float *query_mask; /* (tq) 0/1 or NULL: a padded query masks its whole row (Keras MHA) */
    const float *key_mask;   /* (tk) 0/1 or NULL */
    bool causal;             /* keys after the query are masked */
    float penalty;           /* subtracted from a masked score: 1e4 (keras-self-attention), 1e9 */
    bool additive;           /* keras-self-attention: the causal and key penalties add up; Keras:
                              * a pair is masked or not, once */
    bool zero_masked_rows;   /* Keras 3 Softmax: weights times the mask afterwards */
} rs_score_mask;

/* Penalise the masked pairs and softmax every row of scores (tq, tk) in place: the weights. */
void rs_masked_softmax(size_t tq, size_t tk, float *scores, const rs_score_mask *m);

/* out (tq, dv) at stride ldo = a (tq, tk) v; v rows at stride ldv. */
void rs_weighted_values(size_t tq, size_t tk, size_t dv, const float *a, const float *v,
                        size_t ldv, float *out, size_t ldo);

#endif

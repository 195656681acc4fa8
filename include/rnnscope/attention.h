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

#endif

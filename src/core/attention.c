/* SeqSelfAttention / SeqWeightedAttention, line by line after keras-self-attention 0.51. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/attention.h"
#include "rnnscope/vmath.h"

#define KERAS_EPSILON 1e-7f
#define PENALTY 10000.0f

size_t rs_self_attention_scratch(const rs_self_attention *s, size_t T)
{
    return s->multiplicative ? T * s->dim : 2 * T * s->units;
}

/* e += ba (use_attention_bias). */
static void add_attention_bias(const rs_self_attention *s, size_t T, float *e)
{
    if (s->ba)
        for (size_t i = 0; i < T * T; i++)
            e[i] += s->ba[0];
}

/* e[t][t'] = Σ_u tanh(q[t,u] + k[t',u] + bh[u]) Wa[u] + ba, q = x Wt, k = x Wx. */
static void additive_emission(const rs_self_attention *s, size_t T, const float *x, float *e,
                              float *scratch)
{
    size_t D = s->dim, U = s->units;
    float *q = scratch, *k = scratch + T * U;
    rs_gemm(T, U, D, x, D, s->Wt, U, q, U, false);
    rs_gemm(T, U, D, x, D, s->Wx, U, k, U, false);
    if (s->bh)
        for (size_t t = 0; t < T; t++)
            for (size_t u = 0; u < U; u++)
                q[t * U + u] += s->bh[u]; /* adding bh once to q is the same sum */
    rs_additive_scores(T, T, U, q, U, k, U, s->Wa, 1.0f, 1.0f, e);
    add_attention_bias(s, T, e);
}

/* e = x Wa xᵀ + ba. */
static void multiplicative_emission(const rs_self_attention *s, size_t T, const float *x, float *e,
                                    float *scratch)
{
    size_t D = s->dim;
    float *xw = scratch;
    rs_gemm(T, D, D, x, D, s->Wa, D, xw, D, false);
    rs_dot_scores(T, T, D, xw, D, x, D, 1.0f, e);
    add_attention_bias(s, T, e);
}

/* Subtract 10000 outside the local window (centred, or causal with history_only). */
static void apply_window(const rs_self_attention *s, size_t T, float *e)
{
    long long w = s->width;
    for (size_t t = 0; t < T; t++) {
        long long lower = (long long)t - (s->history_only ? w - 1 : w / 2);
        long long upper = lower + w;
        for (size_t t2 = 0; t2 < T; t2++) {
            bool inside = lower <= (long long)t2 && (long long)t2 < upper;
            if (!inside)
                e[t * T + t2] -= PENALTY;
        }
    }
}

void rs_self_attention_run(const rs_self_attention *s, size_t T, const float *x, const float *mask,
                           float *v, float *a, float *scratch)
{
    if (s->multiplicative)
        multiplicative_emission(s, T, x, a, scratch);
    else
        additive_emission(s, T, x, a, scratch);
    if (s->activation.kind == RS_ACT_SOFTMAX || s->activation.kind == RS_ACT_LOG_SOFTMAX) {
        size_t shape[2] = {T, T};
        rs_softmax_axis(a, 2, shape, 1, s->activation.kind == RS_ACT_LOG_SOFTMAX);
    } else {
        rs_activate(&s->activation, a, T * T, T);
    }
    if (s->width > 0)
        apply_window(s, T, a);
    if (mask) /* v0.46+: only pairs where both steps are padding are penalised */
        for (size_t t = 0; t < T; t++)
            for (size_t t2 = 0; t2 < T; t2++)
                a[t * T + t2] -= PENALTY * (1.0f - mask[t]) * (1.0f - mask[t2]);
    size_t shape[2] = {T, T};
    rs_softmax_axis(a, 2, shape, 1, false);
    rs_gemm(T, s->dim, T, a, T, x, s->dim, v, s->dim, false);
}

void rs_weighted_attention_run(size_t D, const float *W, const float *b, size_t T, const float *x,
                               const float *mask, float *out, float *alpha)
{
    float max = -INFINITY;
    for (size_t t = 0; t < T; t++) {
        float l = 0.0f;
        for (size_t d = 0; d < D; d++)
            l += x[t * D + d] * W[d];
        if (b)
            l += b[0];
        if (mask)
            l -= PENALTY * (1.0f - mask[t]);
        alpha[t] = l;
        max = fmaxf(max, l);
    }
    for (size_t t = 0; t < T; t++)
        alpha[t] -= max;
    rs_vexp(alpha, T);
    float sum = 0.0f;
    for (size_t t = 0; t < T; t++)
        sum += alpha[t];
    for (size_t t = 0; t < T; t++)
        alpha[t] /= sum + KERAS_EPSILON;
    memset(out, 0, D * sizeof(float));
    for (size_t t = 0; t < T; t++)
        for (size_t d = 0; d < D; d++)
            out[d] += alpha[t] * x[t * D + d];
}

/* The loops: the definition, and the fallback when memory for the transpose is short. */
static void dot_scores_plain(size_t tq, size_t tk, size_t dk, const float *q, size_t ldq,
                             const float *k, size_t ldk, float scale, float *scores)
{
    for (size_t i = 0; i < tq; i++) {
        const float *qi = q + i * ldq;
        for (size_t j = 0; j < tk; j++) {
            const float *kj = k + j * ldk;
            float sum = 0.0f;
            for (size_t d = 0; d < dk; d++)
                sum += qi[d] * kj[d];
            scores[i * tk + j] = sum * scale;
        }
    }
}

/* q kᵀ as one rs_gemm on k transposed, so that dot-product attention runs at GEMM speed. */
void rs_dot_scores(size_t tq, size_t tk, size_t dk, const float *q, size_t ldq, const float *k,
                   size_t ldk, float scale, float *scores)
{
    bool fits = tk && dk && dk <= SIZE_MAX / sizeof(float) / tk;
    float *kt = fits ? malloc(dk * tk * sizeof *kt) : NULL;
    if (!kt) {
        dot_scores_plain(tq, tk, dk, q, ldq, k, ldk, scale, scores);
        return;
    }
    for (size_t j = 0; j < tk; j++)
        for (size_t d = 0; d < dk; d++)
            kt[d * tk + j] = k[j * ldk + d];
    rs_gemm(tq, tk, dk, q, ldq, kt, tk, scores, tk, false);
    if (scale != 1.0f)
        for (size_t i = 0; i < tq * tk; i++)
            scores[i] *= scale;
    free(kt);
}

/* The amount subtracted from score (i, j). */
static float pair_penalty(const rs_score_mask *m, size_t i, size_t j)
{
    bool by_causal = m->causal && j > i;
    bool by_key = m->key_mask && m->key_mask[j] == 0.0f;
    bool by_query = m->query_mask && m->query_mask[i] == 0.0f;
    if (m->additive)
        return m->penalty * ((float)by_causal + (float)by_key + (float)by_query);
    return by_causal || by_key || by_query ? m->penalty : 0.0f;
}

void rs_masked_softmax(size_t tq, size_t tk, float *scores, const rs_score_mask *m)
{
    bool any = m->causal || m->key_mask || m->query_mask;
    if (any)
        for (size_t i = 0; i < tq; i++)
            for (size_t j = 0; j < tk; j++)
                scores[i * tk + j] -= pair_penalty(m, i, j);
    size_t shape[2] = {tq, tk};
    rs_softmax_axis(scores, 2, shape, 1, false);
    if (any && m->zero_masked_rows)
        for (size_t i = 0; i < tq; i++)
            for (size_t j = 0; j < tk; j++)
                if (pair_penalty(m, i, j) != 0.0f)
                    scores[i * tk + j] = 0.0f;
}

void rs_weighted_values(size_t tq, size_t tk, size_t dv, const float *a, const float *v,
                        size_t ldv, float *out, size_t ldo)
{
    rs_gemm(tq, dv, tk, a, tk, v, ldv, out, ldo, false);
}

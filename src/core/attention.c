/* SeqSelfAttention / SeqWeightedAttention, line by line after keras-self-attention 0.51. */
#include <math.h>
#include <string.h>

#include "rnnscope/attention.h"

#define KERAS_EPSILON 1e-7f
#define PENALTY 10000.0f

size_t rs_self_attention_scratch(const rs_self_attention *s, size_t T)
{
    return s->multiplicative ? T * s->dim : 2 * T * s->units;
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
    float ba = s->ba ? s->ba[0] : 0.0f;
    for (size_t t = 0; t < T; t++) {
        const float *qt = q + t * U;
        for (size_t t2 = 0; t2 < T; t2++) {
            const float *kt = k + t2 * U;
            float sum = 0.0f;
            for (size_t u = 0; u < U; u++)
                sum += tanhf(qt[u] + kt[u]) * s->Wa[u];
            e[t * T + t2] = sum + ba;
        }
    }
}

/* e = x Wa xᵀ + ba. */
static void multiplicative_emission(const rs_self_attention *s, size_t T, const float *x, float *e,
                                    float *scratch)
{
    size_t D = s->dim;
    float *xw = scratch;
    rs_gemm(T, D, D, x, D, s->Wa, D, xw, D, false);
    float ba = s->ba ? s->ba[0] : 0.0f;
    for (size_t t = 0; t < T; t++)
        for (size_t t2 = 0; t2 < T; t2++) {
            float sum = 0.0f;
            for (size_t d = 0; d < D; d++)
                sum += xw[t * D + d] * x[t2 * D + d];
            e[t * T + t2] = sum + ba;
        }
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
    float sum = 0.0f;
    for (size_t t = 0; t < T; t++) {
        alpha[t] = expf(alpha[t] - max);
        sum += alpha[t];
    }
    for (size_t t = 0; t < T; t++)
        alpha[t] /= sum + KERAS_EPSILON;
    memset(out, 0, D * sizeof(float));
    for (size_t t = 0; t < T; t++)
        for (size_t d = 0; d < D; d++)
            out[d] += alpha[t] * x[t * D + d];
}

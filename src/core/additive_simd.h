/* The x86 kernels of the additive attention scores (see additive_scores.c), in the words of
 * core/simd_avx2.h or core/simd_avx512.h (internal; additive_avx2.c and additive_avx512.c include
 * it once each). Keys are transposed and padded (kt: d rows of ldkt floats, a multiple of every
 * path's vector), so that a vector holds SIMD_LANES keys: for each query the units are walked with
 * one tanh (or one exp product) and one multiply-add per vector of keys. */
#ifndef RNNSCOPE_CORE_ADDITIVE_SIMD_H
#define RNNSCOPE_CORE_ADDITIVE_SIMD_H

#include <stdbool.h>

#include "core/additive_path.h"
#include "core/vmath_simd.h"

#ifdef RS_SIMD

/* post * Σ_c w[c] tanh(pre * (q_c + k_c)) for the keys whose transposed columns start at kt. */
SIMD_INLINE vf score_vec(const score_rows *r, const float *qi, const float *kt)
{
    vf acc = V_ZERO(), pre = V_SET1(r->pre);
    for (size_t c = 0; c < r->d; c++) {
        vf s = V_ADD(V_SET1(qi[c]), V_LOAD(kt + c * r->ldkt));
        vf h = rs_tanh_vec(V_MUL(pre, s));
        acc = r->w ? V_FMA(V_SET1(r->w[c]), h, acc) : V_ADD(acc, h);
    }
    return V_MUL(acc, V_SET1(r->post));
}

/* The same for two vectors of keys, two independent tanh chains per step (pre = 1, w given:
 * attention's common case). Same arithmetic per key as score_vec. */
SIMD_INLINE void score_pair(const score_rows *r, const float *qi, const float *kt, float *out)
{
    vf acc0 = V_ZERO(), acc1 = V_ZERO();
    for (size_t c = 0; c < r->d; c++) {
        vf qc = V_SET1(qi[c]), wc = V_SET1(r->w[c]);
        const float *kc = kt + c * r->ldkt;
        vf h0 = rs_tanh_vec(V_ADD(qc, V_LOAD(kc)));
        vf h1 = rs_tanh_vec(V_ADD(qc, V_LOAD(kc + SIMD_LANES)));
        acc0 = V_FMA(wc, h0, acc0);
        acc1 = V_FMA(wc, h1, acc1);
    }
    vf post = V_SET1(r->post);
    V_STORE(out, V_MUL(acc0, post));
    V_STORE(out + SIMD_LANES, V_MUL(acc1, post));
}

/* post * Σ_c w_c (1 - 2/(1 + eq_c·ek_c)) for a vector of keys (the exp-products kernel). */
SIMD_INLINE vf product_vec(const score_rows *r, const float *eqi, const float *ekt)
{
    vf acc = V_ZERO(), one = V_SET1(1.0f), two = V_SET1(2.0f);
    for (size_t c = 0; c < r->d; c++) {
        vf p = V_MUL(V_SET1(eqi[c]), V_LOAD(ekt + c * r->ldkt));
        vf h = V_SUB(one, V_DIV_FAST(two, V_ADD(one, p)));
        acc = r->w ? V_FMA(V_SET1(r->w[c]), h, acc) : V_ADD(acc, h);
    }
    return V_MUL(acc, V_SET1(r->post));
}

/* A row's last keys: the padding columns of kt are zeros, computed and not stored. */
SIMD_INLINE void store_tail(float *row, size_t n, vf v)
{
    V_STORE_MASKED(row, V_MASK_FIRST(n), v);
}

SIMD_INLINE void rows_products(const score_rows *r)
{
    for (size_t i = r->lo; i < r->hi; i++) {
        const float *eqi = r->eq + i * r->d;
        float *row = r->scores + i * r->tk;
        size_t j = 0;
        for (; j + SIMD_LANES <= r->tk; j += SIMD_LANES)
            V_STORE(row + j, product_vec(r, eqi, r->kt + j));
        if (j < r->tk)
            store_tail(row + j, r->tk - j, product_vec(r, eqi, r->kt + j));
    }
}

SIMD_INLINE void rows_tanh(const score_rows *r)
{
    bool pairs = r->pre == 1.0f && r->w;
    for (size_t i = r->lo; i < r->hi; i++) {
        const float *qi = r->q + i * r->ldq;
        float *row = r->scores + i * r->tk;
        size_t j = 0;
        if (pairs)
            for (; j + 2 * SIMD_LANES <= r->tk; j += 2 * SIMD_LANES)
                score_pair(r, qi, r->kt + j, row + j);
        for (; j + SIMD_LANES <= r->tk; j += SIMD_LANES)
            V_STORE(row + j, score_vec(r, qi, r->kt + j));
        if (j < r->tk)
            store_tail(row + j, r->tk - j, score_vec(r, qi, r->kt + j));
    }
}

SIMD_TARGET void SIMD_NAME(rs_score_rows)(const score_rows *r)
{
    if (r->eq)
        rows_products(r);
    else
        rows_tanh(r);
}

#endif
#endif

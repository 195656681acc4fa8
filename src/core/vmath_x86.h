/* AVX2+FMA versions of exp, sigmoid and tanh on 8 floats at a time (internal). Same algorithm
 * and constants as the portable code in vmath.c, so both paths agree to within rounding.
 * Callers must themselves be compiled for "avx2,fma" (RS_AVX2) and only run after
 * rs_vmath_avx2() said yes. */
#ifndef RNNSCOPE_CORE_VMATH_X86_H
#define RNNSCOPE_CORE_VMATH_X86_H

#include "core/vmath_consts.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RS_VMATH_X86 1
#include <immintrin.h>

#define RS_AVX2 __attribute__((target("avx2,fma")))
#define RS_AVX2_INLINE static inline __attribute__((target("avx2,fma"), always_inline))

/* e^r for x = n ln2 + r (Cody–Waite split of ln 2, |r| <= ln2/2) by a degree-5 polynomial;
 * n returned as integers. x must be finite (or NaN, which gives NaN). */
RS_AVX2_INLINE __m256 rs_exp8_reduced(__m256 x, __m256i *n_out)
{
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(RS_LOG2E)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(RS_LN2_HI), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(RS_LN2_LO), r);
    __m256 p = _mm256_set1_ps(RS_EXP_P0);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(RS_EXP_P1));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(RS_EXP_P2));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(RS_EXP_P3));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(RS_EXP_P4));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(RS_EXP_P5));
    __m256 y = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r);
    *n_out = _mm256_cvtps_epi32(n);
    return _mm256_add_ps(y, _mm256_set1_ps(1.0f));
}

/* 2^n as a float, for n in [-126, 127]. */
RS_AVX2_INLINE __m256 rs_pow2i8(__m256i n)
{
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23));
}

/* exp: e^r · 2^n, the 2^n applied in two halves so that subnormal results are rounded once and
 * 2^128 · (e^r < 1) stays finite. NaN stays NaN. */
RS_AVX2_INLINE __m256 rs_exp8(__m256 x)
{
    /* min/max return their second operand when one is NaN: NaN passes through */
    x = _mm256_max_ps(_mm256_set1_ps(RS_EXP_LO), _mm256_min_ps(_mm256_set1_ps(RS_EXP_HI), x));
    __m256i n;
    __m256 y = rs_exp8_reduced(x, &n);
    __m256i n1 = _mm256_srai_epi32(n, 1), n2 = _mm256_sub_epi32(n, n1);
    return _mm256_mul_ps(_mm256_mul_ps(y, rs_pow2i8(n1)), rs_pow2i8(n2));
}

/* 1/(1+e^-x) for x >= 0, e^x/(1+e^x) below: never exponentiates a large positive number, and
 * keeps tiny (subnormal) results for very negative x. */
RS_AVX2_INLINE __m256 rs_sigmoid8(__m256 x)
{
    __m256 ax = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
    __m256 e = rs_exp8(_mm256_xor_ps(ax, _mm256_set1_ps(-0.0f)));
    __m256 nonneg = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GE_OQ);
    __m256 num = _mm256_blendv_ps(e, _mm256_set1_ps(1.0f), nonneg);
    return _mm256_div_ps(num, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

/* tanh of |x| < 0.625 by an odd polynomial (keeps relative accuracy near 0), else
 * 1 - 2/(e^{2|x|}+1); |x| is clamped at 10, where tanh is 1 in float. Sign restored last
 * (so tanh(-0) = -0), NaN passed through. */
RS_AVX2_INLINE __m256 rs_tanh8(__m256 x)
{
    __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 ax = _mm256_andnot_ps(sign, x);
    __m256 z = _mm256_mul_ps(ax, ax);
    __m256 p = _mm256_set1_ps(RS_TANH_P0);
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(RS_TANH_P1));
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(RS_TANH_P2));
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(RS_TANH_P3));
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(RS_TANH_P4));
    __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, z), ax, ax);
    __m256 two_ax = _mm256_min_ps(_mm256_set1_ps(2.0f * RS_TANH_SATURATE), _mm256_add_ps(ax, ax));
    __m256i n; /* 2|x| <= 20: n <= 29, one scaling suffices */
    __m256 e = rs_exp8_reduced(two_ax, &n);
    e = _mm256_mul_ps(e, rs_pow2i8(n));
    __m256 big = _mm256_sub_ps(_mm256_set1_ps(1.0f),
                               _mm256_div_ps(_mm256_set1_ps(2.0f),
                                             _mm256_add_ps(e, _mm256_set1_ps(1.0f))));
    __m256 is_small = _mm256_cmp_ps(ax, _mm256_set1_ps(RS_TANH_SMALL), _CMP_LT_OQ);
    __m256 t = _mm256_or_ps(_mm256_blendv_ps(big, small, is_small), _mm256_and_ps(sign, x));
    return _mm256_blendv_ps(t, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

#endif
#endif

/* exp, sigmoid and tanh on a vector of floats (internal), in the words of core/simd_avx2.h or
 * core/simd_avx512.h, whichever the including file chose first. Same algorithm and constants as
 * the portable code in vmath.c, so every path agrees to within rounding. Callers must be
 * compiled for the same instructions (SIMD_TARGET) and only run after core/vmath_path.h said
 * that the path is in use. */
#ifndef RNNSCOPE_CORE_VMATH_SIMD_H
#define RNNSCOPE_CORE_VMATH_SIMD_H

#include "core/vmath_consts.h"

#ifdef RS_SIMD

/* e^r for x = n ln2 + r (Cody–Waite split of ln 2, |r| <= ln2/2) by a degree-5 polynomial;
 * n returned as integers. x must be finite (or NaN, which gives NaN). */
SIMD_INLINE vf rs_exp_reduced_vec(vf x, vi *n_out)
{
    vf n = V_ROUND(V_MUL(x, V_SET1(RS_LOG2E)));
    vf r = V_FNMA(n, V_SET1(RS_LN2_HI), x);
    r = V_FNMA(n, V_SET1(RS_LN2_LO), r);
    vf p = V_SET1(RS_EXP_P0);
    p = V_FMA(p, r, V_SET1(RS_EXP_P1));
    p = V_FMA(p, r, V_SET1(RS_EXP_P2));
    p = V_FMA(p, r, V_SET1(RS_EXP_P3));
    p = V_FMA(p, r, V_SET1(RS_EXP_P4));
    p = V_FMA(p, r, V_SET1(RS_EXP_P5));
    vf y = V_FMA(p, V_MUL(r, r), r);
    *n_out = VI_FROM_F(n);
    return V_ADD(y, V_SET1(1.0f));
}

/* 2^n as a float, for n in [-126, 127]. */
SIMD_INLINE vf rs_pow2i_vec(vi n)
{
    return VF_BITS(VI_SLLI(VI_ADD(n, VI_SET1(127)), 23));
}

/* exp: e^r · 2^n, the 2^n applied in two halves so that subnormal results are rounded once and
 * 2^128 · (e^r < 1) stays finite. NaN stays NaN. */
SIMD_INLINE vf rs_exp_vec(vf x)
{
    /* min/max return their second operand when one is NaN: NaN passes through */
    x = V_MAX(V_SET1(RS_EXP_LO), V_MIN(V_SET1(RS_EXP_HI), x));
    vi n;
    vf y = rs_exp_reduced_vec(x, &n);
    vi n1 = VI_SRAI(n, 1), n2 = VI_SUB(n, n1);
    return V_MUL(V_MUL(y, rs_pow2i_vec(n1)), rs_pow2i_vec(n2));
}

/* 1/(1+e^-x) for x >= 0, e^x/(1+e^x) below: never exponentiates a large positive number, and
 * keeps tiny (subnormal) results for very negative x. */
SIMD_INLINE vf rs_sigmoid_vec(vf x)
{
    vf ax = V_ANDNOT(V_SET1(-0.0f), x);
    vf e = rs_exp_vec(V_XOR(ax, V_SET1(-0.0f)));
    vf num = V_SELECT(V_CMP(x, V_ZERO(), _CMP_GE_OQ), V_SET1(1.0f), e);
    return V_DIV(num, V_ADD(V_SET1(1.0f), e));
}

/* tanh of |x| < 0.625 by an odd polynomial (keeps relative accuracy near 0), else
 * 1 - 2/(e^{2|x|}+1); |x| is clamped at 10, where tanh is 1 in float. Sign restored last
 * (so tanh(-0) = -0), NaN passed through. */
SIMD_INLINE vf rs_tanh_vec(vf x)
{
    vf sign = V_SET1(-0.0f);
    vf ax = V_ANDNOT(sign, x);
    vf z = V_MUL(ax, ax);
    vf p = V_SET1(RS_TANH_P0);
    p = V_FMA(p, z, V_SET1(RS_TANH_P1));
    p = V_FMA(p, z, V_SET1(RS_TANH_P2));
    p = V_FMA(p, z, V_SET1(RS_TANH_P3));
    p = V_FMA(p, z, V_SET1(RS_TANH_P4));
    vf small = V_FMA(V_MUL(p, z), ax, ax);
    vf two_ax = V_MIN(V_SET1(2.0f * RS_TANH_SATURATE), V_ADD(ax, ax));
    vi n; /* 2|x| <= 20: n <= 29, one scaling suffices */
    vf e = rs_exp_reduced_vec(two_ax, &n);
    e = V_MUL(e, rs_pow2i_vec(n));
    vf big = V_SUB(V_SET1(1.0f), V_DIV(V_SET1(2.0f), V_ADD(e, V_SET1(1.0f))));
    vf t = V_SELECT(V_CMP(ax, V_SET1(RS_TANH_SMALL), _CMP_LT_OQ), small, big);
    t = V_OR(t, V_AND(sign, x));
    return V_SELECT(V_CMP(x, x, _CMP_UNORD_Q), x, t);
}

/* An in-place array loop over one of the above: whole vectors, then the tail through a masked
 * load and store, so that every element gets the same arithmetic (results do not depend on the
 * array's length or alignment). */
#define RS_VMATH_ARRAY_LOOP(name, fn)                                                             \
    SIMD_TARGET void name(float *x, size_t n)                                                     \
    {                                                                                             \
        size_t i = 0;                                                                             \
        for (; i + SIMD_LANES <= n; i += SIMD_LANES)                                              \
            V_STORE(x + i, fn(V_LOAD(x + i)));                                                    \
        if (i < n) {                                                                              \
            vmask m = V_MASK_FIRST(n - i);                                                        \
            V_STORE_MASKED(x + i, m, fn(V_LOAD_MASKED(x + i, m)));                                \
        }                                                                                         \
    }

#endif
#endif

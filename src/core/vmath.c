/* Element-wise exp, sigmoid and tanh over arrays: AVX-512 or AVX2+FMA (core/vmath_simd.h, in
 * vmath_avx512.c and vmath_avx2.c) when the CPU has them, else portable C with the same
 * algorithm. The portable loops are written branch-free on plain floats so that compilers can
 * vectorise them for the baseline ISA. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "rnnscope/vmath.h"

#include "core/vmath_consts.h"
#include "core/vmath_path.h"

/* ---- portable ------------------------------------------------------------------------------
 * GCC vectorises these loops only at -O3 and when float compares may be if-converted (no FP
 * trap semantics, which nothing here relies on); clang does at -O2 already. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize("O3", "no-trapping-math")
#endif

static float from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static uint32_t to_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/* Branch-free (selects only) so that compilers can vectorise the loops; NaN flows through the
 * arithmetic: the clamps below keep NaN, and no float is converted to int. */
static float exp_portable(float x)
{
    float xc = x > RS_EXP_HI ? RS_EXP_HI : x;
    xc = xc < RS_EXP_LO ? RS_EXP_LO : xc;
    /* round to nearest by adding 1.5·2^23: t's low mantissa bits then hold 2^22 + n */
    float t = xc * RS_LOG2E + 12582912.0f, n = t - 12582912.0f;
    int32_t ni = (int32_t)(to_bits(t) & 0x7fffff) - 0x400000;
    float r = xc - n * RS_LN2_HI;
    r = r - n * RS_LN2_LO;
    float p = RS_EXP_P0;
    p = p * r + RS_EXP_P1;
    p = p * r + RS_EXP_P2;
    p = p * r + RS_EXP_P3;
    p = p * r + RS_EXP_P4;
    p = p * r + RS_EXP_P5;
    float y = p * (r * r) + r + 1.0f;
    int32_t n1 = ni / 2, n2 = ni - n1; /* both in [-75, 64] */
    float s1 = from_bits((uint32_t)(n1 + 127) << 23), s2 = from_bits((uint32_t)(n2 + 127) << 23);
    return y * s1 * s2;
}

static float sigmoid_portable(float x)
{
    float e = exp_portable(-fabsf(x));
    return (x >= 0.0f ? 1.0f : e) / (1.0f + e);
}

static float tanh_portable(float x)
{
    float ax = fabsf(x), z = ax * ax;
    float p = RS_TANH_P0;
    p = p * z + RS_TANH_P1;
    p = p * z + RS_TANH_P2;
    p = p * z + RS_TANH_P3;
    p = p * z + RS_TANH_P4;
    float small = p * z * ax + ax;
    float two_ax = 2.0f * ax > 2.0f * RS_TANH_SATURATE ? 2.0f * RS_TANH_SATURATE : 2.0f * ax;
    float big = 1.0f - 2.0f / (exp_portable(two_ax) + 1.0f);
    float t = copysignf(ax < RS_TANH_SMALL ? small : big, x);
    return x != x ? x : t;
}

static void exp_array_portable(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = exp_portable(x[i]);
}

static void sigmoid_array_portable(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = sigmoid_portable(x[i]);
}

static void tanh_array_portable(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = tanh_portable(x[i]);
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif

/* The vector path's loop, when there is one. */
#ifdef RS_VMATH_X86
#define USE_VECTOR(name, x, n)                                                                    \
    do {                                                                                          \
        rs_vmath_path path_ = rs_vmath_current();                                                 \
        if (path_ == RS_VMATH_AVX512) {                                                           \
            name##_avx512(x, n);                                                                  \
            return;                                                                               \
        }                                                                                         \
        if (path_ == RS_VMATH_AVX2) {                                                             \
            name##_avx2(x, n);                                                                    \
            return;                                                                               \
        }                                                                                         \
    } while (0)
#else
#define USE_VECTOR(name, x, n) (void)0
#endif

void rs_vexp(float *x, size_t n)
{
    USE_VECTOR(rs_vexp, x, n);
    exp_array_portable(x, n);
}

void rs_vsigmoid(float *x, size_t n)
{
    USE_VECTOR(rs_vsigmoid, x, n);
    sigmoid_array_portable(x, n);
}

void rs_vtanh(float *x, size_t n)
{
    USE_VECTOR(rs_vtanh, x, n);
    tanh_array_portable(x, n);
}

/* Element-wise exp, sigmoid and tanh over arrays: AVX2+FMA (core/vmath_x86.h) when the CPU has
 * it, else portable C with the same algorithm. The portable loops are written branch-free on
 * plain floats so that compilers can vectorise them for the baseline ISA. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "rnnscope/vmath.h"

#include "core/vmath_consts.h"
#include "core/vmath_path.h"
#include "core/vmath_x86.h"

static rs_vmath_path forced = RS_VMATH_AUTO;

static bool cpu_has_avx2(void)
{
#ifdef RS_VMATH_X86
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return false;
#endif
}

bool rs_vmath_force(rs_vmath_path path)
{
    if (path == RS_VMATH_AVX2 && !cpu_has_avx2())
        return false;
    forced = path;
    return true;
}

bool rs_vmath_avx2(void)
{
    return forced == RS_VMATH_AUTO ? cpu_has_avx2() : forced == RS_VMATH_AVX2;
}

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

/* ---- AVX2+FMA -------------------------------------------------------------------------------
 * 8 lanes at a time; the tail goes through a small buffer so that every element gets the same
 * arithmetic (results do not depend on the array's length or alignment). */

#ifdef RS_VMATH_X86
#define AVX2_LOOP(name, fn8)                                                                      \
    static RS_AVX2 void name(float *x, size_t n)                                                  \
    {                                                                                             \
        size_t i = 0;                                                                             \
        for (; i + 8 <= n; i += 8)                                                                \
            _mm256_storeu_ps(x + i, fn8(_mm256_loadu_ps(x + i)));                                 \
        if (i < n) {                                                                              \
            float tail[8] = {0};                                                                  \
            memcpy(tail, x + i, (n - i) * sizeof *x);                                             \
            _mm256_storeu_ps(tail, fn8(_mm256_loadu_ps(tail)));                                   \
            memcpy(x + i, tail, (n - i) * sizeof *x);                                             \
        }                                                                                         \
    }
AVX2_LOOP(exp_avx2, rs_exp8)
AVX2_LOOP(sigmoid_avx2, rs_sigmoid8)
AVX2_LOOP(tanh_avx2, rs_tanh8)
#define USE_AVX2(name, x, n)                                                                      \
    if (rs_vmath_avx2()) {                                                                        \
        name(x, n);                                                                               \
        return;                                                                                   \
    }
#else
#define USE_AVX2(name, x, n)
#endif

void rs_vexp(float *x, size_t n)
{
    USE_AVX2(exp_avx2, x, n)
    exp_array_portable(x, n);
}

void rs_vsigmoid(float *x, size_t n)
{
    USE_AVX2(sigmoid_avx2, x, n)
    sigmoid_array_portable(x, n);
}

void rs_vtanh(float *x, size_t n)
{
    USE_AVX2(tanh_avx2, x, n)
    tanh_array_portable(x, n);
}

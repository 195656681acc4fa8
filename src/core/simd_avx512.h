/* The vector vocabulary of the x86 kernels for AVX-512 (F and DQ, with AVX2+FMA): 16 floats per
 * vector (internal). See core/simd_avx2.h for how it is used; a file includes one of the two. */
#ifndef RNNSCOPE_CORE_SIMD_H
#define RNNSCOPE_CORE_SIMD_H

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RS_SIMD 1
#include <immintrin.h>

#define SIMD_LANES 16
#define SIMD_NAME(name) name##_avx512
#define SIMD_TARGET __attribute__((target("avx512f,avx512dq,avx2,fma")))
#define SIMD_INLINE static inline __attribute__((target("avx512f,avx512dq,avx2,fma"), always_inline))

typedef __m512 vf;
typedef __m512i vi;
typedef __mmask16 vcmp;
typedef __mmask16 vmask;

#define V_SET1 _mm512_set1_ps
#define V_ZERO _mm512_setzero_ps
#define V_ADD _mm512_add_ps
#define V_SUB _mm512_sub_ps
#define V_MUL _mm512_mul_ps
#define V_DIV _mm512_div_ps
/* a/b to within 2 ulp for normal b: a times 1/b from the 14-bit estimate and one Newton step.
 * A 16-lane division has the throughput of two 8-lane ones, so a kernel that divides at every
 * element (the attention's exp products) would gain nothing from the width without it. */
#define V_DIV_FAST(a, b) _mm512_mul_ps(a, rs_recip_avx512(b))
static inline __attribute__((target("avx512f"), always_inline)) __m512 rs_recip_avx512(__m512 b)
{
    __m512 r = _mm512_rcp14_ps(b);
    return _mm512_mul_ps(r, _mm512_fnmadd_ps(b, r, _mm512_set1_ps(2.0f)));
}
#define V_FMA _mm512_fmadd_ps
#define V_FNMA _mm512_fnmadd_ps
#define V_MIN _mm512_min_ps
#define V_MAX _mm512_max_ps
#define V_AND _mm512_and_ps
#define V_ANDNOT _mm512_andnot_ps
#define V_OR _mm512_or_ps
#define V_XOR _mm512_xor_ps
#define V_ROUND(x) _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define V_CMP _mm512_cmp_ps_mask
#define V_SELECT(c, yes, no) _mm512_mask_blend_ps(c, no, yes)
#define V_BROADCAST(p) _mm512_set1_ps(*(p))
#define V_LOAD _mm512_loadu_ps
#define V_STORE _mm512_storeu_ps
#define V_LOAD_MASKED(p, m) _mm512_maskz_loadu_ps(m, p)
#define V_STORE_MASKED(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#define V_MASK_ALL ((__mmask16)0xffff)
#define V_MASK_FIRST(n) ((__mmask16)((1u << (n)) - 1u)) /* n < 16 */

#define VI_SET1 _mm512_set1_epi32
#define VI_ADD _mm512_add_epi32
#define VI_SUB _mm512_sub_epi32
#define VI_SRAI _mm512_srai_epi32
#define VI_SLLI _mm512_slli_epi32
#define VI_FROM_F _mm512_cvtps_epi32
#define VF_BITS _mm512_castsi512_ps

#endif
#endif

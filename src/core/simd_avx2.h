/* The vector vocabulary of the x86 kernels for AVX2+FMA: 8 floats per vector (internal).
 *
 * The kernels that exist for several instruction sets (core/vmath_simd.h, core/gemv_simd.h,
 * core/rnn_cells_simd.h) are written once in these words; a file that compiles them includes
 * exactly one of simd_avx2.h and simd_avx512.h, then the kernels. Every function of such a file
 * carries SIMD_TARGET or SIMD_INLINE (a target attribute, not a compiler flag), so that the
 * program still runs on CPUs without the instructions: callers check core/vmath_path.h first. */
#ifndef RNNSCOPE_CORE_SIMD_H
#define RNNSCOPE_CORE_SIMD_H

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RS_SIMD 1
#include <immintrin.h>

#define SIMD_LANES 8
#define SIMD_NAME(name) name##_avx2
#define SIMD_TARGET __attribute__((target("avx2,fma")))
#define SIMD_INLINE static inline __attribute__((target("avx2,fma"), always_inline))

typedef __m256 vf;   /* floats */
typedef __m256i vi;  /* 32-bit integers */
typedef __m256 vcmp; /* a comparison's result */
typedef __m256i vmask; /* the lanes a masked load or store touches */

#define V_SET1 _mm256_set1_ps
#define V_ZERO _mm256_setzero_ps
#define V_ADD _mm256_add_ps
#define V_SUB _mm256_sub_ps
#define V_MUL _mm256_mul_ps
#define V_DIV _mm256_div_ps
#define V_DIV_FAST _mm256_div_ps /* a/b to within 2 ulp, where speed matters: exact here */
#define V_FMA _mm256_fmadd_ps   /* a·b + c */
#define V_FNMA _mm256_fnmadd_ps /* c - a·b */
#define V_MIN _mm256_min_ps     /* min/max: the second operand when one is NaN */
#define V_MAX _mm256_max_ps
#define V_AND _mm256_and_ps
#define V_ANDNOT _mm256_andnot_ps /* ~a & b */
#define V_OR _mm256_or_ps
#define V_XOR _mm256_xor_ps
#define V_ROUND(x) _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define V_CMP _mm256_cmp_ps
#define V_SELECT(c, yes, no) _mm256_blendv_ps(no, yes, c)
#define V_BROADCAST(p) _mm256_broadcast_ss(p)
#define V_LOAD _mm256_loadu_ps
#define V_STORE _mm256_storeu_ps
#define V_LOAD_MASKED(p, m) _mm256_maskload_ps(p, m) /* lanes outside m read as 0 */
#define V_STORE_MASKED(p, m, v) _mm256_maskstore_ps(p, m, v)
#define V_MASK_ALL _mm256_set1_epi32(-1)
#define V_MASK_FIRST(n) /* lanes [0, n) */                                                      \
    _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))

#define VI_SET1 _mm256_set1_epi32
#define VI_ADD _mm256_add_epi32
#define VI_SUB _mm256_sub_epi32
#define VI_SRAI _mm256_srai_epi32
#define VI_SLLI _mm256_slli_epi32
#define VI_FROM_F _mm256_cvtps_epi32 /* rounded to nearest */
#define VF_BITS _mm256_castsi256_ps

#endif
#endif

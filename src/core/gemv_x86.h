/* The inner step of the AVX2 matrix-vector product (internal): 8 columns of 8 rows of B times
 * 8 values of x. rs_gemv_rows (gemm.c) and the fused recurrent step that computes the next
 * product while it finishes the gates (rnn_cells.c) both use it, so that their sums agree to the
 * bit. Callers are compiled for "avx2,fma" (core/vmath_x86.h). */
#ifndef RNNSCOPE_CORE_GEMV_X86_H
#define RNNSCOPE_CORE_GEMV_X86_H

#include <stddef.h>

#include "core/vmath_x86.h"

#ifdef RS_VMATH_X86

/* 8 values of x, each broadcast to a vector. Passed by value (a struct of named members, not
 * an array) so that the compiler keeps them in registers across the loop. */
typedef struct rs_x8 {
    __m256 x0, x1, x2, x3, x4, x5, x6, x7;
} rs_x8;

RS_AVX2_INLINE rs_x8 rs_broadcast_8(const float *x)
{
    rs_x8 v = {_mm256_broadcast_ss(x), _mm256_broadcast_ss(x + 1), _mm256_broadcast_ss(x + 2),
               _mm256_broadcast_ss(x + 3), _mm256_broadcast_ss(x + 4), _mm256_broadcast_ss(x + 5),
               _mm256_broadcast_ss(x + 6), _mm256_broadcast_ss(x + 7)};
    return v;
}

/* s + Σ_r x_r · b[r * ldb .. + 8), r = 0..7, summed as two halves (even and odd rows) in a
 * fixed order. */
RS_AVX2_INLINE __m256 rs_fma_8_rows(rs_x8 x, const float *b, size_t ldb, __m256 s)
{
    __m256 s1 = _mm256_mul_ps(x.x1, _mm256_loadu_ps(b + ldb));
    s = _mm256_fmadd_ps(x.x0, _mm256_loadu_ps(b), s);
    s1 = _mm256_fmadd_ps(x.x3, _mm256_loadu_ps(b + 3 * ldb), s1);
    s = _mm256_fmadd_ps(x.x2, _mm256_loadu_ps(b + 2 * ldb), s);
    s1 = _mm256_fmadd_ps(x.x5, _mm256_loadu_ps(b + 5 * ldb), s1);
    s = _mm256_fmadd_ps(x.x4, _mm256_loadu_ps(b + 4 * ldb), s);
    s1 = _mm256_fmadd_ps(x.x7, _mm256_loadu_ps(b + 7 * ldb), s1);
    s = _mm256_fmadd_ps(x.x6, _mm256_loadu_ps(b + 6 * ldb), s);
    return _mm256_add_ps(s, s1);
}

#endif
#endif

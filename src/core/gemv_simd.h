/* The matrix-vector product of the x86 paths (internal), in the words of core/simd_avx2.h or
 * core/simd_avx512.h. Its inner step, rs_fma_8_rows, is shared by rs_gemv_rows (gemm_avx2.c,
 * gemm_avx512.c) and by the fused recurrent step that computes the next product while it
 * finishes the gates (core/rnn_cells_simd.h), so that on each path their sums agree to the bit:
 * every column gets the same operations in the same order, whether it sits in a whole vector
 * or in a masked tail. */
#ifndef RNNSCOPE_CORE_GEMV_SIMD_H
#define RNNSCOPE_CORE_GEMV_SIMD_H

#include <stdbool.h>
#include <stddef.h>

#ifdef RS_SIMD

/* 8 values of x, each broadcast to a vector. Passed by value (a struct of named members, not
 * an array) so that the compiler keeps them in registers across the loop. */
typedef struct rs_x8 {
    vf x0, x1, x2, x3, x4, x5, x6, x7;
} rs_x8;

SIMD_INLINE rs_x8 rs_broadcast_8(const float *x)
{
    rs_x8 v = {V_BROADCAST(x),     V_BROADCAST(x + 1), V_BROADCAST(x + 2), V_BROADCAST(x + 3),
               V_BROADCAST(x + 4), V_BROADCAST(x + 5), V_BROADCAST(x + 6), V_BROADCAST(x + 7)};
    return v;
}

/* A vector of b, or the lanes of m (the others 0) unless whole. Inlined where `whole` is a
 * constant, so that whole vectors get plain loads (faster than masked ones on AVX2). */
SIMD_INLINE vf rs_load_part(const float *b, vmask m, bool whole)
{
    return whole ? V_LOAD(b) : V_LOAD_MASKED(b, m);
}

/* s + Σ_r x_r · b[r * ldb + lane], r = 0..7, summed as two halves (even and odd rows) in a
 * fixed order; over the lanes of m unless whole. */
SIMD_INLINE vf rs_fma_8_rows(rs_x8 x, const float *b, size_t ldb, vf s, vmask m, bool whole)
{
    vf s1 = V_MUL(x.x1, rs_load_part(b + ldb, m, whole));
    s = V_FMA(x.x0, rs_load_part(b, m, whole), s);
    s1 = V_FMA(x.x3, rs_load_part(b + 3 * ldb, m, whole), s1);
    s = V_FMA(x.x2, rs_load_part(b + 2 * ldb, m, whole), s);
    s1 = V_FMA(x.x5, rs_load_part(b + 5 * ldb, m, whole), s1);
    s = V_FMA(x.x4, rs_load_part(b + 4 * ldb, m, whole), s);
    s1 = V_FMA(x.x7, rs_load_part(b + 7 * ldb, m, whole), s1);
    s = V_FMA(x.x6, rs_load_part(b + 6 * ldb, m, whole), s);
    return V_ADD(s, s1);
}

/* y[0, N) (+)= Σ_r x_r B[r, 0..N), r = 0..7 (first: y starts from 0, not read). */
SIMD_INLINE void rs_gemv_8_rows(size_t N, const float *x, const float *B, size_t ldb, float *y,
                                bool first)
{
    rs_x8 xs = rs_broadcast_8(x);
    size_t j = 0;
    for (; j + SIMD_LANES <= N; j += SIMD_LANES)
        V_STORE(y + j, rs_fma_8_rows(xs, B + j, ldb, first ? V_ZERO() : V_LOAD(y + j), V_MASK_ALL,
                                     true));
    if (j < N) {
        vmask m = V_MASK_FIRST(N - j);
        vf s = first ? V_ZERO() : V_LOAD_MASKED(y + j, m);
        V_STORE_MASKED(y + j, m, rs_fma_8_rows(xs, B + j, ldb, s, m, false));
    }
}

/* y[N] += x[K] B[K,N]: 8 rows of B per pass over y, so that y is loaded and stored once per 8
 * rows and the rows of B are read front to back; the last K % 8 rows one at a time. */
SIMD_INLINE void rs_gemv_rows_vec(size_t N, size_t K, const float *x, const float *B, size_t ldb,
                                  float *y)
{
    size_t k = 0;
    for (; k + 8 <= K; k += 8)
        rs_gemv_8_rows(N, x + k, B + k * ldb, ldb, y, false);
    for (; k < K; k++) {
        const float *b = B + k * ldb;
        vf xk = V_SET1(x[k]);
        size_t j = 0;
        for (; j + SIMD_LANES <= N; j += SIMD_LANES)
            V_STORE(y + j, V_FMA(xk, V_LOAD(b + j), V_LOAD(y + j)));
        if (j < N) {
            vmask m = V_MASK_FIRST(N - j);
            V_STORE_MASKED(y + j, m, V_FMA(xk, V_LOAD_MASKED(b + j, m), V_LOAD_MASKED(y + j, m)));
        }
    }
}

#endif
#endif

/* The blocking of rs_gemm and the kernels of each x86 path that gemm.c calls (internal). */
#ifndef RNNSCOPE_CORE_GEMM_PATH_H
#define RNNSCOPE_CORE_GEMM_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* B is packed in bands of KC rows cut into panels of NR columns, multiplied in blocks of NCB
 * columns (L2) by blocks of MC rows of A; MC is a multiple of every kernel's rows (6, 4, 8). */
enum { NR = 16, KC = 256, MC = 96, NCB = 256 };

/* y[N] += x[K] B[K,N] (core/gemv_simd.h). */
void rs_gemv_rows_avx2(size_t N, size_t K, const float *x, const float *B, size_t ldb, float *y);
void rs_gemv_rows_avx512(size_t N, size_t K, const float *x, const float *B, size_t ldb, float *y);

/* B[kc, nc] into panels of [kc][NR], the last zero-padded on the right (core/pack_simd.h). */
void rs_pack_block_avx2(float *buf, const float *B, size_t ldb, size_t kc, size_t nc);
void rs_pack_block_avx512(float *buf, const float *B, size_t ldb, size_t kc, size_t nc);

/* C[M, ncb] (+)= A[M, kc] x one packed block of B (panels of [kc][NR]). */
void rs_multiply_block_avx2(size_t M, size_t kc, size_t ncb, const float *A, size_t lda,
                            const float *block, float *C, size_t ldc, bool add);
void rs_multiply_block_avx512(size_t M, size_t kc, size_t ncb, const float *A, size_t lda,
                              const float *block, float *C, size_t ldc, bool add);

#endif

/* rs_gemm's kernels on the AVX2 path: the 6x16 and 4x16 blocks of C in registers (12 and 8
 * accumulators of 8 floats), the packing of B and the matrix-vector product. */
#include "core/simd_avx2.h"
#include "core/gemm_path.h"
#include "core/gemv_simd.h"
#include "core/pack_simd.h"

#ifdef RS_SIMD

SIMD_TARGET void rs_gemv_rows_avx2(size_t N, size_t K, const float *x, const float *B, size_t ldb,
                                   float *y)
{
    rs_gemv_rows_vec(N, K, x, B, ldb, y);
}

#define ROW_FMA(r)                                                                               \
    do {                                                                                         \
        __m256 a_ = _mm256_broadcast_ss(a##r + k);                                               \
        c##r##0 = _mm256_fmadd_ps(a_, b0, c##r##0);                                              \
        c##r##1 = _mm256_fmadd_ps(a_, b1, c##r##1);                                              \
    } while (0)

/* C[mr, nc] (+)= the accumulators of a kernel's rows. */
SIMD_TARGET static void store_rows(__m256 acc[][2], size_t mr, float *C, size_t ldc, size_t nc,
                                   bool add)
{
    for (size_t r = 0; r < mr; r++) {
        float *c = C + r * ldc;
        if (nc == NR) {
            __m256 lo = acc[r][0], hi = acc[r][1];
            if (add) {
                lo = _mm256_add_ps(lo, _mm256_loadu_ps(c));
                hi = _mm256_add_ps(hi, _mm256_loadu_ps(c + 8));
            }
            _mm256_storeu_ps(c, lo);
            _mm256_storeu_ps(c + 8, hi);
        } else {
            float tmp[NR];
            _mm256_storeu_ps(tmp, acc[r][0]);
            _mm256_storeu_ps(tmp + 8, acc[r][1]);
            for (size_t j = 0; j < nc; j++)
                c[j] = add ? c[j] + tmp[j] : tmp[j];
        }
    }
}

/* The panel's first pass streams it from memory: fetch ahead. */
#define PANEL_ROW(k)                                                                             \
    _mm_prefetch((const char *)(panel + ((k) + 24) * NR), _MM_HINT_T0);                          \
    __m256 b0 = _mm256_loadu_ps(panel + (k) * NR), b1 = _mm256_loadu_ps(panel + (k) * NR + 8)

/* Rows 0-3 of a kernel: their rows of A (rows past mr repeat row 0, their results are dropped,
 * so that the loop has no branches) and their accumulators. */
#define FOUR_ROWS_DECL                                                                           \
    const float *a0 = A, *a1 = A + (mr > 1 ? lda : 0), *a2 = A + (mr > 2 ? 2 * lda : 0),         \
                *a3 = A + (mr > 3 ? 3 * lda : 0);                                                \
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,     \
           c30 = c00, c31 = c00
#define FOUR_ROWS_FMA                                                                            \
    ROW_FMA(0);                                                                                  \
    ROW_FMA(1);                                                                                  \
    ROW_FMA(2);                                                                                  \
    ROW_FMA(3)

/* C[mr, nc] (+)= A[mr, kc] panel[kc, 16] for mr <= 6 rows. */
SIMD_TARGET static void micro_6x16(size_t mr, size_t kc, const float *A, size_t lda,
                                   const float *panel, float *C, size_t ldc, size_t nc, bool add)
{
    const float *a4 = A + (mr > 4 ? 4 * lda : 0), *a5 = A + (mr > 5 ? 5 * lda : 0);
    FOUR_ROWS_DECL;
    __m256 c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (size_t k = 0; k < kc; k++) {
        PANEL_ROW(k);
        FOUR_ROWS_FMA;
        ROW_FMA(4);
        ROW_FMA(5);
    }
    __m256 acc[6][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
    store_rows(acc, mr, C, ldc, nc, add);
}

/* The same for mr <= 4 rows: the tail of a row count that 6 does not divide (32 = 4 x 6 + 2 x 4
 * instead of 6 x 6, of which 4 rows would be thrown away). */
SIMD_TARGET static void micro_4x16(size_t mr, size_t kc, const float *A, size_t lda,
                                   const float *panel, float *C, size_t ldc, size_t nc, bool add)
{
    FOUR_ROWS_DECL;
    for (size_t k = 0; k < kc; k++) {
        PANEL_ROW(k);
        FOUR_ROWS_FMA;
    }
    __m256 acc[4][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}};
    store_rows(acc, mr, C, ldc, nc, add);
}

#undef FOUR_ROWS_FMA
#undef FOUR_ROWS_DECL
#undef PANEL_ROW
#undef ROW_FMA

/* C[M, ncb] (+)= A[M, kc] x one packed block of B (panels of [kc][16]). */
SIMD_TARGET void rs_multiply_block_avx2(size_t M, size_t kc, size_t ncb, const float *A,
                                        size_t lda, const float *block, float *C, size_t ldc,
                                        bool add)
{
    for (size_t ic = 0; ic < M; ic += MC) {
        size_t mc = M - ic < MC ? M - ic : MC;
        for (size_t j = 0; j < ncb; j += NR) {
            size_t nc = ncb - j < NR ? ncb - j : NR;
            const float *panel = block + j * kc;
            for (size_t ir = 0, mr; ir < mc; ir += mr) {
                size_t rest = mc - ir;
                /* 6 rows at a time; a rest of 1-4, 7 or 8 rows in blocks of 4 */
                mr = rest > 8 ? 6 : rest == 5 || rest == 6 || rest < 4 ? rest : 4;
                if (mr > 4)
                    micro_6x16(mr, kc, A + (ic + ir) * lda, lda, panel, C + (ic + ir) * ldc + j,
                               ldc, nc, add);
                else
                    micro_4x16(mr, kc, A + (ic + ir) * lda, lda, panel, C + (ic + ir) * ldc + j,
                               ldc, nc, add);
            }
        }
    }
}

#endif

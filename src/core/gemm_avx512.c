/* rs_gemm's kernels on the AVX-512 path: an 8x32 block of C in registers (8 rows of A by two
 * 16-column panels of B: 16 accumulators of 16 floats, 16 multiply-adds per 2 loads of B and 8
 * broadcasts of A), the packing of B and the matrix-vector product. */
#include "core/simd_avx512.h"
#include "core/gemm_path.h"
#include "core/gemv_simd.h"
#include "core/pack_simd.h"

#ifdef RS_SIMD

SIMD_TARGET void rs_gemv_rows_avx512(size_t N, size_t K, const float *x, const float *B,
                                     size_t ldb, float *y)
{
    rs_gemv_rows_vec(N, K, x, B, ldb, y);
}

/* C[mr, 32 columns masked by m0 | m1] (+)= the accumulators of row r. */
SIMD_INLINE void store_row(float *c, vf lo, vf hi, vmask m0, vmask m1, bool add)
{
    if (add) {
        lo = V_ADD(lo, V_LOAD_MASKED(c, m0));
        hi = V_ADD(hi, V_LOAD_MASKED(c + NR, m1));
    }
    V_STORE_MASKED(c, m0, lo);
    V_STORE_MASKED(c + NR, m1, hi);
}

#define ROW_FMA(r)                                                                               \
    do {                                                                                         \
        vf a_ = V_BROADCAST(a##r + k);                                                           \
        c##r##0 = V_FMA(a_, b0, c##r##0);                                                        \
        c##r##1 = V_FMA(a_, b1, c##r##1);                                                        \
    } while (0)

#define ROW_STORE(r)                                                                             \
    if (r < mr)                                                                                  \
    store_row(C + r * ldc, c##r##0, c##r##1, m0, m1, add)

/* C[mr, nc] (+)= A[mr, kc] [p0 | p1][kc, 32] for mr <= 8 rows and nc <= 32 columns (p1 unused
 * when nc <= 16: it may repeat p0). Rows past mr repeat row 0 and their results are dropped, so
 * that the loop has no branches. */
SIMD_TARGET static void micro_8x32(size_t mr, size_t kc, const float *A, size_t lda,
                                   const float *p0, const float *p1, float *C, size_t ldc,
                                   size_t nc, bool add)
{
    const float *a0 = A, *a1 = A + (mr > 1 ? lda : 0), *a2 = A + (mr > 2 ? 2 * lda : 0),
                *a3 = A + (mr > 3 ? 3 * lda : 0), *a4 = A + (mr > 4 ? 4 * lda : 0),
                *a5 = A + (mr > 5 ? 5 * lda : 0), *a6 = A + (mr > 6 ? 6 * lda : 0),
                *a7 = A + (mr > 7 ? 7 * lda : 0);
    vf c00 = V_ZERO(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
       c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00,
       c71 = c00;
    for (size_t k = 0; k < kc; k++) {
        /* the panels' first pass streams them from memory: fetch ahead */
        _mm_prefetch((const char *)(p0 + (k + 16) * NR), _MM_HINT_T0);
        _mm_prefetch((const char *)(p1 + (k + 16) * NR), _MM_HINT_T0);
        vf b0 = V_LOAD(p0 + k * NR), b1 = V_LOAD(p1 + k * NR);
        ROW_FMA(0);
        ROW_FMA(1);
        ROW_FMA(2);
        ROW_FMA(3);
        ROW_FMA(4);
        ROW_FMA(5);
        ROW_FMA(6);
        ROW_FMA(7);
    }
    vmask m0 = nc >= NR ? V_MASK_ALL : V_MASK_FIRST(nc);
    vmask m1 = nc >= 2 * NR ? V_MASK_ALL : nc > NR ? V_MASK_FIRST(nc - NR) : 0;
    ROW_STORE(0);
    ROW_STORE(1);
    ROW_STORE(2);
    ROW_STORE(3);
    ROW_STORE(4);
    ROW_STORE(5);
    ROW_STORE(6);
    ROW_STORE(7);
}

#undef ROW_STORE
#undef ROW_FMA

SIMD_TARGET void rs_multiply_block_avx512(size_t M, size_t kc, size_t ncb, const float *A,
                                          size_t lda, const float *block, float *C, size_t ldc,
                                          bool add)
{
    for (size_t ic = 0; ic < M; ic += MC) {
        size_t mc = M - ic < MC ? M - ic : MC;
        for (size_t j = 0; j < ncb; j += 2 * NR) {
            size_t nc = ncb - j < 2 * NR ? ncb - j : 2 * NR;
            const float *p0 = block + j * kc, *p1 = nc > NR ? p0 + NR * kc : p0;
            for (size_t ir = 0; ir < mc; ir += 8) {
                size_t mr = mc - ir < 8 ? mc - ir : 8;
                micro_8x32(mr, kc, A + (ic + ir) * lda, lda, p0, p1, C + (ic + ir) * ldc + j,
                           ldc, nc, add);
            }
        }
    }
}

#endif

/* Matrix products, row-major.
 * On x86-64 CPUs with AVX2 and FMA, or AVX-512 (core/vmath_path.h chooses at run time), both
 * products use vector code:
 * - rs_gemv_rows streams 8 rows of B at a time, so y is loaded and stored once per 8 rows and
 *   the rows of B are read front to back (the recurrent step of a batch-1 layer: it must run at
 *   memory bandwidth);
 * - rs_gemm packs blocks of B into 16-column panels (in B the rows of a panel lie a whole row
 *   apart, which would thrash the caches' sets) and multiplies a block of C in registers: 6 rows
 *   by one panel with AVX2 (gemm_avx2.c), 8 rows by two panels with AVX-512 (gemm_avx512.c).
 * Elsewhere the i-k-j loops below, which the compiler vectorises. */
#include <stdlib.h>
#include <string.h>

#include "rnnscope/kernels.h"

#include "core/gemm_path.h"
#include "core/vmath_path.h"

/* ---- portable ---- */

static void gemv_rows_c(size_t N, size_t K, const float *x, const float *B, size_t ldb, float *y)
{
    for (size_t k = 0; k < K; k++) {
        const float xk = x[k];
        const float *b = B + k * ldb;
        for (size_t j = 0; j < N; j++)
            y[j] += xk * b[j];
    }
}

#ifdef RS_VMATH_X86

static size_t round_nr(size_t n)
{
    return (n + NR - 1) / NR * NR;
}

static void pack_block(float *buf, const float *B, size_t ldb, size_t kc, size_t nc)
{
    if (rs_vmath_avx512())
        rs_pack_block_avx512(buf, B, ldb, kc, nc);
    else
        rs_pack_block_avx2(buf, B, ldb, kc, nc);
}

static void multiply_block(size_t M, size_t kc, size_t ncb, const float *A, size_t lda,
                           const float *block, float *C, size_t ldc, bool add)
{
    if (rs_vmath_avx512())
        rs_multiply_block_avx512(M, kc, ncb, A, lda, block, C, ldc, add);
    else
        rs_multiply_block_avx2(M, kc, ncb, A, lda, block, C, ldc, add);
}

/* Packed B (rs_pack_b, rs_pack_b_in_place) is kept in bands of KC rows, each band a row of
 * 16-column panels [kc][16] over all the columns: the band of rows pc.. starts at pc * width,
 * and the panels of columns jc.. of that band at jc * kc within it. */
static const float *packed_block(const rs_packed_b *p, size_t pc, size_t jc, size_t kc)
{
    return p->panels + pc * p->width + (p->col0 + jc) * kc;
}

/* Blocking: B in blocks of KC x 256 columns (L2), packed into buf (or already packed, in
 * packed); A in blocks of MC x KC. */
static void gemm_blocks(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B,
                        size_t ldb, const rs_packed_b *packed, float *buf, float *C, size_t ldc,
                        bool accumulate)
{
    for (size_t jc = 0; jc < N; jc += NCB) {
        size_t ncb = N - jc < NCB ? N - jc : NCB;
        for (size_t pc = 0; pc < K; pc += KC) {
            size_t kc = K - pc < KC ? K - pc : KC;
            const float *block = buf;
            if (packed)
                block = packed_block(packed, pc, jc, kc);
            else
                pack_block(buf, B + pc * ldb + jc, ldb, kc, ncb);
            multiply_block(M, kc, ncb, A + pc, lda, block, C + jc, ldc, accumulate || pc > 0);
        }
    }
}

/* Returns false when the packing buffer cannot be allocated. */
static bool gemm_vector(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B,
                        size_t ldb, float *C, size_t ldc, bool accumulate)
{
    size_t kc_max = K < KC ? K : KC, ncb_max = N < NCB ? round_nr(N) : NCB;
    float *buf = aligned_alloc(64, kc_max * ncb_max * sizeof *buf);
    if (!buf)
        return false;
    gemm_blocks(M, N, K, A, lda, B, ldb, NULL, buf, C, ldc, accumulate);
    free(buf);
    return true;
}

#endif /* RS_VMATH_X86 */

void rs_gemv_rows(size_t N, size_t K, const float *x, const float *B, size_t ldb, float *y,
                  bool accumulate)
{
    if (!accumulate)
        memset(y, 0, N * sizeof *y);
#ifdef RS_VMATH_X86
    if (rs_vmath_avx512()) {
        rs_gemv_rows_avx512(N, K, x, B, ldb, y);
        return;
    }
    if (rs_vmath_avx2()) {
        rs_gemv_rows_avx2(N, K, x, B, ldb, y);
        return;
    }
#endif
    gemv_rows_c(N, K, x, B, ldb, y);
}

void rs_gemm(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B, size_t ldb,
             float *C, size_t ldc, bool accumulate)
{
#ifdef RS_VMATH_X86
    /* Below a few rows packing B costs more than it saves: one streaming pass per row wins. */
    if (rs_vmath_avx2() && M >= 4 && K > 0 &&
        gemm_vector(M, N, K, A, lda, B, ldb, C, ldc, accumulate))
        return;
#endif
    for (size_t i = 0; i < M; i++)
        rs_gemv_rows(N, K, A + i * lda, B, ldb, C + i * ldc, accumulate);
}

/* Packed once, B serves many products: the recurrent weights, multiplied at every step. */
int rs_pack_b(rs_packed_b *p, size_t K, size_t N, const float *B, size_t ldb)
{
    *p = (rs_packed_b){.K = K, .N = N, .B = B, .ldb = ldb};
#ifdef RS_VMATH_X86
    if (!rs_vmath_avx2() || K == 0 || N == 0)
        return 0;
    p->width = round_nr(N);
    p->panels = aligned_alloc(64, K * p->width * sizeof(float));
    if (!p->panels)
        return -1;
    p->owned = true;
    for (size_t pc = 0; pc < K; pc += KC)
        pack_block(p->panels + pc * p->width, B + pc * ldb, ldb, K - pc < KC ? K - pc : KC, N);
#endif
    return 0;
}

/* In place, a band of rows is a matrix of 16-float pieces, `rows` x `cols`; its panels are the
 * same pieces transposed. The transposition follows each cycle of the permutation (the piece at
 * i goes to (i mod cols) * rows + i / cols), marking in `seen` the places filled. */
static void transpose_pieces(float *a, size_t rows, size_t cols, unsigned char *seen)
{
    size_t n = rows * cols;
    memset(seen, 0, (n + 7) / 8);
    float carry[NR], next[NR];
    for (size_t start = 0; start < n; start++) {
        if (seen[start / 8] & (1u << start % 8))
            continue;
        memcpy(carry, a + start * NR, sizeof carry);
        size_t i = start;
        do {
            size_t j = (i % cols) * rows + i / cols;
            memcpy(next, a + j * NR, sizeof next);
            memcpy(a + j * NR, carry, sizeof carry);
            memcpy(carry, next, sizeof carry);
            seen[j / 8] |= (unsigned char)(1u << j % 8);
            i = j;
        } while (i != start);
    }
}

/* Transposes every band of B: rows into panels (to_panels) or back. */
static void transpose_bands(rs_packed_b *p, bool to_panels)
{
    size_t pieces = p->N / NR;
    for (size_t pc = 0; pc < p->K; pc += KC) {
        size_t kc = p->K - pc < KC ? p->K - pc : KC;
        float *band = p->panels + pc * p->width;
        if (to_panels)
            transpose_pieces(band, kc, pieces, p->seen);
        else
            transpose_pieces(band, pieces, kc, p->seen);
    }
}

int rs_pack_b_in_place(rs_packed_b *p, size_t K, size_t N, float *B)
{
    *p = (rs_packed_b){.K = K, .N = N, .B = B, .ldb = N};
#ifdef RS_VMATH_X86
    if (!rs_vmath_avx2() || K == 0 || N == 0 || N % NR != 0)
        return 1;
    size_t band_pieces = (K < KC ? K : KC) * (N / NR);
    /* allocated now, so that putting B back cannot fail */
    p->seen = malloc((band_pieces + 7) / 8);
    if (!p->seen)
        return -1;
    p->panels = B;
    p->width = N;
    p->B = NULL; /* its rows are no longer rows */
    transpose_bands(p, true);
    return 0;
#else
    return 1;
#endif
}

void rs_unpack_b_in_place(rs_packed_b *p)
{
    if (!p->seen)
        return;
    transpose_bands(p, false);
    free(p->seen);
    p->seen = NULL;
    p->B = p->panels;
    p->panels = NULL;
}

rs_packed_b rs_packed_b_columns(const rs_packed_b *p, size_t col0, size_t n)
{
    rs_packed_b v = *p;
    v.N = n;
    v.col0 = p->col0 + col0;
    v.B = p->B ? p->B + col0 : NULL;
    v.owned = false;
    v.seen = NULL;
    return v;
}

void rs_packed_b_free(rs_packed_b *p)
{
    if (p->owned)
        free(p->panels);
    p->panels = NULL;
    p->owned = false;
}

void rs_gemm_packed(size_t M, const float *A, size_t lda, const rs_packed_b *B, float *C,
                    size_t ldc, bool accumulate)
{
#ifdef RS_VMATH_X86
    /* B in rows is faster for a few rows of A (rs_gemm streams it), but in place it is only
     * panels */
    if (B->panels && (M >= 4 || !B->B)) {
        gemm_blocks(M, B->N, B->K, A, lda, NULL, 0, B, NULL, C, ldc, accumulate);
        return;
    }
#endif
    rs_gemm(M, B->N, B->K, A, lda, B->B, B->ldb, C, ldc, accumulate);
}

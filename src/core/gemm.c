/* Matrix products, row-major.
 * On x86-64 CPUs with AVX2 and FMA (checked once at run time) both products use vector code:
 * - rs_gemv_rows streams 8 rows of B at a time, so y is loaded and stored once per 8 rows and
 *   the rows of B are read front to back (the recurrent step of a batch-1 layer: it must run at
 *   memory bandwidth);
 * - rs_gemm packs blocks of B into 16-column panels (in B the rows of a panel lie a whole row
 *   apart, which would thrash the caches' sets) and multiplies 6 rows of A at a time in
 *   registers (a 6x16 block: 12 accumulators).
 * Elsewhere the i-k-j loops below, which the compiler vectorises. */
#include <stdlib.h>
#include <string.h>

#include "rnnscope/kernels.h"

#include "core/gemv_x86.h"
#include "core/vmath_path.h"

enum { NR = 16, KC = 256, MC = 96, NCB = 256 }; /* MC: a multiple of the kernels' 6 rows */

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RS_HAVE_X86 1
#include <immintrin.h>
#endif

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

#ifdef RS_HAVE_X86

/* The process-wide choice of vector code (tests force either path). */
static bool use_avx2(void)
{
    return rs_vmath_avx2();
}

/* y[N] += x[K] B[K,N], 8 rows of B per pass over y. */
__attribute__((target("avx2,fma"))) static void gemv_rows_avx2(size_t N, size_t K, const float *x,
                                                                const float *B, size_t ldb,
                                                                float *y)
{
    size_t k = 0;
    for (; k + 8 <= K; k += 8) {
        const float *b0 = B + k * ldb;
        rs_x8 xs = rs_broadcast_8(x + k);
        size_t j = 0;
        for (; j + 8 <= N; j += 8)
            _mm256_storeu_ps(y + j, rs_fma_8_rows(xs, b0 + j, ldb, _mm256_loadu_ps(y + j)));
        for (; j < N; j++) {
            const float *b = b0 + j;
            float s = 0;
            for (size_t r = 0; r < 8; r++)
                s += x[k + r] * b[r * ldb];
            y[j] += s;
        }
    }
    for (; k < K; k++) {
        const float *b = B + k * ldb;
        __m256 xk = _mm256_set1_ps(x[k]);
        size_t j = 0;
        for (; j + 8 <= N; j += 8)
            _mm256_storeu_ps(y + j, _mm256_fmadd_ps(xk, _mm256_loadu_ps(b + j), _mm256_loadu_ps(y + j)));
        for (; j < N; j++)
            y[j] += x[k] * b[j];
    }
}

/* B[kc, nc] into panels of [kc][16] (the last zero-padded on the right), reading B a row at a
 * time so that its rows stream. */
static void pack_block(float *buf, const float *B, size_t ldb, size_t kc, size_t nc)
{
    size_t panels = (nc + NR - 1) / NR;
    for (size_t k = 0; k < kc; k++) {
        const float *src = B + k * ldb;
        for (size_t p = 0; p < panels; p++) {
            float *dst = buf + (p * kc + k) * NR;
            size_t w = nc - p * NR < NR ? nc - p * NR : NR;
            memcpy(dst, src + p * NR, w * sizeof *dst);
            if (w < NR)
                memset(dst + w, 0, (NR - w) * sizeof *dst);
        }
    }
}

#define ROW_FMA(r)                                                                               \
    do {                                                                                         \
        __m256 a_ = _mm256_broadcast_ss(a##r + k);                                               \
        c##r##0 = _mm256_fmadd_ps(a_, b0, c##r##0);                                              \
        c##r##1 = _mm256_fmadd_ps(a_, b1, c##r##1);                                              \
    } while (0)

/* C[mr, nc] (+)= the accumulators of a kernel's rows. */
__attribute__((target("avx2,fma"))) static void store_rows(__m256 acc[][2], size_t mr, float *C,
                                                            size_t ldc, size_t nc, bool add)
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
__attribute__((target("avx2,fma"))) static void micro_6x16(size_t mr, size_t kc, const float *A,
                                                            size_t lda, const float *panel,
                                                            float *C, size_t ldc, size_t nc,
                                                            bool add)
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
__attribute__((target("avx2,fma"))) static void micro_4x16(size_t mr, size_t kc, const float *A,
                                                            size_t lda, const float *panel,
                                                            float *C, size_t ldc, size_t nc,
                                                            bool add)
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

static size_t round_nr(size_t n)
{
    return (n + NR - 1) / NR * NR;
}

/* C[M, ncb] (+)= A[M, kc] x one packed block of B (panels of [kc][16]). */
static void multiply_block(size_t M, size_t kc, size_t ncb, const float *A, size_t lda,
                           const float *block, float *C, size_t ldc, bool add)
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
static bool gemm_avx2(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B,
                      size_t ldb, float *C, size_t ldc, bool accumulate)
{
    size_t kc_max = K < KC ? K : KC, ncb_max = N < NCB ? round_nr(N) : NCB;
    float *buf = aligned_alloc(32, kc_max * ncb_max * sizeof *buf);
    if (!buf)
        return false;
    gemm_blocks(M, N, K, A, lda, B, ldb, NULL, buf, C, ldc, accumulate);
    free(buf);
    return true;
}

#endif /* RS_HAVE_X86 */

void rs_gemv_rows(size_t N, size_t K, const float *x, const float *B, size_t ldb, float *y,
                  bool accumulate)
{
    if (!accumulate)
        memset(y, 0, N * sizeof *y);
#ifdef RS_HAVE_X86
    if (use_avx2()) {
        gemv_rows_avx2(N, K, x, B, ldb, y);
        return;
    }
#endif
    gemv_rows_c(N, K, x, B, ldb, y);
}

void rs_gemm(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B, size_t ldb,
             float *C, size_t ldc, bool accumulate)
{
#ifdef RS_HAVE_X86
    /* Below a few rows packing B costs more than it saves: one streaming pass per row wins. */
    if (use_avx2() && M >= 4 && K > 0 && gemm_avx2(M, N, K, A, lda, B, ldb, C, ldc, accumulate))
        return;
#endif
    for (size_t i = 0; i < M; i++)
        rs_gemv_rows(N, K, A + i * lda, B, ldb, C + i * ldc, accumulate);
}

/* Packed once, B serves many products: the recurrent weights, multiplied at every step. */
int rs_pack_b(rs_packed_b *p, size_t K, size_t N, const float *B, size_t ldb)
{
    *p = (rs_packed_b){.K = K, .N = N, .B = B, .ldb = ldb};
#ifdef RS_HAVE_X86
    if (!use_avx2() || K == 0 || N == 0)
        return 0;
    p->width = round_nr(N);
    p->panels = aligned_alloc(32, K * p->width * sizeof(float));
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
#ifdef RS_HAVE_X86
    if (!use_avx2() || K == 0 || N == 0 || N % NR != 0)
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
#ifdef RS_HAVE_X86
    /* B in rows is faster for a few rows of A (rs_gemm streams it), but in place it is only
     * panels */
    if (B->panels && (M >= 4 || !B->B)) {
        gemm_blocks(M, B->N, B->K, A, lda, NULL, 0, B, NULL, C, ldc, accumulate);
        return;
    }
#endif
    rs_gemm(M, B->N, B->K, A, lda, B->B, B->ldb, C, ldc, accumulate);
}

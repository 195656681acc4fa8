/* Additive (Bahdanau) attention scores, the T×T×units tanh that dominates SeqSelfAttention and
 * AdditiveAttention at long sequences. Kernels over rows of queries (the AVX-512 path runs the
 * AVX2 ones: these have no wider version yet):
 *  - AVX2+FMA, exp products: tanh(y) = 1 - 2/(1 + e^{2y}) and e^{2 pre (q+k)} = e^{2 pre q} ·
 *    e^{2 pre k}, so with the exps of queries and keys computed once (T·units each) every one of
 *    the T·T·units terms costs a multiply, an add and a divide. Absolute error per tanh about
 *    2e-7 (it loses tanh's relative accuracy near 0, which a weighted sum does not need). Used
 *    when every |pre·q|, |pre·k| <= 20, so that no product overflows or underflows;
 *  - AVX2+FMA, rs_tanh_vec: keys transposed and padded so that 8 keys sit in one vector; for each
 *    query and 8 keys the units are walked with tanh8 and an FMA into one accumulator (any
 *    input, NaN and Inf included);
 *  - portable: the pre-activations of a block of keys go through one rs_vtanh call, then the
 *    weighted sums.
 * Rows are split across rs_threads() threads when the work is large. If scratch memory cannot be
 * had, the plain loops run instead (same result, slower): this function cannot fail. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/attention.h"
#include "rnnscope/threads.h"
#include "rnnscope/vmath.h"

#include "core/vmath_path.h"
#include "core/simd_avx2.h"
#include "core/vmath_simd.h"

#define KEY_BLOCK 64            /* keys per rs_vtanh call on the portable path */
#define MIN_WORK_PER_THREAD (1u << 20) /* tanh evaluations below which a thread is not worth it */
#define PRODUCT_RANGE 20.0f     /* |pre·q|, |pre·k| up to this: e^{±80} products stay normal */

typedef struct score_rows {
    size_t lo, hi;              /* the query rows of this job */
    size_t tk, d;
    const float *q, *k;         /* row-major, ldq / ldk apart */
    size_t ldq, ldk;
    const float *kt;            /* AVX2: k transposed, d rows of ldkt floats (ldkt % 8 == 0) */
    size_t ldkt;
    const float *eq;            /* exp products: e^{2 pre q} (tq, d); kt then holds e^{2 pre k} */
    const float *w;             /* NULL: all ones */
    float pre, post;
    float *scores;              /* (tq, tk) */
    float *buf;                 /* portable: KEY_BLOCK * d floats */
} score_rows;

/* The plain loops: the fallback without memory, and the definition of the result. */
static void rows_plain(const score_rows *r)
{
    for (size_t i = r->lo; i < r->hi; i++) {
        const float *qi = r->q + i * r->ldq;
        for (size_t j = 0; j < r->tk; j++) {
            const float *kj = r->k + j * r->ldk;
            float sum = 0.0f;
            for (size_t c = 0; c < r->d; c++) {
                float h = tanhf(r->pre * (qi[c] + kj[c]));
                sum += r->w ? r->w[c] * h : h;
            }
            r->scores[i * r->tk + j] = r->post * sum;
        }
    }
}

static void rows_blocked(const score_rows *r)
{
    size_t d = r->d;
    for (size_t i = r->lo; i < r->hi; i++) {
        const float *qi = r->q + i * r->ldq;
        for (size_t j0 = 0; j0 < r->tk; j0 += KEY_BLOCK) {
            size_t nb = r->tk - j0 < KEY_BLOCK ? r->tk - j0 : KEY_BLOCK;
            for (size_t jj = 0; jj < nb; jj++) {
                const float *kj = r->k + (j0 + jj) * r->ldk;
                for (size_t c = 0; c < d; c++)
                    r->buf[jj * d + c] = r->pre * (qi[c] + kj[c]);
            }
            rs_vtanh(r->buf, nb * d);
            for (size_t jj = 0; jj < nb; jj++) {
                const float *h = r->buf + jj * d;
                float sum = 0.0f;
                for (size_t c = 0; c < d; c++)
                    sum += r->w ? r->w[c] * h[c] : h[c];
                r->scores[i * r->tk + j0 + jj] = r->post * sum;
            }
        }
    }
}

#ifdef RS_VMATH_X86
/* post * Σ_c w[c] tanh(pre * (q_c + k_c)) for the 8 keys whose transposed columns start at kt. */
SIMD_INLINE __m256 score8(const score_rows *r, const float *qi, const float *kt)
{
    __m256 acc = _mm256_setzero_ps(), pre = _mm256_set1_ps(r->pre);
    for (size_t c = 0; c < r->d; c++) {
        __m256 s = _mm256_add_ps(_mm256_set1_ps(qi[c]), _mm256_loadu_ps(kt + c * r->ldkt));
        __m256 h = rs_tanh_vec(_mm256_mul_ps(pre, s));
        acc = r->w ? _mm256_fmadd_ps(_mm256_set1_ps(r->w[c]), h, acc) : _mm256_add_ps(acc, h);
    }
    return _mm256_mul_ps(acc, _mm256_set1_ps(r->post));
}

/* The same for 16 keys, two independent tanh chains per step (pre = 1, w given: attention's
 * common case). Same arithmetic per key as score8. */
SIMD_INLINE void score16(const score_rows *r, const float *qi, const float *kt, float *out)
{
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    for (size_t c = 0; c < r->d; c++) {
        __m256 qc = _mm256_set1_ps(qi[c]), wc = _mm256_set1_ps(r->w[c]);
        const float *kc = kt + c * r->ldkt;
        __m256 h0 = rs_tanh_vec(_mm256_add_ps(qc, _mm256_loadu_ps(kc)));
        __m256 h1 = rs_tanh_vec(_mm256_add_ps(qc, _mm256_loadu_ps(kc + 8)));
        acc0 = _mm256_fmadd_ps(wc, h0, acc0);
        acc1 = _mm256_fmadd_ps(wc, h1, acc1);
    }
    __m256 post = _mm256_set1_ps(r->post);
    _mm256_storeu_ps(out, _mm256_mul_ps(acc0, post));
    _mm256_storeu_ps(out + 8, _mm256_mul_ps(acc1, post));
}

/* Σ_c w_c (1 - 2/(1 + eq_c·ek_c)) for 8 keys (the exp-products kernel). */
SIMD_INLINE __m256 product8(const score_rows *r, const float *eqi, const float *ekt)
{
    __m256 acc = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f), two = _mm256_set1_ps(2.0f);
    for (size_t c = 0; c < r->d; c++) {
        __m256 p = _mm256_mul_ps(_mm256_set1_ps(eqi[c]), _mm256_loadu_ps(ekt + c * r->ldkt));
        __m256 h = _mm256_sub_ps(one, _mm256_div_ps(two, _mm256_add_ps(one, p)));
        acc = r->w ? _mm256_fmadd_ps(_mm256_set1_ps(r->w[c]), h, acc) : _mm256_add_ps(acc, h);
    }
    return _mm256_mul_ps(acc, _mm256_set1_ps(r->post));
}

static SIMD_TARGET void rows_products_avx2(const score_rows *r)
{
    for (size_t i = r->lo; i < r->hi; i++) {
        const float *eqi = r->eq + i * r->d;
        float *row = r->scores + i * r->tk;
        size_t j = 0;
        for (; j + 8 <= r->tk; j += 8)
            _mm256_storeu_ps(row + j, product8(r, eqi, r->kt + j));
        if (j < r->tk) {
            float tail[8];
            _mm256_storeu_ps(tail, product8(r, eqi, r->kt + j));
            memcpy(row + j, tail, (r->tk - j) * sizeof *row);
        }
    }
}

static SIMD_TARGET void rows_avx2(const score_rows *r)
{
    bool pairs = r->pre == 1.0f && r->w;
    for (size_t i = r->lo; i < r->hi; i++) {
        const float *qi = r->q + i * r->ldq;
        float *row = r->scores + i * r->tk;
        size_t j = 0;
        if (pairs)
            for (; j + 16 <= r->tk; j += 16)
                score16(r, qi, r->kt + j, row + j);
        for (; j + 8 <= r->tk; j += 8)
            _mm256_storeu_ps(row + j, score8(r, qi, r->kt + j));
        if (j < r->tk) { /* the padding columns of kt are zeros: computed, not stored */
            float tail[8];
            _mm256_storeu_ps(tail, score8(r, qi, r->kt + j));
            memcpy(row + j, tail, (r->tk - j) * sizeof *row);
        }
    }
}
#endif

static void *rows_job(void *arg)
{
    const score_rows *r = arg;
#ifdef RS_VMATH_X86
    if (r->kt) {
        if (r->eq)
            rows_products_avx2(r);
        else
            rows_avx2(r);
        return NULL;
    }
#endif
    if (r->buf)
        rows_blocked(r);
    else
        rows_plain(r);
    return NULL;
}

/* k (tk, d) → kt (d, ldkt), columns past tk zero. */
static float *transpose_keys(size_t tk, size_t d, const float *k, size_t ldk, size_t *ldkt)
{
    *ldkt = (tk + 7) / 8 * 8;
    if (*ldkt < tk || d > SIZE_MAX / sizeof(float) / *ldkt)
        return NULL;
    float *kt = calloc(d * *ldkt, sizeof *kt);
    if (kt)
        for (size_t j = 0; j < tk; j++)
            for (size_t c = 0; c < d; c++)
                kt[c * *ldkt + j] = k[j * ldk + c];
    return kt;
}

static bool within_product_range(const float *x, size_t rows, size_t cols, size_t ld, float pre)
{
    for (size_t i = 0; i < rows; i++)
        for (size_t c = 0; c < cols; c++)
            if (!(fabsf(pre * x[i * ld + c]) <= PRODUCT_RANGE)) /* NaN fails too */
                return false;
    return true;
}

/* e^{2 pre q} (tq, d), and kt turned into e^{2 pre k} in place; NULL (kt untouched) when an
 * input is out of range or memory is short. */
static float *exp_products(size_t tq, size_t d, const float *q, size_t ldq, float pre, float *kt,
                           size_t tk, size_t ldkt)
{
    if (!within_product_range(q, tq, d, ldq, pre) || !within_product_range(kt, d, tk, ldkt, pre) ||
        d > SIZE_MAX / sizeof(float) / tq)
        return NULL;
    float *eq = malloc(tq * d * sizeof *eq);
    if (!eq)
        return NULL;
    for (size_t i = 0; i < tq; i++)
        for (size_t c = 0; c < d; c++)
            eq[i * d + c] = 2.0f * pre * q[i * ldq + c];
    rs_vexp(eq, tq * d);
    for (size_t i = 0; i < d * ldkt; i++)
        kt[i] *= 2.0f * pre;
    rs_vexp(kt, d * ldkt);
    return eq;
}

static size_t thread_count(size_t tq, size_t tk, size_t d)
{
    size_t n = (size_t)rs_threads();
    double work = (double)tq * (double)tk * (double)d;
    size_t by_work = (size_t)(work / MIN_WORK_PER_THREAD);
    if (n > by_work)
        n = by_work;
    if (n > tq)
        n = tq;
    return n < 1 ? 1 : n;
}

/* Run the jobs, all but the first on new threads; a thread that cannot start runs here. */
static void run_jobs(score_rows *jobs, size_t n)
{
    pthread_t tid[n];
    bool started[n];
    for (size_t t = 1; t < n; t++)
        started[t] = rs_thread_start(&tid[t], rows_job, &jobs[t]) == 0;
    rows_job(&jobs[0]);
    for (size_t t = 1; t < n; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            rows_job(&jobs[t]);
    }
}

void rs_additive_scores(size_t tq, size_t tk, size_t d, const float *q, size_t ldq, const float *k,
                        size_t ldk, const float *w, float pre, float post, float *scores)
{
    score_rows base = {.tk = tk, .d = d, .q = q, .k = k, .ldq = ldq, .ldk = ldk, .w = w,
                       .pre = pre, .post = post, .scores = scores};
    if (tq == 0 || tk == 0)
        return;
    float *kt = NULL;
    float *eq = NULL;
    if (rs_vmath_avx2())
        base.kt = kt = transpose_keys(tk, d, k, ldk, &base.ldkt);
    if (kt)
        base.eq = eq = exp_products(tq, d, q, ldq, pre, kt, tk, base.ldkt);
    size_t n = thread_count(tq, tk, d);
    score_rows jobs[n];
    float *bufs = NULL;
    if (!kt && d <= SIZE_MAX / sizeof(float) / KEY_BLOCK / n)
        bufs = malloc(n * KEY_BLOCK * d * sizeof *bufs);
    for (size_t t = 0; t < n; t++) {
        jobs[t] = base;
        jobs[t].lo = tq * t / n;
        jobs[t].hi = tq * (t + 1) / n;
        jobs[t].buf = bufs ? bufs + t * KEY_BLOCK * d : NULL;
    }
    run_jobs(jobs, n);
    free(bufs);
    free(eq);
    free(kt);
}

/* Additive (Bahdanau) attention scores, the T×T×units tanh that dominates SeqSelfAttention and
 * AdditiveAttention at long sequences. Kernels over rows of queries (the vector ones in
 * core/additive_simd.h, 8 keys per vector with AVX2+FMA, 16 with AVX-512):
 *  - vector, exp products: tanh(y) = 1 - 2/(1 + e^{2y}) and e^{2 pre (q+k)} = e^{2 pre q} ·
 *    e^{2 pre k}, so with the exps of queries and keys computed once (T·units each) every one of
 *    the T·T·units terms costs a multiply, an add and a divide. Absolute error per tanh about
 *    2e-7 (it loses tanh's relative accuracy near 0, which a weighted sum does not need). Used
 *    when every |pre·q|, |pre·k| <= 20, so that no product overflows or underflows;
 *  - vector, rs_tanh_vec: keys transposed and padded so that a vector holds whole keys; for each
 *    query and vector of keys the units are walked with a vector tanh and an FMA into one
 *    accumulator (any input, NaN and Inf included);
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

#include "core/additive_path.h"
#include "core/vmath_path.h"

#define KEY_BLOCK 64            /* keys per rs_vtanh call on the portable path */
#define MIN_WORK_PER_THREAD (1u << 20) /* tanh evaluations below which a thread is not worth it */
#define PRODUCT_RANGE 20.0f     /* |pre·q|, |pre·k| up to this: e^{±80} products stay normal */


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

static void *rows_job(void *arg)
{
    const score_rows *r = arg;
#ifdef RS_VMATH_X86
    if (r->kt) {
        if (rs_vmath_avx512())
            rs_score_rows_avx512(r);
        else
            rs_score_rows_avx2(r);
        return NULL;
    }
#endif
    if (r->buf)
        rows_blocked(r);
    else
        rows_plain(r);
    return NULL;
}

/* k (tk, d) → kt (d, ldkt), columns past tk zero (ldkt: a whole number of vectors on every
 * path). */
static float *transpose_keys(size_t tk, size_t d, const float *k, size_t ldk, size_t *ldkt)
{
    *ldkt = (tk + KEY_PAD - 1) / KEY_PAD * KEY_PAD;
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

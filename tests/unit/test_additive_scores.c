/* rs_additive_scores (the T×T×units tanh of additive attention) on the AVX2 and the portable
 * path, one thread and several, against the formula evaluated in double precision here:
 * shapes that are not multiples of 8, strided q/k (a head as a column slice), w NULL,
 * pre/post scales, NaN/Inf inputs. Inputs within ±20 take the AVX2 exp-products kernel,
 * larger ones (range 30) the tanh8 kernel. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "paths.h"
#include "rnnscope/attention.h"
#include "rnnscope/threads.h"

#include "core/vmath_path.h"

typedef struct scores_case {
    size_t tq, tk, d, ld; /* ld >= d: the row stride of q and k */
    bool weighted;
    float pre, post;
    float range; /* q and k uniform in [-range, range] */
} scores_case;

static float uniform(unsigned *state, float lo, float hi)
{
    *state = *state * 1103515245u + 12345u;
    return lo + (hi - lo) * (float)((*state >> 8) & 0xffffff) / 16777216.0f;
}

static double reference(const scores_case *c, const float *q, const float *k, const float *w,
                        size_t i, size_t j)
{
    double sum = 0;
    for (size_t u = 0; u < c->d; u++) {
        double h = tanh((double)c->pre * ((double)q[i * c->ld + u] + k[j * c->ld + u]));
        sum += (w ? w[u] : 1.0) * h;
    }
    return c->post * sum;
}

/* Max |got - ref| / max(1, |ref|) over the whole score matrix. */
static double run_case(const scores_case *c, unsigned seed)
{
    float *q = malloc(c->tq * c->ld * sizeof *q), *k = malloc(c->tk * c->ld * sizeof *k);
    float *w = malloc(c->d * sizeof *w), *s = malloc(c->tq * c->tk * sizeof *s);
    for (size_t i = 0; i < c->tq * c->ld; i++)
        q[i] = uniform(&seed, -c->range, c->range);
    for (size_t i = 0; i < c->tk * c->ld; i++)
        k[i] = uniform(&seed, -c->range, c->range);
    for (size_t i = 0; i < c->d; i++)
        w[i] = uniform(&seed, -1, 1);
    const float *wp = c->weighted ? w : NULL;
    rs_additive_scores(c->tq, c->tk, c->d, q, c->ld, k, c->ld, wp, c->pre, c->post, s);
    double worst = 0;
    for (size_t i = 0; i < c->tq; i++)
        for (size_t j = 0; j < c->tk; j++) {
            double ref = reference(c, q, k, wp, i, j);
            double err = fabs(s[i * c->tk + j] - ref) / fmax(1.0, fabs(ref));
            worst = isnan(err) ? INFINITY : fmax(worst, err);
        }
    free(q);
    free(k);
    free(w);
    free(s);
    return worst;
}

static const scores_case cases[] = {
    {1, 1, 1, 1, true, 1.0f, 1.0f, 3},
    {7, 13, 5, 5, true, 1.0f, 1.0f, 3},
    {9, 17, 32, 40, true, 1.0f, 1.0f, 3},   /* a column slice of wider rows */
    {16, 24, 8, 8, false, 1.0f, 1.0f, 3},   /* AdditiveAttention without scale */
    {5, 31, 6, 6, false, 0.7f, -1.3f, 3},   /* concat score: scale inside, weight outside */
    {300, 301, 24, 24, true, 1.0f, 1.0f, 3}, /* large enough for several threads */
    {7, 13, 5, 5, true, 1.0f, 1.0f, 30},
    {9, 17, 32, 40, true, 1.0f, 1.0f, 30},
    {16, 24, 8, 8, false, 1.0f, 1.0f, 30},
    {5, 31, 6, 6, false, 0.7f, -1.3f, 30},
    {300, 301, 24, 24, true, 1.0f, 1.0f, 30},
    {40, 50, 16, 16, true, 1.0f, 1.0f, 0.001f}, /* tanh near 0 */
};

static void check_all(const char *path)
{
    for (size_t n = 0; n < sizeof cases / sizeof cases[0]; n++) {
        const scores_case *c = &cases[n];
        double err = run_case(c, 7u + (unsigned)n);
        printf("# %s threads %d: %zux%zu d=%zu range %g: max rel error %.3g\n", path,
               rs_threads(), c->tq, c->tk, c->d, c->range, err);
        CHECK(err <= 4e-6); /* float sums of up to 32 terms; Keras allows 1e-5 */
    }
}

static void check_threads(const char *path)
{
    rs_set_threads(1);
    check_all(path);
    rs_set_threads(3);
    check_all(path);
    rs_set_threads(0);
}

/* The AVX-512 path runs the AVX2 kernels here (there are no AVX-512 ones): tested as well. */
static void test_this_path(void)
{
    check_threads(rs_vmath_name(rs_vmath_current()));
}

/* NaN and Inf in q or k flow into the scores as tanh and the sums give them. */
static void test_special_inputs(void)
{
    float q[2 * 3] = {NAN, 0, 0, INFINITY, 0, 0}, k[9 * 3] = {0}, w[3] = {1, 1, 1}, s[2 * 9];
    k[3 * 3 + 1] = -INFINITY;
    rs_additive_scores(2, 9, 3, q, 3, k, 3, w, 1.0f, 1.0f, s);
    for (size_t j = 0; j < 9; j++)
        CHECK(isnan(s[j]));
    CHECK(s[9 + 0] == 1.0f && s[9 + 3] == 0.0f && s[9 + 8] == 1.0f);
}

int main(void)
{
    run_on_every_path("additive scores, 1 and 3 threads", test_this_path);
    run_test("additive scores of NaN and Inf inputs", test_special_inputs);
    return check_finish();
}

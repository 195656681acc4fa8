/* rs_vexp, rs_vsigmoid, rs_vtanh against the C library in double precision, on both the AVX2
 * and the portable path: a dense sweep of [-100, 100], a sweep over the whole float range by
 * bit pattern (subnormals to FLT_MAX), special values, and arrays of every tail length. The
 * bounds are the ones include/rnnscope/vmath.h states. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "paths.h"
#include "rnnscope/vmath.h"

#include "core/vmath_path.h"

/* The header's claims: ulp of the float result; absolute for sigmoid and tanh. */
#define MAX_ABS_BOUNDED 1e-7

typedef struct vfunc {
    const char *name;
    void (*run)(float *, size_t);
    double (*ref)(double);
    bool bounded;  /* results in [-1, 1]: the absolute bound applies too */
    double max_ulp;
} vfunc;

static double ref_exp(double x) { return exp(x); }
static double ref_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }
static double ref_tanh(double x) { return tanh(x); }

static const vfunc funcs[] = {
    {"exp", rs_vexp, ref_exp, false, 1.5},
    {"sigmoid", rs_vsigmoid, ref_sigmoid, true, 2.5},
    {"tanh", rs_vtanh, ref_tanh, true, 1.5},
};

/* The spacing of floats at the float nearest to ref. */
static double ulp_at(double ref)
{
    float f = fabsf((float)ref);
    if (f < FLT_MIN)
        return ldexp(1.0, -149);
    return ldexp(1.0, ilogbf(f) - 23);
}

typedef struct errors {
    double ulp, abs, worst_x;
    size_t wrong_special; /* NaN/Inf where the float reference is finite, or the reverse */
} errors;

static void measure(const vfunc *f, const float *x, const float *y, size_t n, errors *e)
{
    for (size_t i = 0; i < n; i++) {
        double ref = f->ref(x[i]);
        float rf = (float)ref;
        if (isnan(x[i]) || isinf(rf)) {
            if (!(isnan(x[i]) ? isnan(y[i]) : y[i] == rf))
                e->wrong_special++;
            continue;
        }
        if (!isfinite(y[i])) {
            e->wrong_special++;
            continue;
        }
        double abs_err = fabs(y[i] - ref), ulp = abs_err / ulp_at(ref);
        if (ulp > e->ulp) {
            e->ulp = ulp;
            e->worst_x = x[i];
        }
        if (abs_err > e->abs)
            e->abs = abs_err;
    }
}

/* Run f over x in chunks whose lengths cycle through 1..23, so that every tail length occurs. */
static void run_chunked(const vfunc *f, float *y, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i += len, len = len % 23 + 1)
        f->run(y + i, i + len <= n ? len : n - i);
}

static errors check_inputs(const vfunc *f, const float *x, size_t n, bool chunked)
{
    float *y = malloc(n * sizeof *y);
    memcpy(y, x, n * sizeof *y);
    if (chunked)
        run_chunked(f, y, n);
    else
        f->run(y, n);
    errors e = {0};
    measure(f, x, y, n, &e);
    free(y);
    return e;
}

static float *dense_sweep(size_t *n)
{
    *n = 200u * 4096u + 1; /* [-100, 100] in steps of 2^-12 */
    float *x = malloc(*n * sizeof *x);
    for (size_t i = 0; i < *n; i++)
        x[i] = -100.0f + (float)i / 4096.0f;
    return x;
}

static float *bit_sweep(size_t *n)
{
    const uint32_t step = 4093, count = 0x7f800000u / step + 1;
    float *x = malloc(2 * (size_t)count * sizeof *x);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t bits = i * step;
        memcpy(&x[2 * i], &bits, sizeof bits);
        x[2 * i + 1] = -x[2 * i];
    }
    *n = 2 * (size_t)count;
    return x;
}

static const float specials[] = {
    0.0f, -0.0f, INFINITY, -INFINITY, NAN, -NAN, 1e-45f, -1e-45f, 1e-40f, -1e-40f, FLT_MIN,
    -FLT_MIN, FLT_MAX, -FLT_MAX, 88.7f, -88.7f, 88.72f, 88.7228f, 88.72284f, 88.7229f, 89.0f,
    -87.3f, -88.7f, -100.0f, -103.0f, -103.9f, -103.97f, -104.0f, -200.0f, 9.0f, -9.0f, 9.01f,
    10.0f, -10.0f, 0.625f, -0.625f, 0.62499994f, 1e-4f, -1e-4f, 1e-20f, 44.0f, -44.0f,
};

static void report(const char *path, const vfunc *f, const char *set, errors e)
{
    printf("# %-8s %-7s %-8s max %.3f ulp (at x = %.9g), max abs %.3g\n", path, f->name, set,
           e.ulp, e.worst_x, e.abs);
    CHECK(e.ulp <= f->max_ulp);
    CHECK(!f->bounded || e.abs <= MAX_ABS_BOUNDED);
    CHECK(e.wrong_special == 0);
}

static void check_path(const char *path)
{
    size_t nd, nb, ns = sizeof specials / sizeof specials[0];
    float *dense = dense_sweep(&nd), *bits = bit_sweep(&nb);
    for (size_t k = 0; k < sizeof funcs / sizeof funcs[0]; k++) {
        report(path, &funcs[k], "dense", check_inputs(&funcs[k], dense, nd, true));
        report(path, &funcs[k], "bits", check_inputs(&funcs[k], bits, nb, false));
        report(path, &funcs[k], "specials", check_inputs(&funcs[k], specials, ns, true));
    }
    free(dense);
    free(bits);
}

/* What Keras gives for the special inputs, and no write beyond the array. */
static void check_special_values(void)
{
    float x[] = {INFINITY, -INFINITY, NAN, -0.0f, 0.0f, 89.0f, -104.0f, 1e-45f, 123.0f};
    size_t n = 8; /* x[8] is a sentinel */
    float e[9], s[9], t[9];
    memcpy(e, x, sizeof x);
    memcpy(s, x, sizeof x);
    memcpy(t, x, sizeof x);
    rs_vexp(e, n);
    rs_vsigmoid(s, n);
    rs_vtanh(t, n);
    CHECK(e[0] == INFINITY && e[1] == 0.0f && isnan(e[2]) && e[3] == 1.0f && e[4] == 1.0f);
    CHECK(e[5] == INFINITY && e[6] == 0.0f && e[7] == 1.0f);
    CHECK(s[0] == 1.0f && s[1] == 0.0f && isnan(s[2]) && s[3] == 0.5f && s[4] == 0.5f);
    CHECK(t[0] == 1.0f && t[1] == -1.0f && isnan(t[2]) && t[3] == 0.0f && signbit(t[3]));
    CHECK(t[4] == 0.0f && !signbit(t[4]) && t[5] == 1.0f && t[6] == -1.0f && t[7] == 1e-45f);
    CHECK(e[8] == 123.0f && s[8] == 123.0f && t[8] == 123.0f);
    rs_vexp(e, 0); /* nothing to do, nothing touched */
    CHECK(e[0] == INFINITY);
}

static void test_this_path(void)
{
    check_path(rs_vmath_name(rs_vmath_current()));
    check_special_values();
}

int main(void)
{
    run_on_every_path("exp/sigmoid/tanh within the stated ulp of libm", test_this_path);
    return check_finish();
}

/* Backpropagation through time with checkpointing (rs_rnn_grad_io.segment_steps): for every
 * cell (LSTM, GRU both ways, SimpleRNN), with masks, go_backwards, initial states and every
 * output's gradient, the gradients with segments of 1, 5 and 7 steps equal those with the
 * whole tape (which test_grad_ref and test_grad_fd check against references), as do those
 * split over the batch across threads; and a long
 * sequence (T = 3000) has finite gradients, exactly 0 at masked steps. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rnnscope/rnn_grad.h"
#include "rnnscope/threads.h"

#define B 3
#define IN 4
#define U 6

static float noise(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (float)((*s >> 8) & 0xffff) / 65536.0f - 0.5f;
}

static float *filled(size_t n, unsigned *seed, float scale)
{
    float *p = malloc(n * sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = scale * noise(seed);
    return p;
}

typedef struct result {
    float *dx, *dh0, *dc0, *dk, *dr, *db, *drb;
} result;

static void result_free(result *r)
{
    free(r->dx), free(r->dh0), free(r->dc0), free(r->dk), free(r->dr), free(r->db), free(r->drb);
}

/* The gradients of one configuration with segments of `seg` steps (0: the whole tape). */
static int run(rs_rnn_weights *w, rs_rnn_grad_io g, size_t T, size_t seg, result *r)
{
    size_t Gu = rs_cell_gates(w->cell) * U;
    r->dx = calloc(B * T * IN, sizeof(float));
    r->dh0 = calloc(B * U, sizeof(float));
    r->dc0 = calloc(B * U, sizeof(float));
    r->dk = calloc(IN * Gu, sizeof(float));
    r->dr = calloc(U * Gu, sizeof(float));
    r->db = calloc(Gu, sizeof(float));
    r->drb = calloc(Gu, sizeof(float));
    g.dx = r->dx, g.dh0 = r->dh0, g.dc0 = w->cell == RS_CELL_LSTM ? r->dc0 : NULL;
    g.d_kernel = r->dk, g.d_recurrent = r->dr, g.d_bias = r->db;
    g.d_recurrent_bias = w->recurrent_bias ? r->drb : NULL;
    g.segment_steps = seg;
    rs_error err = {0};
    int rc = rs_rnn_backward(w, &g, NULL, &err);
    if (rc < 0)
        printf("#   %s\n", err.msg);
    return rc;
}

static double worst(const float *a, const float *b, size_t n)
{
    double d = 0;
    for (size_t i = 0; i < n; i++)
        d = fmax(d, fabs((double)a[i] - b[i]));
    return d;
}

static void check_cell(rs_cell cell, bool reset_after, const char *name)
{
    unsigned seed = 7u + (unsigned)cell * 31u + reset_after;
    size_t T = 37, Gu = rs_cell_gates(cell) * U;
    float *kernel = filled(IN * Gu, &seed, 1.0f), *rec = filled(U * Gu, &seed, 1.0f);
    float *bias = filled(2 * Gu, &seed, 0.5f), *x = filled(B * T * IN, &seed, 2.0f);
    float *h0 = filled(B * U, &seed, 1.0f), *c0 = filled(B * U, &seed, 1.0f);
    float *d_seq = filled(B * T * U, &seed, 1.0f), *d_h = filled(B * U, &seed, 1.0f);
    float *d_c = filled(B * U, &seed, 1.0f), mask[B * 37];
    for (size_t b = 0; b < B; b++) /* sample 1 padded at the end, sample 2 at the start */
        for (size_t t = 0; t < T; t++)
            mask[b * T + t] = !(b == 1 && t >= 30) && !(b == 2 && t < 9);
    rs_rnn_weights w = {.cell = cell, .input_dim = IN, .units = U, .kernel = kernel,
                        .recurrent = rec, .bias = bias, .reset_after = reset_after,
                        .recurrent_bias = reset_after ? bias + Gu : NULL};
    rs_activation_from_name("tanh", 2, &w.act);
    rs_activation_from_name("sigmoid", 2, &w.ract);
    bool ok = true;
    for (int back = 0; back < 2; back++) {
        rs_rnn_grad_io g = {
            .fwd = {.batch = B, .steps = T, .x = x, .mask = mask, .go_backwards = back,
                    .h0 = h0, .c0 = cell == RS_CELL_LSTM ? c0 : NULL},
            .d_seq = d_seq, .d_h_last = d_h, .d_c_last = cell == RS_CELL_LSTM ? d_c : NULL,
        };
        result whole = {0};
        rs_set_threads(1);
        ok = ok && run(&w, g, T, 0, &whole) == 0;
        /* checkpointed, then split over the batch across 2 and 3 threads (parts of 2 + 1 and
         * 1 + 1 + 1 samples), with and without segments */
        static const struct { size_t seg; int threads; } variants[] = {
            {1, 1}, {5, 1}, {7, 1}, {0, 2}, {5, 2}, {0, 3}};
        for (size_t v = 0; ok && v < sizeof variants / sizeof *variants; v++) {
            size_t seg = variants[v].seg;
            result part = {0};
            rs_set_threads(variants[v].threads);
            ok = run(&w, g, T, seg, &part) == 0;
            double d = fmax(fmax(worst(whole.dx, part.dx, B * T * IN), worst(whole.dh0, part.dh0, B * U)),
                            fmax(worst(whole.dk, part.dk, IN * Gu), worst(whole.dr, part.dr, U * Gu)));
            d = fmax(d, fmax(worst(whole.db, part.db, Gu), worst(whole.drb, part.drb, Gu)));
            d = fmax(d, worst(whole.dc0, part.dc0, B * U));
            if (!(d <= 1e-5)) {
                printf("#   %s, go_backwards %d, segments of %zu, %d threads: max |diff| %g\n",
                       name, back, seg, variants[v].threads, d);
                ok = false;
            }
            result_free(&part);
        }
        /* masked steps: no gradient reaches their inputs */
        for (size_t b = 0; ok && b < B; b++)
            for (size_t t = 0; t < T; t++)
                for (size_t i = 0; i < IN; i++)
                    ok = ok && (mask[b * T + t] != 0 || whole.dx[(b * T + t) * IN + i] == 0.0f);
        result_free(&whole);
    }
    char case_name[128];
    snprintf(case_name, sizeof case_name, "%s: checkpointed gradients equal the whole tape's", name);
    run_test_result(case_name, ok);
    free(kernel), free(rec), free(bias), free(x), free(h0), free(c0), free(d_seq), free(d_h),
        free(d_c);
}

/* T = 3000: the gradient vanishes to the left but stays finite; masked steps get exactly 0. */
static void long_sequence(void)
{
    unsigned seed = 99;
    size_t T = 3000, Gu = 4 * U;
    float *kernel = filled(IN * Gu, &seed, 1.0f), *rec = filled(U * Gu, &seed, 1.0f);
    float *bias = filled(Gu, &seed, 0.5f), *x = filled(B * T * IN, &seed, 2.0f);
    float *d_last = filled(B * U, &seed, 1.0f), *mask = malloc(B * T * sizeof *mask);
    for (size_t i = 0; i < B * T; i++)
        mask[i] = i % 97 != 0;
    rs_rnn_weights w = {.cell = RS_CELL_LSTM, .input_dim = IN, .units = U, .kernel = kernel,
                        .recurrent = rec, .bias = bias};
    rs_activation_from_name("tanh", 2, &w.act);
    rs_activation_from_name("sigmoid", 2, &w.ract);
    rs_rnn_grad_io g = {.fwd = {.batch = B, .steps = T, .x = x, .mask = mask}, .d_last = d_last};
    result r = {0};
    bool ok = run(&w, g, T, 55, &r) == 0;
    double last = 0, first = 0;
    for (size_t i = 0; ok && i < B * T * IN; i++) {
        ok = isfinite(r.dx[i]) && (mask[i / IN] != 0 || r.dx[i] == 0.0f);
        size_t t = (i / IN) % T;
        if (t >= T - 10)
            last = fmax(last, fabs(r.dx[i]));
        if (t < 10)
            first = fmax(first, fabs(r.dx[i]));
    }
    printf("#   max |d/d x| over the last 10 steps %g, over the first 10 %g\n", last, first);
    run_test_result("LSTM, T = 3000, segments of 55: finite, 0 at masked steps, vanishing to the "
                    "left", ok && last > 0 && first < last);
    result_free(&r);
    free(kernel), free(rec), free(bias), free(x), free(d_last), free(mask);
}

int main(void)
{
    rs_rnn_set_always_thread(true); /* split even these small layers over the batch */
    check_cell(RS_CELL_LSTM, false, "LSTM");
    check_cell(RS_CELL_GRU, false, "GRU (reset before)");
    check_cell(RS_CELL_GRU, true, "GRU (reset_after)");
    check_cell(RS_CELL_SIMPLE, false, "SimpleRNN");
    rs_set_threads(0);
    long_sequence();
    return check_finish();
}

/* The fused gate arithmetic (rnnscope/rnn_cells.h) against the cells' formulas as Keras writes
 * them, computed here in double with the C library's exp and tanh: every cell, every fused
 * activation, slices of 1 to 19 units (whole and partial vector blocks), NaN and ±Inf among the
 * inputs. Then whole recurrences with the fused cells against the generic code (the portable
 * path), with masks, gates and cell-state outputs and a unit split across two threads. Each on
 * the AVX2 and the AVX-512 path (the ones this CPU has). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "paths.h"
#include "rnnscope/rnn.h"
#include "rnnscope/rnn_cells.h"
#include "rnnscope/threads.h"

#include "core/vmath_path.h"

/* float math of the kernels against double: a few float roundings of values near 1 */
#define TOL 2e-6

static const rs_act_kind fusable[] = {RS_ACT_SIGMOID, RS_ACT_TANH, RS_ACT_HARD_SIGMOID_K2,
                                      RS_ACT_HARD_SIGMOID_K3, RS_ACT_LINEAR};
#define N_FUSABLE (sizeof fusable / sizeof fusable[0])

/* Keras' definitions; the clips keep NaN as Keras' clip does */
static double clip01(double x)
{
    return x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x;
}

static double act_ref(rs_act_kind k, double x)
{
    switch (k) {
    case RS_ACT_SIGMOID: return 1.0 / (1.0 + exp(-x));
    case RS_ACT_TANH: return tanh(x);
    case RS_ACT_HARD_SIGMOID_K2: return clip01(0.2 * x + 0.5);
    case RS_ACT_HARD_SIGMOID_K3: return clip01(x / 6.0 + 0.5);
    default: return x;
    }
}

/* got matches want: both NaN, the same infinity, or within TOL relative to max(1, |want|) */
static bool same(float got, double want)
{
    if (isnan(want))
        return isnan(got);
    if (isinf(want))
        return got == (float)want;
    return fabs((double)got - want) <= TOL * fmax(1.0, fabs(want));
}

static int mismatches;

static void expect(float got, double want, const char *what, size_t j)
{
    if (!same(got, want) && mismatches++ < 5)
        printf("# %s[%zu] = %.9g, want %.9g\n", what, j, (double)got, want);
}

/* A sample's rows for n units, u = n + 3 apart (the blocks do not start on vector bounds), with
 * pseudo-random values and, when `special`, NaN, +Inf and -Inf in chosen places. */
typedef struct rows_buf {
    rs_cell_rows r;
    float *z0, *xw, *rb, *hp, *c0;
    float *mem;
} rows_buf;

static float value(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (float)((*s >> 8) % 20001) / 2500.0f - 4.0f; /* [-4, 4] */
}

static rows_buf make_rows(size_t n, size_t G, bool special, unsigned seed)
{
    size_t u = n + 3, gu = G * u;
    rows_buf b = {.mem = calloc(5 * gu + 6 * u, sizeof(float))};
    float *m = b.mem;
    b.z0 = m, b.xw = m + gu, b.rb = m + 2 * gu;
    float *z = m + 3 * gu, *c = m + 4 * gu;
    b.hp = c + u, b.c0 = c + 2 * u;
    float *hn = c + 3 * u, *out = c + 4 * u, *seq = c + 5 * u;
    unsigned s = seed;
    for (size_t i = 0; i < gu; i++) {
        b.z0[i] = value(&s);
        b.xw[i] = value(&s);
        b.rb[i] = value(&s) / 4.0f;
    }
    for (size_t j = 0; j < u; j++) {
        b.hp[j] = value(&s) / 4.0f;
        b.c0[j] = value(&s);
    }
    if (special && n >= 3) {
        b.xw[0] = NAN;             /* first gate, unit 0 */
        b.xw[u + 1] = INFINITY;    /* second gate, unit 1 */
        b.xw[(G - 1) * u + 2] = -INFINITY;
        b.c0[n - 1] = NAN;
    }
    memcpy(z, b.z0, gu * sizeof(float));
    memcpy(c, b.c0, u * sizeof(float));
    b.r = (rs_cell_rows){.n = n, .u = u, .z = z, .xw = b.xw, .hp = b.hp, .hn = hn, .c = c,
                         .out = out, .seq = seq, .rh = seq};
    return b;
}

/* the h_t the kernel wrote, to hn, out and seq alike */
static void expect_h(const rs_cell_rows *r, size_t j, double h)
{
    expect(r->hn[j], h, "hn", j);
    expect(r->out[j], h, "out", j);
    expect(r->seq[j], h, "seq", j);
}

static double pre(const rows_buf *b, size_t g, size_t j)
{
    size_t o = g * b->r.u + j;
    return (double)b->z0[o] + b->xw[o] + (b->r.rbias ? b->rb[o] : 0.0);
}

static void check_simple(rs_act_kind act, size_t n, bool special)
{
    rows_buf b = make_rows(n, 1, special, (unsigned)(n * 7 + act));
    rs_cell_simple_fused(&b.r, act);
    for (size_t j = 0; j < n; j++) {
        double h = act_ref(act, pre(&b, 0, j));
        expect(b.r.z[j], h, "gate", j);
        expect_h(&b.r, j, h);
    }
    free(b.mem);
}

static void check_lstm(rs_act_kind act, rs_act_kind ract, size_t n, bool special)
{
    rows_buf b = make_rows(n, 4, special, (unsigned)(n * 11 + act * 5 + ract));
    rs_cell_lstm_fused(&b.r, act, ract);
    size_t u = b.r.u;
    for (size_t j = 0; j < n; j++) {
        double i = act_ref(ract, pre(&b, 0, j)), f = act_ref(ract, pre(&b, 1, j));
        double g = act_ref(act, pre(&b, 2, j)), o = act_ref(ract, pre(&b, 3, j));
        double c = f * b.c0[j] + i * g;
        expect(b.r.z[j], i, "i", j);
        expect(b.r.z[u + j], f, "f", j);
        expect(b.r.z[2 * u + j], g, "g", j);
        expect(b.r.z[3 * u + j], o, "o", j);
        expect(b.r.c[j], c, "c", j);
        expect_h(&b.r, j, o * act_ref(act, c));
    }
    free(b.mem);
}

/* reset_after: hh = act(xw_h + r (h U_h + rb_h)); else first z, r and r h_{t-1}, then, with the
 * third block of z standing for (r h_{t-1}) U_h, hh = act(that + xw_h). */
static void check_gru(rs_act_kind act, rs_act_kind ract, size_t n, bool special, bool after)
{
    rows_buf b = make_rows(n, 3, special, (unsigned)(n * 13 + act * 3 + ract + after));
    size_t u = b.r.u;
    if (after) {
        b.r.rbias = b.rb;
        rs_cell_gru_after_fused(&b.r, act, ract);
    } else {
        rs_cell_gru_zr_fused(&b.r, ract);
        for (size_t j = 0; j < n; j++) {
            double r = act_ref(ract, pre(&b, 1, j));
            expect(b.r.rh[j], r * b.hp[j], "rh", j);
        }
        rs_cell_gru_before_fused(&b.r, act);
    }
    for (size_t j = 0; j < n; j++) {
        double z = act_ref(ract, pre(&b, 0, j)), r = act_ref(ract, pre(&b, 1, j));
        size_t o = 2 * u + j;
        double hh = after ? act_ref(act, b.xw[o] + r * ((double)b.z0[o] + b.rb[o]))
                          : act_ref(act, (double)b.z0[o] + b.xw[o]);
        expect(b.r.z[j], z, "z", j);
        expect(b.r.z[u + j], r, "r", j);
        expect(b.r.z[o], hh, "hh", j);
        expect_h(&b.r, j, z * b.hp[j] + (1.0 - z) * hh);
    }
    free(b.mem);
}

static bool need_fused(void)
{
    rs_activation a = {.kind = RS_ACT_TANH}, r = {.kind = RS_ACT_SIGMOID};
    return rs_cells_fusable(&a, &r);
}

static void test_kernels(bool special)
{
    mismatches = 0;
    for (size_t n = 1; n < 20; n++)
        for (size_t ai = 0; ai < N_FUSABLE; ai++)
            for (size_t ri = 0; ri < N_FUSABLE; ri++) {
                rs_act_kind act = fusable[ai], ract = fusable[ri];
                if (ri == 0)
                    check_simple(act, n, special);
                check_lstm(act, ract, n, special);
                check_gru(act, ract, n, special, true);
                check_gru(act, ract, n, special, false);
            }
    CHECK(mismatches == 0);
}

static void test_finite(void)
{
    test_kernels(false);
}

static void test_special(void)
{
    test_kernels(true);
}

static void test_fusable(void)
{
    rs_activation tanh_a = {.kind = RS_ACT_TANH}, relu = {.kind = RS_ACT_RELU};
    rs_activation hs = {.kind = RS_ACT_HARD_SIGMOID_K2};
    CHECK(rs_cells_fusable(&tanh_a, &hs));
    CHECK(!rs_cells_fusable(&relu, &hs)); /* the generic code runs relu */
    CHECK(!rs_cells_fusable(&tanh_a, &relu));
    CHECK(rs_vmath_force(RS_VMATH_PORTABLE));
    CHECK(!rs_cells_fusable(&tanh_a, &hs)); /* the portable path never runs AVX2 code */
    rs_vmath_force(RS_VMATH_AUTO);
}

/* ---- whole recurrences: fused cells against the generic code ---- */

enum { B = 3, T = 9, IN = 5 };

typedef struct outs {
    float *seq, *last, *h_last, *c_last, *gates, *cells;
} outs;

static float *filled(size_t n, unsigned seed, float scale)
{
    float *p = malloc(n * sizeof *p);
    unsigned s = seed;
    for (size_t i = 0; i < n; i++)
        p[i] = value(&s) * scale;
    return p;
}

static outs run(const rs_rnn_weights *w, const rs_rnn_io *tmpl)
{
    size_t u = w->units, G = rs_cell_gates(w->cell);
    outs o = {calloc(B * T * u, 4), calloc(B * u, 4), calloc(B * u, 4), calloc(B * u, 4),
              calloc(B * T * G * u, 4), calloc(B * T * u, 4)};
    rs_rnn_io io = *tmpl;
    io.seq = o.seq, io.last = o.last, io.h_last = o.h_last, io.c_last = o.c_last;
    io.gates = o.gates, io.cells = o.cells;
    rs_error err;
    CHECK(rs_rnn_run(w, &io, NULL, &err) == 0);
    return o;
}

static void free_outs(outs *o)
{
    free(o->seq), free(o->last), free(o->h_last), free(o->c_last), free(o->gates), free(o->cells);
}

static void compare_run(rs_cell cell, size_t u, rs_act_kind act, rs_act_kind ract, bool after,
                        size_t batch, bool masked)
{
    size_t G = rs_cell_gates(cell);
    float *kernel = filled(IN * G * u, 1, 0.3f), *rec = filled(u * G * u, 2, 0.1f);
    float *bias = filled(G * u, 3, 0.1f), *rbias = filled(G * u, 4, 0.1f);
    float *x = filled(B * T * IN, 5, 0.25f), *h0 = filled(B * u, 6, 0.1f);
    float mask[B * T];
    for (size_t i = 0; i < B * T; i++)
        mask[i] = (i % 4 == 2) ? 0.0f : 1.0f; /* masked steps mixed with valid ones */
    rs_rnn_weights w = {.cell = cell, .input_dim = IN, .units = u, .kernel = kernel,
                        .recurrent = rec, .bias = bias,
                        .recurrent_bias = cell == RS_CELL_GRU && after ? rbias : NULL,
                        .reset_after = after, .act = {.kind = act}, .ract = {.kind = ract}};
    rs_rnn_io io = {.batch = batch, .steps = T, .x = x, .mask = masked ? mask : NULL, .h0 = h0, .c0 = h0,
                    .zero_output_for_mask = cell == RS_CELL_SIMPLE};
    CHECK(rs_cells_fusable(&w.act, &w.ract));
    rs_vmath_path path = rs_vmath_current();
    outs fused = run(&w, &io);
    CHECK(rs_vmath_force(RS_VMATH_PORTABLE));
    outs generic = run(&w, &io);
    rs_vmath_force(path);
    CHECK_CLOSE(fused.seq, generic.seq, batch * T * u, 1e-5);
    CHECK_CLOSE(fused.last, generic.last, batch * u, 1e-5);
    CHECK_CLOSE(fused.h_last, generic.h_last, batch * u, 1e-5);
    CHECK_CLOSE(fused.gates, generic.gates, batch * T * G * u, 1e-5);
    if (cell == RS_CELL_LSTM) {
        CHECK_CLOSE(fused.c_last, generic.c_last, batch * u, 1e-5);
        CHECK_CLOSE(fused.cells, generic.cells, batch * T * u, 1e-5);
    }
    free_outs(&fused), free_outs(&generic);
    free(kernel), free(rec), free(bias), free(rbias), free(x), free(h0);
}

/* Without a mask, one sample of 16 or 24 units pipelines its steps (rnn.c: the fused cell also
 * computes the next step's product). */
static void compare_all(size_t batch)
{
    static const size_t units[] = {5, 16, 21, 24};
    for (size_t i = 0; i < 2 * sizeof units / sizeof units[0]; i++) {
        size_t u = units[i / 2];
        bool masked = i % 2;
        compare_run(RS_CELL_SIMPLE, u, RS_ACT_TANH, RS_ACT_SIGMOID, false, batch, masked);
        compare_run(RS_CELL_LSTM, u, RS_ACT_TANH, RS_ACT_SIGMOID, false, batch, masked);
        compare_run(RS_CELL_LSTM, u, RS_ACT_TANH, RS_ACT_HARD_SIGMOID_K2, false, batch, masked);
        compare_run(RS_CELL_LSTM, u, RS_ACT_LINEAR, RS_ACT_HARD_SIGMOID_K3, false, batch, masked);
        compare_run(RS_CELL_GRU, u, RS_ACT_TANH, RS_ACT_SIGMOID, true, batch, masked);
        compare_run(RS_CELL_GRU, u, RS_ACT_TANH, RS_ACT_HARD_SIGMOID_K2, false, batch, masked);
    }
}

static void test_runs_one_thread(void)
{
    rs_set_threads(1);
    compare_all(B);
    compare_all(1);
    rs_set_threads(0);
}

/* at batch 1 the two threads split the units: the second slice starts at unit 8 or 16 */
static void test_runs_two_threads(void)
{
    rs_set_threads(2);
    rs_rnn_set_always_thread(true);
    compare_all(B);
    compare_all(1);
    rs_rnn_set_always_thread(false);
    rs_set_threads(0);
}

int main(void)
{
    if (!need_fused()) {
        skip_test("fused cells", "this CPU or build has no AVX2+FMA: the generic code runs");
        return check_finish();
    }
    run_test("which activations and paths are fused", test_fusable);
    run_on_vector_paths("fused cells = Keras' formulas, 1-19 units, all activations", test_finite);
    run_on_vector_paths("same with NaN and ±Inf inputs", test_special);
    run_on_vector_paths("recurrences, masks, gates and cells: fused = generic, 1 thread",
                        test_runs_one_thread);
    run_on_vector_paths("same on 2 threads (batch and unit slices)", test_runs_two_threads);
    return check_finish();
}

/* The recurrence on a batch in lockstep, with a mask per sample, units that are not a multiple of
 * the vector width, go_backwards and both GRU reset modes, on one thread and on two (batch slices,
 * and unit slices at batch 1), against torch cells (tests/data/make_kernel_refs.py, "batched"). */
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "paths.h"
#include "rnnscope/rnn.h"
#include "rnnscope/threads.h"

#include "core/vmath_path.h"

#define TOL 1e-5
#define K(name) "tests/data/kernels/" name ".npy"

enum { RB = 8, RT = 7, RIN = 3 };

/* The weights' formula of make_kernel_refs.py. */
static float *wave(size_t rows, size_t cols, double phase, double scale)
{
    float *w = malloc(rows * cols * sizeof *w);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            w[i * cols + j] = (float)(scale * sin(0.0131 * (double)(i * j) + 1.3 * (double)i +
                                                  0.7 * (double)j + phase));
    return w;
}

typedef struct rb_case {
    const char *ref; /* file prefix */
    rs_cell cell;
    size_t units;
    double phase;
    bool reset_after, backwards;
} rb_case;

typedef struct rb_weights {
    rs_rnn_weights w;
    float *kernel, *recurrent, *bias, *rbias;
} rb_weights;

static rb_weights make_weights(const rb_case *c)
{
    size_t G = rs_cell_gates(c->cell), u = c->units;
    rb_weights r = {.kernel = wave(RIN, G * u, c->phase, 0.8),
                    .recurrent = wave(u, G * u, c->phase + 1.0, 1.0 / sqrt((double)u)),
                    .bias = wave(1, G * u, c->phase + 2.0, 0.3)};
    if (c->cell == RS_CELL_GRU && c->reset_after)
        r.rbias = wave(1, G * u, 7.0, 0.3);
    r.w = (rs_rnn_weights){.cell = c->cell, .input_dim = RIN, .units = u, .kernel = r.kernel,
                           .recurrent = r.recurrent, .recurrent_in_place = r.recurrent,
                           .bias = r.bias, .recurrent_bias = r.rbias,
                           .reset_after = c->reset_after};
    rs_activation_from_name("tanh", 3, &r.w.act);
    rs_activation_from_name("sigmoid", 3, &r.w.ract);
    return r;
}

static void free_weights(rb_weights *r)
{
    free(r->kernel);
    free(r->recurrent);
    free(r->bias);
    free(r->rbias);
}

static rs_tensor load_ref(const char *prefix, const char *what)
{
    char rel[128];
    snprintf(rel, sizeof rel, "tests/data/kernels/%s_%s.npy", prefix, what);
    return load_npy(rel);
}

/* Samples [b0, b0 + nb) of the batch, compared with the same rows of the references. */
static void run_and_compare(const rb_case *c, const rs_rnn_weights *w, size_t b0, size_t nb)
{
    size_t u = c->units;
    rs_tensor x = load_npy(K("rb_x")), mask = load_npy(K("rb_mask"));
    rs_tensor seq = load_ref(c->ref, "seq"), h = load_ref(c->ref, "h");
    float *out = calloc(nb * RT * u, sizeof *out), *hl = calloc(nb * u, sizeof *hl),
          *cl = calloc(nb * u, sizeof *cl), *last = calloc(nb * u, sizeof *last);
    rs_rnn_io io = {.batch = nb, .steps = RT, .x = x.data + b0 * RT * RIN,
                    .mask = mask.data + b0 * RT, .go_backwards = c->backwards, .seq = out,
                    .h_last = hl, .c_last = cl, .last = last};
    rs_error err;
    size_t rec_bytes = u * rs_cell_gates(c->cell) * u * sizeof(float);
    float *rec_before = malloc(rec_bytes);
    memcpy(rec_before, w->recurrent, rec_bytes);
    CHECK(rs_rnn_run(w, &io, NULL, &err) == 0);
    CHECK(memcmp(rec_before, w->recurrent, rec_bytes) == 0); /* put back if packed in place */
    free(rec_before);
    CHECK_CLOSE(out, seq.data + b0 * RT * u, nb * RT * u, TOL);
    CHECK_CLOSE(hl, h.data + b0 * u, nb * u, TOL);
    int bad = 0; /* the last output is the sequence's last row */
    for (size_t b = 0; b < nb; b++)
        bad += memcmp(last + b * u, out + (b * RT + RT - 1) * u, u * sizeof *last) != 0;
    CHECK(bad == 0);
    if (c->cell == RS_CELL_LSTM) {
        rs_tensor cc = load_ref(c->ref, "c");
        CHECK_CLOSE(cl, cc.data + b0 * u, nb * u, TOL);
        rs_tensor_free(&cc);
    }
    free(out);
    free(hl);
    free(cl);
    free(last);
    rs_tensor_free(&x);
    rs_tensor_free(&mask);
    rs_tensor_free(&seq);
    rs_tensor_free(&h);
}

/* `copies` of the reference batch one after another (RB * copies samples, so that a split over
 * threads is handed out in several pieces: rnn.c PIECE_SAMPLES), against the references repeated. */
static float *repeat(const float *a, size_t n, size_t copies)
{
    float *r = malloc(n * copies * sizeof *r);
    for (size_t i = 0; i < copies; i++)
        memcpy(r + i * n, a, n * sizeof *r);
    return r;
}

static void run_repeated(const rb_case *c, const rs_rnn_weights *w, size_t copies)
{
    size_t u = c->units, nb = RB * copies;
    rs_tensor x = load_npy(K("rb_x")), mask = load_npy(K("rb_mask"));
    rs_tensor seq = load_ref(c->ref, "seq"), h = load_ref(c->ref, "h");
    float *xs = repeat(x.data, RB * RT * RIN, copies), *ms = repeat(mask.data, RB * RT, copies);
    float *want_seq = repeat(seq.data, RB * RT * u, copies), *want_h = repeat(h.data, RB * u, copies);
    float *out = calloc(nb * RT * u, sizeof *out), *hl = calloc(nb * u, sizeof *hl);
    rs_rnn_io io = {.batch = nb, .steps = RT, .x = xs, .mask = ms, .go_backwards = c->backwards,
                    .seq = out, .h_last = hl};
    rs_error err;
    CHECK(rs_rnn_run(w, &io, NULL, &err) == 0);
    CHECK_CLOSE(out, want_seq, nb * RT * u, TOL);
    CHECK_CLOSE(hl, want_h, nb * u, TOL);
    free(xs);
    free(ms);
    free(want_seq);
    free(want_h);
    free(out);
    free(hl);
    rs_tensor_free(&x);
    rs_tensor_free(&mask);
    rs_tensor_free(&seq);
    rs_tensor_free(&h);
}

static const rb_case cases[] = {
    {"rb_lstm", RS_CELL_LSTM, 67, 0.0, false, false},
    {"rb_lstm_back", RS_CELL_LSTM, 67, 0.0, false, true},
    {"rb_gru_ra", RS_CELL_GRU, 67, 3.0, true, false},
    {"rb_gru_rb_back", RS_CELL_GRU, 67, 3.0, false, true},
    {"rb_rnn", RS_CELL_SIMPLE, 13, 5.0, false, false},
    /* gate blocks on whole 16-column panels: from 4 samples a part, packed in place */
    {"rb32_lstm", RS_CELL_LSTM, 32, 0.0, false, false},
    {"rb32_gru_ra", RS_CELL_GRU, 32, 3.0, true, false},
    {"rb32_gru_rb", RS_CELL_GRU, 32, 3.0, false, false},
};

/* Every case on the whole batch, on 3 samples and on sample 3 alone (masked at its start). */
static void run_all(int threads, bool always)
{
    rs_set_threads(threads);
    rs_rnn_set_always_thread(always);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rb_weights r = make_weights(&cases[i]);
        printf("# %s, %d thread(s)%s\n", cases[i].ref, threads, always ? ", always" : "");
        run_and_compare(&cases[i], &r.w, 0, RB);
        run_and_compare(&cases[i], &r.w, 5, 3);
        run_and_compare(&cases[i], &r.w, 3, 1);
        free_weights(&r);
    }
    rs_rnn_set_always_thread(false);
    rs_set_threads(0);
}

/* A batch of 24 and of 40 handed out in pieces to 2 and 3 threads (pieces of uneven size, more
 * pieces than threads), and to 1 thread. */
static void test_pieces(void)
{
    for (int threads = 1; threads <= 3; threads++) {
        rs_set_threads(threads);
        rs_rnn_set_always_thread(true);
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            rb_weights r = make_weights(&cases[i]);
            printf("# %s repeated, %d thread(s)\n", cases[i].ref, threads);
            run_repeated(&cases[i], &r.w, 3);
            run_repeated(&cases[i], &r.w, 5);
            free_weights(&r);
        }
    }
    rs_rnn_set_always_thread(false);
    rs_set_threads(0);
}

static void test_one_thread(void)
{
    run_all(1, false);
}

static void test_two_threads(void)
{
    run_all(2, true);
}

static void test_three_threads(void)
{
    run_all(3, true);
}

static void test_default_threads(void)
{
    run_all(0, false);
}

/* 150 steps backwards: three input-projection chunks, the last one short. */
static void test_long_backwards(void)
{
    enum { LB = 2, LT = 150, LU = 13 };
    rb_case c = {"rb_rnn", RS_CELL_SIMPLE, LU, 5.0, false, true};
    rb_weights r = make_weights(&c);
    rs_tensor x = load_npy(K("rb_long_x")), mask = load_npy(K("rb_long_mask")),
              seq = load_npy(K("rb_long_back_seq"));
    float *out = calloc(LB * LT * LU, sizeof *out);
    rs_rnn_io io = {.batch = LB, .steps = LT, .x = x.data, .mask = mask.data, .go_backwards = true,
                    .seq = out};
    rs_error err;
    for (int threads = 1; threads <= 2; threads++) {
        rs_set_threads(threads);
        rs_rnn_set_always_thread(true);
        memset(out, 0, LB * LT * LU * sizeof *out);
        CHECK(rs_rnn_run(&r.w, &io, NULL, &err) == 0);
        CHECK_CLOSE(out, seq.data, LB * LT * LU, TOL);
    }
    rs_rnn_set_always_thread(false);
    rs_set_threads(0);
    free(out);
    rs_tensor_free(&x);
    rs_tensor_free(&mask);
    rs_tensor_free(&seq);
    free_weights(&r);
}

/* During a run of 8 samples on one thread the recurrent weights are packed in their own memory
 * (seen from the progress report); after it, cancelled or not, they are exactly as before. */
typedef struct watch {
    const float *rec, *before;
    size_t bytes;
    int reports, rearranged;
    bool cancel;
} watch;

static bool watch_progress(void *user, double fraction)
{
    (void)fraction;
    watch *wt = user;
    wt->reports++;
    wt->rearranged += memcmp(wt->rec, wt->before, wt->bytes) != 0;
    return !wt->cancel;
}

static void test_packed_in_place(void)
{
    rs_set_threads(1);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cases[i].units != 32)
            continue;
        rb_weights r = make_weights(&cases[i]);
        size_t u = cases[i].units, bytes = u * rs_cell_gates(cases[i].cell) * u * sizeof(float);
        float *before = malloc(bytes);
        memcpy(before, r.recurrent, bytes);
        rs_tensor x = load_npy(K("rb_x"));
        float *out = calloc(RB * RT * u, sizeof *out);
        rs_rnn_io io = {.batch = RB, .steps = RT, .x = x.data, .seq = out};
        for (int cancel = 0; cancel <= 1; cancel++) {
            watch wt = {.rec = r.recurrent, .before = before, .bytes = bytes, .cancel = cancel};
            rs_progress pr = {watch_progress, &wt};
            rs_error err;
            printf("# %s%s\n", cases[i].ref, cancel ? ", cancelled" : "");
            CHECK((rs_rnn_run(&r.w, &io, &pr, &err) == 0) == !cancel);
            /* in place with the AVX2 kernels only (the portable ones read rows) */
            CHECK(wt.reports > 0 && wt.rearranged == (rs_vmath_avx2() ? wt.reports : 0));
            CHECK(memcmp(before, r.recurrent, bytes) == 0);
        }
        /* without leave to rearrange them, they stay in place throughout */
        r.w.recurrent_in_place = NULL;
        watch wt = {.rec = r.recurrent, .before = before, .bytes = bytes};
        rs_progress pr = {watch_progress, &wt};
        rs_error err;
        CHECK(rs_rnn_run(&r.w, &io, &pr, &err) == 0);
        CHECK(wt.reports > 0 && wt.rearranged == 0);
        free(out);
        free(before);
        rs_tensor_free(&x);
        free_weights(&r);
    }
    rs_set_threads(0);
}

/* A batch-1 layer split by units whose lead goes on alone after the first chunk of steps (as when
 * the other thread's core is busy: rnn.c lead_goes_solo) gives the numbers of one thread; the
 * mask makes some steps run the generic cells. LSTM, and GRU with the reset gate before the
 * product (two barriers a step) and after. */
static void run_solo_case(const rb_case *c, bool solo)
{
    enum { ST = 150 };
    rb_weights r = make_weights(c);
    size_t u = c->units;
    float *x = wave(ST, RIN, 0.4, 1.0), *mask = malloc(ST * sizeof *mask);
    for (size_t t = 0; t < ST; t++)
        mask[t] = t % 37 == 5 ? 0.0f : 1.0f;
    float *one = calloc(ST * u, sizeof *one), *two = calloc(ST * u, sizeof *two);
    rs_rnn_io io = {.batch = 1, .steps = ST, .x = x, .mask = mask, .go_backwards = c->backwards};
    rs_error err;
    rs_set_threads(1);
    io.seq = one;
    CHECK(rs_rnn_run(&r.w, &io, NULL, &err) == 0);
    rs_set_threads(2);
    rs_rnn_set_always_thread(true);
    rs_rnn_set_force_solo(solo);
    io.seq = two;
    CHECK(rs_rnn_run(&r.w, &io, NULL, &err) == 0);
    rs_rnn_set_force_solo(false);
    rs_rnn_set_always_thread(false);
    rs_set_threads(0);
    CHECK_CLOSE(two, one, ST * u, 1e-6);
    free(x);
    free(mask);
    free(one);
    free(two);
    free_weights(&r);
}

static void test_solo(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (cases[i].units == 67)
            for (int solo = 0; solo <= 1; solo++) {
                printf("# %s, batch 1 on 2 threads%s\n", cases[i].ref,
                       solo ? ", the lead alone after a chunk" : "");
                run_solo_case(&cases[i], solo);
            }
    /* the rule: alone, the lead would do parts x its own work */
    CHECK(rs_rnn_split_pays(1000, 100, 2));
    CHECK(rs_rnn_split_pays(1000, 500, 2));
    CHECK(!rs_rnn_split_pays(1000, 600, 2));
    CHECK(rs_rnn_split_pays(1000, 600, 3));
}

/* rs_thread_start runs the function, whose result pthread_join returns, and the thread may run
 * on every CPU the process may (it starts away from its creator's only for a moment). */
typedef struct started {
    cpu_set_t allowed;
    int calls;
} started;

static void *note_affinity(void *arg)
{
    started *s = arg;
    s->calls++;
    sched_getaffinity(0, sizeof s->allowed, &s->allowed);
    return s;
}

static void test_thread_start(void)
{
    started s = {.calls = 0};
    cpu_set_t mine;
    CHECK(sched_getaffinity(0, sizeof mine, &mine) == 0);
    pthread_t tid;
    void *ret = NULL;
    CHECK(rs_thread_start(&tid, note_affinity, &s) == 0);
    CHECK(pthread_join(tid, &ret) == 0);
    CHECK(ret == &s && s.calls == 1);
    CHECK(CPU_EQUAL(&s.allowed, &mine));
}

int main(void)
{
    run_test("batch, masks, odd units, backwards, GRU resets: 1 thread", test_one_thread);
    run_test("same on 2 threads (batch slices; unit slices at batch 1)", test_two_threads);
    run_test("same on 3 threads", test_three_threads);
    run_test("same with the default thread budget", test_default_threads);
    run_test("larger batches handed out in pieces to 1-3 threads", test_pieces);
    run_test("150 steps backwards, masked (several input chunks)", test_long_backwards);
    run_test("recurrent weights packed in place during a run, then put back", test_packed_in_place);
    run_test("batch 1 split by units, the lead alone after a chunk: as 1 thread", test_solo);
    run_test("a kernel's thread runs its function, then anywhere allowed", test_thread_start);
    /* each path forced: what machines without AVX2, or without AVX-512, run */
    run_on_every_path("1 thread", test_one_thread);
    run_on_every_path("2 threads", test_two_threads);
    run_on_every_path("pieces", test_pieces);
    run_on_every_path("lead alone", test_solo);
    run_on_every_path("weights packed in place or left", test_packed_in_place);
    return check_finish();
}

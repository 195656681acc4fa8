/* Kernels against PyTorch / NumPy references (tests/data/make_kernel_refs.py). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "paths.h"
#include "rnnscope/attention.h"
#include "rnnscope/kernels.h"
#include "rnnscope/rnn.h"

#include "core/vmath_path.h"

#define TOL 1e-5
#define K(name) "tests/data/kernels/" name ".npy"

enum { B = 2, T = 9, IN = 3, U = 5 };

static void test_activations(void)
{
    static const char *names[] = {"tanh", "sigmoid", "relu", "relu6", "elu", "selu", "softplus",
                                  "softsign", "exponential", "swish", "gelu", "mish", "hard_silu",
                                  "softmax", "log_softmax"};
    rs_tensor x = load_npy(K("act_x"));
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "tests/data/kernels/act_%s.npy", names[i]);
        rs_tensor want = load_npy(rel);
        rs_activation a;
        CHECK(rs_activation_from_name(names[i], 3, &a));
        float *y = malloc(x.size * sizeof *y);
        memcpy(y, x.data, x.size * sizeof *y);
        rs_activate(&a, y, x.size, 19);
        printf("# %s\n", names[i]);
        CHECK_CLOSE(y, want.data, x.size, TOL);
        free(y);
        rs_tensor_free(&want);
    }
    rs_tensor_free(&x);
}

static void test_hard_sigmoid_by_version(void)
{
    rs_tensor x = load_npy(K("act_x"));
    rs_tensor k2 = load_npy(K("act_hard_sigmoid_k2")), k3 = load_npy(K("act_hard_sigmoid_k3"));
    rs_activation a2, a3;
    CHECK(rs_activation_from_name("hard_sigmoid", 2, &a2));
    CHECK(rs_activation_from_name("hard_sigmoid", 3, &a3));
    float y2[64], y3[64];
    for (size_t i = 0; i < x.size && i < 64; i++) {
        y2[i] = rs_apply1(&a2, x.data[i]);
        y3[i] = rs_apply1(&a3, x.data[i]);
    }
    CHECK_CLOSE(y2, k2.data, x.size, TOL);
    CHECK_CLOSE(y3, k3.data, x.size, TOL);
    rs_activation bogus;
    CHECK(!rs_activation_from_name("wiggle", 2, &bogus));
    rs_tensor_free(&x);
    rs_tensor_free(&k2);
    rs_tensor_free(&k3);
}

static void test_relu_options(void)
{
    /* keras.activations.relu(x, alpha=0.1, max_value=2, threshold=0.5), from its definition */
    rs_activation a = {.kind = RS_ACT_RELU, .alpha = 0.1f, .max_value = 2.0f, .threshold = 0.5f};
    CHECK_NEAR(rs_apply1(&a, 3.0f), 2.0, 1e-7);
    CHECK_NEAR(rs_apply1(&a, 1.0f), 1.0, 1e-7);
    CHECK_NEAR(rs_apply1(&a, 0.5f), 0.0, 1e-7);
    CHECK_NEAR(rs_apply1(&a, -1.5f), -0.2, 1e-6);
}

static void test_gemm(void)
{
    /* [[1 2 3] [4 5 6]] x [[1 0] [0 1] [1 1]] = [[4 5] [10 11]] */
    float A[6] = {1, 2, 3, 4, 5, 6}, Bm[6] = {1, 0, 0, 1, 1, 1}, C[4] = {100, 100, 100, 100};
    rs_gemm(2, 2, 3, A, 3, Bm, 2, C, 2, false);
    float want[4] = {4, 5, 10, 11};
    CHECK_CLOSE(C, want, 4, 0);
    rs_gemm(2, 2, 3, A, 3, Bm, 2, C, 2, true);
    float want2[4] = {8, 10, 20, 22};
    CHECK_CLOSE(C, want2, 4, 0);
}

/* Every row count the vector kernels split differently (blocks of 6 and 4 rows, tails), columns
 * past a 16-wide panel, depths past one 256-row block; plain and packed B, against a
 * double-precision triple loop. */
static double gemm_error(size_t M, size_t N, size_t K, bool packed, bool accumulate)
{
    float *A = malloc(M * K * sizeof *A), *Bm = malloc(K * N * sizeof *Bm),
          *C = malloc(M * N * sizeof *C);
    for (size_t i = 0; i < M * K; i++)
        A[i] = (float)sin(0.7 * (double)i);
    for (size_t i = 0; i < K * N; i++)
        Bm[i] = (float)cos(0.3 * (double)i);
    for (size_t i = 0; i < M * N; i++)
        C[i] = (float)(i % 5);
    rs_packed_b P;
    if (packed) {
        CHECK(rs_pack_b(&P, K, N, Bm, N) == 0);
        rs_gemm_packed(M, A, K, &P, C, N, accumulate);
        rs_packed_b_free(&P);
    } else {
        rs_gemm(M, N, K, A, K, Bm, N, C, N, accumulate);
    }
    double worst = 0;
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++) {
            double want = accumulate ? (double)((i * N + j) % 5) : 0.0;
            for (size_t k = 0; k < K; k++)
                want += (double)A[i * K + k] * (double)Bm[k * N + j];
            worst = fmax(worst, fabs(C[i * N + j] - want) / fmax(1.0, fabs(want)));
        }
    free(A);
    free(Bm);
    free(C);
    return worst;
}

/* Packed in place, B's own memory serves the products: whole, and a view of its columns
 * [16, N); then it is put back bit for bit. Bands of 256 rows, square and not, a short last one. */
static void test_gemm_in_place(void)
{
    static const size_t shapes[][3] = {{1, 16, 1}, {5, 48, 300}, {32, 256, 256}, {13, 96, 520},
                                       {6, 4096, 40}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
        float *A = malloc(M * K * sizeof *A), *Bm = malloc(K * N * sizeof *Bm),
              *orig = malloc(K * N * sizeof *orig), *C = calloc(M * N, sizeof *C);
        for (size_t i = 0; i < M * K; i++)
            A[i] = (float)sin(0.7 * (double)i);
        for (size_t i = 0; i < K * N; i++)
            orig[i] = Bm[i] = (float)cos(0.3 * (double)i);
        rs_packed_b P, cols;
        int rc = rs_pack_b_in_place(&P, K, N, Bm);
        if (rc == 1) { /* a machine without AVX2: B stays as it is */
            CHECK(memcmp(Bm, orig, K * N * sizeof *Bm) == 0);
            printf("# in place not supported here\n");
        } else {
            CHECK(rc == 0);
            CHECK(memcmp(Bm, orig, K * N * sizeof *Bm) != 0 || K == 1);
            double worst = 0;
            for (int view = 0; view <= 1; view++) {
                size_t c0 = view ? 16 : 0, n = N - c0;
                cols = rs_packed_b_columns(&P, c0, n);
                rs_gemm_packed(M, A, K, &cols, C, n, false);
                for (size_t i = 0; i < M; i++)
                    for (size_t j = 0; j < n; j++) {
                        double want = 0;
                        for (size_t k = 0; k < K; k++)
                            want += (double)A[i * K + k] * (double)orig[k * N + c0 + j];
                        worst = fmax(worst, fabs(C[i * n + j] - want) / fmax(1.0, fabs(want)));
                    }
            }
            rs_unpack_b_in_place(&P);
            rs_packed_b_free(&P);
            printf("# %zux%zux%zu: worst relative error %g\n", M, N, K, worst);
            CHECK(worst < 1e-5);
            CHECK(memcmp(Bm, orig, K * N * sizeof *Bm) == 0);
        }
        free(A);
        free(Bm);
        free(orig);
        free(C);
    }
    /* columns that are not whole panels: refused, B untouched */
    float narrow[3 * 20] = {0};
    rs_packed_b P;
    CHECK(rs_pack_b_in_place(&P, 3, 20, narrow) == 1);
}

static void test_gemm_shapes(void)
{
    static const size_t rows[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 16, 17, 31, 32, 33, 97, 101};
    /* 50 columns: a last pair of panels that is partly used (the AVX-512 kernel takes two) */
    static const size_t cols_depth[][2] = {{37, 29}, {16, 1}, {300, 270}, {50, 40}};
    double worst = 0;
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++)
        for (size_t c = 0; c < sizeof cols_depth / sizeof cols_depth[0]; c++)
            for (int mode = 0; mode < 4; mode++)
                worst = fmax(worst, gemm_error(rows[r], cols_depth[c][0], cols_depth[c][1],
                                               mode & 1, mode & 2));
    printf("# worst relative error %g\n", worst);
    CHECK(worst < 1e-5);
}

typedef struct rnn_case {
    rs_tensor kernel, recurrent, bias, bias2;
} rnn_case;

static void free_case(rnn_case *c)
{
    rs_tensor_free(&c->kernel);
    rs_tensor_free(&c->recurrent);
    rs_tensor_free(&c->bias);
    rs_tensor_free(&c->bias2);
}

static rs_rnn_weights weights_of(const rnn_case *c, rs_cell cell, const char *ract, int major)
{
    rs_rnn_weights w = {.cell = cell, .input_dim = IN, .units = U,
                        .kernel = c->kernel.data, .recurrent = c->recurrent.data,
                        .bias = c->bias.data, .recurrent_bias = c->bias2.data};
    rs_activation_from_name("tanh", major, &w.act);
    rs_activation_from_name(ract, major, &w.ract);
    return w;
}

static void test_lstm(void)
{
    rnn_case c = {load_npy(K("lstm_kernel")), load_npy(K("lstm_recurrent")), load_npy(K("lstm_bias")), {0}};
    rs_tensor x = load_npy(K("x")), seq = load_npy(K("lstm_seq")), h = load_npy(K("lstm_h")),
              cc = load_npy(K("lstm_c"));
    rs_rnn_weights w = weights_of(&c, RS_CELL_LSTM, "sigmoid", 2);
    float out[B * T * U], hl[B * U], cl[B * U], gates[B * T * 4 * U], cells[B * T * U];
    rs_rnn_io io = {.batch = B, .steps = T, .x = x.data, .seq = out, .h_last = hl, .c_last = cl,
                    .gates = gates, .cells = cells};
    rs_error err;
    CHECK(rs_rnn_run(&w, &io, NULL, &err) == 0);
    CHECK_CLOSE(out, seq.data, B * T * U, TOL);
    CHECK_CLOSE(hl, h.data, B * U, TOL);
    CHECK_CLOSE(cl, cc.data, B * U, TOL);
    /* The last cell internal is the final cell state; the output gate at the last step times
     * tanh(c) is the last output. */
    int bad = 0;
    for (int b = 0; b < B; b++)
        for (int j = 0; j < U; j++) {
            float cT = cells[(b * T + T - 1) * U + j], o = gates[(b * T + T - 1) * 4 * U + 3 * U + j];
            bad += fabsf(cT - cc.data[b * U + j]) > 1e-5f;
            bad += fabsf(o * tanhf(cT) - h.data[b * U + j]) > 1e-5f;
        }
    CHECK(bad == 0);
    rs_tensor_free(&seq);
    rs_tensor_free(&h);
    rs_tensor_free(&cc);
    /* go_backwards: torch on the reversed input; Keras keeps the processing order */
    seq = load_npy(K("lstm_back_seq"));
    h = load_npy(K("lstm_back_h"));
    io.go_backwards = true;
    CHECK(rs_rnn_run(&w, &io, NULL, &err) == 0);
    CHECK_CLOSE(out, seq.data, B * T * U, TOL);
    CHECK_CLOSE(hl, h.data, B * U, TOL);
    rs_tensor_free(&seq);
    rs_tensor_free(&h);
    rs_tensor_free(&x);
    free_case(&c);
}

static void test_lstm_mask_hard_sigmoid(void)
{
    rnn_case c = {load_npy(K("lstm_kernel")), load_npy(K("lstm_recurrent")), load_npy(K("lstm_bias")), {0}};
    rs_tensor x = load_npy(K("x")), mask = load_npy(K("mask")), seq = load_npy(K("lstm_hard_masked_seq"));
    rs_rnn_weights w = weights_of(&c, RS_CELL_LSTM, "hard_sigmoid", 2);
    float out[B * T * U];
    rs_rnn_io io = {.batch = B, .steps = T, .x = x.data, .mask = mask.data, .seq = out};
    rs_error err;
    CHECK(rs_rnn_run(&w, &io, NULL, &err) == 0);
    CHECK_CLOSE(out, seq.data, B * T * U, TOL);
    rs_tensor_free(&x);
    rs_tensor_free(&mask);
    rs_tensor_free(&seq);
    free_case(&c);
}

static void test_gru_both_resets(void)
{
    rnn_case c = {load_npy(K("gru_kernel")), load_npy(K("gru_recurrent")), load_npy(K("gru_bias_in")),
                  load_npy(K("gru_bias_rec"))};
    rs_tensor x = load_npy(K("x")), seq = load_npy(K("gru_ra_seq")), h = load_npy(K("gru_ra_h"));
    rs_rnn_weights w = weights_of(&c, RS_CELL_GRU, "sigmoid", 3);
    w.reset_after = true;
    float out[B * T * U], hl[B * U];
    rs_rnn_io io = {.batch = B, .steps = T, .x = x.data, .seq = out, .h_last = hl};
    rs_error err;
    CHECK(rs_rnn_run(&w, &io, NULL, &err) == 0);
    CHECK_CLOSE(out, seq.data, B * T * U, TOL);
    CHECK_CLOSE(hl, h.data, B * U, TOL);
    rs_tensor_free(&seq);
    rs_tensor bb = load_npy(K("gru_rb_bias"));
    seq = load_npy(K("gru_rb_seq"));
    w.reset_after = false;
    w.bias = bb.data;
    w.recurrent_bias = NULL;
    CHECK(rs_rnn_run(&w, &io, NULL, &err) == 0);
    CHECK_CLOSE(out, seq.data, B * T * U, TOL);
    rs_tensor_free(&bb);
    rs_tensor_free(&seq);
    rs_tensor_free(&h);
    rs_tensor_free(&x);
    free_case(&c);
}

static void test_simple_rnn(void)
{
    rnn_case c = {load_npy(K("rnn_kernel")), load_npy(K("rnn_recurrent")), load_npy(K("rnn_bias")), {0}};
    rs_tensor x = load_npy(K("x")), seq = load_npy(K("rnn_seq"));
    rs_rnn_weights w = weights_of(&c, RS_CELL_SIMPLE, "sigmoid", 2);
    float out[B * T * U];
    rs_rnn_io io = {.batch = B, .steps = T, .x = x.data, .seq = out};
    rs_error err;
    CHECK(rs_rnn_run(&w, &io, NULL, &err) == 0);
    CHECK_CLOSE(out, seq.data, B * T * U, TOL);
    rs_tensor_free(&x);
    rs_tensor_free(&seq);
    free_case(&c);
}

static bool cancel_at_half(void *user, double fraction)
{
    int *calls = user;
    (*calls)++;
    return fraction < 0.5;
}

static void test_rnn_cancel(void)
{
    enum { LT = 1000 };
    float *x = calloc(LT * IN, sizeof *x), *out = calloc(LT * U, sizeof *out);
    float k[IN * U] = {0}, r[U * U] = {0};
    rs_rnn_weights w = {.cell = RS_CELL_SIMPLE, .input_dim = IN, .units = U, .kernel = k, .recurrent = r};
    rs_activation_from_name("tanh", 2, &w.act);
    int calls = 0;
    rs_progress p = {cancel_at_half, &calls};
    rs_rnn_io io = {.batch = 1, .steps = LT, .x = x, .seq = out};
    rs_error err;
    CHECK(rs_rnn_run(&w, &io, &p, &err) < 0);
    CHECK_STR(err.msg, "cancelled");
    CHECK(calls > 1);
    free(x);
    free(out);
}

typedef struct ssa_case {
    const char *v, *a;
    long long width;
    bool history_only, use_mask;
    const char *activation;
} ssa_case;

static void test_seq_self_attention(void)
{
    rs_tensor x = load_npy(K("x")), mask = load_npy(K("mask"));
    rs_tensor Wt = load_npy(K("ssa_Wt")), Wx = load_npy(K("ssa_Wx")), bh = load_npy(K("ssa_bh")),
              Wa = load_npy(K("ssa_Wa")), ba = load_npy(K("ssa_ba")), Wm = load_npy(K("ssa_Wm"));
    static const ssa_case cases[] = {
        {K("ssa_add_v"), K("ssa_add_a"), 0, false, false, "linear"},
        {K("ssa_w3_v"), K("ssa_w3_a"), 3, false, false, "linear"},
        {K("ssa_h4_v"), K("ssa_h4_a"), 4, true, false, "sigmoid"},
        {K("ssa_hinf_v"), K("ssa_hinf_a"), 1000000000LL, true, false, "softmax"},
        {K("ssa_mask_v"), K("ssa_mask_a"), 0, false, true, "linear"},
    };
    float v[T * IN], a[T * T], scratch[2 * T * 8];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rs_self_attention s = {.dim = IN, .units = 4, .Wt = Wt.data, .Wx = Wx.data, .bh = bh.data,
                               .Wa = Wa.data, .ba = ba.data, .width = cases[i].width,
                               .history_only = cases[i].history_only};
        rs_activation_from_name(cases[i].activation, 2, &s.activation);
        rs_tensor wv = load_npy(cases[i].v), wa = load_npy(cases[i].a);
        rs_self_attention_run(&s, T, x.data, cases[i].use_mask ? mask.data : NULL, v, a, scratch);
        printf("# %s\n", cases[i].v);
        CHECK_CLOSE(a, wa.data, T * T, TOL);
        CHECK_CLOSE(v, wv.data, T * IN, TOL);
        rs_tensor_free(&wv);
        rs_tensor_free(&wa);
    }
    rs_self_attention m = {.multiplicative = true, .dim = IN, .Wa = Wm.data, .ba = ba.data};
    rs_activation_from_name("linear", 2, &m.activation);
    rs_tensor wv = load_npy(K("ssa_mul_v")), wa = load_npy(K("ssa_mul_a"));
    CHECK(rs_self_attention_scratch(&m, T) <= sizeof scratch / sizeof scratch[0]);
    rs_self_attention_run(&m, T, x.data, NULL, v, a, scratch);
    CHECK_CLOSE(a, wa.data, T * T, TOL);
    CHECK_CLOSE(v, wv.data, T * IN, TOL);
    rs_tensor_free(&wv);
    rs_tensor_free(&wa);
    rs_tensor *all[] = {&x, &mask, &Wt, &Wx, &bh, &Wa, &ba, &Wm};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        rs_tensor_free(all[i]);
}

static void test_seq_weighted_attention(void)
{
    rs_tensor x = load_npy(K("x")), mask = load_npy(K("mask")), W = load_npy(K("swa_W")),
              b = load_npy(K("swa_b")), alpha = load_npy(K("swa_alpha")), out = load_npy(K("swa_out"));
    float o[IN], al[T];
    rs_weighted_attention_run(IN, W.data, b.data, T, x.data, mask.data, o, al);
    CHECK_CLOSE(al, alpha.data, T, TOL);
    CHECK_CLOSE(o, out.data, IN, TOL);
    rs_tensor *all[] = {&x, &mask, &W, &b, &alpha, &out};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        rs_tensor_free(all[i]);
}

int main(void)
{
    run_test("Keras activations equal PyTorch's", test_activations);
    run_test("hard_sigmoid follows the Keras major version", test_hard_sigmoid_by_version);
    run_test("relu with alpha, max_value and threshold", test_relu_options);
    run_test("gemm on a worked example", test_gemm);
    run_test("gemm: row counts, tails, packed B, accumulate", test_gemm_shapes);
    run_test("gemm: B packed in its own memory, views of its columns, put back", test_gemm_in_place);
    run_test("LSTM equals torch.nn.LSTM, forwards and go_backwards", test_lstm);
    run_test("LSTM with hard_sigmoid and a mask carries state over masked steps",
             test_lstm_mask_hard_sigmoid);
    run_test("GRU reset_after (torch.nn.GRU) and reset_before (NumPy)", test_gru_both_resets);
    run_test("SimpleRNN equals torch.nn.RNN", test_simple_rnn);
    run_test("a long recurrence reports progress and can be cancelled", test_rnn_cancel);
    run_test("SeqSelfAttention: additive, windows, history_only, activations, mask, multiplicative",
             test_seq_self_attention);
    run_test("SeqWeightedAttention with a mask", test_seq_weighted_attention);
    /* the same on each path forced: what machines without AVX2, or without AVX-512, run */
    run_on_every_path("gemm on a worked example", test_gemm);
    run_on_every_path("gemm row counts, tails, packed B, accumulate", test_gemm_shapes);
    run_on_every_path("packing in place (none on the portable path)", test_gemm_in_place);
    run_on_every_path("LSTM equals torch.nn.LSTM", test_lstm);
    run_on_every_path("LSTM, hard_sigmoid, mask", test_lstm_mask_hard_sigmoid);
    run_on_every_path("GRU both resets", test_gru_both_resets);
    run_on_every_path("SimpleRNN", test_simple_rnn);
    run_on_every_path("SeqSelfAttention", test_seq_self_attention);
    return check_finish();
}

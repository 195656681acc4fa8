/* Conv1D, pooling and normalization against PyTorch (tests/data/make_kernel_refs.py). */
#include <stdio.h>

#include "check.h"
#include "rnnscope/ops.h"

#define TOL 1e-5

static void test_window_geometry(void)
{
    size_t out, left;
    rs_window_geometry(11, 3, 1, 1, RS_PAD_VALID, &out, &left);
    CHECK(out == 9 && left == 0);
    rs_window_geometry(11, 4, 2, 1, RS_PAD_SAME, &out, &left); /* out 6, need 5*2+4 = 14: 3 pads, 1 left */
    CHECK(out == 6 && left == 1);
    rs_window_geometry(11, 5, 1, 1, RS_PAD_SAME, &out, &left);
    CHECK(out == 11 && left == 2);
    rs_window_geometry(11, 3, 1, 2, RS_PAD_CAUSAL, &out, &left);
    CHECK(out == 11 && left == 4);
    rs_window_geometry(2, 5, 1, 1, RS_PAD_VALID, &out, &left);
    CHECK(out == 0);
}

static void test_conv1d(void)
{
    static const struct { rs_padding pad; size_t k, s, d, g; } cases[] = {
        {RS_PAD_VALID, 3, 1, 1, 1}, {RS_PAD_SAME, 3, 1, 1, 1}, {RS_PAD_CAUSAL, 3, 1, 2, 1},
        {RS_PAD_SAME, 4, 2, 1, 2},  {RS_PAD_VALID, 2, 3, 2, 2}, {RS_PAD_SAME, 5, 3, 1, 1}};
    rs_tensor x = load_npy("tests/data/kernels/conv_x.npy");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char a[64], b[64], c[64];
        snprintf(a, sizeof a, "tests/data/kernels/conv%zu_kernel.npy", i);
        snprintf(b, sizeof b, "tests/data/kernels/conv%zu_bias.npy", i);
        snprintf(c, sizeof c, "tests/data/kernels/conv%zu_y.npy", i);
        rs_tensor k = load_npy(a), bias = load_npy(b), want = load_npy(c);
        rs_conv1d conv = {.kernel_size = cases[i].k, .in_channels = 4, .filters = 6,
                          .stride = cases[i].s, .dilation = cases[i].d, .groups = cases[i].g,
                          .padding = cases[i].pad, .kernel = k.data, .bias = bias.data};
        size_t out, left;
        rs_window_geometry(11, conv.kernel_size, conv.stride, conv.dilation, conv.padding, &out, &left);
        CHECK(want.rank == 2 && out == want.shape[0]);
        float y[11 * 6];
        rs_conv1d_run(&conv, 11, x.data, y);
        printf("# case %zu\n", i);
        CHECK_CLOSE(y, want.data, out * 6, TOL);
        rs_tensor_free(&k);
        rs_tensor_free(&bias);
        rs_tensor_free(&want);
    }
    rs_tensor_free(&x);
}

static void test_pooling(void)
{
    static const struct { rs_padding pad; size_t p, s; } cases[] = {
        {RS_PAD_VALID, 2, 2}, {RS_PAD_SAME, 3, 2}, {RS_PAD_SAME, 2, 1}, {RS_PAD_VALID, 3, 1}};
    rs_tensor x = load_npy("tests/data/kernels/conv_x.npy");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char a[64], b[64];
        snprintf(a, sizeof a, "tests/data/kernels/pool%zu_max.npy", i);
        snprintf(b, sizeof b, "tests/data/kernels/pool%zu_avg.npy", i);
        rs_tensor mx = load_npy(a), av = load_npy(b);
        float y[11 * 4];
        size_t n = mx.shape[0] * 4;
        rs_pool1d_run(false, cases[i].p, cases[i].s, cases[i].pad, 11, 4, x.data, y);
        CHECK_CLOSE(y, mx.data, n, TOL);
        rs_pool1d_run(true, cases[i].p, cases[i].s, cases[i].pad, 11, 4, x.data, y);
        CHECK_CLOSE(y, av.data, n, TOL);
        rs_tensor_free(&mx);
        rs_tensor_free(&av);
    }
    rs_tensor_free(&x);
}

static void test_normalization(void)
{
    rs_tensor x = load_npy("tests/data/kernels/conv_x.npy"), g = load_npy("tests/data/kernels/bn_gamma.npy"),
              b = load_npy("tests/data/kernels/bn_beta.npy"), m = load_npy("tests/data/kernels/bn_mean.npy"),
              v = load_npy("tests/data/kernels/bn_var.npy"), bn = load_npy("tests/data/kernels/bn_y.npy"),
              ln = load_npy("tests/data/kernels/ln_y.npy");
    float y[44];
    rs_batch_norm_run(11, 4, x.data, g.data, b.data, m.data, v.data, 1e-3f, y);
    CHECK_CLOSE(y, bn.data, 44, TOL);
    rs_layer_norm_run(11, 4, x.data, g.data, b.data, 1e-3f, y);
    CHECK_CLOSE(y, ln.data, 44, TOL);
    rs_tensor *all[] = {&x, &g, &b, &m, &v, &bn, &ln};
    for (size_t i = 0; i < 7; i++)
        rs_tensor_free(all[i]);
}

int main(void)
{
    run_test("window geometry follows TensorFlow's padding rules", test_window_geometry);
    run_test("Conv1D: valid, same, causal, strides, dilation, groups", test_conv1d);
    run_test("max and average pooling, valid and same", test_pooling);
    run_test("batch and layer normalization", test_normalization);
    return check_finish();
}

/* Tensors: allocation, shape arithmetic checked for overflow, reshape, formatting. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "rnnscope/aligned.h"
#include "rnnscope/tensor.h"

static void test_alloc_zeroed(void)
{
    rs_tensor t;
    rs_error err = {0};
    CHECK(rs_tensor_alloc_dims(&t, &err, 3, (size_t)2, (size_t)3, (size_t)4) == 0);
    CHECK(t.rank == 3 && t.size == 24);
    int nonzero = 0;
    for (size_t i = 0; i < t.size; i++)
        nonzero += t.data[i] != 0.0f;
    CHECK(nonzero == 0);
    rs_tensor_free(&t);
    CHECK(t.data == NULL && t.size == 0);
}

static void test_rank_zero_and_empty(void)
{
    rs_tensor t;
    rs_error err = {0};
    CHECK(rs_tensor_alloc(&t, 0, NULL, &err) == 0);
    CHECK(t.size == 1 && t.data != NULL);
    rs_tensor_free(&t);
    CHECK(rs_tensor_alloc_dims(&t, &err, 2, (size_t)0, (size_t)5) == 0);
    CHECK(t.size == 0 && t.data != NULL); /* a real pointer: offsets by 0 into it are defined */
    rs_tensor_free(&t);
}

static void test_overflow_refused(void)
{
    rs_tensor t;
    rs_error err = {0};
    size_t big[3] = {SIZE_MAX / 2, 3, 1};
    CHECK(rs_tensor_alloc(&t, 3, big, &err) < 0);
    CHECK_CONTAINS(err.msg, "too large");
    CHECK(t.data == NULL);
    size_t huge[2] = {(size_t)1 << 30, (size_t)1 << 30};
    CHECK(rs_tensor_alloc(&t, 2, huge, &err) < 0); /* 2^60 > RS_MAX_ELEMS */
    CHECK(rs_tensor_alloc_dims(&t, &err, 7) < 0);
    CHECK_CONTAINS(err.msg, "rank 7");
}

static void test_reshape(void)
{
    rs_tensor t;
    rs_error err = {0};
    CHECK(rs_tensor_alloc_dims(&t, &err, 2, (size_t)6, (size_t)4) == 0);
    size_t ok[3] = {2, 3, 4}, bad[2] = {5, 5};
    CHECK(rs_tensor_reshape(&t, 3, ok, &err) == 0);
    CHECK(t.rank == 3 && t.shape[2] == 4);
    CHECK(rs_tensor_reshape(&t, 2, bad, &err) < 0);
    CHECK_STR(err.msg, "cannot reshape (2, 3, 4) into (5, 5)");
    rs_tensor_free(&t);
}

static void test_copy_and_move(void)
{
    rs_tensor a, b, c = {0};
    rs_error err = {0};
    CHECK(rs_tensor_alloc_dims(&a, &err, 1, (size_t)3) == 0);
    a.data[1] = 7.0f;
    CHECK(rs_tensor_copy(&b, &a, &err) == 0);
    CHECK(b.data != a.data && b.data[1] == 7.0f && rs_shape_equal(&a, &b));
    rs_tensor_move(&c, &b);
    CHECK(b.data == NULL && c.data[1] == 7.0f);
    rs_tensor_free(&a);
    rs_tensor_free(&c);
}

static void test_shape_format(void)
{
    char buf[64];
    size_t s1[1] = {5}, s3[3] = {2, 240, 4};
    CHECK_STR(rs_shape_format(1, s1, buf, sizeof buf), "(5,)");
    CHECK_STR(rs_shape_format(3, s3, buf, sizeof buf), "(2, 240, 4)");
    CHECK_STR(rs_shape_format(0, NULL, buf, sizeof buf), "()");
    char tiny[4];
    rs_shape_format(3, s3, tiny, sizeof tiny); /* must not overflow */
    CHECK(strlen(tiny) < sizeof tiny);
}

static void test_permute(void)
{
    rs_error err = {0};
    rs_tensor a = {0}, b = {0};
    CHECK(rs_tensor_alloc_dims(&a, &err, 3, (size_t)2, (size_t)3, (size_t)4) == 0);
    for (size_t i = 0; i < a.size; i++)
        a.data[i] = (float)i;
    int perm[3] = {2, 0, 1};
    CHECK(rs_tensor_permute(&b, &a, perm, &err) == 0);
    CHECK(b.rank == 3 && b.shape[0] == 4 && b.shape[1] == 2 && b.shape[2] == 3);
    int bad = 0; /* b[k][i][j] == a[i][j][k] */
    for (size_t k = 0; k < 4; k++)
        for (size_t i = 0; i < 2; i++)
            for (size_t j = 0; j < 3; j++)
                bad += b.data[(k * 2 + i) * 3 + j] != a.data[(i * 3 + j) * 4 + k];
    CHECK(bad == 0);
    rs_tensor_free(&b);
    int twice[3] = {0, 0, 1};
    CHECK(rs_tensor_permute(&b, &a, twice, &err) < 0);
    CHECK(strstr(err.msg, "permutation") != NULL);
    CHECK(b.data == NULL);
    rs_tensor_free(&a);
}

static void test_broadcast_walk(void)
{
    rs_error err = {0};
    rs_tensor m = {0};
    CHECK(rs_tensor_alloc_dims(&m, &err, 2, (size_t)3, (size_t)1) == 0);
    for (size_t i = 0; i < 3; i++)
        m.data[i] = (float)(i + 1);
    size_t shape[3] = {2, 3, 4}, stride[3];
    CHECK(rs_broadcast_strides(&m, 3, shape, stride) == 0);
    CHECK(stride[0] == 0 && stride[1] == 1 && stride[2] == 0);
    /* reading m broadcast to (2, 3, 4): element [b][t][c] is m[t] = t + 1 */
    rs_walk w;
    rs_walk_init(&w, 3, shape, stride);
    int bad = 0;
    for (size_t b = 0; b < 2; b++)
        for (size_t t = 0; t < 3; t++)
            for (size_t c = 0; c < 4; c++, rs_walk_next(&w))
                bad += m.data[w.at] != (float)(t + 1);
    CHECK(bad == 0);
    CHECK(w.at == 0); /* wrapped around after the last element */
    size_t other[2] = {3, 2};
    CHECK(rs_broadcast_strides(&m, 2, other, stride) == 0); /* same rank, 1 repeats */
    CHECK(stride[0] == 1 && stride[1] == 0);
    size_t wrong[2] = {4, 2};
    CHECK(rs_broadcast_strides(&m, 2, wrong, stride) < 0);
    size_t low[1] = {3};
    CHECK(rs_broadcast_strides(&m, 1, low, stride) < 0); /* more axes than the target */
    rs_tensor_free(&m);
}

/* The vector kernels read whole cache lines: every tensor starts on one, small or large (malloc
 * puts large blocks 16 bytes into a page, which halved the batch-1 recurrent product). */
static void test_alloc_aligned(void)
{
    static const size_t counts[] = {1, 3, 17, 1000, 262144, 1u << 22};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        rs_tensor t;
        rs_error err;
        CHECK(rs_tensor_alloc_dims(&t, &err, 1, counts[i]) == 0);
        CHECK((uintptr_t)t.data % RS_CACHE_LINE == 0);
        CHECK(t.data[0] == 0.0f && t.data[counts[i] - 1] == 0.0f);
        t.data[counts[i] - 1] = 1.0f; /* the whole block is ours (ASan checks) */
        rs_tensor_free(&t);
    }
    unsigned char *p = rs_calloc_aligned(SIZE_MAX / 2, 4);
    CHECK(p == NULL); /* overflow refused */
    rs_free_aligned(NULL);
}

static void test_error_prefix(void)
{
    rs_error err;
    CHECK(rs_fail(&err, "model.h5", "layer %s is odd", "lstm") == -1);
    CHECK_STR(err.msg, "model.h5: layer lstm is odd");
    rs_error_prefix(&err, "outer");
    CHECK_STR(err.msg, "outer: model.h5: layer lstm is odd");
    CHECK(rs_fail(NULL, "x", "y") == -1);
}

int main(void)
{
    run_test("alloc gives zeroed memory and free empties", test_alloc_zeroed);
    run_test("rank 0 and empty tensors", test_rank_zero_and_empty);
    run_test("overflowing shapes are refused", test_overflow_refused);
    run_test("reshape keeps count, refuses mismatch", test_reshape);
    run_test("copy and move", test_copy_and_move);
    run_test("shape formatting like NumPy", test_shape_format);
    run_test("error messages name where", test_error_prefix);
    run_test("tensors start on a cache line", test_alloc_aligned);
    run_test("permute reorders axes, refuses non-permutations", test_permute);
    run_test("broadcast strides and the strided walk", test_broadcast_walk);
    return check_finish();
}

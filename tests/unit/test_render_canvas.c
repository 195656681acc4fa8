/* The canvas: cells, UTF-8 text, clipping, plain and ANSI output; matrix views; stats. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "render_util.h"

static void test_blank_and_print(void)
{
    rs_canvas c = blank(5, 2);
    CHECK(rs_canvas_print(&c, 1, 0, "ab", -1, RS_COLOR_DEFAULT, RS_COLOR_DEFAULT) == 2);
    CHECK_STR(text_and_free(&c), " ab\n\n");
}

static void test_clipping(void)
{
    rs_canvas c = blank(5, 1);
    CHECK(rs_canvas_print(&c, 3, 0, "hello", -1, RS_COLOR_DEFAULT, RS_COLOR_DEFAULT) == 5);
    rs_canvas_print(&c, -2, 5, "outside", -1, RS_COLOR_DEFAULT, RS_COLOR_DEFAULT);
    rs_canvas_set(&c, 9, 0, 'x', RS_COLOR_DEFAULT, RS_COLOR_DEFAULT);
    CHECK(rs_canvas_at(&c, 5, 0) == NULL && rs_canvas_at(&c, -1, 0) == NULL);
    CHECK_STR(text_and_free(&c), "   he\n");
    c = blank(6, 1);
    CHECK(rs_canvas_print(&c, 0, 0, "abcdef", 3, RS_COLOR_DEFAULT, RS_COLOR_DEFAULT) == 3);
    CHECK_STR(text_and_free(&c), "abc\n");
}

static void test_utf8(void)
{
    rs_canvas c = blank(4, 1);
    CHECK(rs_utf8_width("é▀x") == 3);
    rs_canvas_print(&c, 0, 0, "é▀x", -1, RS_COLOR_DEFAULT, RS_COLOR_DEFAULT);
    CHECK(rs_canvas_cell(&c, 0, 0)->ch == 0xe9 && rs_canvas_cell(&c, 1, 0)->ch == 0x2580);
    CHECK_STR(text_and_free(&c), "é▀x\n");
    char u[5];
    CHECK(rs_utf8_encode(0x2800, u) == 3 && strcmp(u, "\xe2\xa0\x80") == 0);
    CHECK(rs_utf8_encode(0x1f600, u) == 4 && strcmp(u, "\xf0\x9f\x98\x80") == 0);
    /* a stray continuation byte is one replacement character, not a crash */
    CHECK(rs_utf8_width("a\x80z") == 3);
}

static void test_sizes(void)
{
    rs_canvas c;
    rs_error err = {0};
    CHECK(rs_canvas_init(&c, 0, 0, &err) == 0);
    CHECK_STR(text_and_free(&c), "");
    CHECK(rs_canvas_init(&c, -1, 3, &err) == -1);
    CHECK_CONTAINS(err.msg, "canvas");
    CHECK(rs_canvas_init(&c, 5000, 1, &err) == -1);
}

static void test_ansi(void)
{
    rs_canvas c = blank(3, 1);
    rs_canvas_set(&c, 0, 0, 'X', 196, RS_COLOR_DEFAULT);
    char *s = rs_canvas_ansi(&c, RS_DEPTH_256);
    CHECK_STR(s, "\033[0;38;5;196mX\033[0m\n");
    free(s);
    rs_canvas_set(&c, 1, 0, 0x2580, 1, 4);
    s = rs_canvas_ansi(&c, RS_DEPTH_8);
    /* in 8 colours an index is taken modulo 8: 196 -> 4 (blue) */
    CHECK_STR(s, "\033[0;34mX\033[0;31;44m▀\033[0m\n");
    free(s);
    rs_canvas_set(&c, 0, 0, 'X', 3, RS_COLOR_DEFAULT);
    s = rs_canvas_ansi(&c, RS_DEPTH_8);
    CHECK_STR(s, "\033[0;33mX\033[0;31;44m▀\033[0m\n");
    free(s);
    /* a coloured background space at the end of a row is kept in colour, trimmed in text */
    rs_canvas_set(&c, 2, 0, ' ', RS_COLOR_DEFAULT, 21);
    s = rs_canvas_ansi(&c, RS_DEPTH_256);
    CHECK_STR(s, "\033[0;33mX\033[0;31;44m▀\033[0;48;5;21m \033[0m\n");
    free(s);
    s = rs_canvas_ansi(&c, RS_DEPTH_NONE);
    CHECK_STR(s, "X▀\n");
    free(s);
    CHECK_STR(text_and_free(&c), "X▀\n");
}

static void test_matrix_views(void)
{
    float d[6] = {0, 1, 2, 3, 4, 5}; /* 2 x 3 */
    rs_matrix m = rs_matrix_make(d, 2, 3);
    CHECK(rs_matrix_at(&m, 1, 2) == 5);
    rs_matrix t = rs_matrix_transpose(m);
    CHECK(t.rows == 3 && t.cols == 2 && rs_matrix_at(&t, 2, 1) == 5 && rs_matrix_at(&t, 1, 0) == 1);
    rs_matrix w = rs_matrix_window(m, 1, 5, 1, 1);
    CHECK(w.rows == 1 && w.cols == 1 && rs_matrix_at(&w, 0, 0) == 4);
    rs_tensor x;
    rs_error err = {0};
    CHECK(rs_tensor_alloc_dims(&x, &err, 3, (size_t)2, (size_t)2, (size_t)3) == 0);
    for (size_t i = 0; i < 12; i++)
        x.data[i] = (float)i;
    CHECK(rs_matrix_from_tensor(&x, 1, "x.npy", &m, &err) == 0);
    CHECK(m.rows == 2 && m.cols == 3 && rs_matrix_at(&m, 0, 0) == 6);
    CHECK(rs_matrix_from_tensor(&x, 2, "x.npy", &m, &err) == -1);
    CHECK_CONTAINS(err.msg, "x.npy: sample 2");
    rs_tensor_free(&x);
    CHECK(rs_tensor_alloc_dims(&x, &err, 4, (size_t)1, (size_t)1, (size_t)1, (size_t)1) == 0);
    CHECK(rs_matrix_from_tensor(&x, 0, "y.npy", &m, &err) == -1);
    CHECK_CONTAINS(err.msg, "rank 1, 2 or 3");
    rs_tensor_free(&x);
}

static void test_stats(void)
{
    float d[7] = {1, 2, 3, 4, NAN, INFINITY, -INFINITY};
    rs_matrix m = rs_matrix_make(d, 7, 1);
    rs_stats s;
    rs_stats_matrix(&m, &s);
    CHECK(s.count == 7 && s.finite == 4 && s.nan == 1 && s.posinf == 1 && s.neginf == 1);
    CHECK_NEAR(s.min, 1, 0);
    CHECK_NEAR(s.max, 4, 0);
    CHECK_NEAR(s.mean, 2.5, 1e-12);
    CHECK_NEAR(s.std, sqrt(1.25), 1e-12); /* population std, as numpy's default */
    char buf[256];
    size_t shape[1] = {7};
    CHECK_STR(rs_stats_format(&s, 1, shape, buf, sizeof buf),
              "shape (7,)  min 1  max 4  mean 2.5  std 1.118  NaN 1  Inf 2");
    rs_matrix empty = rs_matrix_make(NULL, 0, 3);
    rs_stats_matrix(&empty, &s);
    CHECK(s.count == 0 && isnan(s.min));
    size_t shape2[2] = {0, 3};
    CHECK_STR(rs_stats_format(&s, 2, shape2, buf, sizeof buf),
              "shape (0, 3)  no finite values  NaN 0  Inf 0");
}

static void test_format_number(void)
{
    char b[32];
    CHECK_STR(rs_format_number(0.0032441, 8, b, sizeof b), "0.003244");
    CHECK_STR(rs_format_number(0.0032441, 6, b, sizeof b), "0.0032");
    CHECK_STR(rs_format_number(-0.0, 8, b, sizeof b), "0");
    CHECK_STR(rs_format_number(123456, 8, b, sizeof b), "1.23e+05");
    CHECK_STR(rs_format_number(2.5, 8, b, sizeof b), "2.5");
}

int main(void)
{
    run_test("blank canvas and print", test_blank_and_print);
    run_test("clipping to the canvas and to max_cols", test_clipping);
    run_test("UTF-8 glyphs: one code point per cell", test_utf8);
    run_test("0x0 canvas; bad sizes are errors", test_sizes);
    run_test("ANSI output for 256 and 8 colours", test_ansi);
    run_test("matrix views: transpose, window, tensor slices", test_matrix_views);
    run_test("stats: min max mean std, NaN and Inf apart", test_stats);
    run_test("numbers fitted to a width", test_format_number);
    return check_finish();
}

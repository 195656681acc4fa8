/* Bars: zero on a cell boundary with round(h * vmax / (vmax - vmin)) rows above it; a bar of
 * round(|v| / |vend| * 8 * rows) eighths, lower blocks going up, upper blocks (1/8, 1/2, full)
 * going down; more elements than columns: the largest magnitude per column. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "render_util.h"

static const char *bars(const float *d, size_t n, int w, int h, rs_style st)
{
    rs_canvas c = blank(w, h);
    rs_matrix m = rs_matrix_make(d, n, 1);
    rs_bars_opts o = {st};
    rs_error err = {0};
    CHECK(rs_bars_draw(&c, rs_canvas_rect(&c), &m, &o, &err) == 0);
    return text_and_free(&c);
}

static void test_signed(void)
{
    float d[2] = {1, -1};
    CHECK_STR(bars(d, 2, 2, 2, UNI), "█\n █\n");
    /* 0.25 of 8 eighths = 2 (▂); -0.5 = 4 eighths down, drawn as the upper half */
    float e[4] = {1, 0.25f, -1, -0.5f};
    CHECK_STR(bars(e, 4, 4, 2, UNI), "█▂\n  █▀\n");
    CHECK_STR(bars(e, 4, 4, 2, ASC), "#_\n  ##\n");
}

static void test_one_sided(void)
{
    float neg[2] = {-2, -1}; /* no positive rows: both rows below zero */
    CHECK_STR(bars(neg, 2, 2, 2, UNI), "██\n█\n");
    float zero[3] = {0, 0, 0};
    CHECK_STR(bars(zero, 3, 3, 2, UNI), "\n\n");
    float nan[2] = {NAN, 1};
    CHECK_STR(bars(nan, 2, 2, 2, UNI), " █\n?█\n");
    CHECK_STR(bars(NULL, 0, 12, 2, UNI), "(no data)\n\n");
    float one = 3;
    CHECK_STR(bars(&one, 1, 1, 1, UNI), "█\n");
}

static void test_widths(void)
{
    float d[2] = {1, -1}; /* 4 columns per bar, the last one a gap */
    CHECK_STR(bars(d, 2, 8, 2, UNI), "███\n    ███\n");
    /* 4 elements in 2 columns: -3 (|-3| > 1) and 2; zero at round(2 * 2/5) = 1 row */
    float e[4] = {1, -3, 2, 0.5f};
    CHECK_STR(bars(e, 4, 2, 2, UNI), " █\n█\n");
}

/* 10x4: value axis " 1", " 0", "-1" (gutter 3), 3 plot rows with 2 above zero; bars 3 wide
 * with a gap; index labels 0 and 1 under the bars. */
static void test_axes(void)
{
    float d[2] = {1, -1};
    CHECK_STR(bars(d, 2, 10, 4, UNI), " 1┤██\n"
                                      " 0┤██\n"
                                      "-1┤   ██\n"
                                      "   0   1\n");
}

static void test_million(void)
{
    size_t n = 1000000;
    float *d = malloc(n * sizeof *d);
    for (size_t i = 0; i < n; i++)
        d[i] = i < n / 2 ? 1.0f : -1.0f;
    CHECK_STR(bars(d, n, 4, 2, UNI), "██\n  ██\n");
    free(d);
}

int main(void)
{
    run_test("bars: signed, partial cells, ASCII", test_signed);
    run_test("bars: negative only, zero, NaN, empty, one", test_one_sided);
    run_test("bars: wide bars with gaps, downsampling", test_widths);
    run_test("bars: value axis and index labels", test_axes);
    run_test("bars: 10^6 elements", test_million);
    return check_finish();
}

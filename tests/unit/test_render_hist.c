/* Histogram: bins over the finite range (bin i of n covers [lo + i*w, lo + (i+1)*w), the last
 * one closed), NaN/Inf counted apart, bars of round(count / max * 8 * rows) eighths. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "render_util.h"

static const char *hist(const float *d, size_t n, int w, int h, rs_style st, bool axes)
{
    rs_canvas c = blank(w, h);
    rs_matrix m = rs_matrix_make(d, n, 1);
    rs_hist_opts o;
    rs_hist_defaults(&o);
    o.style = st;
    o.axes = axes;
    rs_error err = {0};
    CHECK(rs_hist_draw(&c, rs_canvas_rect(&c), &m, &o, &err) == 0);
    return text_and_free(&c);
}

static void test_counts(void)
{
    float d[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    rs_matrix m = rs_matrix_make(d, 10, 1);
    rs_hist h;
    rs_error err = {0};
    CHECK(rs_hist_compute(&h, &m, 5, &err) == 0);
    /* v/9*5: 0 0.56 | 1.1 1.7 | 2.2 2.8 | 3.3 3.9 | 4.4 5 (the maximum goes in the last bin) */
    CHECK(h.lo == 0 && h.hi == 9);
    for (int i = 0; i < 5; i++)
        CHECK(h.counts[i] == 2);
    rs_hist_free(&h);
}

static void test_nonfinite_and_constant(void)
{
    float d[5] = {1, NAN, INFINITY, -INFINITY, 1};
    rs_matrix m = rs_matrix_make(d, 5, 1);
    rs_hist h;
    rs_error err = {0};
    CHECK(rs_hist_compute(&h, &m, 3, &err) == 0);
    /* constant 1 spans [0.5, 1.5]; 1 is at 1.5 of 3 bins -> bin 1 */
    CHECK(h.lo == 0.5 && h.hi == 1.5);
    CHECK(h.counts[0] == 0 && h.counts[1] == 2 && h.counts[2] == 0);
    CHECK(h.nan == 1 && h.posinf == 1 && h.neginf == 1 && h.finite == 2);
    rs_hist_free(&h);
    CHECK(rs_hist_compute(&h, &m, 0, &err) == 0 && h.counts == NULL);
    const char *s = hist(d, 5, 40, 5, UNI, true);
    CHECK(strstr(s, "n=2  NaN=1  +Inf=1  -Inf=1\n") != NULL);
}

/* [0,0,0,1] in 2 bins: counts 3 and 1 -> 8 and round(8/3) = 3 eighths. */
static void test_bars(void)
{
    float d[4] = {0, 0, 0, 1};
    CHECK_STR(hist(d, 4, 2, 1, UNI, false), "█▃\n");
    CHECK_STR(hist(d, 4, 2, 1, ASC, false), "#.\n");
}

/* With axes in 12x5: the count gutter is sized for "4" (all values in one bin), so the bins
 * are 10 columns: 0 -> bin 0 (3 values, 3 rows), 1 -> bin 9 (1 value = 8 of 24 eighths). */
static void test_axes(void)
{
    float d[4] = {0, 0, 0, 1};
    CHECK_STR(hist(d, 4, 12, 5, UNI, true), "3┤█\n"
                                            " │█\n"
                                            "0┤█        █\n"
                                            "  0        1\n"
                                            "n=4  NaN=0\n");
    CHECK_STR(hist(d, 4, 12, 5, ASC, true), "3+#\n"
                                            " |#\n"
                                            "0+#        #\n"
                                            "  0        1\n"
                                            "n=4  NaN=0\n");
}

static void test_edge_cases(void)
{
    /* no values: no bars, the default range [-0.5, 0.5], zero counts */
    CHECK_STR(hist(NULL, 0, 30, 5, UNI, true), "0┤\n"
                                               " │\n"
                                               "0┤\n"
                                               "  -0.5                     0.5\n"
                                               "n=0  NaN=0  +Inf=0  -Inf=0\n");
    float neg[3] = {-3, -2, -1}; /* 3 bins: -3 -> 0, -2 -> 1.5 -> 1, -1 -> 3 -> 2 */
    CHECK_STR(hist(neg, 3, 3, 1, UNI, false), "███\n");
    float one = 7;
    CHECK_STR(hist(&one, 1, 1, 1, UNI, false), "█\n");
    size_t T = 1000000;
    float *d = malloc(T * sizeof *d);
    for (size_t t = 0; t < T; t++)
        d[t] = (float)(t % 4); /* 4 values in 4 bins, 250000 each */
    CHECK_STR(hist(d, T, 4, 2, UNI, false), "████\n████\n");
    free(d);
}

/* [0,0,0,1] with the second step masked: bin 0 has 3 values (24 eighths), 2 of them at steps
 * not masked (16 eighths: two cells), so its third cell is shaded; bin 1 has none masked. */
static void test_masked_steps(void)
{
    float d[4] = {0, 0, 0, 1}, mask[4] = {1, 0, 1, 1};
    rs_matrix m = rs_matrix_make(d, 4, 1);
    rs_hist h;
    rs_error err = {0};
    CHECK(rs_hist_compute_masked(&h, &m, 2, mask, &err) == 0);
    CHECK(h.counts[0] == 3 && h.masked[0] == 1 && h.masked[1] == 0 && h.finite_masked == 1);
    rs_hist_free(&h);
    rs_hist_opts o;
    rs_hist_defaults(&o);
    o.axes = false;
    o.row_mask = mask;
    const rs_style styles[2] = {UNI, ASC};
    const char *want[2] = {"░\n█\n██\n", ":\n#\n##\n"};
    for (int i = 0; i < 2; i++) {
        rs_canvas c = blank(2, 3);
        o.style = styles[i];
        CHECK(rs_hist_draw(&c, rs_canvas_rect(&c), &m, &o, &err) == 0);
        CHECK_STR(text_and_free(&c), want[i]);
    }
    o.axes = true;
    rs_canvas c = blank(50, 6);
    CHECK(rs_hist_draw(&c, rs_canvas_rect(&c), &m, &o, &err) == 0);
    CHECK_CONTAINS(text_and_free(&c), "n=4 (1 at masked steps, shaded)  NaN=0");
}

int main(void)
{
    run_test("hist: bin counts", test_counts);
    run_test("hist: NaN/Inf apart, constant data", test_nonfinite_and_constant);
    run_test("hist: eighth-block and ASCII bars", test_bars);
    run_test("hist: count axis, value range, counts line", test_axes);
    run_test("hist: empty, negative, one value, 10^6 values", test_edge_cases);
    run_test("hist: values of masked steps shaded, counted apart", test_masked_steps);
    return check_finish();
}

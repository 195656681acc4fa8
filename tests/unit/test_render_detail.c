/* Detail view and weights-by-gate view, worked out by hand from their layouts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "render_util.h"

static const char *detail(const float *d, size_t T, int w, int h, size_t cursor, rs_style st)
{
    rs_canvas c = blank(w, h);
    rs_matrix m = rs_matrix_make(d, T, 1);
    rs_detail_opts o;
    rs_detail_defaults(&o);
    o.style = st;
    o.cursor = cursor;
    rs_error err = {0};
    CHECK(rs_detail_draw(&c, rs_canvas_rect(&c), &m, &o, &err) == 0);
    return text_and_free(&c);
}

/* 12x4: title (clipped), 1 plot row of 12 cells = 24 dot columns, 6 per sample of 0,1,2,3
 * (rows 3,2,1,0, each joined to the previous), the time axis with ticks at both ends and the
 * cursor mark at the first cell of t=3 (dot column 18 -> cell 9), then the end labels. No
 * value gutter under 16 columns. */
static void test_detail_small(void)
{
    float d[4] = {0, 1, 2, 3};
    CHECK_STR(detail(d, 4, 12, 4, 3, UNI), "channel 0\n"
                                          "⣀⣀⣀⡤⠤⠤⠖⠒⠒⠋⠉⠉\n"
                                          "┬────────▲─┬\n"
                                          "0          3\n");
    CHECK_STR(detail(d, 4, 1, 1, 0, UNI), "⡼\n"); /* too small for axes: the plot alone */
    /* 10^6 timesteps of a ramp in 2 dot columns: [0, 499999] on rows 2-3 (round(1.5000015)
     * = 2) and [499999, 999999] joined, on rows 0-2: the same cell as 0,1,2,3 */
    size_t T = 1000000;
    float *r = malloc(T * sizeof *r);
    for (size_t t = 0; t < T; t++)
        r[t] = (float)t;
    CHECK_STR(detail(r, T, 1, 1, 0, UNI), "⡼\n");
    free(r);
}

static void test_detail_axes(void)
{
    float d[4] = {0, 1, 2, 3};
    const char *s = detail(d, 4, 20, 6, 1, ASC);
    /* title with the cursor value (clipped); gutter "3" at the top row, "0" at the bottom */
    CHECK(strncmp(s, "channel 0   t=1   va\n  3+", 25) == 0);
    CHECK(strstr(s, "\n  0+") != NULL);
    CHECK(strstr(s, "\n   +") != NULL); /* the axis corner under the gutter */
    rs_canvas c = blank(20, 6);
    rs_matrix m = rs_matrix_make(d, 4, 1);
    rs_detail_opts o;
    rs_detail_defaults(&o);
    o.style = UNI256;
    o.cursor = 0;
    rs_error err = {0};
    CHECK(rs_detail_draw(&c, rs_canvas_rect(&c), &m, &o, &err) == 0);
    /* the cursor column (first plot column, after the 4-column gutter) is highlighted */
    CHECK(rs_canvas_cell(&c, 4, 1)->bg == rs_ui_color(RS_DEPTH_256, RS_UI_CURSOR));
    CHECK(rs_canvas_cell(&c, 5, 1)->bg == RS_COLOR_DEFAULT);
    o.channel = 3;
    CHECK(rs_detail_draw(&c, rs_canvas_rect(&c), &m, &o, &err) == -1);
    CHECK_STR(err.msg, "detail: channel 3 is outside 0..0");
    rs_canvas_free(&c);
    float nan[2] = {NAN, NAN};
    const char *e = detail(nan, 2, 30, 4, 0, ASC);
    CHECK(strncmp(e, "channel 0   t=0   value nan\n", 28) == 0);
    CHECK_STR(detail(NULL, 0, 12, 4, 0, ASC), "(no data)\n\n\n\n");
}

static const char *weights(const rs_matrix *k, const rs_matrix *r, const rs_matrix *b, int gates,
                           const char *const *names, int w, int h)
{
    rs_canvas c = blank(w, h);
    rs_weights_opts o;
    rs_weights_defaults(&o);
    o.style = ASC;
    o.gates = gates;
    o.gate_names = names;
    rs_error err = {0};
    CHECK(rs_weights_draw(&c, rs_canvas_rect(&c), k, r, b, &o, &err) == 0);
    return text_and_free(&c);
}

/* A kernel [[-1, 1]] of 2 gates in 3 columns: one cell per gate and a separator. */
static void test_weights_minimal(void)
{
    float d[2] = {-1, 1};
    rs_matrix k = rs_matrix_make(d, 1, 2);
    CHECK_STR(weights(&k, NULL, NULL, 2, NULL, 3, 1), "#|@\n");
}

/* 9x4: title, gate names centred over 4-cell blocks, the map (2 columns per block stretched to
 * 4 cells), the colour bar with 4 levels 0 85 170 255 -> "#-.@". */
static void test_weights_decorated(void)
{
    float d[4] = {-1, -1, 1, 1};
    rs_matrix k = rs_matrix_make(d, 1, 4);
    const char *const names[2] = {"a", "b"};
    CHECK_STR(weights(&k, NULL, NULL, 2, names, 9, 4), "kernel 1x\n"
                                                       " a    b\n"
                                                       "####|@@@@\n"
                                                       "-1 #-.@ 1\n");
}

/* Kernel and recurrent side by side (2-column gap), one scale: max |x| over both is 2, so the
 * kernel's 1 is level floor(0.75*256) = 192 -> '+' and the recurrent's -2 is '#'. The bias
 * strip has the same gate layout after its 5-column label. */
static void test_weights_lstm_like(void)
{
    float kd[4] = {1, 1, 1, 1}, rd[4] = {-2, -2, -2, -2}, bd[4] = {0, 0, 0, 2};
    rs_matrix k = rs_matrix_make(kd, 1, 4), r = rs_matrix_make(rd, 1, 4), b = rs_matrix_make(bd, 1, 4);
    const char *s = weights(&k, &r, &b, 4, NULL, 16, 5);
    /* panels of 7 columns: blocks 1 wide (7 - 3 separators) / 4 */
    CHECK_STR(s, "kernel   recurre\n"
                 "i f c o  i f c o\n"
                 "+|+|+|+  #|#|#|#\n"
                 "bias   |  |  |@@\n"
                 "-2 ##=-, .+*@@ 2\n");
}

static void test_weights_errors(void)
{
    float d[3] = {1, 2, 3};
    rs_matrix k = rs_matrix_make(d, 1, 3);
    rs_canvas c = blank(10, 5);
    rs_weights_opts o;
    rs_weights_defaults(&o);
    o.gates = 2;
    rs_error err = {0};
    CHECK(rs_weights_draw(&c, rs_canvas_rect(&c), &k, NULL, NULL, &o, &err) == -1);
    CHECK_STR(err.msg, "weights: kernel has 3 columns, not a multiple of 2 gates");
    CHECK(rs_weights_draw(&c, rs_canvas_rect(&c), NULL, NULL, NULL, &o, &err) == -1);
    CHECK_CONTAINS(err.msg, "no kernel");
    rs_canvas_free(&c);
    CHECK(rs_gate_names(4)[0][0] == 'i' && rs_gate_names(3)[2][0] == 'h' && !rs_gate_names(1));
}

/* With room, a histogram per gate under the maps, titled by matrix and gate. */
static void test_weights_histograms(void)
{
    float d[2 * 8];
    for (int i = 0; i < 16; i++)
        d[i] = (float)(i % 5) - 2;
    rs_matrix k = rs_matrix_make(d, 2, 8);
    const char *s = weights(&k, NULL, NULL, 4, NULL, 40, 20);
    CHECK(strstr(s, "kernel i") && strstr(s, "kernel o"));
}

int main(void)
{
    run_test("detail: small box, cursor, too small for axes", test_detail_small);
    run_test("detail: value gutter, cursor colour, errors, NaN, empty", test_detail_axes);
    run_test("weights: minimal gate blocks", test_weights_minimal);
    run_test("weights: titles, gate names, colour bar", test_weights_decorated);
    run_test("weights: kernel | recurrent, shared scale, bias strip", test_weights_lstm_like);
    run_test("weights: errors and gate names", test_weights_errors);
    run_test("weights: per-gate histograms", test_weights_histograms);
    return check_finish();
}

/* The timestep importance strip (rs_strip_draw, rs_view_draw with a state's strip): each cell
 * the largest value of the steps it spans, in eighths of the window's largest (a value above 0
 * is at least one eighth, exactly 0 is blank), '?' for NaN, the peak's step returned; under a
 * view whose x axis is time, on the box's last row, over the window, under the plot's columns
 * (each column of panels in the lines view). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "render_util.h"
#include "rnnscope/view.h"

static const char *strip(const float *v, size_t t0, size_t len, int w, rs_style st, size_t *peak)
{
    rs_canvas c = blank(w, 1);
    *peak = rs_strip_draw(&c, rs_canvas_rect(&c), v, t0, len, st);
    return text_and_free(&c);
}

static void test_levels(void)
{
    size_t peak;
    float v[8] = {0, 1, 2, 4, 8, 0.01f, 6, 0};
    CHECK_STR(strip(v, 0, 8, 8, UNI, &peak), " ▁▂▄█▁▆\n");
    CHECK(peak == 4);
    CHECK_STR(strip(v, 0, 8, 8, ASC, &peak), " .:=@.*\n"); /* levels " .:-=+*#@" */
    /* two steps a cell: the larger of each pair */
    CHECK_STR(strip(v, 0, 8, 4, UNI, &peak), "▁▄█▆\n");
    /* a window: scaled to its own largest, the peak's absolute step */
    CHECK_STR(strip(v, 1, 3, 3, UNI, &peak), "▂▄█\n");
    CHECK(peak == 3);
    /* more cells than steps: a step spans several cells */
    CHECK_STR(strip(v + 3, 0, 2, 4, UNI, &peak), "▄▄██\n");
}

static void test_zero_and_nan(void)
{
    size_t peak;
    float zero[4] = {0, 0, 0, 0};
    CHECK_STR(strip(zero, 0, 4, 4, UNI, &peak), "\n");
    CHECK(peak == SIZE_MAX);
    float nan[4] = {1, NAN, 2, 0};
    CHECK_STR(strip(nan, 0, 4, 4, UNI, &peak), "▄?█\n");
    CHECK(peak == 2);
}

/* A 4-row heatmap of a (8 steps, 2 channels) output with a strip: the strip on the last row,
 * under the map's columns (after the row labels' gutter), the view in the rows above. */
static void test_under_the_view(void)
{
    float d[16];
    for (int i = 0; i < 16; i++)
        d[i] = (float)(i % 2 ? -i : i);
    float imp[8] = {0, 0, 0, 0, 0, 0, 0, 1};
    rs_view_state s;
    rs_view_state_init(&s);
    s.full = rs_matrix_make(d, 8, 2);
    s.strip = imp;
    rs_canvas c = blank(20, 6);
    rs_error err = {0};
    CHECK(rs_view_draw(RS_VIEW_HEATMAP, &c, rs_canvas_rect(&c), &s, &err) == 0);
    CHECK(s.strip_peak == 7);
    CHECK(s.time_w > 0 && s.time_w < 20);
    const rs_cell *last = rs_canvas_cell(&c, s.time_x + s.time_w - 1, 5);
    CHECK(last->ch == 0x2588); /* the last step, full */
    CHECK(rs_canvas_cell(&c, 0, 5)->ch == ' '); /* nothing under the gutter */
    rs_canvas_free(&c);
    /* no strip under a view whose x axis is not time (hist), nor a transposed heatmap */
    const rs_view_id other[2] = {RS_VIEW_HIST, RS_VIEW_HEATMAP};
    for (int k = 0; k < 2; k++) {
        s.transpose = k == 1;
        c = blank(20, 6);
        CHECK(rs_view_draw(other[k], &c, rs_canvas_rect(&c), &s, &err) == 0);
        CHECK(s.strip_peak == SIZE_MAX);
        rs_canvas_free(&c);
    }
}

/* The lines view: one strip under each column of panels, over that panel's time axis. */
static void test_under_lines(void)
{
    float d[32];
    for (int i = 0; i < 32; i++)
        d[i] = (float)(i % 5);
    float imp[8] = {0, 0, 0, 0, 0, 0, 0, 1};
    rs_view_state s;
    rs_view_state_init(&s);
    s.full = rs_matrix_make(d, 8, 4);
    s.strip = imp;
    s.grid_cols = 2;
    rs_canvas c = blank(30, 10);
    rs_error err = {0};
    CHECK(rs_view_draw(RS_VIEW_LINES, &c, rs_canvas_rect(&c), &s, &err) == 0);
    CHECK(s.nhits == 4 && s.strip_peak == 7);
    for (int i = 0; i < 2; i++) { /* the two columns: their last cell full, their first blank */
        rs_rect b = s.hits[i].box;
        CHECK(rs_canvas_cell(&c, b.x + b.w - 1, 9)->ch == 0x2588);
        CHECK(rs_canvas_cell(&c, b.x, 9)->ch == ' ');
    }
    CHECK(s.hits[0].box.x + s.hits[0].box.w < s.hits[1].box.x);
    CHECK(rs_canvas_cell(&c, s.hits[0].box.x + s.hits[0].box.w, 9)->ch == ' '); /* the gap */
    rs_canvas_free(&c);
}

int main(void)
{
    run_test("strip: eighths of the window's largest, ASCII, cells of several steps", test_levels);
    run_test("strip: all zero is blank, NaN is '?'", test_zero_and_nan);
    run_test("strip: under the view's time axis, not under others", test_under_the_view);
    run_test("strip: under each column of the lines view's panels", test_under_lines);
    return check_finish();
}

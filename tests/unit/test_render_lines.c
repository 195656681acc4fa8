/* The min/max envelope and the lines view. Expected canvases are worked out by hand from the
 * definitions: dot column x of n covers samples [x*len/n, max(+1, (x+1)*len/n)), spans its
 * min..max joined to the previous column's last sample, and value v sits on dot row
 * round((hi - v) / (hi - lo) * (rows - 1)) from the top. Braille bits: left column rows 0-3 =
 * 0x01 0x02 0x04 0x40, right column 0x08 0x10 0x20 0x80. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "render_util.h"

static const char *lines(const float *d, size_t T, size_t C, int w, int h, const rs_lines_opts *o)
{
    rs_canvas c = blank(w, h);
    rs_matrix m = rs_matrix_make(d, T, C);
    rs_error err = {0};
    CHECK(rs_lines_draw(&c, rs_canvas_rect(&c), &m, o, &err) == 0);
    return text_and_free(&c);
}

static rs_lines_opts opts(rs_style st)
{
    rs_lines_opts o;
    rs_lines_defaults(&o);
    o.style = st;
    return o;
}

static void test_envelope_columns(void)
{
    float d[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    rs_matrix m = rs_matrix_make(d, 10, 1);
    rs_envelope e;
    rs_error err = {0};
    CHECK(rs_envelope_build(&e, &m, 0, 0, 10, 4, &err) == 0);
    /* columns cover [0,2) [2,5) [5,7) [7,10) */
    CHECK(e.n == 4 && e.lo[0] == 0 && e.hi[0] == 1 && e.lo[1] == 2 && e.hi[1] == 4 &&
          e.lo[2] == 5 && e.hi[2] == 6 && e.lo[3] == 7 && e.hi[3] == 9 && e.last[1] == 4);
    CHECK(e.min == 0 && e.max == 9);
    rs_envelope_free(&e);
    /* fewer samples than columns: each of 3 samples spans 2 of 6 columns */
    CHECK(rs_envelope_build(&e, &m, 0, 4, 3, 6, &err) == 0);
    CHECK(e.lo[0] == 4 && e.lo[1] == 4 && e.lo[2] == 5 && e.lo[3] == 5 && e.lo[4] == 6 &&
          e.lo[5] == 6 && e.hi[5] == 6);
    rs_envelope_free(&e);
    float n[4] = {NAN, NAN, 1, 2};
    rs_matrix mn = rs_matrix_make(n, 4, 1);
    CHECK(rs_envelope_build(&e, &mn, 0, 0, 4, 2, &err) == 0);
    CHECK(isnan(e.lo[0]) && isnan(e.last[0]) && e.lo[1] == 1 && e.hi[1] == 2);
    rs_envelope_free(&e);
}

/* Several channels in one pass give what one channel at a time gives. */
static void test_envelope_many(void)
{
    float d[6 * 2] = {0, 5, 1, 4, 2, 3, 3, 2, 4, 1, 5, 0}; /* (6, 2): up and down */
    rs_matrix m = rs_matrix_make(d, 6, 2);
    size_t ch[3] = {1, 0, 7};
    rs_envelope e[3], one;
    rs_error err = {0};
    CHECK(rs_envelope_build_many(e, &m, ch, 3, 0, 6, 3, &err) == 0);
    CHECK(rs_envelope_build(&one, &m, 1, 0, 6, 3, &err) == 0);
    for (size_t x = 0; x < 3; x++)
        CHECK(e[0].lo[x] == one.lo[x] && e[0].hi[x] == one.hi[x] && e[0].last[x] == one.last[x]);
    CHECK(e[0].lo[0] == 4 && e[0].hi[0] == 5 && e[1].lo[2] == 4 && e[1].hi[2] == 5);
    CHECK(e[2].n == 0); /* channel 7 is out of range: left empty */
    for (int j = 0; j < 3; j++)
        rs_envelope_free(&e[j]);
    rs_envelope_free(&one);
}

static void test_envelope_million(void)
{
    size_t T = 1000000;
    float *d = malloc(T * sizeof *d);
    for (size_t t = 0; t < T; t++)
        d[t] = (float)(t % 1000);
    rs_matrix m = rs_matrix_make(d, T, 1);
    rs_envelope e;
    rs_error err = {0};
    CHECK(rs_envelope_build(&e, &m, 0, 0, T, 100, &err) == 0);
    CHECK(e.lo[0] == 0 && e.hi[0] == 999 && e.lo[99] == 0 && e.hi[99] == 999);
    rs_envelope_free(&e);
    /* window 500..1499 in two columns: 500..999, then 0..499 */
    CHECK(rs_envelope_build(&e, &m, 0, 500, 1000, 2, &err) == 0);
    CHECK(e.lo[0] == 500 && e.hi[0] == 999 && e.lo[1] == 0 && e.hi[1] == 499 && e.last[1] == 499);
    rs_envelope_free(&e);
    free(d);
}

/* 0,1,2,3 in 2 cells = 4 dot columns, one sample each, range [0,3], 4 dot rows: row = 3 - v.
 * Cell 0: left row 3 (0x40), right rows 2-3 (0x20|0x80) = 0xE0; cell 1: left rows 1-2
 * (0x02|0x04), right rows 0-1 (0x08|0x10) = 0x1E. The range label does not fit in 2 cells. */
static void test_braille_ramp(void)
{
    float d[4] = {0, 1, 2, 3};
    rs_lines_opts o = opts(UNI);
    CHECK_STR(lines(d, 4, 1, 2, 2, &o), "0\n⣠⠞\n");
    /* the same channel as a row: channel_axis 0 */
    o.channel_axis = 0;
    rs_canvas c = blank(2, 2);
    rs_matrix m = rs_matrix_make(d, 1, 4);
    rs_error err = {0};
    CHECK(rs_lines_draw(&c, rs_canvas_rect(&c), &m, &o, &err) == 0);
    CHECK_STR(text_and_free(&c), "0\n⣠⠞\n");
}

/* Eighth blocks: 8 levels in one row, level = round((v - 0)/3 * 7) from the bottom: 0, 2, 5, 7;
 * spans joined: [0], [0,2], [2,5], [5,7]; the top of each span gives the block height. */
static void test_blocks_ramp(void)
{
    float d[4] = {0, 1, 2, 3};
    rs_lines_opts o = opts(UNI);
    o.blocks = true;
    CHECK_STR(lines(d, 4, 1, 4, 2, &o), "0\n▁▃▆█\n");
}

/* ASCII, 2 rows: row = round((3 - v)/3): 1, 1, 0, 0; joined spans mark both rows at x = 2. */
/* ASCII: 4 levels per cell (' - . _ from the top), | where a column's span covers three or
 * more of a cell's levels. Ramp 0..3 over 8 levels: rows 7, 5, 2, 0; spans joined to the
 * previous sample: [7], [5,7], [2,5], [0,2]. */
static void test_ascii_ramp(void)
{
    float d[4] = {0, 1, 2, 3};
    rs_lines_opts o = opts(ASC);
    CHECK_STR(lines(d, 4, 1, 4, 3, &o), "0\n  .|\n_|'\n");
    /* a step reads as a low line, a stroke, a high line */
    float step[8] = {0, 0, 0, 0, 1, 1, 1, 1};
    CHECK_STR(lines(step, 8, 1, 8, 3, &o), "0 [0, 1]\n    |'''\n____|\n");
    /* a sine: every column drawn with one or two marks, only the five glyphs */
    float sine[32];
    for (int i = 0; i < 32; i++)
        sine[i] = (float)sin(i * 2 * M_PI / 32);
    char copy[512];
    snprintf(copy, sizeof copy, "%s", lines(sine, 32, 1, 32, 5, &o));
    char *row = strchr(copy, '\n') + 1; /* after the label row */
    CHECK(strspn(row, "\n _.-'|") == strlen(row));
    int marks[32] = {0};
    for (int y = 0; y < 4 && *row; y++) {
        char *end = strchr(row, '\n');
        for (int x = 0; row + x < end; x++)
            marks[x] += row[x] != ' ';
        row = end + 1;
    }
    for (int x = 0; x < 32; x++)
        CHECK(marks[x] >= 1 && marks[x] <= 2);
}

/* Constant data: the range widens to [4.5, 5.5]; 5 sits on row round(1.5) = 2 (0x04|0x20). */
static void test_constant(void)
{
    float d[4] = {5, 5, 5, 5};
    rs_lines_opts o = opts(UNI);
    CHECK_STR(lines(d, 4, 1, 2, 2, &o), "0\n⠤⠤\n");
}

/* Zero line: range [0, 2] over 8 dot rows; data on row 0, zero on row 7 (second cell row,
 * bottom dots 0x40|0x80), drawn only in cells without data and in the zero colour. */
static void test_zero_line(void)
{
    float d[4] = {2, 2, 2, 2};
    rs_lines_opts o = opts(UNI256);
    o.zero_line = true;
    rs_canvas c = blank(2, 3);
    rs_matrix m = rs_matrix_make(d, 4, 1);
    rs_error err = {0};
    CHECK(rs_lines_draw(&c, rs_canvas_rect(&c), &m, &o, &err) == 0);
    CHECK(rs_canvas_cell(&c, 0, 1)->fg == rs_ui_color(RS_DEPTH_256, RS_UI_DATA));
    CHECK(rs_canvas_cell(&c, 0, 2)->fg == rs_ui_color(RS_DEPTH_256, RS_UI_ZERO));
    CHECK(rs_canvas_cell(&c, 0, 0)->fg == rs_ui_color(RS_DEPTH_256, RS_UI_LABEL));
    CHECK_STR(text_and_free(&c), "0\n⠉⠉\n⣀⣀\n");
    o = opts(ASC);
    o.zero_line = true;
    CHECK_STR(lines(d, 4, 1, 4, 3, &o), "0 =2\n''''\n----\n"); /* a constant: its value */
}

/* NaN and Inf leave their column empty and break the join: 0 | - | 3 | 3 over [0, 3]. */
static void test_nan_inf(void)
{
    float d[4] = {0, NAN, 3, 3};
    rs_lines_opts o = opts(UNI);
    CHECK_STR(lines(d, 4, 1, 2, 2, &o), "0\n⡀⠉\n");
    d[1] = INFINITY;
    CHECK_STR(lines(d, 4, 1, 2, 2, &o), "0\n⡀⠉\n");
    float all_nan[2] = {NAN, NAN};
    CHECK_STR(lines(all_nan, 2, 1, 2, 2, &o), "0\n\n");
}

/* Negative data: minmax gives the same picture as 0..3; equal axes make it [-4, 4]:
 * rows round((4 - v)/8 * 3) = 3, 3, 2, 2. */
static void test_negative_and_equal_axes(void)
{
    float d[4] = {-4, -3, -2, -1};
    rs_lines_opts o = opts(UNI);
    CHECK_STR(lines(d, 4, 1, 2, 2, &o), "0\n⣠⠞\n");
    o.equal_axes = true;
    CHECK_STR(lines(d, 4, 1, 2, 2, &o), "0\n⣀⡤\n");
}

/* One cell: two dot columns of two samples each, [0,1] and [2,3] joined to 1: rows 2-3 and
 * 0-2 -> 0x04|0x40 | 0x08|0x10|0x20 = 0x7C. No label row in a 1-row box. */
static void test_one_cell(void)
{
    float d[4] = {0, 1, 2, 3};
    rs_lines_opts o = opts(UNI);
    CHECK_STR(lines(d, 4, 1, 1, 1, &o), "⡼\n");
}

/* A 2x2 grid of 4-cell panels with a 1-column gap; channel c = (0..7) * (c + 1), so every
 * panel is the same picture: rows 3,3,2,2,1,1,0,0 joined -> ⣀ ⡤ ⠖ ⠋. */
static void test_grid(void)
{
    float d[8 * 4];
    for (int t = 0; t < 8; t++)
        for (int c = 0; c < 4; c++)
            d[t * 4 + c] = (float)(t * (c + 1));
    rs_lines_opts o = opts(UNI);
    o.grid_cols = 2;
    CHECK_STR(lines(d, 8, 4, 9, 4, &o), "0    1\n⣀⡤⠖⠋ ⣀⡤⠖⠋\n2    3\n⣀⡤⠖⠋ ⣀⡤⠖⠋\n");
    size_t pick[2] = {3, 1};
    o.channels = pick;
    o.nchannels = 2;
    CHECK_STR(lines(d, 8, 4, 9, 2, &o), "3    1\n⣀⡤⠖⠋ ⣀⡤⠖⠋\n");
}

static void test_range_label_and_window(void)
{
    float d[6] = {9, 9, 0, 1, 2, 3};
    rs_lines_opts o = opts(UNI);
    o.t0 = 2;
    o.len = 4;
    const char *s = lines(d, 6, 1, 10, 2, &o);
    CHECK(strncmp(s, "0   [0, 3]\n", 11) == 0);
}

static void test_paging(void)
{
    float d[2 * 5] = {0};
    rs_lines_opts o = opts(ASC);
    o.grid_cols = 1;
    rs_canvas c = blank(40, 4);
    rs_matrix m = rs_matrix_make(d, 2, 5);
    rs_lines L;
    rs_error err = {0};
    o.page = 2;
    CHECK(rs_lines_prepare(&L, &m, &o, rs_canvas_rect(&c), &err) == 0);
    CHECK(L.npanels == 1 && L.total == 5 && L.panels[0].channel == 2);
    rs_lines_render(&L, &c);
    rs_lines_free(&L);
    /* constant 0: its value labelled on the right (drawn in the range [-0.5, 0.5]); 0 sits on
     * plot row round(0.5 * 1) = 1 of 2; each of the 2 samples spans 20 of the 40 columns */
    CHECK_STR(text_and_free(&c), "2                                     =0\n"
                                 "\n"
                                 "''''''''''''''''''''''''''''''''''''''''\n"
                                 "channels 2-2 of 5 (page 3 of 5)\n");
}

/* The selected channel's label is marked; the cursor timestep is a column: without colour a
 * bar in its empty cells, with colour the cursor background. Ramp 0..3 in 4 columns: t=2 is
 * column 2 of each panel. */
static void test_selection_and_cursor(void)
{
    float d[8] = {0, 3, 1, 2, 2, 1, 3, 0}; /* (4, 2): up and down */
    rs_lines_opts o = opts(UNI);
    o.grid_cols = 2;
    o.mark_channel = true;
    o.selected = 1;
    o.mark_cursor = true;
    o.cursor = 2;
    const char *text = lines(d, 4, 2, 9, 5, &o);
    CHECK_CONTAINS(text, "0    ▶1");
    char copy[256];
    snprintf(copy, sizeof copy, "%s", text);
    char *row1 = strchr(copy, '\n') + 1;
    CHECK(strstr(row1, "│") != NULL); /* an empty cell of the cursor column */
    o.style = UNI256;
    rs_canvas c = blank(9, 3);
    rs_matrix m = rs_matrix_make(d, 4, 2);
    rs_error err = {0};
    CHECK(rs_lines_draw(&c, rs_canvas_rect(&c), &m, &o, &err) == 0);
    int cursor_bg = rs_ui_color(RS_DEPTH_256, RS_UI_CURSOR);
    /* with a selection the column goes through the selected panel (channel 1) only */
    CHECK(rs_canvas_cell(&c, 7, 1)->bg == cursor_bg && rs_canvas_cell(&c, 7, 2)->bg == cursor_bg);
    CHECK(rs_canvas_cell(&c, 2, 1)->bg != cursor_bg && rs_canvas_cell(&c, 6, 2)->bg != cursor_bg);
    CHECK(rs_canvas_cell(&c, 5, 0)->bg == rs_ui_color(RS_DEPTH_256, RS_UI_SELECTED_BG));
    CHECK(rs_canvas_cell(&c, 0, 0)->bg != rs_ui_color(RS_DEPTH_256, RS_UI_SELECTED_BG));
    rs_canvas_free(&c);
    o.mark_channel = false; /* without a selection: every panel */
    c = blank(9, 3);
    CHECK(rs_lines_draw(&c, rs_canvas_rect(&c), &m, &o, &err) == 0);
    CHECK(rs_canvas_cell(&c, 2, 1)->bg == cursor_bg && rs_canvas_cell(&c, 7, 1)->bg == cursor_bg);
    rs_canvas_free(&c);
}

/* Masked steps: the cells whose first sample is masked are shaded (dots in empty cells without
 * colour, the masked background with colour); the others are untouched. */
static void test_masked_steps(void)
{
    float d[4] = {1, 1, 1, 1};
    float mask[4] = {1, 1, 0, 0};
    rs_lines_opts o = opts(ASC);
    o.step_mask = mask;
    CHECK_STR(lines(d, 4, 1, 4, 3, &o), "0 =1\n  ::\n''''\n");
    o.style = UNI256;
    rs_canvas c = blank(4, 3);
    rs_matrix m = rs_matrix_make(d, 4, 1);
    rs_error err = {0};
    CHECK(rs_lines_draw(&c, rs_canvas_rect(&c), &m, &o, &err) == 0);
    int masked = rs_ui_color(RS_DEPTH_256, RS_UI_MASKED);
    CHECK(rs_canvas_cell(&c, 2, 1)->bg == masked && rs_canvas_cell(&c, 3, 2)->bg == masked);
    CHECK(rs_canvas_cell(&c, 1, 1)->bg != masked && rs_canvas_cell(&c, 2, 0)->bg != masked);
    rs_canvas_free(&c);
}

static void test_errors_and_empty(void)
{
    float d[4] = {0, 1, 2, 3};
    rs_lines_opts o = opts(UNI);
    size_t bad[1] = {9};
    o.channels = bad;
    o.nchannels = 1;
    rs_canvas c = blank(4, 2);
    rs_matrix m = rs_matrix_make(d, 4, 1);
    rs_error err = {0};
    CHECK(rs_lines_draw(&c, rs_canvas_rect(&c), &m, &o, &err) == -1);
    CHECK_STR(err.msg, "lines: channel 9 is outside 0..0");
    rs_canvas_free(&c);
    o = opts(UNI);
    CHECK_STR(lines(NULL, 0, 3, 12, 2, &o), "(no data)\n\n");
    c = blank(0, 0);
    CHECK(rs_lines_draw(&c, rs_canvas_rect(&c), &m, &o, &err) == 0);
    rs_canvas_free(&c);
}

/* 10^6 timesteps of a ramp t in 8 dot columns of 125000 samples, range [0, 999999], row of v =
 * round((999999 - v)/999999 * 3). Column 1 spans [124999, 249999] -> rows 2-3; column 2
 * [249999, 374999] -> row 2; column 3 -> row 2 (1.5000015 rounds to 2); column 4 [499999,
 * 624999] -> rows 1-2; column 5 -> row 1; column 6 -> rows 0-1; column 7 -> row 0. Cells:
 * 0x40|0xA0, 0x04|0x20, 0x06|0x10, 0x03|0x08. A sawtooth fills every dot. */
static void test_million_ramp(void)
{
    size_t T = 1000000;
    float *d = malloc(T * sizeof *d);
    for (size_t t = 0; t < T; t++)
        d[t] = (float)t;
    rs_lines_opts o = opts(UNI);
    CHECK_STR(lines(d, T, 1, 4, 2, &o), "0\n⣠⠤⠖⠋\n");
    for (size_t t = 0; t < T; t++)
        d[t] = (float)(t % 1000);
    CHECK_STR(lines(d, T, 1, 4, 2, &o), "0\n⣿⣿⣿⣿\n");
    free(d);
}

/* An LSTM's gates as (T, 4 x units): each panel named by its gate and unit ("f1"), not 0..7;
 * plain channels: the first panel says what a panel is when that fits beside its range. */
static void test_panel_names(void)
{
    static const char *const gates[4] = {"i", "f", "c", "o"};
    float d[16];
    for (int i = 0; i < 16; i++)
        d[i] = (float)(i % 5);
    rs_lines_opts o = opts(ASC);
    o.gate_units = 2;
    o.gate_names = gates;
    o.grid_cols = 4;
    const char *t = lines(d, 2, 8, 80, 4, &o);
    CHECK_CONTAINS(t, "i0 ");
    CHECK_CONTAINS(t, "f1 ");
    CHECK_CONTAINS(t, "o1 ");
    o = opts(ASC);
    o.panel_name = "channel";
    o.grid_cols = 2;
    t = lines(d, 8, 2, 60, 4, &o);
    CHECK_CONTAINS(t, "channel 0 ");
    CHECK_CONTAINS(t, "[0, 4]");
    CHECK(strstr(t, "channel 1") == NULL); /* the first panel only */
    t = lines(d, 8, 2, 20, 4, &o); /* no room beside the range: the index alone */
    CHECK(strstr(t, "channel") == NULL);
}

int main(void)
{
    run_test("envelope: columns, short series, NaN", test_envelope_columns);
    run_test("envelope: many channels in one pass", test_envelope_many);
    run_test("envelope: 10^6 samples and a window", test_envelope_million);
    run_test("lines: braille ramp, channel_axis 0", test_braille_ramp);
    run_test("lines: eighth blocks", test_blocks_ramp);
    run_test("lines: ASCII", test_ascii_ramp);
    run_test("lines: constant data", test_constant);
    run_test("lines: zero line and its colour", test_zero_line);
    run_test("lines: NaN and Inf", test_nan_inf);
    run_test("lines: negative data, equal axes", test_negative_and_equal_axes);
    run_test("lines: 1x1 box", test_one_cell);
    run_test("lines: grid of panels, channel list", test_grid);
    run_test("lines: range label, timestep window", test_range_label_and_window);
    run_test("lines: pages of channels", test_paging);
    run_test("lines: gate and channel names on the panels", test_panel_names);
    run_test("lines: selected channel and cursor column", test_selection_and_cursor);
    run_test("lines: masked steps shaded", test_masked_steps);
    run_test("lines: bad channel, empty data, empty canvas", test_errors_and_empty);
    run_test("lines: 10^6 timesteps", test_million_ramp);
    return check_finish();
}

/* Heatmap: the level matrix (resampling by mean or largest magnitude), the ramps, half blocks
 * with colours, labels and colour bar. Expected values from the definitions: level =
 * floor((v - lo)/(hi - lo) * 256) clamped to 255; output index i of n over len source items
 * covers [i*len/n, max(+1, (i+1)*len/n)); diverging ramp "#=-, .+*@" indexed by level*9/256. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "render_util.h"

static rs_heatmap_opts opts(rs_style st)
{
    rs_heatmap_opts o;
    rs_heatmap_defaults(&o);
    o.style = st;
    return o;
}

static const char *heat(const float *d, size_t r, size_t c, int w, int h, const rs_heatmap_opts *o)
{
    rs_canvas cv = blank(w, h);
    rs_matrix m = rs_matrix_make(d, r, c);
    rs_error err = {0};
    CHECK(rs_heatmap_draw(&cv, rs_canvas_rect(&cv), &m, o, &err) == 0);
    return text_and_free(&cv);
}

static void test_levels(void)
{
    float d[4] = {-1, 0, 0.5f, 1};
    rs_matrix m = rs_matrix_make(d, 2, 2);
    uint16_t lv[6];
    rs_heatmap_levels(&m, 2, 2, RS_AGG_MEAN, -1, 1, lv);
    CHECK(lv[0] == 0 && lv[1] == 128 && lv[2] == 192 && lv[3] == 255);
    rs_heatmap_levels(&m, 1, 1, RS_AGG_MEAN, -1, 1, lv); /* mean 0.125 -> floor(0.5625*256) */
    CHECK(lv[0] == 144);
    float e[4] = {-1, 0, 0.5f, 0.9f};
    rs_matrix me = rs_matrix_make(e, 2, 2);
    rs_heatmap_levels(&me, 1, 1, RS_AGG_MAX, -1, 1, lv); /* largest magnitude: -1 */
    CHECK(lv[0] == 0);
    float one = 0.5f;
    rs_matrix m1 = rs_matrix_make(&one, 1, 1);
    rs_heatmap_levels(&m1, 3, 2, RS_AGG_MEAN, -1, 1, lv); /* upsampled: every pixel the same */
    CHECK(lv[0] == 192 && lv[5] == 192);
    float n[4] = {NAN, NAN, 1, NAN};
    rs_matrix mn = rs_matrix_make(n, 2, 2);
    rs_heatmap_levels(&mn, 1, 1, RS_AGG_MEAN, -1, 1, lv);
    CHECK(lv[0] == 255);
    rs_heatmap_levels(&mn, 2, 2, RS_AGG_MAX, -1, 1, lv);
    CHECK(lv[0] == RS_LEVEL_NAN && lv[2] == 255 && lv[3] == RS_LEVEL_NAN);
}

static const float RAMP[18] = {-1, -0.75f, -0.5f, -0.25f, 0, 0.25f, 0.5f, 0.75f, 1,
                               1, 0.75f, 0.5f, 0.25f, 0, -0.25f, -0.5f, -0.75f, -1};

/* Levels 0 32 64 96 128 160 192 224 255 -> ramp indices 0..8. */
static void test_ascii_map(void)
{
    rs_heatmap_opts o = opts(ASC);
    CHECK_STR(heat(RAMP, 2, 9, 9, 2, &o), "#=-, .+*@\n@*+. ,-=#\n");
    /* unicode without colour uses the same sign-showing ramp for bwr */
    o = opts(UNI);
    CHECK_STR(heat(RAMP, 1, 9, 9, 1, &o), "#=-, .+*@\n");
}

/* 13x5 box: gutter "0"/"1" of width 2, map 11x3, column labels, colour bar.
 * 9 columns in 11 pixels: sources 0 0 1 2 3 4 4 5 6 7 8; 2 rows in 3: 0 0 1.
 * Colour bar: "-1", 6 cells of levels 0 51 102 153 204 255 -> "#=,.*@", "1". */
static void test_labels_and_legend(void)
{
    rs_heatmap_opts o = opts(ASC);
    CHECK_STR(heat(RAMP, 2, 9, 13, 5, &o), "0 ##=-,  .+*@\n"
                                            "  ##=-,  .+*@\n"
                                            "1 @@*+.  ,-=#\n"
                                            "  0         8\n"
                                            "  -1 #=,.*@ 1\n");
}

/* Half blocks: top pixel -1 (level 0, blue 21) as foreground, bottom 1 (level 255, red 196)
 * as background. A NaN pixel leaves its half to the terminal's background. */
static void test_half_blocks(void)
{
    float d[2] = {-1, 1};
    rs_heatmap_opts o = opts(UNI256);
    rs_canvas c = blank(1, 1);
    rs_matrix m = rs_matrix_make(d, 2, 1);
    rs_error err = {0};
    CHECK(rs_heatmap_draw(&c, rs_canvas_rect(&c), &m, &o, &err) == 0);
    const rs_cell *cell = rs_canvas_cell(&c, 0, 0);
    CHECK(cell->ch == 0x2580 && cell->fg == 21 && cell->bg == 196);
    char *s = rs_canvas_ansi(&c, RS_DEPTH_256);
    CHECK_STR(s, "\033[0;38;5;21;48;5;196m▀\033[0m\n");
    free(s);
    d[0] = NAN;
    CHECK(rs_heatmap_draw(&c, rs_canvas_rect(&c), &m, &o, &err) == 0);
    CHECK(cell->ch == 0x2584 && cell->fg == 196 && cell->bg == RS_COLOR_DEFAULT);
    rs_canvas_free(&c);
}

static void test_norms(void)
{
    rs_heatmap_opts o = opts(ASC);
    float zero[4] = {0, 0, 0, 0};
    CHECK_STR(heat(zero, 2, 2, 2, 2, &o), "\n\n"); /* auto: [-1, 1], 0 is the blank centre */
    float neg[2] = {-3, -1};
    o.norm.mode = RS_NORM_MINMAX;
    CHECK_STR(heat(neg, 1, 2, 2, 1, &o), "#@\n");
    o.norm.mode = RS_NORM_AUTO; /* [-3, 3]: -1 is level floor(1/3 * 256) = 85 -> index 2 '-' */
    CHECK_STR(heat(neg, 1, 2, 2, 1, &o), "#-\n");
    o.norm = (rs_norm){RS_NORM_FIXED, -1, 0};
    CHECK_STR(heat(neg, 1, 2, 2, 1, &o), "##\n"); /* -3 clamps to 0; -1 is level 0 too */
    o.cmap = RS_CMAP_GRAY;
    o.norm.mode = RS_NORM_MINMAX;
    o.style = UNI;
    CHECK_STR(heat(neg, 1, 2, 2, 1, &o), " █\n");
}

static void test_transpose_and_empty(void)
{
    rs_heatmap_opts o = opts(ASC);
    o.labels = o.legend = false;
    rs_matrix m = rs_matrix_transpose(rs_matrix_make(RAMP, 2, 9));
    rs_canvas c = blank(2, 9);
    rs_error err = {0};
    CHECK(rs_heatmap_draw(&c, rs_canvas_rect(&c), &m, &o, &err) == 0);
    CHECK_STR(text_and_free(&c), "#@\n=*\n-+\n,.\n\n.,\n+-\n*=\n@#\n");
    o = opts(ASC);
    CHECK_STR(heat(NULL, 0, 4, 12, 3, &o), "(no data)\n\n\n");
    float one = 1;
    CHECK_STR(heat(&one, 1, 1, 1, 1, &o), "@\n");
}

/* A 1000 x 1000 matrix into 4x2 pixels by mean: blocks of 250 x 500 alternating +-1 per
 * column average to 0 -> the blank centre; by largest magnitude (first one kept on ties) -1. */
static void test_large_downsample(void)
{
    size_t n = 1000;
    float *d = malloc(n * n * sizeof *d);
    for (size_t i = 0; i < n * n; i++)
        d[i] = (i % 2) ? 1.0f : -1.0f;
    rs_heatmap_opts o = opts(ASC);
    o.labels = o.legend = false;
    CHECK_STR(heat(d, n, n, 4, 2, &o), "\n\n");
    o.agg = RS_AGG_MAX;
    CHECK_STR(heat(d, n, n, 4, 2, &o), "####\n####\n");
    free(d);
}

/* 16x7 box, names "query"/"key", marker at row 0 and column 4, the last two columns and the
 * second row masked. Gutter: "query" + 1 = 6 wide; a row above the map for the row axis's name
 * and the column marker; map 10x4 (columns from sources 0 0 1 2 3 4 5 6 7 8, rows 0 0 1 1).
 * Column 4 starts at cell (4*10 + 8)/9 = 5: "v4" at x 11; masked columns 7, 8 start at cells
 * 8, 9 (':'); row 0 at cell 0 ("0>"), row 1 at cells 2, 3 (':' in the gutter's last column);
 * "key" centred at 6 + (10 - 3)/2 = 9. */
static rs_heatmap_opts framed(void)
{
    static const float col_mask[9] = {1, 1, 1, 1, 1, 1, 1, 0, 0}, row_mask[2] = {1, 0};
    rs_heatmap_opts o = opts(ASC);
    o.row_axis = "query";
    o.col_axis = "key";
    o.mark_row = o.mark_col = true;
    o.mark_r = 0;
    o.mark_c = 4;
    o.col_mask = col_mask;
    o.row_mask = row_mask;
    return o;
}

static void test_axes_and_markers(void)
{
    rs_heatmap_opts o = framed();
    CHECK_STR(heat(RAMP, 2, 9, 16, 7, &o), "query      v4 ::\n"
                                            "    0>##=-, .+*@\n"
                                            "      ##=-, .+*@\n"
                                            "     :@@*+. ,-=#\n"
                                            "    1:@@*+. ,-=#\n"
                                            "      0  key   8\n"
                                            "      -1 #- +@ 1\n");
    /* the bases shift the indices named, not the cells; the marker's index goes over the
     * shading, and "key" gives way when it would touch a label */
    o.row_base = 60;
    o.col_base = 100;
    o.mark_r = 1;
    CHECK_STR(heat(RAMP, 2, 9, 16, 7, &o), "query      v104:\n"
                                            "   60 ##=-, .+*@\n"
                                            "      ##=-, .+*@\n"
                                            "   61>@@*+. ,-=#\n"
                                            "   61:@@*+. ,-=#\n"
                                            "      100    108\n"
                                            "      -1 #- +@ 1\n");
}

/* For images: the same frame, the map and the colour bar's strip left blank, and where they are. */
static void test_frame_for_images(void)
{
    rs_heatmap_opts o = framed();
    o.images = true;
    rs_canvas cv = blank(16, 7);
    rs_matrix m = rs_matrix_make(RAMP, 2, 9);
    rs_heatmap_boxes b;
    rs_error err = {0};
    CHECK(rs_heatmap_frame(&cv, rs_canvas_rect(&cv), &m, &o, &b, &err) == 0);
    CHECK(b.map.x == 6 && b.map.y == 1 && b.map.w == 10 && b.map.h == 4);
    CHECK(b.bar.x == 9 && b.bar.y == 6 && b.bar.w == 5 && b.bar.h == 1);
    CHECK(b.lo == -1 && b.hi == 1);
    CHECK_STR(text_and_free(&cv), "query      v4 ::\n"
                                  "    0>\n"
                                  "\n"
                                  "     :\n"
                                  "    1:\n"
                                  "      0  key   8\n"
                                  "      -1       1\n");
}

/* 8 colours: no half blocks (two halves would be two of 8 colours); one level a cell, blue /
 * white / red by sign and a shade by magnitude: never the magenta nearest to bwr's pinks. */
static void test_eight_colours(void)
{
    static const rs_style UNI8 = {RS_GFX_UNICODE, RS_DEPTH_8}, ASC8 = {RS_GFX_ASCII, RS_DEPTH_8};
    rs_heatmap_opts o = opts(UNI8);
    o.labels = o.legend = false;
    rs_canvas cv = blank(9, 1);
    rs_matrix m = rs_matrix_make(RAMP, 1, 9);
    rs_error err = {0};
    CHECK(rs_heatmap_draw(&cv, rs_canvas_rect(&cv), &m, &o, &err) == 0);
    static const int fg[9] = {4, 4, 4, 4, 7, 1, 1, 1, 1};
    for (int x = 0; x < 9; x++)
        CHECK(rs_canvas_cell(&cv, x, 0)->fg == fg[x]);
    CHECK_STR(text_and_free(&cv), "█▓▒░░░▒▓█\n");
    o.style = ASC8;
    CHECK_STR(heat(RAMP, 1, 9, 9, 1, &o), "#=-, .+*@\n");
    /* the colour bar the same way */
    o = opts(UNI8);
    cv = blank(13, 1);
    rs_colorbar_draw(&cv, rs_canvas_rect(&cv), &o, -1, 1);
    CHECK(rs_canvas_cell(&cv, 3, 0)->fg == 4 && rs_canvas_cell(&cv, 9, 0)->fg == 1);
    CHECK_STR(text_and_free(&cv), "-1 █▓▒░░▒▓█ 1\n");
}

int main(void)
{
    run_test("heatmap: levels, mean, max, upsampling, NaN", test_levels);
    run_test("heatmap: ASCII ramp", test_ascii_map);
    run_test("heatmap: labels and colour bar", test_labels_and_legend);
    run_test("heatmap: half blocks in 256 colours", test_half_blocks);
    run_test("heatmap: auto, minmax, fixed norms; constant and negative data", test_norms);
    run_test("heatmap: transpose, empty, 1x1", test_transpose_and_empty);
    run_test("heatmap: downsampling a large matrix", test_large_downsample);
    run_test("heatmap: axis names, markers and masked steps beside the map", test_axes_and_markers);
    run_test("heatmap: the frame around images, map and colour bar left blank", test_frame_for_images);
    run_test("heatmap: 8 colours, blue / white / red with shades", test_eight_colours);
    return check_finish();
}

/* Colormaps, nearest terminal colours, text ramps and normalisation, checked against their
 * definitions: matplotlib's bwr and viridis end points, the xterm 256-colour cube. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "render_util.h"

static bool rgb_is(const uint8_t *c, int r, int g, int b)
{
    return c[0] == r && c[1] == g && c[2] == b;
}

static void test_cmap_rgb(void)
{
    uint8_t c[3];
    rs_cmap_rgb(RS_CMAP_BWR, 0, c);
    CHECK(rgb_is(c, 0, 0, 255));
    rs_cmap_rgb(RS_CMAP_BWR, 0.5, c);
    CHECK(rgb_is(c, 255, 255, 255));
    rs_cmap_rgb(RS_CMAP_BWR, 1, c);
    CHECK(rgb_is(c, 255, 0, 0));
    rs_cmap_rgb(RS_CMAP_BWR, 0.25, c); /* half way from blue to white: 127.5 rounds to 128 */
    CHECK(rgb_is(c, 128, 128, 255));
    rs_cmap_rgb(RS_CMAP_BWR, -3, c); /* clamped */
    CHECK(rgb_is(c, 0, 0, 255));
    rs_cmap_rgb(RS_CMAP_GRAY, 0.5, c);
    CHECK(rgb_is(c, 128, 128, 128));
    rs_cmap_rgb(RS_CMAP_VIRIDIS, 0, c);
    CHECK(rgb_is(c, 68, 1, 84));
    rs_cmap_rgb(RS_CMAP_VIRIDIS, 1, c);
    CHECK(rgb_is(c, 253, 231, 37));
    uint8_t pal[RS_LEVELS * 3];
    rs_cmap_palette(RS_CMAP_GRAY, pal);
    CHECK(rgb_is(pal, 0, 0, 0) && rgb_is(pal + 3 * 255, 255, 255, 255) && rgb_is(pal + 3 * 51, 51, 51, 51));
}

static void test_nearest(void)
{
    const uint8_t red[3] = {255, 0, 0}, blue[3] = {0, 0, 255}, white[3] = {255, 255, 255},
                  grey[3] = {128, 128, 128}, black[3] = {0, 0, 0};
    CHECK(rs_color_nearest(RS_DEPTH_256, red) == 196);   /* 16 + 36*5 */
    CHECK(rs_color_nearest(RS_DEPTH_256, blue) == 21);   /* 16 + 5 */
    CHECK(rs_color_nearest(RS_DEPTH_256, white) == 231); /* 16 + 215 */
    CHECK(rs_color_nearest(RS_DEPTH_256, grey) == 244);  /* grey ramp 232 + 12 = 8 + 10*12 */
    CHECK(rs_color_nearest(RS_DEPTH_256, black) == 16);
    CHECK(rs_color_nearest(RS_DEPTH_8, red) == 1);
    CHECK(rs_color_nearest(RS_DEPTH_8, blue) == 4);
    CHECK(rs_color_nearest(RS_DEPTH_8, white) == 7);
    CHECK(rs_color_nearest(RS_DEPTH_NONE, red) == RS_COLOR_DEFAULT);
    CHECK(rs_cmap_color(RS_CMAP_BWR, RS_DEPTH_256, 0) == 21);
    CHECK(rs_cmap_color(RS_CMAP_BWR, RS_DEPTH_256, 255) == 196);
    CHECK(rs_cmap_color(RS_CMAP_BWR, RS_DEPTH_256, RS_LEVEL_NAN) == RS_COLOR_DEFAULT);
}

static void test_glyph_ramps(void)
{
    CHECK(rs_cmap_glyph(RS_CMAP_BWR, RS_GFX_ASCII, 0) == '#');
    CHECK(rs_cmap_glyph(RS_CMAP_BWR, RS_GFX_ASCII, 128) == ' ');
    CHECK(rs_cmap_glyph(RS_CMAP_BWR, RS_GFX_ASCII, 255) == '@');
    CHECK(rs_cmap_glyph(RS_CMAP_BWR, RS_GFX_UNICODE, 100) == ','); /* 100*9/256 = 3 */
    CHECK(rs_cmap_glyph(RS_CMAP_VIRIDIS, RS_GFX_ASCII, 0) == ' ');
    CHECK(rs_cmap_glyph(RS_CMAP_VIRIDIS, RS_GFX_ASCII, 255) == '@');
    CHECK(rs_cmap_glyph(RS_CMAP_GRAY, RS_GFX_UNICODE, 255) == 0x2588);
    CHECK(rs_cmap_glyph(RS_CMAP_GRAY, RS_GFX_UNICODE, 60) == 0x2591); /* 60*5/256 = 1 */
    CHECK(rs_cmap_glyph(RS_CMAP_GRAY, RS_GFX_ASCII, RS_LEVEL_NAN) == '?');
}

/* 8 colours (TERM=xterm): bwr's pinks were nearest to magenta (5) and its light blues to cyan
 * (6), gray's middle to yellow (3): colours the picture does not have. Now blue below the
 * centre, white at it, red above; gray white; and the shades give the magnitude. */
static void test_eight_colours(void)
{
    for (int level = 0; level < RS_LEVELS; level++) {
        int step = level * 9 / RS_LEVELS, c = rs_cmap_color(RS_CMAP_BWR, RS_DEPTH_8, level);
        CHECK(c == (step < 4 ? 4 : step == 4 ? 7 : 1));
        CHECK(rs_cmap_color(RS_CMAP_GRAY, RS_DEPTH_8, level) == 7);
        int v = rs_cmap_color(RS_CMAP_VIRIDIS, RS_DEPTH_8, level);
        CHECK(v != 5 && v != 1); /* no magenta, no red in viridis */
    }
    const rs_style uni8 = {RS_GFX_UNICODE, RS_DEPTH_8}, asc8 = {RS_GFX_ASCII, RS_DEPTH_8};
    uint32_t g;
    int fg;
    rs_cmap_cell(RS_CMAP_BWR, uni8, 0, &g, &fg);
    CHECK(g == 0x2588 && fg == 4);
    rs_cmap_cell(RS_CMAP_BWR, uni8, 128, &g, &fg);
    CHECK(g == 0x2591 && fg == 7);
    rs_cmap_cell(RS_CMAP_BWR, uni8, 200, &g, &fg); /* step 7 */
    CHECK(g == 0x2593 && fg == 1);
    rs_cmap_cell(RS_CMAP_BWR, asc8, 200, &g, &fg);
    CHECK(g == '*' && fg == 1);
    rs_cmap_cell(RS_CMAP_GRAY, uni8, 255, &g, &fg);
    CHECK(g == 0x2588 && fg == 7);
}

static void test_parse(void)
{
    rs_cmap cm;
    rs_norm n;
    rs_error err = {0};
    CHECK(rs_cmap_parse("viridis", &cm, &err) == 0 && cm == RS_CMAP_VIRIDIS);
    CHECK(rs_cmap_parse("jet", &cm, &err) == -1);
    CHECK_CONTAINS(err.msg, "unknown colormap 'jet'");
    CHECK(rs_norm_parse("auto", &n, &err) == 0 && n.mode == RS_NORM_AUTO);
    CHECK(rs_norm_parse("minmax", &n, &err) == 0 && n.mode == RS_NORM_MINMAX);
    CHECK(rs_norm_parse("-1:2.5", &n, &err) == 0 && n.mode == RS_NORM_FIXED && n.vmin == -1 &&
          n.vmax == 2.5f);
    CHECK(rs_norm_parse("2:1", &n, &err) == -1);
    CHECK(rs_norm_parse("1:", &n, &err) == -1);
    CHECK(rs_norm_parse("nan:1", &n, &err) == -1);
    CHECK(rs_norm_parse("0:1x", &n, &err) == -1);
    CHECK_CONTAINS(err.msg, "bad norm '0:1x'");
}

static void test_norm_range(void)
{
    double lo, hi;
    rs_norm aut = {RS_NORM_AUTO, 0, 0}, mm = {RS_NORM_MINMAX, 0, 0}, fx = {RS_NORM_FIXED, -2, 5};
    rs_norm_range(&aut, -2, 1, &lo, &hi);
    CHECK(lo == -2 && hi == 2);
    rs_norm_range(&aut, 0, 0, &lo, &hi); /* all zero: no division by zero */
    CHECK(lo == -1 && hi == 1);
    rs_norm_range(&aut, 1, 0, &lo, &hi); /* no finite value */
    CHECK(lo == -1 && hi == 1);
    rs_norm_range(&mm, 3, 3, &lo, &hi);
    CHECK(lo == 2.5 && hi == 3.5);
    rs_norm_range(&mm, -3, -1, &lo, &hi);
    CHECK(lo == -3 && hi == -1);
    rs_norm_range(&fx, -100, 100, &lo, &hi);
    CHECK(lo == -2 && hi == 5);
}

static void test_levels(void)
{
    CHECK(rs_norm_level(-1, -1, 1) == 0);
    CHECK(rs_norm_level(1, -1, 1) == 255);
    CHECK(rs_norm_level(0, -1, 1) == 128);   /* floor(0.5 * 256) */
    CHECK(rs_norm_level(0.5, -1, 1) == 192); /* floor(0.75 * 256) */
    CHECK(rs_norm_level(-7, -1, 1) == 0);
    CHECK(rs_norm_level(INFINITY, -1, 1) == 255);
    CHECK(rs_norm_level(-INFINITY, -1, 1) == 0);
    CHECK(rs_norm_level(NAN, -1, 1) == RS_LEVEL_NAN);
}

int main(void)
{
    run_test("colormap colours at their defining points", test_cmap_rgb);
    run_test("nearest 256- and 8-colour indices", test_nearest);
    run_test("text ramps: diverging shows the sign", test_glyph_ramps);
    run_test("8 colours: blue / white / red and shades, no colour the picture lacks",
             test_eight_colours);
    run_test("parsing colormap and norm names", test_parse);
    run_test("norm ranges, degenerate data included", test_norm_range);
    run_test("levels: ends, centre, clamping, Inf and NaN", test_levels);
    return check_finish();
}

/* Colormaps, their 256-level palettes, nearest terminal colours, text ramps and normalisation. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/cnumber.h"
#include "rnnscope/colormap.h"

int rs_cmap_parse(const char *name, rs_cmap *out, rs_error *err)
{
    static const struct { const char *name; rs_cmap cmap; } maps[] = {
        {"bwr", RS_CMAP_BWR}, {"viridis", RS_CMAP_VIRIDIS}, {"gray", RS_CMAP_GRAY},
        {"grey", RS_CMAP_GRAY},
    };
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
        if (strcmp(name, maps[i].name) == 0) {
            *out = maps[i].cmap;
            return 0;
        }
    return rs_fail(err, NULL, "unknown colormap '%s' (bwr, viridis, gray)", name);
}

const char *rs_cmap_name(rs_cmap cmap)
{
    return cmap == RS_CMAP_BWR ? "bwr" : cmap == RS_CMAP_VIRIDIS ? "viridis" : "gray";
}

bool rs_cmap_diverging(rs_cmap cmap)
{
    return cmap == RS_CMAP_BWR;
}

/* matplotlib's viridis sampled at t = 0, 1/8, ..., 1; linear in between. */
static const uint8_t viridis[9][3] = {
    {68, 1, 84},    {71, 44, 122},  {59, 81, 139},  {44, 113, 142}, {33, 145, 140},
    {39, 173, 129}, {94, 201, 98},  {170, 220, 50}, {253, 231, 37},
};

static uint8_t lerp8(double a, double b, double t)
{
    return (uint8_t)lround(a + (b - a) * t);
}

void rs_cmap_rgb(rs_cmap cmap, double t, uint8_t rgb[3])
{
    if (!(t > 0))
        t = 0;
    if (t > 1)
        t = 1;
    switch (cmap) {
    case RS_CMAP_BWR: /* blue (0,0,1) -> white -> red (1,0,0), as matplotlib's bwr */
        if (t < 0.5) {
            uint8_t v = lerp8(0, 255, t * 2);
            rgb[0] = rgb[1] = v;
            rgb[2] = 255;
        } else {
            uint8_t v = lerp8(255, 0, (t - 0.5) * 2);
            rgb[0] = 255;
            rgb[1] = rgb[2] = v;
        }
        break;
    case RS_CMAP_VIRIDIS: {
        double pos = t * 8;
        int i = pos >= 8 ? 7 : (int)pos;
        for (int k = 0; k < 3; k++)
            rgb[k] = lerp8(viridis[i][k], viridis[i + 1][k], pos - i);
        break;
    }
    case RS_CMAP_GRAY:
        rgb[0] = rgb[1] = rgb[2] = lerp8(0, 255, t);
        break;
    }
}

void rs_cmap_palette(rs_cmap cmap, uint8_t pal[RS_LEVELS * 3])
{
    for (int i = 0; i < RS_LEVELS; i++)
        rs_cmap_rgb(cmap, i / 255.0, pal + 3 * i);
}

static int dist2(int r, int g, int b, const uint8_t rgb[3])
{
    return (r - rgb[0]) * (r - rgb[0]) + (g - rgb[1]) * (g - rgb[1]) + (b - rgb[2]) * (b - rgb[2]);
}

/* Nearest of the six xterm cube levels 0, 95, 135, 175, 215, 255. */
static int cube_step(int v)
{
    return v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40;
}

static int cube_level(int step)
{
    return step == 0 ? 0 : 55 + 40 * step;
}

static int nearest256(const uint8_t rgb[3])
{
    int r = cube_step(rgb[0]), g = cube_step(rgb[1]), b = cube_step(rgb[2]);
    int cube = 16 + 36 * r + 6 * g + b;
    int dc = dist2(cube_level(r), cube_level(g), cube_level(b), rgb);
    int avg = (rgb[0] + rgb[1] + rgb[2]) / 3;
    int gi = avg < 8 ? 0 : avg > 238 ? 23 : (avg - 8 + 5) / 10; /* grey 232+i = 8 + 10i */
    int gv = 8 + 10 * gi;
    return dist2(gv, gv, gv, rgb) < dc ? 232 + gi : cube;
}

static int nearest8(const uint8_t rgb[3])
{
    static const uint8_t ansi[8][3] = {
        {0, 0, 0},     {205, 0, 0},   {0, 205, 0},   {205, 205, 0},
        {0, 0, 238},   {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
    };
    int best = 0, bd = dist2(ansi[0][0], ansi[0][1], ansi[0][2], rgb);
    for (int i = 1; i < 8; i++) {
        int d = dist2(ansi[i][0], ansi[i][1], ansi[i][2], rgb);
        if (d < bd) {
            bd = d;
            best = i;
        }
    }
    return best;
}

int rs_color_nearest(rs_color_depth depth, const uint8_t rgb[3])
{
    return depth == RS_DEPTH_256 ? nearest256(rgb) : depth == RS_DEPTH_8 ? nearest8(rgb)
                                                                           : RS_COLOR_DEFAULT;
}

/* Which of the nine steps of a sign-showing ramp a level is: 0..3 negative, 4 the centre,
 * 5..8 positive (the steps of the ASCII ramp "#=-, .+*@"). */
static int diverging_step(int level)
{
    return level * 9 / RS_LEVELS;
}

/* The 8 ANSI colours cannot show bwr's pinks and light blues: the nearest of them are magenta
 * and cyan, colours the picture does not contain. So a diverging map is blue below the centre,
 * white at it and red above (the shade glyphs of rs_cmap_cell give the magnitude); gray is
 * white glyphs of growing density (its middle grey is nearest to yellow). */
static int honest8(rs_cmap cmap, int level, const uint8_t rgb[3])
{
    if (rs_cmap_diverging(cmap)) {
        int step = diverging_step(level);
        return step < 4 ? 4 : step == 4 ? 7 : 1;
    }
    return cmap == RS_CMAP_GRAY ? 7 : nearest8(rgb);
}

int rs_cmap_color(rs_cmap cmap, rs_color_depth depth, int level)
{
    if (level < 0 || level >= RS_LEVELS || depth == RS_DEPTH_NONE)
        return RS_COLOR_DEFAULT;
    uint8_t rgb[3];
    rs_cmap_rgb(cmap, level / 255.0, rgb);
    return depth == RS_DEPTH_8 ? honest8(cmap, level, rgb) : rs_color_nearest(depth, rgb);
}

uint32_t rs_cmap_glyph(rs_cmap cmap, rs_graphics graphics, int level)
{
    static const char diverging[] = "#=-, .+*@";   /* most negative ... most positive */
    static const char sequential[] = " .:-=+*#%@"; /* lowest ... highest */
    static const uint32_t shades[] = {' ', 0x2591, 0x2592, 0x2593, 0x2588};
    if (level < 0 || level >= RS_LEVELS)
        return '?';
    if (rs_cmap_diverging(cmap))
        return (uint32_t)diverging[diverging_step(level)];
    if (graphics == RS_GFX_UNICODE)
        return shades[level * 5 / RS_LEVELS];
    return (uint32_t)sequential[level * 10 / RS_LEVELS];
}

void rs_cmap_cell(rs_cmap cmap, rs_style st, int level, uint32_t *glyph, int *fg)
{
    /* 8 colours, Unicode: the sign from the colour, the magnitude from the shade */
    static const uint32_t magnitude[9] = {0x2588, 0x2593, 0x2592, 0x2591, 0x2591,
                                          0x2591, 0x2592, 0x2593, 0x2588};
    *glyph = rs_cmap_glyph(cmap, st.graphics, level);
    *fg = rs_cmap_color(cmap, st.depth, level);
    if (st.depth == RS_DEPTH_8 && st.graphics == RS_GFX_UNICODE && rs_cmap_diverging(cmap) &&
        level >= 0 && level < RS_LEVELS)
        *glyph = magnitude[diverging_step(level)];
}

int rs_ui_color(rs_color_depth depth, rs_ui_role role)
{
    /*                          DATA LABEL ZERO AXIS CURSOR POS NEG WARN SEL_FG SEL_BG MASKED */
    static const int c256[] = {75, 114, 160, 244, 238, 167, 68, 214, 231, 31, 236};
    static const int c8[] = {6, 2, 1, RS_COLOR_DEFAULT, 4, 1, 4, 3, 0, 6, 0};
    if (depth == RS_DEPTH_256)
        return c256[role];
    if (depth == RS_DEPTH_8)
        return c8[role];
    return RS_COLOR_DEFAULT;
}

int rs_norm_parse(const char *text, rs_norm *out, rs_error *err)
{
    if (strcmp(text, "auto") == 0) {
        *out = (rs_norm){RS_NORM_AUTO, 0, 0};
        return 0;
    }
    if (strcmp(text, "minmax") == 0) {
        *out = (rs_norm){RS_NORM_MINMAX, 0, 0};
        return 0;
    }
    char *end;
    double a = rs_strtod_c(text, &end);
    if (end != text && *end == ':') {
        const char *s = end + 1;
        double b = rs_strtod_c(s, &end);
        if (end != s && *end == '\0' && isfinite(a) && isfinite(b) && a < b) {
            *out = (rs_norm){RS_NORM_FIXED, (float)a, (float)b};
            return 0;
        }
    }
    return rs_fail(err, NULL, "bad norm '%s' (auto, minmax or VMIN:VMAX with VMIN < VMAX)", text);
}

void rs_norm_range(const rs_norm *norm, double dmin, double dmax, double *lo, double *hi)
{
    bool none = !(dmin <= dmax);
    if (norm->mode == RS_NORM_FIXED) {
        *lo = norm->vmin;
        *hi = norm->vmax;
    } else if (norm->mode == RS_NORM_AUTO) {
        double m = none ? 0 : fmax(fabs(dmin), fabs(dmax));
        if (!(m > 0))
            m = 1;
        *lo = -m;
        *hi = m;
    } else if (none) {
        *lo = -1;
        *hi = 1;
    } else if (dmin == dmax) {
        *lo = dmin - 0.5;
        *hi = dmax + 0.5;
    } else {
        *lo = dmin;
        *hi = dmax;
    }
}

int rs_norm_level(double v, double lo, double hi)
{
    if (isnan(v))
        return RS_LEVEL_NAN;
    double t = (v - lo) / (hi - lo);
    if (!(t > 0))
        return 0;
    if (t >= 1)
        return RS_LEVELS - 1;
    int level = (int)(t * RS_LEVELS);
    return level > RS_LEVELS - 1 ? RS_LEVELS - 1 : level;
}

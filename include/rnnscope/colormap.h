/* Colormaps (bwr, viridis, gray), value normalisation, and the mapping of colours to the 256- or
 * 8-colour terminal palettes. A colormap is sampled as 256 levels so that the same level matrix
 * feeds text cells here and a PAL8 sixel image later (rs_cmap_palette is that seam). */
#ifndef RNNSCOPE_COLORMAP_H
#define RNNSCOPE_COLORMAP_H

#include <stdbool.h>
#include <stdint.h>
#include "rnnscope/canvas.h"
#include "rnnscope/error.h"

typedef enum rs_cmap { RS_CMAP_BWR, RS_CMAP_VIRIDIS, RS_CMAP_GRAY } rs_cmap;

#define RS_LEVELS 256
#define RS_LEVEL_NAN 256 /* a level for "no value": NaN, or an empty block */

int rs_cmap_parse(const char *name, rs_cmap *out, rs_error *err);
const char *rs_cmap_name(rs_cmap cmap);

/* Diverging maps (bwr) have a meaningful centre: their text ramp shows the sign. */
bool rs_cmap_diverging(rs_cmap cmap);

/* Colour of position t in [0, 1] (clamped). */
void rs_cmap_rgb(rs_cmap cmap, double t, uint8_t rgb[3]);

/* The 256 level colours, RGB triplets: the palette of a PAL8 image. */
void rs_cmap_palette(rs_cmap cmap, uint8_t pal[RS_LEVELS * 3]);

/* Nearest terminal colour index of rgb for a colour depth (RS_COLOR_DEFAULT for none). 256: the
 * 6x6x6 cube and the grey ramp (16..255); 8: the ANSI colours 0..7. */
int rs_color_nearest(rs_color_depth depth, const uint8_t rgb[3]);

/* Terminal colour of a level (0..255) of a colormap; RS_COLOR_DEFAULT for RS_LEVEL_NAN. With
 * 8 colours only colours the picture has: blue / white / red for a diverging map (never the
 * magenta or cyan nearest to its pinks and light blues), white for gray. */
int rs_cmap_color(rs_cmap cmap, rs_color_depth depth, int level);

/* One text glyph per level for output without colour (or ASCII): a density ramp, or for a
 * diverging map a ramp whose glyphs show the sign ("#=-, .+*@"). */
uint32_t rs_cmap_glyph(rs_cmap cmap, rs_graphics graphics, int level);

/* The text cell of a level where one cell shows one level (no half blocks): its glyph and
 * foreground. With 8 colours and Unicode a diverging map is shade glyphs ░▒▓█ by magnitude in
 * blue / white / red by sign; in ASCII its sign ramp in those colours. */
void rs_cmap_cell(rs_cmap cmap, rs_style st, int level, uint32_t *glyph, int *fg);

/* Colours of the parts of a picture other than the colormap. */
typedef enum rs_ui_role {
    RS_UI_DATA,   /* a line */
    RS_UI_LABEL,  /* a channel label */
    RS_UI_ZERO,   /* the zero line */
    RS_UI_AXIS,   /* axes, tick labels, separators */
    RS_UI_CURSOR, /* background of the cursor column */
    RS_UI_POS,    /* positive bar */
    RS_UI_NEG,    /* negative bar */
    RS_UI_WARN,   /* NaN / Inf notes */
    RS_UI_SELECTED_FG, /* the selected channel's label */
    RS_UI_SELECTED_BG,
    RS_UI_MASKED, /* background of masked timesteps */
} rs_ui_role;

int rs_ui_color(rs_color_depth depth, rs_ui_role role);

typedef enum rs_norm_mode {
    RS_NORM_AUTO,   /* symmetric: [-max|x|, +max|x|] (See RNN's norm='auto') */
    RS_NORM_MINMAX, /* [min, max] of the data */
    RS_NORM_FIXED,  /* [vmin, vmax] given */
} rs_norm_mode;

typedef struct rs_norm {
    rs_norm_mode mode;
    float vmin, vmax;
} rs_norm;

/* "auto", "minmax" or "VMIN:VMAX" (VMIN < VMAX, finite). */
int rs_norm_parse(const char *text, rs_norm *out, rs_error *err);

/* The value range [*lo, *hi] to show for data whose finite values span [dmin, dmax] (dmin > dmax
 * when there is none). Always lo < hi: a degenerate range is widened by 1 around its value
 * (or [-1, 1] for zero / no data). */
void rs_norm_range(const rs_norm *norm, double dmin, double dmax, double *lo, double *hi);

/* Level 0..255 of v in [lo, hi] (clamped; +-Inf go to the ends), RS_LEVEL_NAN for NaN. */
int rs_norm_level(double v, double lo, double hi);

#endif

/* A canvas: a grid of text cells, each a glyph (one Unicode code point) with a foreground and a
 * background colour index. The render views draw into it; the TUI paints it with ncurses,
 * `rnnscope plot` prints it with ANSI escapes, and the tests compare it as plain text.
 * Nothing here knows about terminals or files. */
#ifndef RNNSCOPE_CANVAS_H
#define RNNSCOPE_CANVAS_H

#include <stdint.h>
#include "rnnscope/error.h"

/* Colour index in the xterm 256-colour space (0..255), or the terminal's default colour. */
#define RS_COLOR_DEFAULT (-1)

/* Largest canvas side we agree to allocate (a terminal is far smaller). */
#define RS_CANVAS_MAX_SIDE 4096

/* How many colours the output can show: none (glyphs only), the 8 ANSI colours, or 256. */
typedef enum rs_color_depth { RS_DEPTH_NONE, RS_DEPTH_8, RS_DEPTH_256 } rs_color_depth;

/* Which glyphs the text can show. (A sixel heatmap is an image beside the text: the graphics
 * mode of rnnscope/term.h decides it, rnnscope/sixel.h draws it.) */
typedef enum rs_graphics { RS_GFX_UNICODE, RS_GFX_ASCII } rs_graphics;

/* What every view needs to know about the output device. */
typedef struct rs_style {
    rs_graphics graphics;
    rs_color_depth depth;
} rs_style;

typedef struct rs_cell {
    uint32_t ch;    /* Unicode code point; ' ' when empty */
    int16_t fg, bg; /* colour index or RS_COLOR_DEFAULT */
} rs_cell;

typedef struct rs_canvas {
    int w, h;
    rs_cell *cells; /* h rows of w cells */
} rs_canvas;

/* A box inside a canvas. */
typedef struct rs_rect {
    int x, y, w, h;
} rs_rect;

/* Allocate a blank canvas (spaces, default colours); 0x0 is allowed. */
int rs_canvas_init(rs_canvas *c, int w, int h, rs_error *err);
void rs_canvas_free(rs_canvas *c);

/* The whole canvas as a box. */
rs_rect rs_canvas_rect(const rs_canvas *c);

/* The cell at (x, y), or NULL when outside. */
rs_cell *rs_canvas_at(rs_canvas *c, int x, int y);
const rs_cell *rs_canvas_cell(const rs_canvas *c, int x, int y);

/* Set one cell; outside the canvas nothing happens. */
void rs_canvas_set(rs_canvas *c, int x, int y, uint32_t ch, int fg, int bg);

/* Write UTF-8 text from (x, y), one code point per cell, clipped to the canvas and to
 * max_cols cells (<0: no limit). Returns the number of cells written. */
int rs_canvas_print(rs_canvas *c, int x, int y, const char *utf8, int max_cols, int fg, int bg);

/* Number of code points in a UTF-8 string (its width in cells for the glyphs we use). */
int rs_utf8_width(const char *utf8);

/* Encode one code point as UTF-8 into out (>= 5 bytes, NUL-terminated); returns its length. */
int rs_utf8_encode(uint32_t cp, char *out);

/* The canvas as plain UTF-8: rows joined by '\n' (one after the last row too), trailing spaces
 * of each row removed. Caller frees; NULL when out of memory. */
char *rs_canvas_text(const rs_canvas *c);

/* The canvas with ANSI SGR colour escapes for the given depth (none: same as plain text).
 * Each row ends with a reset before its '\n'. Caller frees; NULL when out of memory. */
char *rs_canvas_ansi(const rs_canvas *c, rs_color_depth depth);

#endif

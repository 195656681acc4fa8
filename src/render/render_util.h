/* Helpers shared by the views (internal to src/render). */
#ifndef RNNSCOPE_RENDER_UTIL_H
#define RNNSCOPE_RENDER_UTIL_H

#include "rnnscope/plot.h"

/* Row (0 = top) of value v among n rows spanning [lo, hi] (lo < hi), clamped. */
int value_row(double v, double lo, double hi, int n);

/* Blank a box. */
void fill_box(rs_canvas *c, rs_rect box);

/* Write text right-aligned so that it ends just before column x_end. */
void print_right(rs_canvas *c, int x_end, int y, const char *text, int fg);

/* An axis' name centred in a label row between its end labels (wa and wb cells wide at the
 * row's two ends), when it fits with a space on each side; nothing for a NULL name. */
void print_axis_name(rs_canvas *c, rs_rect row, int wa, int wb, const char *name, int fg);

/* A y-axis gutter: the width needed for the labels, then draws them at the given rows with the
 * axis glyph ('┤' at a labelled row, '│' elsewhere; ASCII '+' and '|') in the last column. */
int gutter_width(const char *const *labels, int n);
void draw_gutter(rs_canvas *c, rs_rect gutter, const char *const *labels, const int *rows, int n,
                 rs_style st);

/* Draw one channel's line (envelope and range of p) into the box `plot`: braille, eighth
 * blocks or ASCII by st and blocks; with a zero line when asked and 0 is in range. */
void lines_plot(const rs_lines_panel *p, rs_rect plot, bool zero, bool blocks, rs_style st,
                rs_canvas *c);

/* The cell column (0-based in a plot `cells` wide, `per` envelope columns a cell) of sample k
 * of a window of len samples, inverting the envelope's mapping. */
int sample_cell(size_t k, size_t len, int cells, int per);

/* Mark the cursor column cx of a plot: a background colour, or a bar in its empty cells when
 * there is no colour. */
void draw_cursor(rs_canvas *c, rs_rect plot, int cx, rs_style st);

/* Shade the cells of a plot whose first sample is a masked step (mask[k] == 0 for sample k of
 * the window of len): a background colour, or a dot in their empty cells without colour. */
void shade_masked(rs_canvas *c, rs_rect plot, const float *mask, size_t len, int per, rs_style st);

/* The same rule along the rows of a strip one cell wide (a heatmap whose rows are timesteps):
 * row cy is shaded when its first sample is a masked step. */
void shade_masked_rows(rs_canvas *c, rs_rect strip, const float *mask, size_t len, int per,
                       rs_style st);
/* --compare: widen [*lo, *hi] to the finite values of channel ch of also (the other
 * checkpoint's matrix, oriented as the one drawn: channel_axis 1 = columns) in rows
 * [t0, t0 + len); nothing when also is NULL. */
void widen_to_channel(const rs_matrix *also, int channel_axis, size_t ch, size_t t0, size_t len,
                      double *lo, double *hi);

/* Envelope columns per cell for that choice of glyphs (braille: 2). */
int lines_dots_per_cell(bool blocks, rs_style st);

#endif

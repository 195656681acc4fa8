/* The views: each draws a slice of data into a box of a canvas (see canvas.h). They know
 * nothing of terminals or files; the caller chooses the box, the glyphs and the colour depth.
 *
 *   stats    shape, min, max, mean, std, NaN and Inf counts of a slice
 *   lines    small multiples, one per channel (the seed's show_features_1D)
 *   detail   one channel large, with axes and a cursor timestep
 *   heatmap  rows x columns in colour (the seed's show_features_2D; attention T x T)
 *   hist     histogram of all values, NaN/Inf counted apart (See RNN's features_hist)
 *   bars     one signed bar per element of a 1-D output (See RNN's features_0D)
 *   weights  kernel | recurrent kernel by gate, bias strip, per-gate histograms (rnn_heatmap)
 */
#ifndef RNNSCOPE_PLOT_H
#define RNNSCOPE_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "rnnscope/canvas.h"
#include "rnnscope/colormap.h"
#include "rnnscope/layer_desc.h"
#include "rnnscope/matrix.h"

/* ---- stats ---- */

typedef struct rs_stats {
    size_t count, finite, nan, posinf, neginf;
    double min, max, mean, std; /* over finite values; NaN when there is none */
} rs_stats;

void rs_stats_matrix(const rs_matrix *m, rs_stats *s);

/* Add the NaN and Inf among n more values to s (the weights view: a kernel's stats counting
 * the recurrent kernel's and the bias's too). */
void rs_stats_add_nonfinite(rs_stats *s, const float *x, size_t n);

/* "shape (240, 60)  min -0.93  max 0.97  mean 0.0123  std 0.456  NaN 0  Inf 0" into buf. */
char *rs_stats_format(const rs_stats *s, int rank, const size_t *shape, char *buf, size_t len);

/* A number in at most `width` characters, as precise as fits ("%.4g" at best). */
char *rs_format_number(double v, int width, char *buf, size_t len);

/* ---- min/max envelope of a long series ---- */

/* For each of n screen columns of a window of a channel: the least and greatest finite sample
 * (NaN when the column has none) and the column's last sample (for joining to the next column).
 * Column x covers samples [t0 + x*len/n, t0 + max(x*len/n + 1, (x+1)*len/n)): when len < n
 * a sample spans several columns. Building costs O(len + n); drawing from it O(n). */
typedef struct rs_envelope {
    size_t n;
    float *lo, *hi, *last;
    double min, max; /* over the whole window; min > max when it has no finite sample */
} rs_envelope;

int rs_envelope_build(rs_envelope *e, const rs_matrix *m, size_t channel, size_t t0, size_t len,
                      size_t n, rs_error *err);

/* The envelopes of k channels in one pass over the rows (a channel out of range is left
 * empty). On failure none is left allocated. */
int rs_envelope_build_many(rs_envelope *envs, const rs_matrix *m, const size_t *channels,
                           size_t k, size_t t0, size_t len, size_t n, rs_error *err);
void rs_envelope_free(rs_envelope *e);

/* ---- lines: small multiples ---- */

typedef struct rs_lines_opts {
    rs_style style;
    bool blocks;          /* unicode: eighth blocks (one sample column per cell) instead of braille */
    bool equal_axes;      /* one symmetric range +-max|x| for every panel (the seed's equate_axes) */
    bool zero_line;       /* draw y = 0 (and include it in each range) */
    size_t t0, len;       /* timestep window; len 0 = to the end */
    int grid_cols;        /* panels per row; 0 = chosen from the box shape */
    int max_per_page;     /* 0 = as many as fit */
    size_t page;          /* which page of channels */
    int channel_axis;     /* 1 (default, rows = timesteps) or 0 (rows = channels) */
    const size_t *channels; /* channel indices to show, or NULL for all */
    size_t nchannels;
    bool mark_channel;    /* mark channel `selected`'s label */
    size_t selected;
    bool mark_cursor;     /* mark timestep `cursor` (absolute) in every panel, or in the
                             selected one when mark_channel */
    size_t cursor;
    const float *step_mask; /* per row of the matrix: 0 = a step Keras masks (shaded); or NULL */
    size_t gate_units;    /* a (T, gates x units) internal: channel k is unit k % gate_units of
                             gate gate_names[k / gate_units], labelled "f3"; 0 = plain channels */
    const char *const *gate_names;
    const char *panel_name; /* what a panel is ("channel", "key"): before the first one's index
                               when it fits; or NULL */
    const rs_matrix *also;  /* --compare: a matrix of the same shape (not drawn) whose channel
                               each panel's range covers too, so that A and B share it; or NULL */
} rs_lines_opts;

void rs_lines_defaults(rs_lines_opts *o);

typedef struct rs_lines_panel {
    size_t channel;
    rs_rect box;          /* label row + plot rows */
    rs_envelope env;
    double lo, hi;        /* value range shown */
} rs_lines_panel;

/* A prepared lines view: layout and one envelope per visible panel. */
typedef struct rs_lines {
    rs_lines_opts opts;
    rs_rect box;
    int cols, rows;       /* grid */
    size_t npanels, total, first; /* panels on this page; channels in all; index of the first */
    size_t per_page;
    size_t t0, len;       /* the timestep window drawn */
    rs_lines_panel *panels;
} rs_lines;

/* Lay out the grid and build the envelopes: O(window length x panels). */
int rs_lines_prepare(rs_lines *L, const rs_matrix *m, const rs_lines_opts *o, rs_rect box,
                     rs_error *err);
/* Draw a prepared view: O(box area). */
void rs_lines_render(const rs_lines *L, rs_canvas *c);
void rs_lines_free(rs_lines *L);

int rs_lines_draw(rs_canvas *c, rs_rect box, const rs_matrix *m, const rs_lines_opts *o,
                  rs_error *err);

/* ---- detail: one channel large ---- */

typedef struct rs_detail_opts {
    rs_style style;
    size_t channel;
    size_t t0, len;       /* len 0 = to the end */
    size_t cursor;        /* timestep marked and whose value is shown */
    bool zero_line;
    int channel_axis;
    const float *step_mask; /* per row of the matrix: 0 = a masked step (shaded); or NULL */
    const char *channel_name, *step_name; /* what a channel and a step are ("key", "query"),
                                             the step's under the axis; NULL: "channel", no
                                             name under the axis ("time" is t=) */
    rs_rect *drawn;       /* when not NULL: gets the plot's cells (the time axis' columns) */
    const rs_matrix *also;  /* --compare: as rs_lines_opts.also */
} rs_detail_opts;

void rs_detail_defaults(rs_detail_opts *o);
int rs_detail_draw(rs_canvas *c, rs_rect box, const rs_matrix *m, const rs_detail_opts *o,
                   rs_error *err);

/* ---- heatmap ---- */

typedef enum rs_agg {
    RS_AGG_MEAN, /* mean of the finite values of a block */
    RS_AGG_MAX,  /* the value of largest magnitude, sign kept */
} rs_agg;

typedef struct rs_heatmap_opts {
    rs_style style;
    rs_cmap cmap;
    rs_norm norm;
    rs_agg agg;
    bool labels;  /* row/column indices around the map */
    bool legend;  /* colour bar with its values */
    size_t row_base, col_base; /* index shown for the first row / column (of a window) */
    const char *row_axis, *col_axis; /* axis names beside the labels ("query", "key"), or NULL;
                                        a row above the map holds the row axis's name */
    bool mark_row, mark_col;  /* a marker beside the map (in text cells, never in the map) at */
    size_t mark_r, mark_c;    /* row mark_r / column mark_c of m, named by its index */
    const float *row_mask, *col_mask; /* per row / column of m: 0 = a masked step, shaded beside
                                         the map as the lines view shades it; or NULL */
    bool images;  /* leave the map and the colour bar's strip blank: the caller draws them as
                     images (sixel) at the boxes rs_heatmap_frame gives */
    rs_rect *drawn; /* when not NULL: gets the map's cells (where its columns are) */
} rs_heatmap_opts;

/* Where a heatmap's parts went: the map and the colour bar's strip (w 0: not drawn), and the
 * value range of the colours. */
typedef struct rs_heatmap_boxes {
    rs_rect map, bar;
    double lo, hi;
} rs_heatmap_boxes;

void rs_heatmap_defaults(rs_heatmap_opts *o);

/* Range [lo, hi] the norm gives for the finite values of m. */
void rs_heatmap_range(const rs_matrix *m, const rs_norm *norm, double *lo, double *hi);

/* The sixel seam: resample m into a pw x ph grid of levels 0..255 (RS_LEVEL_NAN for no value),
 * pixel (x, y) at levels[y * pw + x]. Pixel x covers columns [x*cols/pw, max(that+1,
 * (x+1)*cols/pw)), and likewise for rows; a block is reduced by agg. */
void rs_heatmap_levels(const rs_matrix *m, size_t pw, size_t ph, rs_agg agg, double lo,
                       double hi, uint16_t *levels);

/* Paint m into a box as cells only (no labels), for the range [lo, hi]: half blocks (two pixel
 * rows per cell) with colour, otherwise one glyph per cell from the ramp. */
int rs_heatmap_paint(rs_canvas *c, rs_rect box, const rs_matrix *m, const rs_heatmap_opts *o,
                     double lo, double hi, rs_error *err);

/* A colour bar "lo ████ hi" in one row; *strip (if not NULL) gets the cells of its colours. */
void rs_colorbar_draw(rs_canvas *c, rs_rect row, const rs_heatmap_opts *o, double lo, double hi);
void rs_colorbar_frame(rs_canvas *c, rs_rect row, const rs_heatmap_opts *o, double lo, double hi,
                       rs_rect *strip);

/* The full view: map, row/column labels and axis names, markers, colour bar. */
int rs_heatmap_draw(rs_canvas *c, rs_rect box, const rs_matrix *m, const rs_heatmap_opts *o,
                    rs_error *err);
/* The same, saying where the map and the colour bar went (o->images: left blank there). */
int rs_heatmap_frame(rs_canvas *c, rs_rect box, const rs_matrix *m, const rs_heatmap_opts *o,
                     rs_heatmap_boxes *out, rs_error *err);

/* ---- histogram ---- */

typedef struct rs_hist_opts {
    rs_style style;
    bool axes;         /* count axis, value labels, NaN/Inf footer */
    const char *title; /* shown top-left, or NULL */
    const float *row_mask; /* per row of the matrix: 0 = a masked step, whose values are shaded
                              at the top of each bar; or NULL */
    bool fixed;        /* bins over [lo, hi] (--compare: one range for A and B), not the data's */
    double lo, hi;
} rs_hist_opts;

void rs_hist_defaults(rs_hist_opts *o);

typedef struct rs_hist {
    size_t nbins;
    size_t *counts;
    double lo, hi;        /* bin i covers [lo + i*(hi-lo)/nbins, ...); the last includes hi */
    size_t nan, posinf, neginf, finite;
    size_t *masked;       /* per bin, those of masked rows (NULL without a row mask) */
    size_t finite_masked;
} rs_hist;

/* Count the finite values of m into nbins bins spanning their range (a constant c spans
 * [c - 0.5, c + 0.5]); NaN and +-Inf are counted apart. */
int rs_hist_compute(rs_hist *h, const rs_matrix *m, size_t nbins, rs_error *err);
/* The same, also counting apart the values of rows whose row_mask is 0 (NULL: none). */
int rs_hist_compute_masked(rs_hist *h, const rs_matrix *m, size_t nbins, const float *row_mask,
                           rs_error *err);
/* The same over [lo, hi] given (values outside it in the end bins). */
int rs_hist_compute_in(rs_hist *h, const rs_matrix *m, size_t nbins, double lo, double hi,
                       const float *row_mask, rs_error *err);
void rs_hist_free(rs_hist *h);

int rs_hist_draw(rs_canvas *c, rs_rect box, const rs_matrix *m, const rs_hist_opts *o,
                 rs_error *err);

/* ---- bars: a 1-D output ---- */

typedef struct rs_bars_opts {
    rs_style style;
    size_t base; /* index shown for the first element (of a window) */
    double cover_lo, cover_hi; /* the value axis covers them too (--compare: one scale) */
} rs_bars_opts;

/* One bar per element of m (row-major), up from zero for positive values, down for negative;
 * more elements than columns: each column shows the largest magnitude of its elements. */
int rs_bars_draw(rs_canvas *c, rs_rect box, const rs_matrix *m, const rs_bars_opts *o,
                 rs_error *err);

/* ---- weights by gate ---- */

typedef struct rs_weights_opts {
    rs_style style;
    rs_cmap cmap;
    int gates;               /* gate blocks along the columns: 4 LSTM, 3 GRU, 1 SimpleRNN */
    const char *const *gate_names; /* gates short names, or NULL for rs_gate_names(gates) */
    bool histograms;         /* per-gate histograms under the maps */
    const char *const *notes[2]; /* kernel, recurrent: a short text per gate written after its
                                    name (gradient mode: the block's norm), or NULL */
    double cover, cover_bias; /* --compare: the kernels' and the bias's scales reach at least
                                 +-these (the other checkpoint's largest |w|); 0: nothing */
} rs_weights_opts;

void rs_weights_defaults(rs_weights_opts *o);


/* kernel (in, G*u), recurrent (u, G*u), bias (G*u) as a (1, G*u) or (2, G*u) matrix; any may be
 * NULL but not all. One symmetric colour scale over the kernels (the bias is not counted). */
int rs_weights_draw(rs_canvas *c, rs_rect box, const rs_matrix *kernel,
                    const rs_matrix *recurrent, const rs_matrix *bias,
                    const rs_weights_opts *o, rs_error *err);

#endif

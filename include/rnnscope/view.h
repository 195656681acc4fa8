/* The views, defined once: the table below names each view, its key, the outputs it applies
 * to, the outputs it is the default for, the options it draws with, and its draw function.
 * `rnnscope plot`, the explorer, its help overlay and key bar, `--help`, the man page and the
 * bash completion all read it. A view draws from one rs_view_state, which both front ends
 * fill the same way, so the same state gives the same picture in both.
 *
 * Adding a view: one file src/render/<name>.c defining rs_view_draw_<name> (and its line in
 * Makefile.am), and one line in RS_VIEWS. See HACKING.md. */
#ifndef RNNSCOPE_VIEW_H
#define RNNSCOPE_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "rnnscope/canvas.h"
#include "rnnscope/colormap.h"
#include "rnnscope/layer_desc.h"
#include "rnnscope/matrix.h"
#include "rnnscope/plot.h"

/* Which outputs a view applies to, or is the default for. */
enum {
    RS_FOR_SEQUENCE = 1,  /* (T, C) per sample */
    RS_FOR_ATTENTION = 2, /* a (query, key) matrix per sample */
    RS_FOR_VECTOR = 4,    /* (C,) per sample */
    RS_FOR_LAYER = 8,     /* the layer itself (its weights), whatever its output */
    RS_FOR_BATCH = 16,    /* every sample of the batch at once */
    RS_FOR_GATES = 32,    /* a (T, gates, units) internal, as (T, gates x units) */
    RS_FOR_ANY = RS_FOR_SEQUENCE | RS_FOR_ATTENTION | RS_FOR_VECTOR,
};

/* The options a view draws with (a key for another option says it does nothing here). */
enum { RS_USES_CMAP = 1, RS_USES_NORM = 2, RS_USES_TRANSPOSE = 4, RS_USES_WINDOW = 8 };

/* X(ID, fn, name, key, help, key-bar label, applies to, default for, uses) */
#define RS_VIEWS(X)                                                                             \
    X(LINES, lines, "lines", "1", "view: lines, one per channel", "Lines", RS_FOR_ANY,         \
      RS_FOR_SEQUENCE, RS_USES_WINDOW)                                                          \
    X(DETAIL, detail, "detail", "2", "view: one channel in detail", "Detail", RS_FOR_ANY, 0,   \
      RS_USES_WINDOW)                                                                           \
    X(HEATMAP, heatmap, "heatmap", "3",                                                         \
      "view: heatmap (attention: row = query step; else time along x)", "Heat", RS_FOR_ANY,   \
      RS_FOR_ATTENTION | RS_FOR_GATES,                                                          \
      RS_USES_CMAP | RS_USES_NORM | RS_USES_TRANSPOSE | RS_USES_WINDOW)                         \
    X(HIST, hist, "hist", "4", "view: histogram", "Hist", RS_FOR_ANY, 0, 0)                    \
    X(BARS, bars, "bars", "5", "view: bars", "Bars", RS_FOR_ANY, RS_FOR_VECTOR, 0)             \
    X(WEIGHTS, weights, "weights", "6", "view: the layer's weights, by gate and direction",    \
      "Weights", RS_FOR_LAYER, 0, RS_USES_CMAP)                                                 \
    X(SAMPLES, samples, "samples", "7", "view: one small heatmap per sample of the batch",     \
      NULL, RS_FOR_BATCH | RS_FOR_SEQUENCE | RS_FOR_ATTENTION, 0, RS_USES_CMAP | RS_USES_NORM) \
    X(VALUES, values, "values", "8",                                                            \
      "view: one value per sample (the channel at the cursor step), with its number",          \
      NULL, RS_FOR_BATCH | RS_FOR_ANY | RS_FOR_GATES, 0, 0)                                        \
    X(TIMELINE, timeline, "timeline", "9",                                                      \
      "view: the layer over the checkpoints of a directory (weights histogram, statistics)",    \
      NULL, RS_FOR_LAYER, 0, RS_USES_CMAP)

typedef enum rs_view_id {
#define RS_VIEW_ENUM(ID, fn, name, key, help, bar, applies, defaults, uses) RS_VIEW_##ID,
    RS_VIEWS(RS_VIEW_ENUM)
#undef RS_VIEW_ENUM
    RS_VIEW_COUNT
} rs_view_id;

/* The timeline view: one layer over the checkpoints of a directory, oldest first (plain data:
 * the front end fills it from the statistics of rnnscope/ckpt_stats.h). */
typedef struct rs_view_timeline {
    size_t n;                  /* checkpoints */
    int bins;
    const double *shares;      /* shares[c * bins + b]: the share of the layer's weights in bin
                                  b of [lo, hi] at checkpoint c */
    double lo, hi;
    int nseries;
    const char (*names)[32];   /* the statistics' names */
    const double *series;      /* series[k * n + c]: statistic k at checkpoint c (NaN: none) */
    const long *ticks;         /* per checkpoint: the number under its column (its epoch, else
                                  its index), or NULL for the index */
    const char *tick_name;     /* what the numbers are ("epoch"), or NULL */
    const bool *missing;       /* per checkpoint: it did not load (an empty column marked as
                                  such), or NULL for none */
} rs_view_timeline;

/* A panel of the lines view, for mouse clicks: its plot rows and its channel. */
typedef struct rs_view_hit {
    rs_rect box;
    size_t channel;
} rs_view_hit;

/* What a heatmap view drew (the sixel front ends place their images by it, the status line
 * names its scale and axes). */
typedef struct rs_view_heat {
    bool drawn;                      /* one heatmap (not gate panels) */
    rs_heatmap_boxes boxes;          /* its map and colour bar's strip; its range */
    const char *row_axis, *col_axis; /* what its rows and columns are, or NULL */
    bool transposed;                 /* the user's transpose */
} rs_view_heat;

/* Everything a view draws from. Timesteps are absolute (indices of `full`'s rows). */
typedef struct rs_view_state {
    rs_style style;
    rs_matrix full;             /* the sample's output: rows = time (or query step), columns =
                                   channels (or key step) */
    rs_output_desc out;         /* what it is: attention, gates (then `full` is (T, gates x
                                   units), gate g in columns g*units...), axis names */
    size_t t0, tlen;            /* the window of rows shown; tlen 0 = every row */
    const size_t *channels;     /* the channels shown (plot --channels), or NULL for all */
    size_t nchannels;
    size_t channel;             /* the selected channel */
    bool mark_channel;          /* mark it (the explorer) */
    size_t cursor;              /* the cursor timestep (absolute) */
    bool mark_cursor, have_cursor;
    size_t page;                /* lines: which page of channels */
    int grid_cols;              /* lines: panels per row; 0 = from the space */
    bool equal_axes, zero_line, blocks, transpose;
    rs_cmap cmap;
    rs_norm norm;
    rs_agg agg;
    const float *step_mask;     /* per row of `full`: 0 = a step Keras masks; or NULL */
    const rs_layer_desc *layer; /* the weights view: what the layer holds; or NULL */
    const char *const *gate_notes[RS_DESC_MAX_WEIGHTS]; /* the weights view: per weight (its
                                   index), a note per gate block after its name, or NULL */
    /* the samples view: the batch as nsamples row-major (full.rows, full.cols) blocks */
    const float *batch;
    size_t nsamples, sample;
    size_t first_sample;        /* the input's index of the batch's first sample (the explorer
                                   with --sample N holds that one sample): labels count from it */
    bool images;                /* heatmap: leave the map and its colour bar's strip blank, for
                                   the front end to draw as images (sixel) */
    /* gradient mode: the timestep importance strip, one row under a view whose x axis is time
     * (lines, detail, heatmap): one value per row of `full`, or NULL for none */
    const float *strip;
    /* --compare: the other checkpoint's output, layer and batch (the same shapes as full,
     * layer and batch), not drawn: every scale also covers them, so that A and B are drawn on
     * one scale. also.rows 0 and NULLs: nothing to cover (one model, or A - B on screen). */
    rs_matrix also;
    const rs_layer_desc *also_layer;
    const float *also_batch;
    const rs_view_timeline *timeline; /* the timeline view's data, or NULL (not on a directory);
                                   its cursor (cursor, have_cursor) is a checkpoint's index */

    /* filled in by the draw */
    size_t per_page;            /* lines: channels on a page */
    rs_view_hit hits[256];      /* lines: the panels drawn */
    int nhits;
    size_t hit_t0, hit_len;
    rs_view_heat heat;          /* heatmap: where it went, its range and axes */
    size_t strip_peak;          /* the strip's largest value: its timestep (absolute), or
                                   SIZE_MAX when no strip was drawn or it is all 0 / NaN */
    int time_x, time_w;         /* detail, heatmap: the columns of the time axis (the strip
                                   goes under them); time_w 0: the whole box */
} rs_view_state;

typedef int (*rs_view_draw_fn)(rs_canvas *c, rs_rect box, rs_view_state *s, rs_error *err);

typedef struct rs_view_info {
    rs_view_id id;
    const char *name, *key, *help, *bar;
    unsigned applies, defaults, uses;
    rs_view_draw_fn draw;
} rs_view_info;

#define RS_VIEW_DECL(ID, fn, name, key, help, bar, applies, defaults, uses) \
    int rs_view_draw_##fn(rs_canvas *c, rs_rect box, rs_view_state *s, rs_error *err);
RS_VIEWS(RS_VIEW_DECL)
#undef RS_VIEW_DECL

/* Every view, in table order. */
const rs_view_info *rs_view_table(void);
const rs_view_info *rs_view_get(rs_view_id id);
/* By name ("hist" also as "histogram"), or NULL. */
const rs_view_info *rs_view_by_name(const char *name);
/* "lines, detail, heatmap, ..." into buf. */
const char *rs_view_names(char *buf, size_t len);

/* What kind of output a state shows (RS_FOR_SEQUENCE, _ATTENTION, _GATES or _VECTOR). */
unsigned rs_view_output_kind(const rs_view_state *s);
/* The default view for that kind: the first view whose `defaults` has it. */
rs_view_id rs_view_default(unsigned kind);

void rs_view_state_init(rs_view_state *s);

/* The state's selection: the window of rows and the channels (a copy into *copy, which the
 * caller frees, when the channels are not one run); ch_base is the first channel's index when
 * they are one run, else 0. */
int rs_view_selection(const rs_view_state *s, rs_matrix *out, float **copy, size_t *ch_base,
                      rs_error *err);

/* The selection of s->full and, when there is one, the same selection of s->also (--compare),
 * both transposed: what the lines and detail views draw with --transpose. *copy and *also_copy
 * as rs_view_selection's copy (the caller frees them). */
int rs_view_transposed_selection(const rs_view_state *s, rs_matrix *m, float **copy,
                                 rs_matrix *also, float **also_copy, rs_error *err);

/* The one orientation rule of heatmaps, decided on the full output, not on the window: an
 * attention matrix as it is (row = query step, column = key step), anything else with time
 * along x (rows = channels); then the user's transpose. Fills the labels' bases. */
rs_matrix rs_view_heatmap_matrix(const rs_view_state *s, rs_matrix sel, size_t ch_base,
                                 size_t *row_base, size_t *col_base, bool *transposed);

/* The heatmap a state shows, as the sixel front ends draw it: the matrix (oriented by the rule
 * above; *copy to free) and its colour range. */
int rs_view_heatmap_prepare(const rs_view_state *s, rs_matrix *m, float **copy, double *lo,
                            double *hi, rs_error *err);

/* How many samples the state's batch holds, for the views of the whole batch; fails when it
 * holds none or the output is empty. */
int rs_view_batch_count(const rs_view_state *s, size_t *n, rs_error *err);
/* --compare: widen [lo, hi] (the range norm gives the state's own selection) to the range it
 * gives the same selection of s->also; nothing when there is no also. */
int rs_view_cover(const rs_view_state *s, const rs_norm *norm, double *lo, double *hi,
                  rs_error *err);

/* A heatmap's options from the state: style, colormap, normalization, aggregation. */
void rs_view_heatmap_opts(const rs_view_state *s, rs_heatmap_opts *o);

/* The strip (s->strip) under view id, when the view's x axis is time: drawn on the box's last
 * row (s->strip_peak set). Returns the box left for the view. */
rs_rect rs_view_strip(rs_view_id id, rs_canvas *c, rs_rect box, rs_view_state *s);

/* One row of importance values over the window [t0, t0 + len) of v: each cell the largest
 * value of the steps it spans, as an eighth block (ASCII: " .:-=+*#@") scaled to the window's
 * largest; '?' where a step is NaN. Returns the step of the largest value, or SIZE_MAX. */
size_t rs_strip_draw(rs_canvas *c, rs_rect row, const float *v, size_t t0, size_t len,
                     rs_style st);

/* reflect_half (See RNN): when the state's layer has a backward direction (a Bidirectional)
 * and its output an even number of columns, s->full becomes a copy (*copy, the caller frees
 * it) whose second half, the backward direction, has its steps in reverse order: both
 * directions then read in the order they were computed. Returns 1, or 0 (nothing changed)
 * when the output is not one to reflect, -1 on error. */
int rs_view_reflect_half(rs_view_state *s, float **copy, rs_error *err);

/* Draws the view, its strip under it when the state has one. */
int rs_view_draw(rs_view_id id, rs_canvas *c, rs_rect box, rs_view_state *s, rs_error *err);

#endif

/* The explorer's state and what acts on it. No ncurses here: the state is drawn into a canvas
 * (screen.c) that app.c paints, so that tests can drive actions and read the screen as text. */
#ifndef RNNSCOPE_TUI_EXPLORER_H
#define RNNSCOPE_TUI_EXPLORER_H

#include <stdbool.h>

#include "grad_mode.h"
#include "rnnscope/canvas.h"
#include "rnnscope/ckpt.h"
#include "rnnscope/colormap.h"
#include "rnnscope/keymap.h"
#include "rnnscope/layer.h"
#include "rnnscope/model.h"
#include "rnnscope/plot.h"
#include "rnnscope/run.h"
#include "rnnscope/tui.h"
#include "rnnscope/view.h"
#include "timeline_hook.h"

/* The view of a layer: one of rnnscope/view.h's table, or EX_VIEW_DEFAULT (the table's
 * default for what the output is, or the settings' view.sequence...). */
#define EX_VIEW_DEFAULT (-1)

/* One row of the layers panel: a layer, or one of its outputs when it is expanded. */
typedef struct ex_row {
    int node;
    int output;  /* which output the row shows */
    bool child;  /* an output row under an expanded layer */
} ex_row;

typedef enum ex_focus { EX_FOCUS_LAYERS, EX_FOCUS_VIEW } ex_focus;

typedef enum ex_prompt {
    EX_PROMPT_NONE,
    EX_PROMPT_SEARCH,
    EX_PROMPT_EXPORT,
    EX_PROMPT_OVERWRITE,
} ex_prompt;

/* A heatmap, or its colour bar's strip, to be drawn as a sixel image over blank cells (filled
 * in by ex_draw). */
typedef struct ex_sixel_request {
    bool active;
    bool colorbar;         /* the strip of the colormap's levels, low to high (m unused) */
    rs_rect box;           /* in cells */
    rs_matrix m;           /* valid until the inputs change */
    double lo, hi;
    rs_cmap cmap;
    rs_agg agg;
} ex_sixel_request;

/* --compare: a second checkpoint of the same architecture on the same input. Every view
 * shows A (ex->m), B or A - B (the compare key); A and B are drawn on one scale. */
typedef struct ex_compare {
    rs_model *b;             /* NULL: not comparing */
    rs_run **runs;           /* B's outputs, one per sample, made when first shown */
    rs_show show;
    rs_tensor diff;          /* A - B of an output, computed when shown */
    int diff_sample, diff_node, diff_k; /* which (diff_node -1: none) */
} ex_compare;

typedef struct explorer {
    rs_model *m;
    rs_tui_input *input;
    int sample, nsamples;
    rs_run **runs;           /* one per sample, made when first shown */
    const rs_progress *progress;
    int cancelled_row, cancelled_sample; /* a computation the user cancelled (-1: none) */

    bool *expanded;          /* per node */
    signed char *view_of;    /* per node: the chosen view, or EX_VIEW_DEFAULT */
    ex_row *rows;
    int nrows, sel, top;
    ex_focus focus;
    bool layers_hidden;      /* L: the view takes the whole screen */

    size_t channel;          /* selected channel of the view */
    size_t t0, tlen;         /* timestep window; tlen 0 = every timestep */
    size_t cursor;           /* timestep cursor */
    bool equal_axes, zero_line, transpose;
    int grid_cols;           /* lines: panels per row, 0 = from the space (C) */
    rs_cmap cmap;
    rs_norm norm;

    rs_style style;
    rs_term_graphics mode;
    char mode_why[64];
    rs_keymap keys;
    int default_view[3];     /* sequence, attention, vector: RS_VIEW_* from the settings */

    bool help;
    int help_top;            /* first line of the help shown (it scrolls) */
    int help_page;           /* lines of the help on screen at the last draw */
    ex_prompt prompt;
    char line[256];
    char search[256];
    int search_start;        /* the selection when the search began (Esc goes back to it) */
    char pending_path[256];
    char message[256];
    bool message_is_error;
    bool quit;
    bool redraw_all;         /* Ctrl-L: the painter repaints every cell */

    ex_sixel_request sixel, sixel_bar; /* the heatmap and its colour bar */
    rs_view_heat heat;       /* the heatmap at the last draw, for the status line */

    ex_grad grad;            /* gradient mode (d): grad_mode.h */

    ex_compare cmp;
    ex_timeline timeline;    /* on a directory of checkpoints: the timeline view */

    rs_rect layers_box, view_box; /* where the panels were drawn, for mouse clicks */
    /* The lines view's panels at the last draw, for clicks: plot rows, channel, and the
     * timestep window they span. */
    struct ex_panel_hit {
        rs_rect box;
        size_t channel;
    } hits[256];
    int nhits;
    size_t hit_t0, hit_len;
    int screen_cols, screen_rows;
    int view_rows;           /* rows of the view box at the last draw */
    int layers_rows;         /* layer rows shown at the last draw (a page of the list) */
    size_t channel_page;     /* channels a page of the view shows (1 when it shows one) */
} explorer;

int ex_init(explorer *ex, rs_model *m, rs_tui_input *input, rs_error *err);
void ex_free(explorer *ex);

/* A key from the keyboard or a script: prompt editing, else its bound action. */
void ex_key(explorer *ex, int key);
void ex_action(explorer *ex, rs_action a);

/* The run of the current sample (made and given its inputs on first use), or NULL with err. */
rs_run *ex_sample_run(explorer *ex, rs_error *err);

/* The output on screen (computed on demand for the current sample; in gradient mode its
 * gradient). NULL with err when it cannot be computed; node_out and k_out name it. */
const rs_tensor *ex_current_output(explorer *ex, int *node_out, int *k_out, rs_error *err);

/* The output of the selected row as `which` shows it (--compare: A, B or A - B; without
 * --compare only A). */
const rs_tensor *ex_output_of(explorer *ex, rs_show which, int *node_out, int *k_out,
                              rs_error *err);

/* --compare: open B beside the model (the same architecture, checked by the caller). */
int ex_compare_init(explorer *ex, rs_model *b, rs_error *err);

/* The model `which` shows (A - B: A, whose layers and names it has). */
const rs_model *ex_model_of(const explorer *ex, rs_show which);

/* The view drawn for the selected row. */
rs_view_id ex_current_view(explorer *ex, const rs_tensor *t);

/* What the output of the selected row is, from its layer's description. */
rs_output_desc ex_current_output_desc(explorer *ex);

/* A mouse click at a screen cell: selects the layer row under it, or focuses the view and,
 * in the lines view, selects the channel and timestep under it. */
void ex_click(explorer *ex, int x, int y);

/* The mouse wheel over a screen cell: moves in the panel under it (up: dir -1). */
void ex_wheel(explorer *ex, int x, int y, int dir);

/* Draw the whole screen. */
void ex_draw(explorer *ex, rs_canvas *c);

/* Set the status message (shown until the next key). */
void ex_say(explorer *ex, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif

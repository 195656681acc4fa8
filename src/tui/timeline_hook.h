/* The timeline view in the explorer opened on a directory of checkpoints (rnnscope DIR,
 * --watch DIR): the selected layer over every checkpoint of the directory. The statistics are
 * gathered when the view is first shown (from the cache of `rnnscope timeline` when it has
 * them) on the explorer's input, and kept. On a terminal they are gathered in the background:
 * the view shows each checkpoint's weight statistics, then its output statistics, as they come,
 * the status line says "timeline 37/100" (then the usual status again: --watch's), and keys
 * work meanwhile. Headless, the view waits for
 * all of them (the same picture every time). */
#ifndef RNNSCOPE_TUI_TIMELINE_HOOK_H
#define RNNSCOPE_TUI_TIMELINE_HOOK_H

#include "rnnscope/ckpt_stats.h"
#include "rnnscope/view.h"

struct explorer;
struct ex_timeline_bg;

#define EX_TIMELINE_BINS 32

typedef struct ex_timeline {
    const char *dir;         /* NULL: not on a directory */
    bool gathered;
    rs_timeline all;         /* the checkpoints and their statistics */
    rs_error error;          /* why they could not be gathered (msg "" when they were) */
    int node;                /* the layer `view` shows (-1: none yet) */
    rs_view_timeline view;
    double *shares, *series;
    char names[RS_TIMELINE_MAX_SERIES][32];
    struct ex_timeline_bg *bg; /* the gather running in the background, or NULL */
    unsigned long bg_seen;   /* the background's count of results `view` was made from */
} ex_timeline;

/* The timeline of the node (computed when first asked), or NULL with err. */
const rs_view_timeline *ex_timeline_of(struct explorer *ex, int node, rs_error *err);
/* Stops a background gather (waiting for the checkpoints being computed) and frees it all. */
void ex_timeline_free(ex_timeline *t);

#endif

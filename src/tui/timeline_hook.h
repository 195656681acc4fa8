/* The timeline view in the explorer opened on a directory of checkpoints (rnnscope DIR,
 * --watch DIR): the selected layer over every checkpoint of the directory. The statistics are
 * gathered when the view is first shown (from the cache of `rnnscope timeline` when it has
 * them) on the explorer's input, and kept. On a terminal they are gathered in the background:
 * the view shows each checkpoint's weight statistics, then its output statistics, as they come,
 * the status line says "timeline 37/100" (then the usual status again: --watch's), and keys
 * work meanwhile; headless, the view waits for all of them (the same picture every time). The
 * cursor keys move over the checkpoints; the status line names the one under the cursor and
 * says which did not load. */
#ifndef RNNSCOPE_TUI_TIMELINE_HOOK_H
#define RNNSCOPE_TUI_TIMELINE_HOOK_H

#include "rnnscope/ckpt_stats.h"
#include "rnnscope/timeline_pic.h"
#include "rnnscope/view.h"

struct explorer;
struct ex_timeline_bg;

typedef struct ex_timeline {
    const char *dir;         /* NULL: not on a directory */
    bool gathered;
    rs_timeline all;         /* the checkpoints that loaded and their statistics */
    rs_timeline_cols cols;   /* every checkpoint listed, those that did not load too */
    rs_error error;          /* why they could not be gathered (msg "" when they were) */
    int node;                /* the layer `pic` shows (-1: none yet) */
    rs_timeline_pic pic;
    size_t cursor;           /* the checkpoint under the cursor (a column) */
    bool moved;              /* the cursor is off the newest (else it follows the newest when
                              * the checkpoints are gathered again) */
    struct ex_timeline_bg *bg; /* the gather running in the background, or NULL */
    unsigned long bg_seen;   /* the background's count of results `pic` was made from */
} ex_timeline;

/* The timeline of the node (computed when first asked), or NULL with err. */
const rs_view_timeline *ex_timeline_of(struct explorer *ex, int node, rs_error *err);
/* Stops a background gather (waiting for the checkpoints being computed) and frees it all. */
void ex_timeline_free(ex_timeline *t);

/* Whether the view on screen is the timeline. */
bool ex_timeline_shown(struct explorer *ex);
/* The cursor keys in the timeline view: the previous (dir -1) or next checkpoint. */
void ex_timeline_move(struct explorer *ex, int dir);
/* The status line's note (rnnscope/timeline_pic.h's rs_timeline_note), "" while the
 * checkpoints are not gathered. */
void ex_timeline_status(struct explorer *ex, char *buf, size_t len);

#endif

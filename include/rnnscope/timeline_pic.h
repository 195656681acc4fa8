/* The timeline view's data (rnnscope/view.h's rs_view_timeline) for one layer, from the
 * statistics of a directory's checkpoints (rnnscope/ckpt_stats.h): what the explorer on a
 * directory and `plot DIR --view timeline` both draw, made in one place so that the two
 * cannot drift. */
#ifndef RNNSCOPE_TIMELINE_PIC_H
#define RNNSCOPE_TIMELINE_PIC_H

#include <stdbool.h>

#include "rnnscope/ckpt_stats.h"
#include "rnnscope/view.h"

#define RS_TIMELINE_BINS 32 /* the weights' histogram */

typedef struct rs_timeline_pic {
    rs_view_timeline view;   /* points into the arrays below (do not copy the struct) */
    double *shares, *series;
    long *ticks;
    bool *missing;
    char names[RS_TIMELINE_MAX_SERIES][32];
} rs_timeline_pic;

/* Layer `layer` over every checkpoint the directory listed: one column each, oldest first,
 * labelled by its epoch (by its index when the names do not all have one); a checkpoint that
 * did not load is an empty column (NaN) marked missing. */
int rs_timeline_pic_make(rs_timeline_pic *p, const rs_timeline *tl, const rs_timeline_cols *cols,
                         const char *layer, rs_error *err);
void rs_timeline_pic_free(rs_timeline_pic *p);

/* What the status line says of a timeline: the checkpoint under the cursor ("epoch 12 ·
 * weights.12-0.53.h5", "did not load" when it did not) and, when some did not load, how many
 * and the first one's reason. Names and reasons come from files: sanitized. */
void rs_timeline_note(const rs_timeline_cols *cols, size_t cursor, bool unicode, char *buf,
                      size_t len);

#endif

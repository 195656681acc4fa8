/* --watch in the explorer: a new checkpoint replaces the model on screen, keeping the layer,
 * view, window, cursor, sample and input; the status line says which checkpoint is shown and
 * how long ago it was written, or why the newest one could not be loaded. */
#ifndef RNNSCOPE_TUI_WATCH_HOOK_H
#define RNNSCOPE_TUI_WATCH_HOOK_H

#include "explorer.h"
#include "rnnscope/ckpt.h"

typedef struct ex_watch {
    rs_watch *w;          /* NULL: not watching */
    rs_model *owned;      /* the model taken from the watcher on screen (the first is the
                           * caller's) */
    char said[256];       /* the status we set last: replaced only while it is still shown */
} ex_watch;

/* Look for a new checkpoint (cheap when nothing changed); swap it in when it loaded. */
void ex_watch_tick(explorer *ex, ex_watch *xw);

/* ms until the watcher has something to do (rs_watch_due_ms); INT_MAX when not watching. */
int ex_watch_due_ms(const ex_watch *xw);

/* The status text: "epoch 12 · 40 s ago", "model.h5 · 3 s ago", plus the load error. */
void ex_watch_status(const explorer *ex, const ex_watch *xw, char *buf, size_t len);

/* Free the model taken from the watcher, and the outputs computed from it (the explorer then
 * points at no model: call it when the explorer is done). */
void ex_watch_free(explorer *ex, ex_watch *xw);

#endif

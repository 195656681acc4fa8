/* Progress reports from long computations, and cancellation through the same callback. */
#ifndef RNNSCOPE_PROGRESS_H
#define RNNSCOPE_PROGRESS_H

#include <stdbool.h>

typedef struct rs_progress {
    /* Called now and then with the fraction done (0..1) of the current step; return false to
     * cancel: the computation then stops with an error "cancelled". */
    bool (*update)(void *user, double fraction);
    void *user;
} rs_progress;

/* true to go on; false when the user cancelled. p may be NULL. */
static inline bool rs_progress_report(const rs_progress *p, double fraction)
{
    return !p || !p->update || p->update(p->user, fraction);
}

#endif

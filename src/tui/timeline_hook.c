/* The timeline view in the explorer (see timeline_hook.h). */
#include <stdlib.h>
#include <string.h>

#include "explorer.h"
#include "timeline_hook.h"

static int gather(explorer *ex, ex_timeline *t, rs_error *err)
{
    t->gathered = true;
    t->node = -1;
    if (rs_ckpt_list_dir(t->dir, &t->all.ckpts, err) < 0 ||
        rs_timeline_gather(&t->all, ex->m, NULL, ex->input->batch, true, err) < 0) {
        t->error = *err;
        return -1;
    }
    return 0;
}

/* The view's data for the node's layer, from the gathered statistics. */
static int view_of(explorer *ex, ex_timeline *t, int node, rs_error *err)
{
    const char *layer = ex->m->nodes[node].name;
    size_t n = t->all.ckpts.n;
    free(t->shares);
    free(t->series);
    t->shares = rs_timeline_hist(&t->all, layer, EX_TIMELINE_BINS, &t->view.lo, &t->view.hi);
    t->series = malloc(RS_TIMELINE_MAX_SERIES * n * sizeof *t->series + 1);
    if (!t->shares || !t->series) {
        t->node = -1;
        return rs_fail(err, layer, "out of memory");
    }
    t->view.n = n;
    t->view.bins = EX_TIMELINE_BINS;
    t->view.shares = t->shares;
    t->view.names = (const char(*)[32])t->names;
    t->view.nseries = rs_timeline_series(&t->all, layer, t->names, t->series);
    t->view.series = t->series;
    t->node = node;
    return 0;
}

const rs_view_timeline *ex_timeline_of(explorer *ex, int node, rs_error *err)
{
    ex_timeline *t = &ex->timeline;
    if (!t->dir) {
        rs_fail(err, NULL, "the timeline view needs a directory of checkpoints (rnnscope DIR)");
        return NULL;
    }
    if (t->gathered && t->error.msg[0]) {
        *err = t->error;
        return NULL;
    }
    if (!t->gathered && gather(ex, t, err) < 0)
        return NULL;
    if (t->node != node && view_of(ex, t, node, err) < 0)
        return NULL;
    return &t->view;
}

void ex_timeline_free(ex_timeline *t)
{
    rs_timeline_free(&t->all);
    free(t->shares);
    free(t->series);
    t->shares = t->series = NULL;
    t->gathered = false;
}

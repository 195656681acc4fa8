/* The timeline view in the explorer (see timeline_hook.h). */
#include <stdlib.h>
#include <string.h>

#include "explorer.h"
#include "timeline_hook.h"

static int gather(explorer *ex, ex_timeline *t, rs_error *err)
{
    t->gathered = true;
    t->node = -1;
    t->error.msg[0] = '\0';
    if (rs_timeline_open(t->dir, ex->m, NULL, ex->input->batch, true, &t->all, &t->cols, err) < 0) {
        t->error = *err;
        return -1;
    }
    size_t n = t->cols.listed.n;
    if (!t->moved || t->cursor >= n) /* on the newest, the one a reload brought */
        t->cursor = n ? n - 1 : 0;
    return 0;
}

/* The view's data for the node's layer, from the gathered statistics. */
static int view_of(explorer *ex, ex_timeline *t, int node, rs_error *err)
{
    rs_timeline_pic_free(&t->pic);
    t->node = -1;
    if (rs_timeline_pic_make(&t->pic, &t->all, &t->cols, ex->m->nodes[node].name, err) < 0)
        return -1;
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
    return &t->pic.view;
}

void ex_timeline_free(ex_timeline *t)
{
    rs_timeline_free(&t->all);
    rs_timeline_cols_free(&t->cols);
    rs_timeline_pic_free(&t->pic);
    t->gathered = false;
}

bool ex_timeline_shown(explorer *ex)
{
    rs_error err;
    int node, k;
    const rs_tensor *t = ex_current_output(ex, &node, &k, &err);
    return ex->timeline.dir && ex_current_view(ex, t) == RS_VIEW_TIMELINE;
}

void ex_timeline_move(explorer *ex, int dir)
{
    ex_timeline *t = &ex->timeline;
    size_t n = t->cols.listed.n;
    if (!t->gathered || n == 0)
        return;
    if (dir < 0 && t->cursor > 0)
        t->cursor--;
    else if (dir > 0 && t->cursor + 1 < n)
        t->cursor++;
    t->moved = t->cursor + 1 < n;
}

void ex_timeline_status(explorer *ex, char *buf, size_t len)
{
    const ex_timeline *t = &ex->timeline;
    buf[0] = '\0';
    if (t->gathered && !t->error.msg[0])
        rs_timeline_note(&t->cols, t->cursor, ex->style.graphics == RS_GFX_UNICODE, buf, len);
}

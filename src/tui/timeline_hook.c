/* The timeline view in the explorer (see timeline_hook.h). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "explorer.h"
#include "timeline_hook.h"

/* ---- the gather in the background (on a terminal) ---- */

typedef struct ex_timeline_bg {
    pthread_t tid;
    pthread_mutex_t lock;
    /* under lock: each checkpoint's statistics as far as they are known (copies of the
     * workers'), and how many results came */
    rs_timeline partial;
    size_t complete;             /* checkpoints with all their statistics */
    unsigned long results;
    /* the gather's own, read when it has finished */
    rs_timeline result;
    const rs_model *first;
    const rs_tensor *inputs;
    int rc;
    rs_error err;
    atomic_bool finished, stop;
} ex_timeline_bg;

static int copy_stats(const rs_ckpt_stats *from, rs_ckpt_stats *to)
{
    rs_ckpt_stats s = {0};
    if (!(s.layers = calloc((size_t)from->n + 1, sizeof *s.layers)))
        return -1;
    for (; s.n < from->n; s.n++) {
        s.layers[s.n] = from->layers[s.n];
        if (!(s.layers[s.n].name = strdup(from->layers[s.n].name))) {
            rs_ckpt_stats_free(&s);
            return -1;
        }
    }
    rs_ckpt_stats_free(to);
    *to = s;
    return 0;
}

static int copy_list(const rs_ckpt_list *from, rs_ckpt_list *to)
{
    *to = *from;
    to->n = 0;
    if (!(to->items = calloc(from->n + 1, sizeof *to->items)))
        return -1;
    for (; to->n < from->n; to->n++) {
        to->items[to->n] = from->items[to->n];
        if (!(to->items[to->n].path = strdup(from->items[to->n].path)))
            return -1;
    }
    return 0;
}

/* The observer's callbacks, on the gather's threads. A result that cannot be copied (out of
 * memory) is shown when the gather ends. */
static void bg_done(void *user, size_t i, const rs_ckpt_stats *s, bool outputs)
{
    ex_timeline_bg *bg = user;
    pthread_mutex_lock(&bg->lock);
    if (copy_stats(s, &bg->partial.stats[i]) == 0)
        bg->results++;
    bg->complete += outputs;
    pthread_mutex_unlock(&bg->lock);
}

static bool bg_go_on(void *user)
{
    return !atomic_load(&((ex_timeline_bg *)user)->stop);
}

static void *bg_run(void *p)
{
    ex_timeline_bg *bg = p;
    rs_timeline_observer obs = {bg_done, bg_go_on, bg};
    bg->rc = rs_timeline_gather_observed(&bg->result, bg->first, NULL, bg->inputs, true, &obs,
                                         &bg->err);
    atomic_store(&bg->finished, true);
    return NULL;
}

static void bg_free(ex_timeline_bg *bg)
{
    rs_timeline_free(&bg->partial);
    rs_timeline_free(&bg->result);
    pthread_mutex_destroy(&bg->lock);
    free(bg);
}

static int bg_start(explorer *ex, ex_timeline *t, rs_error *err)
{
    ex_timeline_bg *bg = calloc(1, sizeof *bg);
    if (!bg)
        return rs_fail(err, t->dir, "out of memory");
    pthread_mutex_init(&bg->lock, NULL);
    atomic_init(&bg->finished, false);
    atomic_init(&bg->stop, false);
    bg->first = ex->m;
    bg->inputs = ex->input->batch;
    rs_error why = {0};
    if (rs_ckpt_list_dir(t->dir, &bg->result.ckpts, &why) == 0 &&
        (copy_list(&bg->result.ckpts, &bg->partial.ckpts) < 0 ||
         !(bg->partial.stats = calloc(bg->result.ckpts.n + 1, sizeof *bg->partial.stats)) ||
         pthread_create(&bg->tid, NULL, bg_run, bg) != 0))
        rs_fail(&why, t->dir, "cannot start gathering the timeline (out of memory)");
    if (why.msg[0]) {
        bg_free(bg);
        t->gathered = true;
        t->error = *err = why;
        return -1;
    }
    t->bg = bg;
    t->node = -1;
    return 0;
}

/* The cursor on the newest checkpoint unless the user moved it (then where it was). */
static void place_cursor(ex_timeline *t)
{
    size_t n = t->cols.listed.n;
    if (!t->moved || t->cursor >= n) /* on the newest, the one a reload brought */
        t->cursor = n ? n - 1 : 0;
}

/* The columns of tl, gathered from the checkpoints `listed`. */
static int make_cols(ex_timeline *t, const rs_ckpt_list *listed, const rs_timeline *tl,
                     rs_error *err)
{
    rs_timeline_cols_free(&t->cols);
    if (rs_timeline_cols_make(listed, tl, &t->cols, err) < 0)
        return -1;
    place_cursor(t);
    return 0;
}

/* The gather has ended: its result becomes the timeline (or its error the view's). */
static void bg_finish(explorer *ex, ex_timeline *t)
{
    ex_timeline_bg *bg = t->bg;
    pthread_join(bg->tid, NULL);
    t->all = bg->result;
    memset(&bg->result, 0, sizeof bg->result);
    t->gathered = true;
    if (bg->rc < 0)
        t->error = bg->err;
    else
        make_cols(t, &bg->partial.ckpts, &t->all, &t->error); /* its error (memory) is the view's */
    t->node = -1;
    bg_free(bg);
    t->bg = NULL;
    if (strncmp(ex->message, "timeline ", 9) == 0) /* our progress, done: the usual status */
        ex_say(ex, false, "%s", "");
}

/* ---- the view's data ---- */

static int gather(explorer *ex, ex_timeline *t, rs_error *err)
{
    t->gathered = true;
    t->node = -1;
    rs_error_clear(&t->error);
    rs_timeline_cols_free(&t->cols);
    if (rs_timeline_open(t->dir, ex->m, NULL, ex->input->batch, true, &t->all, &t->cols, err) < 0) {
        t->error = *err;
        return -1;
    }
    place_cursor(t);
    return 0;
}

/* The view's data for the node's layer, from the statistics of tl and the columns. */
static int view_of(explorer *ex, ex_timeline *t, const rs_timeline *tl, int node, rs_error *err)
{
    rs_timeline_pic_free(&t->pic);
    t->node = -1;
    if (rs_timeline_pic_make(&t->pic, tl, &t->cols, ex->m->nodes[node].name, err) < 0)
        return -1;
    t->node = node;
    return 0;
}

/* While the background gather runs: the view of what it has so far, remade when more came. */
static const rs_view_timeline *partial_view(explorer *ex, ex_timeline *t, int node, rs_error *err)
{
    ex_timeline_bg *bg = t->bg;
    int rc = 0;
    pthread_mutex_lock(&bg->lock);
    size_t complete = bg->complete, n = bg->partial.ckpts.n;
    if (t->node != node || t->bg_seen != bg->results) {
        rc = make_cols(t, &bg->partial.ckpts, &bg->partial, err);
        if (rc == 0)
            rc = view_of(ex, t, &bg->partial, node, err);
        t->bg_seen = bg->results;
    }
    pthread_mutex_unlock(&bg->lock);
    if (rc < 0)
        return NULL;
    ex_say(ex, false, "timeline %zu/%zu", complete, n);
    return &t->pic.view;
}

const rs_view_timeline *ex_timeline_of(explorer *ex, int node, rs_error *err)
{
    ex_timeline *t = &ex->timeline;
    if (!t->dir) {
        rs_fail(err, NULL, "the timeline view needs a directory of checkpoints (rnnscope DIR)");
        return NULL;
    }
    if (t->bg && atomic_load(&t->bg->finished))
        bg_finish(ex, t);
    if (t->bg)
        return partial_view(ex, t, node, err);
    if (t->gathered && t->error.msg[0]) {
        *err = t->error;
        return NULL;
    }
    if (!t->gathered) {
        if (ex->progress) /* on a terminal: keys work while it computes */
            return bg_start(ex, t, err) < 0 ? NULL : partial_view(ex, t, node, err);
        if (gather(ex, t, err) < 0)
            return NULL;
    }
    if (t->node != node && view_of(ex, t, &t->all, node, err) < 0)
        return NULL;
    return &t->pic.view;
}

void ex_timeline_free(ex_timeline *t)
{
    if (t->bg) {
        atomic_store(&t->bg->stop, true);
        pthread_join(t->bg->tid, NULL);
        bg_free(t->bg);
        t->bg = NULL;
    }
    rs_timeline_free(&t->all);
    rs_timeline_cols_free(&t->cols);
    rs_timeline_pic_free(&t->pic);
    t->gathered = false;
    t->node = -1;
    rs_error_clear(&t->error);
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
    if (n == 0)
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

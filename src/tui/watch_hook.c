/* --watch in the explorer (see watch_hook.h). Everything the user chose lives in the explorer
 * by node index and the input is the caller's, so with the same architecture only the model
 * and the cached outputs (the runs) change. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rnnscope/text.h"
#include "watch_hook.h"

static void drop_runs(explorer *ex)
{
    for (int i = 0; i < ex->nsamples; i++) {
        rs_run_free(ex->runs[i]);
        ex->runs[i] = NULL;
    }
    exg_forget(&ex->grad); /* the gradients of the model that goes */
}

/* The watcher's accept hook: only a model of the architecture on screen replaces it. */
static int same_architecture(void *user, const rs_model *fresh, rs_error *err)
{
    const explorer *ex = user;
    rs_error why = {0};
    if (rs_arch_compare(ex->m, fresh, &why) < 0)
        return rs_fail(err, fresh->path, "not the architecture on screen: %s", why.msg);
    return 0;
}

static void swap_model(explorer *ex, ex_watch *xw, rs_model *fresh)
{
    ex_timeline_free(&ex->timeline); /* first: a gather in the background uses the old model */
    drop_runs(ex);
    ex->m = fresh;
    rs_model_free(xw->owned); /* the one that was on screen, unless it was the caller's */
    xw->owned = fresh;
    ex->sixel.active = false;
    ex->redraw_all = true;
    ex->cancelled_row = ex->cancelled_sample = -1;
    ex->cmp.diff_node = -1; /* --compare: A - B of the A that goes (B and its runs stay) */
}

void ex_watch_status(const explorer *ex, const ex_watch *xw, char *buf, size_t len)
{
    const rs_watch *w = xw->w;
    const char *dot = ex->style.graphics == RS_GFX_UNICODE ? "\u00b7" : "-";
    const char *file = w->shown ? strrchr(w->shown, '/') : NULL;
    file = file ? file + 1 : w->shown ? w->shown : "?";
    long age = (long)(time(NULL) - (time_t)(w->shown_stamp.mtime_ns / 1000000000LL));
    char what[160], b[300] = "", clean[256];
    if (w->shown_epoch >= 0)
        snprintf(what, sizeof what, "%sepoch %ld", ex->cmp.b ? "A " : "", w->shown_epoch);
    else
        snprintf(what, sizeof what, "%s%s", ex->cmp.b ? "A " : "", file);
    if (ex->cmp.b) { /* --compare B: A is the watched checkpoint, B stays */
        const char *slash = strrchr(ex->cmp.b->path, '/');
        rs_text_sanitize(slash ? slash + 1 : ex->cmp.b->path, clean, sizeof clean);
        snprintf(b, sizeof b, " %s B %s", dot, clean);
    }
    int n = age < 120   ? snprintf(buf, len, "%s %s %ld s ago%s", what, dot, age < 0 ? 0 : age, b)
            : age < 7200 ? snprintf(buf, len, "%s %s %ld min ago%s", what, dot, age / 60, b)
                         : snprintf(buf, len, "%s %s %ld h ago%s", what, dot, age / 3600, b);
    if (w->error.msg[0] && n > 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, " %s newest not loaded: %s (retrying)", dot, w->error.msg);
}

int ex_watch_due_ms(const ex_watch *xw)
{
    return xw->w ? rs_watch_due_ms(xw->w, rs_watch_now()) : INT_MAX;
}

void ex_watch_tick(explorer *ex, ex_watch *xw)
{
    if (!xw->w)
        return;
    rs_model *fresh = NULL;
    xw->w->accept = same_architecture;
    xw->w->accept_user = ex;
    if (rs_watch_poll(xw->w, rs_watch_now(), true, &fresh) == 1)
        swap_model(ex, xw, fresh);
    /* the status: ours stays up to date; another message (an export, an error) is left alone */
    if (ex->message[0] && strcmp(ex->message, xw->said) != 0)
        return;
    ex_watch_status(ex, xw, xw->said, sizeof xw->said);
    ex_say(ex, xw->w->error.msg[0] != '\0', "%s", xw->said);
    snprintf(xw->said, sizeof xw->said, "%s", ex->message); /* as ex_say stored it */
}

void ex_watch_free(explorer *ex, ex_watch *xw)
{
    if (!xw->owned)
        return;
    ex_timeline_free(&ex->timeline); /* a gather in the background uses the model */
    drop_runs(ex);
    ex->m = NULL;
    rs_model_free(xw->owned);
    xw->owned = NULL;
}

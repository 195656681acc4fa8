/* The timeline view's data for one layer, and its note (see rnnscope/timeline_pic.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/text.h"
#include "rnnscope/timeline_pic.h"

/* Checkpoint c of the listing into column c: the statistics of the loaded ones (n of them,
 * shares and series as rs_timeline_hist and rs_timeline_series give them), NaN for the rest. */
static void fill_columns(rs_timeline_pic *p, const rs_timeline_cols *cols, const double *shares,
                         const double *series, size_t n, int nseries)
{
    size_t N = cols->listed.n;
    for (size_t c = 0; c < N; c++) {
        size_t j = cols->loaded[c];
        bool gone = j == RS_NOT_LOADED;
        p->missing[c] = gone;
        p->ticks[c] = cols->listed.by_epoch ? cols->listed.items[c].epoch : (long)c;
        for (size_t b = 0; b < RS_TIMELINE_BINS; b++)
            p->shares[c * RS_TIMELINE_BINS + b] = gone ? NAN : shares[j * RS_TIMELINE_BINS + b];
        for (int k = 0; k < nseries; k++)
            p->series[(size_t)k * N + c] = gone ? NAN : series[(size_t)k * n + j];
    }
}

int rs_timeline_pic_make(rs_timeline_pic *p, const rs_timeline *tl, const rs_timeline_cols *cols,
                         const char *layer, rs_error *err)
{
    memset(p, 0, sizeof *p);
    size_t N = cols->listed.n, n = tl->ckpts.n;
    double lo = 0, hi = 0;
    double *shares = n ? rs_timeline_hist(tl, layer, RS_TIMELINE_BINS, &lo, &hi) : NULL;
    double *series = malloc(RS_TIMELINE_MAX_SERIES * n * sizeof *series + 1);
    p->shares = malloc(N * RS_TIMELINE_BINS * sizeof *p->shares + 1);
    p->series = malloc(RS_TIMELINE_MAX_SERIES * N * sizeof *p->series + 1);
    p->ticks = malloc(N * sizeof *p->ticks + 1);
    p->missing = malloc(N * sizeof *p->missing + 1);
    if ((n && !shares) || !series || !p->shares || !p->series || !p->ticks || !p->missing) {
        free(shares);
        free(series);
        rs_timeline_pic_free(p);
        return rs_fail_oom(err, layer);
    }
    int nseries = rs_timeline_series(tl, layer, p->names, series);
    fill_columns(p, cols, shares, series, n, nseries);
    free(shares);
    free(series);
    p->view = (rs_view_timeline){
        .n = N, .bins = RS_TIMELINE_BINS, .shares = p->shares, .lo = lo, .hi = hi,
        .nseries = nseries, .names = (const char(*)[32])p->names, .series = p->series,
        .ticks = p->ticks, .tick_name = cols->listed.by_epoch ? "epoch" : "ckpt",
        .missing = p->missing};
    return 0;
}

void rs_timeline_pic_free(rs_timeline_pic *p)
{
    free(p->shares);
    free(p->series);
    free(p->ticks);
    free(p->missing);
    memset(p, 0, sizeof *p);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

/* A loader's reason "<path>: <what>" with the checkpoint's name for its path (the directory is
 * on screen already, and the status line is short). */
static const char *short_reason(const char *msg, const char *path)
{
    size_t n = strlen(path);
    const char *name = base_name(path);
    if (strncmp(msg, path, n) == 0 && name != path)
        return msg + (name - path);
    return msg;
}

void rs_timeline_note(const rs_timeline_cols *cols, size_t cursor, bool unicode, char *buf,
                      size_t len)
{
    const char *dot = unicode ? "\u00b7" : "-";
    char clean[512];
    int used = 0;
    buf[0] = '\0';
    if (cursor < cols->listed.n) {
        const rs_ckpt *c = &cols->listed.items[cursor];
        rs_text_sanitize(base_name(c->path), clean, sizeof clean);
        const char *gone = cols->loaded[cursor] == RS_NOT_LOADED ? " did not load" : "";
        used = cols->listed.by_epoch
                   ? snprintf(buf, len, "epoch %ld %s %s%s", c->epoch, dot, clean, gone)
                   : snprintf(buf, len, "checkpoint %zu %s %s%s", cursor, dot, clean, gone);
    }
    if (!cols->n_failed || used < 0 || (size_t)used >= len)
        return;
    size_t first = 0;
    while (first < cols->listed.n && !cols->why[first])
        first++;
    if (first < cols->listed.n)
        rs_text_sanitize(short_reason(cols->why[first]->msg, cols->listed.items[first].path),
                         clean, sizeof clean);
    else
        snprintf(clean, sizeof clean, "?");
    snprintf(buf + used, len - (size_t)used, "%s%zu of %zu checkpoints did not load: %s",
             used ? "; " : "", cols->n_failed, cols->listed.n, clean);
}

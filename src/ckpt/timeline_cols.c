/* A timeline's columns: every checkpoint the directory listed, the ones that did not load (a
 * file being written, a corrupt one) too, so that the picture shows them as empty columns
 * instead of leaving them out (see rnnscope/ckpt_stats.h). */
#include <stdlib.h>
#include <string.h>

#include "rnnscope/ckpt_stats.h"

/* A copy of a listing (the gathering takes out the checkpoints that do not load). */
static int copy_list(const rs_ckpt_list *from, rs_ckpt_list *to, rs_error *err)
{
    *to = *from;
    to->n = 0;
    to->items = calloc(from->n + 1, sizeof *to->items);
    if (!to->items)
        return rs_fail_oom(err, NULL);
    for (size_t i = 0; i < from->n; i++) {
        to->items[i] = from->items[i];
        if (!(to->items[i].path = strdup(from->items[i].path))) {
            rs_ckpt_list_free(to);
            return rs_fail_oom(err, NULL);
        }
        to->n++;
    }
    return 0;
}

int rs_timeline_cols_make(const rs_ckpt_list *listed, const rs_timeline *tl,
                          rs_timeline_cols *cols, rs_error *err)
{
    memset(cols, 0, sizeof *cols);
    if (copy_list(listed, &cols->listed, err) < 0)
        return -1;
    size_t n = cols->listed.n, j = 0, k = 0;
    cols->loaded = malloc((n + 1) * sizeof *cols->loaded);
    cols->why = calloc(n + 1, sizeof *cols->why);
    if (!cols->loaded || !cols->why) {
        rs_timeline_cols_free(cols);
        return rs_fail_oom(err, NULL);
    }
    /* the gathering keeps the listing's order and takes out those that do not load, keeping
     * their reasons in the same order */
    for (size_t i = 0; i < n; i++) {
        if (j < tl->ckpts.n && strcmp(cols->listed.items[i].path, tl->ckpts.items[j].path) == 0) {
            cols->loaded[i] = j++;
            continue;
        }
        cols->loaded[i] = RS_NOT_LOADED;
        cols->why[i] = k < tl->n_skipped ? &tl->skipped[k++] : NULL;
        cols->n_failed++;
    }
    return 0;
}

int rs_timeline_open(const char *dir, const rs_model *first, const char *weights,
                     const rs_tensor *inputs, bool use_cache, rs_timeline *tl,
                     rs_timeline_cols *cols, rs_error *err)
{
    memset(tl, 0, sizeof *tl);
    memset(cols, 0, sizeof *cols);
    rs_ckpt_list listed;
    if (rs_ckpt_list_dir(dir, &listed, err) < 0)
        return -1;
    int rc = 0;
    if (copy_list(&listed, &tl->ckpts, err) < 0 ||
        rs_timeline_gather(tl, first, weights, inputs, use_cache, err) < 0 ||
        rs_timeline_cols_make(&listed, tl, cols, err) < 0)
        rc = -1;
    rs_ckpt_list_free(&listed);
    if (rc < 0)
        rs_timeline_free(tl);
    return rc;
}

void rs_timeline_cols_free(rs_timeline_cols *cols)
{
    rs_ckpt_list_free(&cols->listed);
    free(cols->loaded);
    free(cols->why);
    memset(cols, 0, sizeof *cols);
}

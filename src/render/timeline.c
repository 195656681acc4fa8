/* The timeline view: one layer over the checkpoints of a training run (the explorer on a
 * directory). Above, its weights' histogram per checkpoint as a heatmap (TensorBoard's
 * "distributions": x the checkpoint, oldest left; y the bins, the highest values on top);
 * below, one small line plot per statistic across the checkpoints (weight norm per gate,
 * output mean and std, saturated gates, attention entropy), each named. */
#include <stdio.h>
#include <stdlib.h>

#include "rnnscope/plot.h"
#include "rnnscope/view.h"
#include "render_util.h"

/* The histograms as a (bins, checkpoints) matrix, the highest bin in the first row. */
static float *hist_matrix(const rs_view_timeline *tl, rs_matrix *m)
{
    size_t n = tl->n, bins = (size_t)tl->bins;
    float *cells = malloc(n * bins * sizeof *cells + 1);
    if (!cells)
        return NULL;
    for (size_t b = 0; b < bins; b++)
        for (size_t c = 0; c < n; c++)
            cells[(bins - 1 - b) * n + c] = (float)tl->shares[c * bins + b];
    *m = rs_matrix_make(cells, bins, n);
    return cells;
}

static int draw_hist(rs_canvas *c, rs_rect box, const rs_view_state *s, rs_error *err)
{
    const rs_view_timeline *tl = s->timeline;
    char title[160], lo[16], hi[16];
    snprintf(title, sizeof title, "weights over %zu checkpoints: y %s (top) .. %s, colour = share",
             tl->n, rs_format_number(tl->hi, 6, hi, sizeof hi),
             rs_format_number(tl->lo, 6, lo, sizeof lo));
    rs_canvas_print(c, box.x, box.y, title, box.w, rs_ui_color(s->style.depth, RS_UI_LABEL),
                    RS_COLOR_DEFAULT);
    rs_matrix m;
    float *cells = hist_matrix(tl, &m);
    if (!cells)
        return rs_fail(err, NULL, "out of memory");
    rs_heatmap_opts o;
    rs_heatmap_defaults(&o);
    o.style = s->style;
    o.cmap = s->cmap == RS_CMAP_BWR ? RS_CMAP_VIRIDIS : s->cmap; /* shares: no centre */
    o.norm.mode = RS_NORM_MINMAX;
    int rc = rs_heatmap_draw(c, (rs_rect){box.x, box.y + 1, box.w, box.h - 1}, &m, &o, err);
    free(cells);
    return rc;
}

/* Statistic k across the checkpoints: its name, then its line. */
static int draw_series(rs_canvas *c, rs_rect box, const rs_view_state *s, int k, rs_error *err)
{
    const rs_view_timeline *tl = s->timeline;
    float *v = malloc(tl->n * sizeof *v + 1);
    if (!v)
        return rs_fail(err, NULL, "out of memory");
    for (size_t i = 0; i < tl->n; i++)
        v[i] = (float)tl->series[(size_t)k * tl->n + i];
    rs_matrix m = rs_matrix_make(v, tl->n, 1);
    rs_lines_opts o;
    rs_lines_defaults(&o);
    o.style = s->style;
    int rc = rs_lines_draw(c, box, &m, &o, err);
    /* the panel's label row names the statistic instead of "0" */
    rs_canvas_print(c, box.x, box.y, tl->names[k], box.w / 2,
                    rs_ui_color(s->style.depth, RS_UI_LABEL), RS_COLOR_DEFAULT);
    free(v);
    return rc;
}

int rs_view_draw_timeline(rs_canvas *c, rs_rect box, rs_view_state *s, rs_error *err)
{
    const rs_view_timeline *tl = s->timeline;
    if (!tl || tl->n == 0)
        return rs_fail(err, NULL, "the timeline view needs a directory of checkpoints "
                                  "(rnnscope DIR)");
    if (box.w < 8 || box.h < 4)
        return 0;
    int hist_h = tl->bins > 0 && s->layer ? box.h * 2 / 5 : 0;
    if (hist_h >= 3 && draw_hist(c, (rs_rect){box.x, box.y, box.w, hist_h}, s, err) < 0)
        return -1;
    if (hist_h < 3)
        hist_h = 0;
    rs_rect rest = {box.x, box.y + hist_h, box.w, box.h - hist_h};
    int n = tl->nseries, cols = n >= 4 && rest.w >= 80 ? 3 : n >= 2 && rest.w >= 50 ? 2 : 1;
    int rows = (n + cols - 1) / cols, pw = (rest.w - (cols - 1) * 2) / cols;
    int ph = rows ? rest.h / rows : 0;
    for (int k = 0; k < n && ph >= 2; k++) {
        rs_rect p = {rest.x + (k % cols) * (pw + 2), rest.y + (k / cols) * ph, pw, ph};
        if (draw_series(c, p, s, k, err) < 0)
            return -1;
    }
    return 0;
}

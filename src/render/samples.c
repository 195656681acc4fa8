/* The samples view (See RNN's features_2D across samples): one small heatmap per sample of the
 * batch, for the output on screen, in a grid, all on one colour scale so that samples compare;
 * the sample on screen is marked. Added by following HACKING.md's new-view recipe. */
#include <stdio.h>
#include <stdlib.h>

#include "rnnscope/plot.h"
#include "rnnscope/view.h"
#include "render_util.h"

/* The scale over every sample (the norm applied to the whole batch). */
static void batch_range(const rs_view_state *s, size_t per, double *lo, double *hi)
{
    rs_matrix all = rs_matrix_make(s->batch, s->nsamples, per);
    rs_heatmap_range(&all, &s->norm, lo, hi);
    if (s->also_batch) { /* --compare: the other checkpoint's batch on the same scale */
        double alo, ahi;
        all.data = s->also_batch;
        rs_heatmap_range(&all, &s->norm, &alo, &ahi);
        *lo = alo < *lo ? alo : *lo;
        *hi = ahi > *hi ? ahi : *hi;
    }
}

int rs_view_draw_samples(rs_canvas *c, rs_rect box, rs_view_state *s, rs_error *err)
{
    size_t R = s->full.rows, C = s->full.cols, n;
    if (rs_view_batch_count(s, &n, err) < 0)
        return -1;
    if (box.h < 3 || box.w < 4)
        return 0;
    double lo, hi;
    batch_range(s, R * C, &lo, &hi);
    rs_heatmap_opts o;
    rs_view_heatmap_opts(s, &o);
    int area = box.h - 1; /* the colour bar under the grid */
    int cols = 1;
    while ((size_t)cols < n && (box.w / (cols + 1)) * 2 >= area / (int)((n + cols) / (cols + 1)))
        cols++;
    int rows = (int)((n + (size_t)cols - 1) / (size_t)cols);
    int cw = box.w / cols, ch = area / rows;
    if (ch < 2 || cw < 3) /* too many for the box: as many as fit */
        ch = 2, cw = cw < 3 ? 3 : cw;
    for (size_t k = 0; k < n; k++) {
        int x = box.x + (int)(k % (size_t)cols) * cw, y = box.y + (int)(k / (size_t)cols) * ch;
        if (y + ch > box.y + area)
            break;
        rs_view_state one = *s;
        one.full = rs_matrix_make(s->batch + k * R * C, R, C);
        rs_matrix sel;
        float *copy = NULL;
        size_t base, rb, cb;
        one.channels = NULL; /* the whole of each sample */
        if (rs_view_selection(&one, &sel, &copy, &base, err) < 0)
            return -1;
        rs_matrix m = rs_view_heatmap_matrix(&one, sel, base, &rb, &cb, NULL);
        char title[32];
        snprintf(title, sizeof title, "%s%zu", k == s->sample ? ">" : " ", s->first_sample + k);
        rs_canvas_print(c, x, y, title, cw - 1,
                        rs_ui_color(s->style.depth, k == s->sample ? RS_UI_SELECTED_FG : RS_UI_LABEL),
                        RS_COLOR_DEFAULT);
        int rc = rs_heatmap_paint(c, (rs_rect){x, y + 1, cw - 1, ch - 1}, &m, &o, lo, hi, err);
        free(copy);
        if (rc < 0)
            return -1;
    }
    rs_colorbar_draw(c, (rs_rect){box.x, box.y + box.h - 1, box.w, 1}, &o, lo, hi);
    return 0;
}

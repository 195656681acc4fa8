/* Histogram: bins fitted to the width (one bin per cell column), eighth-block bars, a count
 * axis, the value range under it, and NaN/Inf counted apart rather than binned. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/plot.h"
#include "rnnscope/view.h"
#include "render_util.h"

void rs_hist_defaults(rs_hist_opts *o)
{
    memset(o, 0, sizeof *o);
    o->style = (rs_style){RS_GFX_UNICODE, RS_DEPTH_NONE};
    o->axes = true;
}

void rs_hist_free(rs_hist *h)
{
    free(h->counts);
    free(h->masked);
    h->counts = h->masked = NULL;
    h->nbins = 0;
}

int rs_hist_compute(rs_hist *h, const rs_matrix *m, size_t nbins, rs_error *err)
{
    return rs_hist_compute_masked(h, m, nbins, NULL, err);
}

int rs_hist_compute_masked(rs_hist *h, const rs_matrix *m, size_t nbins, const float *row_mask,
                           rs_error *err)
{
    rs_stats s;
    rs_stats_matrix(m, &s);
    return rs_hist_compute_in(h, m, nbins, s.finite ? s.min : -0.5, s.finite ? s.max : 0.5,
                              row_mask, err);
}

int rs_hist_compute_in(rs_hist *h, const rs_matrix *m, size_t nbins, double lo, double hi,
                       const float *row_mask, rs_error *err)
{
    memset(h, 0, sizeof *h);
    rs_stats s;
    rs_stats_matrix(m, &s);
    h->nan = s.nan;
    h->posinf = s.posinf;
    h->neginf = s.neginf;
    h->finite = s.finite;
    h->lo = lo;
    h->hi = hi;
    if (h->lo == h->hi) {
        h->lo -= 0.5;
        h->hi += 0.5;
    }
    if (nbins == 0)
        return 0;
    h->counts = calloc(nbins, sizeof *h->counts);
    h->masked = row_mask ? calloc(nbins, sizeof *h->masked) : NULL;
    if (!h->counts || (row_mask && !h->masked)) {
        rs_hist_free(h);
        return rs_fail(err, "histogram", "out of memory for %zu bins", nbins);
    }
    h->nbins = nbins;
    for (size_t r = 0; r < m->rows; r++) {
        bool masked = row_mask && row_mask[r] == 0;
        for (size_t c = 0; c < m->cols; c++) {
            double v = rs_matrix_at(m, r, c);
            if (!isfinite(v))
                continue;
            double pos = (v - h->lo) / (h->hi - h->lo) * (double)nbins;
            size_t i = pos <= 0 ? 0 : pos >= (double)nbins ? nbins - 1 : (size_t)pos;
            h->counts[i]++;
            if (masked) {
                h->masked[i]++;
                h->finite_masked++;
            }
        }
    }
    return 0;
}

/* A vertical bar of `eighths` from the bottom of a column of cells. */
static void draw_bar(rs_canvas *c, int x, int y_bottom, int rows, size_t eighths, rs_style st, int fg)
{
    bool ascii = st.graphics == RS_GFX_ASCII;
    for (int k = 0; k < rows && eighths > 0; k++) {
        size_t e = eighths >= 8 ? 8 : eighths;
        uint32_t g = ascii ? (e == 8 ? '#' : e >= 4 ? ':' : '.') : 0x2580u + (uint32_t)e;
        rs_canvas_set(c, x, y_bottom - k, g, fg, RS_COLOR_DEFAULT);
        eighths -= e;
    }
}

/* The cells of a bar above its first `solid` eighths drawn shaded: the values of masked steps
 * sit on top of the others (a shade glyph, not a background: a bar's block hides the one of
 * its cell). */
static void shade_bar_top(rs_canvas *c, int x, int y_bottom, int rows, size_t solid, rs_style st)
{
    uint32_t shade = st.graphics == RS_GFX_ASCII ? ':' : 0x2591u;
    for (int k = (int)((solid + 7) / 8); k < rows; k++) {
        rs_cell *cell = rs_canvas_at(c, x, y_bottom - k);
        if (cell && cell->ch != ' ')
            cell->ch = shade;
    }
}

static void draw_bins(rs_canvas *c, rs_rect plot, const rs_hist *h, rs_style st)
{
    size_t maxc = 0;
    for (size_t i = 0; i < h->nbins; i++)
        maxc = h->counts[i] > maxc ? h->counts[i] : maxc;
    if (maxc == 0)
        return;
    size_t full = (size_t)plot.h * 8;
    for (size_t i = 0; i < h->nbins; i++) {
        size_t e = (size_t)llround((double)h->counts[i] * (double)full / (double)maxc);
        if (h->counts[i] > 0 && e == 0)
            e = 1; /* a rare value stays visible */
        int x = plot.x + (int)i, bottom = plot.y + plot.h - 1;
        draw_bar(c, x, bottom, plot.h, e, st, rs_ui_color(st.depth, RS_UI_DATA));
        if (h->masked && h->masked[i])
            shade_bar_top(c, x, bottom, plot.h,
                          (size_t)llround((double)(h->counts[i] - h->masked[i]) * (double)full /
                                          (double)maxc),
                          st);
    }
}

int rs_hist_draw(rs_canvas *c, rs_rect box, const rs_matrix *m, const rs_hist_opts *o,
                 rs_error *err)
{
    if (box.w < 1 || box.h < 1)
        return 0;
    int axis = rs_ui_color(o->style.depth, RS_UI_AXIS);
    rs_rect plot = box;
    if (o->title && box.h >= 2) {
        rs_canvas_print(c, box.x, box.y, o->title, box.w, rs_ui_color(o->style.depth, RS_UI_LABEL),
                        RS_COLOR_DEFAULT);
        plot.y++;
        plot.h--;
    }
    int info = o->axes && plot.h >= 3, xlab = o->axes && plot.h >= 4;
    plot.h -= info + xlab;
    rs_hist probe;
    if (rs_hist_compute(&probe, m, 0, err) < 0)
        return -1;
    char top[24], lo[16], hi[16];
    int gw = 0;
    if (o->axes && box.w >= 10) {
        /* the count axis is labelled with the largest count, known after binning; reserve for
         * the widest possible (all finite values in one bin) */
        snprintf(top, sizeof top, "%zu", probe.finite);
        gw = rs_utf8_width(top) + 1;
    }
    rs_rect bins = {plot.x + gw, plot.y, plot.w - gw, plot.h};
    rs_hist h;
    size_t nbins = bins.w > 0 ? (size_t)bins.w : 0;
    if ((o->fixed ? rs_hist_compute_in(&h, m, nbins, o->lo, o->hi, o->row_mask, err)
                  : rs_hist_compute_masked(&h, m, nbins, o->row_mask, err)) < 0)
        return -1;
    if (bins.h > 0)
        draw_bins(c, bins, &h, o->style);
    if (gw && bins.h > 0) {
        size_t maxc = 0;
        for (size_t i = 0; i < h.nbins; i++)
            maxc = h.counts[i] > maxc ? h.counts[i] : maxc;
        snprintf(top, sizeof top, "%zu", maxc);
        const char *labels[2] = {top, "0"};
        int rows[2] = {0, bins.h - 1};
        draw_gutter(c, (rs_rect){plot.x, plot.y, gw, bins.h}, labels, rows, bins.h > 1 ? 2 : 1,
                    o->style);
    }
    int y = bins.y + bins.h;
    if (xlab) { /* both ends of the x range, as short as they must be to fit */
        for (int digits = 9; digits >= 2; digits--) {
            rs_format_number(h.lo, digits, lo, sizeof lo);
            rs_format_number(h.hi, digits, hi, sizeof hi);
            if (bins.w > rs_utf8_width(lo) + rs_utf8_width(hi))
                break;
        }
        rs_canvas_print(c, bins.x, y, lo, -1, axis, RS_COLOR_DEFAULT);
        if (bins.w > rs_utf8_width(lo) + rs_utf8_width(hi))
            print_right(c, bins.x + bins.w, y, hi, axis);
        y++;
    }
    if (info) {
        char line[160], masked[48] = "";
        if (o->row_mask)
            snprintf(masked, sizeof masked, " (%zu at masked steps, shaded)", h.finite_masked);
        snprintf(line, sizeof line, "n=%zu%s  NaN=%zu  +Inf=%zu  -Inf=%zu", h.finite, masked,
                 h.nan, h.posinf, h.neginf);
        bool bad = h.nan || h.posinf || h.neginf;
        rs_canvas_print(c, box.x, y, line, box.w,
                        rs_ui_color(o->style.depth, bad ? RS_UI_WARN : RS_UI_AXIS), RS_COLOR_DEFAULT);
    }
    rs_hist_free(&h);
    return 0;
}

/* ---- the histogram view (rnnscope/view.h) ---- */

int rs_view_draw_hist(rs_canvas *c, rs_rect box, rs_view_state *s, rs_error *err)
{
    rs_hist_opts o;
    rs_hist_defaults(&o);
    o.style = s->style;
    o.row_mask = s->step_mask ? s->step_mask + s->t0 : NULL;
    rs_matrix m;
    float *copy;
    size_t base;
    if (rs_view_selection(s, &m, &copy, &base, err) < 0)
        return -1;
    int rc = 0;
    if (s->also.rows) { /* --compare: A and B binned over one range */
        rs_norm minmax = {RS_NORM_MINMAX, 0, 0};
        rs_heatmap_range(&m, &minmax, &o.lo, &o.hi);
        rc = rs_view_cover(s, &minmax, &o.lo, &o.hi, err);
        o.fixed = o.lo < o.hi;
    }
    if (rc == 0)
        rc = rs_hist_draw(c, box, &m, &o, err);
    free(copy);
    return rc;
}

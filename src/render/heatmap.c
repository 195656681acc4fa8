/* Heatmap: a matrix resampled to a grid of colormap levels (the pixel matrix, which a sixel
 * encoder can take as it is), then painted as half blocks, two pixel rows per cell with the
 * top pixel as foreground and the bottom one as background; or as a glyph ramp. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/plot.h"
#include "rnnscope/view.h"
#include "render_util.h"

void rs_heatmap_defaults(rs_heatmap_opts *o)
{
    memset(o, 0, sizeof *o);
    o->style = (rs_style){RS_GFX_UNICODE, RS_DEPTH_NONE};
    o->cmap = RS_CMAP_BWR;
    o->norm = (rs_norm){RS_NORM_AUTO, 0, 0};
    o->agg = RS_AGG_MEAN;
    o->labels = true;
    o->legend = true;
}

void rs_heatmap_range(const rs_matrix *m, const rs_norm *norm, double *lo, double *hi)
{
    rs_stats s;
    rs_stats_matrix(m, &s);
    rs_norm_range(norm, s.finite ? s.min : 1, s.finite ? s.max : 0, lo, hi);
}

/* Source range [*a, *b) of output index i of n over a source of length len (empty when the
 * source is: a 0-timestep or 0-channel output has no sample to show). */
static void block(size_t i, size_t n, size_t len, size_t *a, size_t *b)
{
    *a = i * len / n;
    *b = (i + 1) * len / n;
    if (*b <= *a && len > 0)
        *b = *a + 1;
}

static double reduce(const rs_matrix *m, size_t r0, size_t r1, size_t c0, size_t c1, rs_agg agg)
{
    double sum = 0, best = NAN;
    size_t n = 0;
    for (size_t r = r0; r < r1; r++)
        for (size_t c = c0; c < c1; c++) {
            double v = rs_matrix_at(m, r, c);
            if (isnan(v))
                continue;
            if (agg == RS_AGG_MAX) {
                if (isnan(best) || fabs(v) > fabs(best))
                    best = v;
            } else {
                sum += v;
                n++;
            }
        }
    return agg == RS_AGG_MAX ? best : n ? sum / (double)n : NAN;
}

void rs_heatmap_levels(const rs_matrix *m, size_t pw, size_t ph, rs_agg agg, double lo,
                       double hi, uint16_t *levels)
{
    for (size_t y = 0; y < ph; y++) {
        size_t r0, r1;
        block(y, ph, m->rows, &r0, &r1);
        for (size_t x = 0; x < pw; x++) {
            size_t c0, c1;
            block(x, pw, m->cols, &c0, &c1);
            levels[y * pw + x] = (uint16_t)rs_norm_level(reduce(m, r0, r1, c0, c1, agg), lo, hi);
        }
    }
}

static bool half_blocks(const rs_style *st)
{
    return st->graphics == RS_GFX_UNICODE && st->depth != RS_DEPTH_NONE;
}

static void paint_cell(rs_canvas *c, int x, int y, const rs_heatmap_opts *o, int top, int bot)
{
    int ct = rs_cmap_color(o->cmap, o->style.depth, top);
    int cb = rs_cmap_color(o->cmap, o->style.depth, bot);
    if (top == RS_LEVEL_NAN && bot == RS_LEVEL_NAN)
        rs_canvas_set(c, x, y, ' ', RS_COLOR_DEFAULT, RS_COLOR_DEFAULT);
    else if (top == RS_LEVEL_NAN)
        rs_canvas_set(c, x, y, 0x2584u, cb, RS_COLOR_DEFAULT);
    else
        rs_canvas_set(c, x, y, 0x2580u, ct, cb);
}

int rs_heatmap_paint(rs_canvas *c, rs_rect box, const rs_matrix *m, const rs_heatmap_opts *o,
                     double lo, double hi, rs_error *err)
{
    if (box.w < 1 || box.h < 1 || m->rows == 0 || m->cols == 0)
        return 0;
    bool half = half_blocks(&o->style);
    size_t pw = (size_t)box.w, ph = (size_t)box.h * (half ? 2 : 1);
    uint16_t *lv = malloc(pw * ph * sizeof *lv);
    if (!lv)
        return rs_fail(err, "heatmap", "out of memory for %zux%zu pixels", pw, ph);
    rs_heatmap_levels(m, pw, ph, o->agg, lo, hi, lv);
    for (int y = 0; y < box.h; y++)
        for (int x = 0; x < box.w; x++) {
            if (half) {
                paint_cell(c, box.x + x, box.y + y, o, lv[(size_t)(2 * y) * pw + (size_t)x],
                           lv[(size_t)(2 * y + 1) * pw + (size_t)x]);
            } else {
                int level = lv[(size_t)y * pw + (size_t)x];
                rs_canvas_set(c, box.x + x, box.y + y,
                              rs_cmap_glyph(o->cmap, o->style.graphics, level),
                              rs_cmap_color(o->cmap, o->style.depth, level), RS_COLOR_DEFAULT);
            }
        }
    free(lv);
    return 0;
}

void rs_colorbar_draw(rs_canvas *c, rs_rect row, const rs_heatmap_opts *o, double lo, double hi)
{
    char a[16], b[16];
    rs_format_number(lo, 8, a, sizeof a);
    rs_format_number(hi, 8, b, sizeof b);
    int la = rs_utf8_width(a), lb = rs_utf8_width(b);
    int x = row.x, bw = row.w - la - lb - 2;
    int axis = rs_ui_color(o->style.depth, RS_UI_AXIS);
    if (bw >= 2) {
        rs_canvas_print(c, x, row.y, a, -1, axis, RS_COLOR_DEFAULT);
        print_right(c, row.x + row.w, row.y, b, axis);
        x += la + 1;
    } else {
        bw = row.w;
    }
    for (int i = 0; i < bw; i++) {
        int level = bw > 1 ? i * (RS_LEVELS - 1) / (bw - 1) : RS_LEVELS / 2;
        if (o->style.depth != RS_DEPTH_NONE)
            rs_canvas_set(c, x + i, row.y, ' ', RS_COLOR_DEFAULT,
                          rs_cmap_color(o->cmap, o->style.depth, level));
        else
            rs_canvas_set(c, x + i, row.y, rs_cmap_glyph(o->cmap, o->style.graphics, level),
                          RS_COLOR_DEFAULT, RS_COLOR_DEFAULT);
    }
}

int rs_heatmap_draw(rs_canvas *c, rs_rect box, const rs_matrix *m, const rs_heatmap_opts *o,
                    rs_error *err)
{
    if (box.w < 1 || box.h < 1)
        return 0;
    if (m->rows == 0 || m->cols == 0) {
        rs_canvas_print(c, box.x, box.y, "(no data)", box.w, RS_COLOR_DEFAULT, RS_COLOR_DEFAULT);
        return 0;
    }
    double lo, hi;
    rs_heatmap_range(m, &o->norm, &lo, &hi);
    int xlabels = o->labels && box.h >= 5, legend = o->legend && box.h >= 3;
    char first[24], last[24];
    snprintf(first, sizeof first, "%zu", o->row_base);
    snprintf(last, sizeof last, "%zu", o->row_base + m->rows - 1);
    int gutter = o->labels && box.w >= 12 ? rs_utf8_width(last) + 1 : 0;
    rs_rect map = {box.x + gutter, box.y, box.w - gutter, box.h - xlabels - legend};
    if (rs_heatmap_paint(c, map, m, o, lo, hi, err) < 0)
        return -1;
    int axis = rs_ui_color(o->style.depth, RS_UI_AXIS);
    if (gutter) {
        print_right(c, map.x - 1, map.y, first, axis);
        if (map.h > 1)
            print_right(c, map.x - 1, map.y + map.h - 1, last, axis);
    }
    if (xlabels) {
        snprintf(first, sizeof first, "%zu", o->col_base);
        snprintf(last, sizeof last, "%zu", o->col_base + m->cols - 1);
        rs_canvas_print(c, map.x, map.y + map.h, first, -1, axis, RS_COLOR_DEFAULT);
        if (map.w > rs_utf8_width(last) + 1)
            print_right(c, map.x + map.w, map.y + map.h, last, axis);
    }
    if (legend)
        rs_colorbar_draw(c, (rs_rect){map.x, box.y + box.h - 1, map.w, 1}, o, lo, hi);
    return 0;
}

/* ---- the heatmap view (rnnscope/view.h) ---- */

/* A (T, gates, units) internal: one panel per gate, stacked, each units x time with its gate's
 * name, all on one scale (the whole window's), the time axis and colour bar under the last. */
static int draw_gate_panels(rs_canvas *c, rs_rect box, const rs_view_state *s, rs_matrix sel,
                            rs_heatmap_opts o, rs_error *err)
{
    int G = s->out.gates;
    size_t units = sel.cols / (size_t)G;
    double lo, hi;
    rs_heatmap_range(&sel, &s->norm, &lo, &hi);
    if (rs_view_cover(s, &s->norm, &lo, &hi, err) < 0)
        return -1;
    o.norm = (rs_norm){RS_NORM_FIXED, (float)lo, (float)hi};
    int extra = 2; /* the last panel's time labels and colour bar */
    int ph = (box.h - extra) / G;
    if (ph < 2)
        return rs_heatmap_draw(c, box, &sel, &o, err);
    for (int g = 0; g < G; g++) {
        rs_rect p = {box.x, box.y + g * ph, box.w, ph + (g == G - 1 ? box.h - G * ph : 0)};
        const char *name = s->out.gate_names ? s->out.gate_names[g] : "";
        char title[32];
        snprintf(title, sizeof title, "gate %s", name);
        rs_canvas_print(c, p.x, p.y, title, p.w, rs_ui_color(s->style.depth, RS_UI_LABEL),
                        RS_COLOR_DEFAULT);
        rs_matrix w = rs_matrix_transpose(rs_matrix_window(sel, 0, sel.rows, (size_t)g * units,
                                                           units));
        rs_heatmap_opts po = o;
        po.row_base = 0;
        po.col_base = s->t0;
        po.legend = g == G - 1;
        if (rs_heatmap_draw(c, (rs_rect){p.x, p.y + 1, p.w, p.h - 1}, &w, &po, err) < 0)
            return -1;
    }
    return 0;
}

int rs_view_draw_heatmap(rs_canvas *c, rs_rect box, rs_view_state *s, rs_error *err)
{
    rs_heatmap_opts o;
    rs_view_heatmap_opts(s, &o);
    rs_matrix sel;
    float *copy;
    size_t ch_base;
    if (rs_view_selection(s, &sel, &copy, &ch_base, err) < 0)
        return -1;
    int rc;
    if (s->out.gates > 1 && !s->transpose && !s->channels && sel.cols % (size_t)s->out.gates == 0) {
        rc = draw_gate_panels(c, box, s, sel, o, err);
    } else {
        rs_matrix m = rs_view_heatmap_matrix(s, sel, ch_base, &o.row_base, &o.col_base, NULL);
        double lo, hi;
        rs_heatmap_range(&m, &s->norm, &lo, &hi);
        rc = rs_view_cover(s, &s->norm, &lo, &hi, err);
        if (rc == 0 && s->also.rows) /* --compare: one scale for A and B */
            o.norm = (rs_norm){RS_NORM_FIXED, (float)lo, (float)hi};
        if (rc == 0)
            rc = rs_heatmap_draw(c, box, &m, &o, err);
    }
    free(copy);
    return rc;
}

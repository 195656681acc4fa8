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

/* Two pixel rows per cell, in colour. Not with 8 colours: a cell's two halves can only be two
 * of them, so a cell shows one level with a shade glyph (rs_cmap_cell). */
static bool half_blocks(const rs_style *st)
{
    return st->graphics == RS_GFX_UNICODE && st->depth == RS_DEPTH_256;
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
                uint32_t glyph;
                int fg;
                rs_cmap_cell(o->cmap, o->style, lv[(size_t)y * pw + (size_t)x], &glyph, &fg);
                rs_canvas_set(c, box.x + x, box.y + y, glyph, fg, RS_COLOR_DEFAULT);
            }
        }
    free(lv);
    return 0;
}

void rs_colorbar_frame(rs_canvas *c, rs_rect row, const rs_heatmap_opts *o, double lo, double hi,
                       rs_rect *strip)
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
    if (strip)
        *strip = (rs_rect){x, row.y, bw > 0 ? bw : 0, 1};
    for (int i = 0; i < bw && !o->images; i++) {
        int level = bw > 1 ? i * (RS_LEVELS - 1) / (bw - 1) : RS_LEVELS / 2;
        uint32_t glyph;
        int fg;
        rs_cmap_cell(o->cmap, o->style, level, &glyph, &fg);
        if (o->style.depth == RS_DEPTH_256)
            rs_canvas_set(c, x + i, row.y, ' ', RS_COLOR_DEFAULT,
                          rs_cmap_color(o->cmap, o->style.depth, level));
        else
            rs_canvas_set(c, x + i, row.y, glyph, fg, RS_COLOR_DEFAULT);
    }
}

void rs_colorbar_draw(rs_canvas *c, rs_rect row, const rs_heatmap_opts *o, double lo, double hi)
{
    rs_colorbar_frame(c, row, o, lo, hi, NULL);
}

/* A marker with its index: the selection's colours, or the glyph alone without colour. */
static void put_marker(rs_canvas *c, int x, int y, uint32_t glyph, rs_style st)
{
    rs_canvas_set(c, x, y, glyph, rs_ui_color(st.depth, RS_UI_SELECTED_FG),
                  rs_ui_color(st.depth, RS_UI_SELECTED_BG));
}

/* The row above the map: the row axis's name over the row labels; masked columns shaded; the
 * column marker "▼37" pointing into the map (its index left of it near the right edge). */
static void draw_top_row(rs_canvas *c, rs_rect map, int y, const rs_matrix *m,
                         const rs_heatmap_opts *o)
{
    rs_style st = o->style;
    if (o->row_axis)
        print_right(c, map.x - 1, y, o->row_axis, rs_ui_color(st.depth, RS_UI_AXIS));
    if (o->col_mask)
        shade_masked(c, (rs_rect){map.x, y, map.w, 1}, o->col_mask, m->cols, 1, st);
    if (!o->mark_col || o->mark_c >= m->cols)
        return;
    int x = map.x + sample_cell(o->mark_c, m->cols, map.w, 1);
    char idx[24];
    snprintf(idx, sizeof idx, "%zu", o->col_base + o->mark_c);
    int w = rs_utf8_width(idx), fg = rs_ui_color(st.depth, RS_UI_SELECTED_FG);
    int bg = rs_ui_color(st.depth, RS_UI_SELECTED_BG);
    put_marker(c, x, y, st.graphics == RS_GFX_UNICODE ? 0x25BCu : 'v', st);
    if (x + 1 + w <= map.x + map.w)
        rs_canvas_print(c, x + 1, y, idx, -1, fg, bg);
    else if (x - w >= map.x)
        rs_canvas_print(c, x - w, y, idx, -1, fg, bg);
}

/* The gutter left of the map: first and last row labels, masked rows shaded in its last
 * column, and the row marker "37▶" (the index in place of a label). */
static void draw_gutter_labels(rs_canvas *c, rs_rect map, int gutter, const rs_matrix *m,
                               const rs_heatmap_opts *o, int per)
{
    rs_style st = o->style;
    int axis = rs_ui_color(st.depth, RS_UI_AXIS);
    char text[24];
    snprintf(text, sizeof text, "%zu", o->row_base);
    print_right(c, map.x - 1, map.y, text, axis);
    snprintf(text, sizeof text, "%zu", o->row_base + m->rows - 1);
    if (map.h > 1)
        print_right(c, map.x - 1, map.y + map.h - 1, text, axis);
    if (o->row_mask)
        shade_masked_rows(c, (rs_rect){map.x - 1, map.y, 1, map.h}, o->row_mask, m->rows, per, st);
    if (!o->mark_row || o->mark_r >= m->rows)
        return;
    int y = map.y + sample_cell(o->mark_r, m->rows, map.h, per);
    for (int x = map.x - gutter; x < map.x - 1; x++)
        rs_canvas_set(c, x, y, ' ', RS_COLOR_DEFAULT, RS_COLOR_DEFAULT);
    snprintf(text, sizeof text, "%zu", o->row_base + o->mark_r);
    rs_canvas_print(c, map.x - 1 - rs_utf8_width(text), y, text, -1,
                    rs_ui_color(st.depth, RS_UI_SELECTED_FG), rs_ui_color(st.depth, RS_UI_SELECTED_BG));
    put_marker(c, map.x - 1, y, st.graphics == RS_GFX_UNICODE ? 0x25B6u : '>', st);
}

/* The row under the map: first and last column labels, the column axis's name between. */
static void draw_bottom_labels(rs_canvas *c, rs_rect map, const rs_matrix *m,
                               const rs_heatmap_opts *o)
{
    int axis = rs_ui_color(o->style.depth, RS_UI_AXIS), y = map.y + map.h;
    char first[24], last[24];
    snprintf(first, sizeof first, "%zu", o->col_base);
    snprintf(last, sizeof last, "%zu", o->col_base + m->cols - 1);
    int wf = rs_utf8_width(first), wl = rs_utf8_width(last);
    rs_canvas_print(c, map.x, y, first, -1, axis, RS_COLOR_DEFAULT);
    if (map.w > wl + 1)
        print_right(c, map.x + map.w, y, last, axis);
    int wn = o->col_axis ? rs_utf8_width(o->col_axis) : 0, x = map.x + (map.w - wn) / 2;
    if (wn && x > map.x + wf && x + wn < map.x + map.w - wl)
        rs_canvas_print(c, x, y, o->col_axis, -1, axis, RS_COLOR_DEFAULT);
}

int rs_heatmap_frame(rs_canvas *c, rs_rect box, const rs_matrix *m, const rs_heatmap_opts *o,
                     rs_heatmap_boxes *out, rs_error *err)
{
    rs_heatmap_boxes none = {{0, 0, 0, 0}, {0, 0, 0, 0}, 0, 0};
    if (out)
        *out = none;
    if (box.w < 1 || box.h < 1)
        return 0;
    if (m->rows == 0 || m->cols == 0) {
        rs_canvas_print(c, box.x, box.y, "(no data)", box.w, RS_COLOR_DEFAULT, RS_COLOR_DEFAULT);
        return 0;
    }
    double lo, hi;
    rs_heatmap_range(m, &o->norm, &lo, &hi);
    int xlabels = o->labels && box.h >= 5, legend = o->legend && box.h >= 3;
    int top = o->labels && box.h >= 7 && (o->row_axis || o->mark_col || o->col_mask);
    char last[24];
    snprintf(last, sizeof last, "%zu", o->row_base + m->rows - 1);
    int gutter = 0;
    if (o->labels && box.w >= 12) {
        int name = top && o->row_axis ? rs_utf8_width(o->row_axis) : 0, label = rs_utf8_width(last);
        gutter = (name > label ? name : label) + 1;
    }
    rs_rect map = {box.x + gutter, box.y + top, box.w - gutter, box.h - top - xlabels - legend};
    int per = half_blocks(&o->style) && !o->images ? 2 : 1; /* pixel rows a cell */
    if (o->images)
        fill_box(c, map);
    else if (rs_heatmap_paint(c, map, m, o, lo, hi, err) < 0)
        return -1;
    if (o->drawn)
        *o->drawn = map;
    if (top)
        draw_top_row(c, map, box.y, m, o);
    if (gutter)
        draw_gutter_labels(c, map, gutter, m, o, per);
    if (xlabels)
        draw_bottom_labels(c, map, m, o);
    rs_rect strip = {0, 0, 0, 0};
    if (legend)
        rs_colorbar_frame(c, (rs_rect){map.x, box.y + box.h - 1, map.w, 1}, o, lo, hi, &strip);
    if (out)
        *out = (rs_heatmap_boxes){map, strip, lo, hi};
    return 0;
}

int rs_heatmap_draw(rs_canvas *c, rs_rect box, const rs_matrix *m, const rs_heatmap_opts *o,
                    rs_error *err)
{
    return rs_heatmap_frame(c, box, m, o, NULL, err);
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
        po.row_axis = "unit"; /* of the gate */
        po.col_base = s->t0;
        po.legend = g == G - 1;
        if (rs_heatmap_draw(c, (rs_rect){p.x, p.y + 1, p.w, p.h - 1}, &w, &po, err) < 0)
            return -1;
    }
    return 0;
}

/* Index of channel ch among the columns of the selection (a run from ch_base, or the list of
 * channels), or false when it is not shown. */
static bool shown_channel(const rs_view_state *s, size_t ch, size_t ch_base, size_t ncols,
                          size_t *idx)
{
    for (size_t i = 0; s->channels && i < s->nchannels; i++)
        if (s->channels[i] == ch) {
            *idx = i;
            return true;
        }
    *idx = ch - ch_base;
    return !s->channels && ch >= ch_base && ch - ch_base < ncols;
}

/* The selection's axes as the one orientation rule draws them: names, the cursor (a step of
 * `full`'s rows) and the selected channel as markers, masked steps shaded, on the axis each
 * is along. */
static void oriented_axes(const rs_view_state *s, const rs_matrix *sel, size_t ch_base,
                          bool as_is, rs_heatmap_opts *o)
{
    const char *steps = s->out.row_axis, *chans = s->out.col_axis;
    size_t t = s->cursor - s->t0, ch = 0;
    bool mark_t = (s->mark_cursor || s->have_cursor) && s->cursor >= s->t0 && t < sel->rows;
    bool mark_ch = (s->mark_channel || s->have_cursor) &&
                   shown_channel(s, s->channel, ch_base, sel->cols, &ch);
    const float *mask = s->step_mask ? s->step_mask + s->t0 : NULL;
    o->row_axis = as_is ? steps : chans;
    o->col_axis = as_is ? chans : steps;
    o->mark_row = as_is ? mark_t : mark_ch;
    o->mark_r = as_is ? t : ch;
    o->mark_col = as_is ? mark_ch : mark_t;
    o->mark_c = as_is ? ch : t;
    o->row_mask = as_is ? mask : NULL;
    o->col_mask = as_is ? NULL : mask;
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
        o.images = false; /* panels of text: one image per gate is not drawn (yet) */
        rc = draw_gate_panels(c, box, s, sel, o, err);
    } else {
        bool transposed;
        rs_matrix m = rs_view_heatmap_matrix(s, sel, ch_base, &o.row_base, &o.col_base,
                                             &transposed);
        oriented_axes(s, &sel, ch_base, s->out.attention != s->transpose, &o);
        o.images = s->images;
        double lo, hi;
        rs_heatmap_range(&m, &s->norm, &lo, &hi);
        rc = rs_view_cover(s, &s->norm, &lo, &hi, err);
        if (rc == 0 && s->also.rows) /* --compare: one scale for A and B */
            o.norm = (rs_norm){RS_NORM_FIXED, (float)lo, (float)hi};
        if (rc == 0)
            rc = rs_heatmap_frame(c, box, &m, &o, &s->heat.boxes, err);
        s->heat.drawn = rc == 0;
        s->heat.row_axis = o.row_axis;
        s->heat.col_axis = o.col_axis;
        s->heat.transposed = transposed;
        s->time_x = s->heat.boxes.map.x; /* the strip under the map's columns */
        s->time_w = s->heat.boxes.map.w;
    }
    free(copy);
    return rc;
}

/* Detail: one channel large, with a labelled value axis, an axis of timesteps, and a cursor
 * timestep whose value is written in the title row. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/plot.h"
#include "rnnscope/view.h"
#include "render_util.h"

void rs_detail_defaults(rs_detail_opts *o)
{
    memset(o, 0, sizeof *o);
    o->style = (rs_style){RS_GFX_UNICODE, RS_DEPTH_NONE};
    o->channel_axis = 1;
}

static void draw_title(rs_canvas *c, rs_rect box, const rs_matrix *m, const rs_detail_opts *o,
                       size_t cursor)
{
    char title[160], v[24];
    double x = rs_matrix_at(m, cursor, o->channel);
    snprintf(v, sizeof v, "%.6g", x);
    const char *step = o->step_name && strcmp(o->step_name, "time") ? o->step_name : "t";
    snprintf(title, sizeof title, "%s %zu   %s=%zu   value %s",
             o->channel_name ? o->channel_name : "channel", o->channel, step, cursor, v);
    rs_canvas_print(c, box.x, box.y, title, box.w, rs_ui_color(o->style.depth, RS_UI_LABEL),
                    RS_COLOR_DEFAULT);
}

/* The axis of timesteps under the plot, its end labels, and the cursor mark. */
static void draw_time_axis(rs_canvas *c, rs_rect plot, int gw, size_t t0, size_t len, int cur_x,
                           const char *name, rs_style st)
{
    bool ascii = st.graphics == RS_GFX_ASCII;
    int axis = rs_ui_color(st.depth, RS_UI_AXIS);
    int y = plot.y + plot.h;
    if (gw)
        rs_canvas_set(c, plot.x - 1, y, ascii ? '+' : 0x2514u, axis, RS_COLOR_DEFAULT);
    for (int x = 0; x < plot.w; x++)
        rs_canvas_set(c, plot.x + x, y, ascii ? '-' : 0x2500u, axis, RS_COLOR_DEFAULT);
    rs_canvas_set(c, plot.x, y, ascii ? '+' : 0x252cu, axis, RS_COLOR_DEFAULT);
    rs_canvas_set(c, plot.x + plot.w - 1, y, ascii ? '+' : 0x252cu, axis, RS_COLOR_DEFAULT);
    if (cur_x >= 0)
        rs_canvas_set(c, plot.x + cur_x, y, ascii ? '^' : 0x25b2u,
                      rs_ui_color(st.depth, RS_UI_LABEL), RS_COLOR_DEFAULT);
    char a[24], b[24];
    snprintf(a, sizeof a, "%zu", t0);
    snprintf(b, sizeof b, "%zu", t0 + len - 1);
    rs_canvas_print(c, plot.x, y + 1, a, -1, axis, RS_COLOR_DEFAULT);
    int wa = rs_utf8_width(a), wb = rs_utf8_width(b);
    if (plot.w > wa + wb + 1)
        print_right(c, plot.x + plot.w, y + 1, b, axis);
    print_axis_name(c, (rs_rect){plot.x, y + 1, plot.w, 1}, wa, wb, name, axis);
}

int rs_detail_draw(rs_canvas *c, rs_rect box, const rs_matrix *m_in, const rs_detail_opts *o,
                   rs_error *err)
{
    rs_matrix m = o->channel_axis == 0 ? rs_matrix_transpose(*m_in) : *m_in;
    if (box.w < 1 || box.h < 1)
        return 0;
    if (m.rows == 0 || m.cols == 0) {
        rs_canvas_print(c, box.x, box.y, "(no data)", box.w, RS_COLOR_DEFAULT, RS_COLOR_DEFAULT);
        return 0;
    }
    if (o->channel >= m.cols)
        return rs_fail(err, "detail", "channel %zu is outside 0..%zu", o->channel, m.cols - 1);
    size_t t0 = o->t0 < m.rows ? o->t0 : m.rows - 1;
    size_t len = o->len == 0 || o->len > m.rows - t0 ? m.rows - t0 : o->len;
    size_t cursor = o->cursor < t0 ? t0 : o->cursor >= t0 + len ? t0 + len - 1 : o->cursor;
    bool decorated = box.h >= 4;
    rs_rect plot = box;
    if (decorated) {
        draw_title(c, box, &m, o, cursor);
        plot.y++;
        plot.h -= 3;
    }
    rs_lines_panel p = {.channel = o->channel};
    /* the range first, from a one-column envelope, so that the gutter width is known */
    if (rs_envelope_build(&p.env, &m, o->channel, t0, len, 1, err) < 0)
        return -1;
    double dmin = p.env.min, dmax = p.env.max;
    rs_envelope_free(&p.env);
    widen_to_channel(o->also, o->channel_axis, o->channel, t0, len, &dmin, &dmax);
    if (o->zero_line && dmin <= dmax) {
        dmin = fmin(dmin, 0);
        dmax = fmax(dmax, 0);
    }
    rs_norm norm = {RS_NORM_MINMAX, 0, 0};
    rs_norm_range(&norm, dmin, dmax, &p.lo, &p.hi);
    char hi[16], mid[16], lo[16];
    const char *labels[3] = {rs_format_number(p.hi, 7, hi, sizeof hi),
                             rs_format_number((p.lo + p.hi) / 2, 7, mid, sizeof mid),
                             rs_format_number(p.lo, 7, lo, sizeof lo)};
    int rows[3] = {0, plot.h >= 5 ? (plot.h - 1) / 2 : -1, plot.h - 1};
    int gw = decorated && box.w >= 16 ? gutter_width(labels, 3) : 0;
    if (gw) {
        draw_gutter(c, (rs_rect){plot.x, plot.y, gw, plot.h}, labels, rows, plot.h > 1 ? 3 : 1,
                    o->style);
        plot.x += gw;
        plot.w -= gw;
    }
    if (plot.w < 1)
        return 0;
    if (o->drawn)
        *o->drawn = plot;
    int per = lines_dots_per_cell(false, o->style);
    if (rs_envelope_build(&p.env, &m, o->channel, t0, len, (size_t)(plot.w * per), err) < 0)
        return -1;
    lines_plot(&p, plot, o->zero_line, false, o->style, c);
    rs_envelope_free(&p.env);
    if (o->step_mask)
        shade_masked(c, plot, o->step_mask + t0, len, per, o->style);
    int cx = sample_cell(cursor - t0, len, plot.w, per);
    /* with the axis under the plot (which marks the step), a tick on the top row is enough */
    draw_cursor(c, decorated ? (rs_rect){plot.x, plot.y, plot.w, plot.h > 0 ? 1 : 0} : plot, cx,
                o->style);
    if (decorated)
        draw_time_axis(c, plot, gw, t0, len, cx, o->step_name, o->style);
    return 0;
}

/* ---- the detail view (rnnscope/view.h) ---- */

/* The cursor when none is given (plot without --cursor): the timestep of the channel's
 * largest |value| in the window. */
static size_t largest_magnitude_row(const rs_matrix *m, size_t ch, size_t t0, size_t t1)
{
    size_t best = t0;
    for (size_t r = t0 + 1; r < t1; r++)
        if (fabsf(rs_matrix_at(m, r, ch)) > fabsf(rs_matrix_at(m, best, ch)))
            best = r;
    return best;
}

int rs_view_draw_detail(rs_canvas *c, rs_rect box, rs_view_state *s, rs_error *err)
{
    rs_detail_opts o;
    rs_detail_defaults(&o);
    o.style = s->style;
    o.zero_line = s->zero_line;
    rs_matrix m = s->full, also = s->also;
    float *copy = NULL, *also_copy = NULL;
    o.channel_name = s->transpose ? s->out.row_axis : s->out.col_axis;
    o.step_name = s->transpose ? s->out.col_axis : s->out.row_axis;
    if (s->transpose) {
        if (rs_view_transposed_selection(s, &m, &copy, &also, &also_copy, err) < 0)
            return -1;
    } else {
        o.channel = s->channels ? s->channels[0] : s->channel < m.cols ? s->channel : 0;
        o.t0 = s->t0;
        o.len = s->tlen;
        o.step_mask = s->step_mask;
    }
    size_t t1 = o.len ? o.t0 + o.len : m.rows;
    if (t1 > m.rows)
        t1 = m.rows;
    o.cursor = s->have_cursor ? s->cursor
               : o.channel < m.cols && o.t0 < t1 ? largest_magnitude_row(&m, o.channel, o.t0, t1)
                                                 : 0;
    rs_rect plot = {0, 0, 0, 0};
    o.drawn = s->transpose ? NULL : &plot; /* time along x: the strip under the plot */
    o.also = s->also.rows ? &also : NULL;
    int rc = rs_detail_draw(c, box, &m, &o, err);
    s->time_x = plot.x;
    s->time_w = plot.w;
    free(copy);
    free(also_copy);
    return rc;
}

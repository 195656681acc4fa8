/* Bars for a 1-D output: one bar per element, up from zero for positive values and down for
 * negative ones. The zero line sits on a cell boundary, so positive bars grow with the lower
 * eighth blocks and negative bars with the upper ones (only 1/8, 1/2 and full exist). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/plot.h"
#include "rnnscope/view.h"
#include "render_util.h"

static float element(const rs_matrix *m, size_t i)
{
    return rs_matrix_at(m, i / m->cols, i % m->cols);
}

/* Element of largest magnitude in [a, b), NaN only if all are NaN. */
static double column_value(const rs_matrix *m, size_t a, size_t b)
{
    double best = NAN;
    for (size_t i = a; i < b; i++) {
        double v = element(m, i);
        if (!isnan(v) && (isnan(best) || fabs(v) > fabs(best)))
            best = v;
    }
    return best;
}

/* Glyph for the last, partial cell of a bar: `e` eighths (1..8). */
static uint32_t tip(size_t e, bool up, bool ascii)
{
    if (e >= 8)
        return ascii ? '#' : 0x2588u;
    if (ascii)
        return e >= 4 ? '#' : up ? '_' : '\'';
    if (up)
        return 0x2580u + (uint32_t)e;
    return e <= 2 ? 0x2594u : e <= 5 ? 0x2580u : 0x2588u;
}

/* Draw one bar in column x; pos rows above the zero boundary, neg rows below. */
static void draw_bar(rs_canvas *c, rs_rect plot, int x, double v, double vmin, double vmax,
                     int pos, const rs_bars_opts *o)
{
    bool ascii = o->style.graphics == RS_GFX_ASCII;
    int neg = plot.h - pos;
    if (isnan(v)) {
        rs_canvas_set(c, x, plot.y + (pos > 0 ? pos - 1 : 0), '?',
                      rs_ui_color(o->style.depth, RS_UI_WARN), RS_COLOR_DEFAULT);
        return;
    }
    bool up = v > 0;
    int rows = up ? pos : neg;
    if (v == 0 || rows == 0)
        return;
    double frac = up ? v / vmax : v / vmin;
    size_t full = (size_t)rows * 8;
    size_t e = frac >= 1 ? full : (size_t)llround(frac * (double)full);
    if (e == 0)
        e = 1;
    int fg = rs_ui_color(o->style.depth, up ? RS_UI_POS : RS_UI_NEG);
    for (int k = 0; k < rows && e > 0; k++) {
        size_t part = e >= 8 ? 8 : e;
        int y = up ? plot.y + pos - 1 - k : plot.y + pos + k;
        rs_canvas_set(c, x, y, tip(part, up, ascii), fg, RS_COLOR_DEFAULT);
        e -= part;
    }
}

/* Rows above zero out of h for the range [vmin, vmax] (vmin <= 0 <= vmax), at least one on
 * each side that has data when there is room. */
static int rows_above(int h, double vmin, double vmax)
{
    int pos = (int)lround(h * vmax / (vmax - vmin));
    if (vmin < 0 && pos == h && h >= 2)
        pos = h - 1;
    if (vmax > 0 && pos == 0 && h >= 2)
        pos = 1;
    return pos;
}

int rs_bars_draw(rs_canvas *c, rs_rect box, const rs_matrix *m, const rs_bars_opts *o,
                 rs_error *err)
{
    (void)err;
    size_t n = m->rows * m->cols;
    if (box.w < 1 || box.h < 1)
        return 0;
    if (n == 0) {
        rs_canvas_print(c, box.x, box.y, "(no data)", box.w, RS_COLOR_DEFAULT, RS_COLOR_DEFAULT);
        return 0;
    }
    rs_stats s;
    rs_stats_matrix(m, &s);
    double vmax = s.finite ? fmax(0, s.max) : 0, vmin = s.finite ? fmin(0, s.min) : 0;
    vmax = fmax(vmax, o->cover_hi);
    vmin = fmin(vmin, o->cover_lo);
    if (s.posinf && vmax == 0)
        vmax = 1;
    if (s.neginf && vmin == 0)
        vmin = -1;
    if (vmax == 0 && vmin == 0)
        vmax = 1;
    int xlab = box.h >= 4;
    rs_rect plot = {box.x, box.y, box.w, box.h - xlab};
    int pos = rows_above(plot.h, vmin, vmax);
    char top[16], bottom[16];
    rs_format_number(vmax, 8, top, sizeof top);
    rs_format_number(vmin, 8, bottom, sizeof bottom);
    const char *labels[3] = {top, "0", bottom};
    int rows[3] = {0, pos > 0 ? pos - 1 : 0, plot.h - 1};
    int nl = vmin < 0 ? 3 : 2;
    if (rows[1] == rows[0])
        rows[1] = -1; /* zero lies under the top row: its label is the top one */
    int gw = box.w >= 10 && plot.h >= 2 ? gutter_width(labels, nl) : 0;
    if (gw) {
        draw_gutter(c, (rs_rect){plot.x, plot.y, gw, plot.h}, labels, rows, nl, o->style);
        plot.x += gw;
        plot.w -= gw;
    }
    size_t width = (size_t)plot.w;
    size_t bw = n <= width ? width / n : 1;
    size_t gap = bw >= 3 ? 1 : 0;
    for (size_t x = 0; x < width; x++) {
        size_t i = n <= width ? x / bw : x * n / width, j = n <= width ? i + 1 : (x + 1) * n / width;
        if (i >= n || (n <= width && x % bw >= bw - gap))
            continue;
        if (j <= i)
            j = i + 1;
        draw_bar(c, plot, plot.x + (int)x, column_value(m, i, j), vmin, vmax, pos, o);
    }
    if (xlab) {
        char first[24], last[24];
        int axis = rs_ui_color(o->style.depth, RS_UI_AXIS);
        snprintf(first, sizeof first, "%zu", o->base);
        snprintf(last, sizeof last, "%zu", o->base + n - 1);
        rs_canvas_print(c, plot.x, plot.y + plot.h, first, -1, axis, RS_COLOR_DEFAULT);
        size_t end = n <= width ? n * bw - gap : width;
        if (n > 1 && (int)end > rs_utf8_width(first) + rs_utf8_width(last) + 1)
            print_right(c, plot.x + (int)end, plot.y + plot.h, last, axis);
    }
    return 0;
}

/* ---- the bars view (rnnscope/view.h) ---- */

int rs_view_draw_bars(rs_canvas *c, rs_rect box, rs_view_state *s, rs_error *err)
{
    rs_matrix m;
    float *copy;
    size_t base;
    if (rs_view_selection(s, &m, &copy, &base, err) < 0)
        return -1;
    if (s->transpose)
        m = rs_matrix_transpose(m);
    rs_bars_opts o = {s->style, m.cols == 1 ? s->t0 : 0, 0, 0};
    rs_norm minmax = {RS_NORM_MINMAX, 0, 0};
    double lo = 0, hi = 0; /* --compare: the other checkpoint's values on the same axis */
    int rc = s->also.rows ? rs_view_cover(s, &minmax, &lo, &hi, err) : 0;
    o.cover_lo = isfinite(lo) ? lo : 0;
    o.cover_hi = isfinite(hi) ? hi : 0;
    if (rc == 0)
        rc = rs_bars_draw(c, box, &m, &o, err);
    free(copy);
    return rc;
}

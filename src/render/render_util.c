/* Helpers shared by the views: value-to-row mapping, right-aligned text, axis names, the y-axis
 * gutter. */
#include <math.h>
#include <string.h>

#include "render_util.h"

int value_row(double v, double lo, double hi, int n)
{
    double r = round((hi - v) / (hi - lo) * (n - 1));
    return !(r > 0) ? 0 : r > n - 1 ? n - 1 : (int)r; /* NaN (never expected) goes to the top */
}

void fill_box(rs_canvas *c, rs_rect box)
{
    for (int y = box.y; y < box.y + box.h; y++)
        for (int x = box.x; x < box.x + box.w; x++)
            rs_canvas_set(c, x, y, ' ', RS_COLOR_DEFAULT, RS_COLOR_DEFAULT);
}

void print_right(rs_canvas *c, int x_end, int y, const char *text, int fg)
{
    rs_canvas_print(c, x_end - rs_utf8_width(text), y, text, -1, fg, RS_COLOR_DEFAULT);
}

void print_axis_name(rs_canvas *c, rs_rect row, int wa, int wb, const char *name, int fg)
{
    int wn = name ? rs_utf8_width(name) : 0;
    if (wn && row.w >= wa + wn + wb + 2)
        rs_canvas_print(c, row.x + wa + (row.w - wa - wb - wn) / 2, row.y, name, -1, fg,
                        RS_COLOR_DEFAULT);
}

int gutter_width(const char *const *labels, int n)
{
    int w = 0;
    for (int i = 0; i < n; i++) {
        int lw = rs_utf8_width(labels[i]);
        w = lw > w ? lw : w;
    }
    return w + 1;
}

void draw_gutter(rs_canvas *c, rs_rect g, const char *const *labels, const int *rows, int n,
                 rs_style st)
{
    bool ascii = st.graphics == RS_GFX_ASCII;
    int axis = rs_ui_color(st.depth, RS_UI_AXIS);
    int x = g.x + g.w - 1;
    for (int y = 0; y < g.h; y++)
        rs_canvas_set(c, x, g.y + y, ascii ? '|' : 0x2502u, axis, RS_COLOR_DEFAULT);
    for (int i = 0; i < n; i++) {
        if (rows[i] < 0 || rows[i] >= g.h)
            continue;
        print_right(c, x, g.y + rows[i], labels[i], axis);
        rs_canvas_set(c, x, g.y + rows[i], ascii ? '+' : 0x2524u, axis, RS_COLOR_DEFAULT);
    }
}

void widen_to_channel(const rs_matrix *also, int channel_axis, size_t ch, size_t t0, size_t len,
                      double *lo, double *hi)
{
    if (!also)
        return;
    rs_matrix m = channel_axis == 0 ? rs_matrix_transpose(*also) : *also;
    for (size_t r = t0; ch < m.cols && r < m.rows && r < t0 + len; r++) {
        double v = rs_matrix_at(&m, r, ch);
        if (isfinite(v)) {
            *lo = v < *lo ? v : *lo;
            *hi = v > *hi ? v : *hi;
        }
    }
}

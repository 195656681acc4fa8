/* The values view (See RNN's features_0D): one value per sample of the batch, for the output on
 * screen: the selected channel at the cursor step (the last step when there is no cursor; a
 * Dense(1) prediction is its only value). One row per sample: its index, the exact number (as
 * NumPy prints a float32: the fewest digits that read back as the same float) and a bar from
 * zero on one scale for the whole batch; the sample on screen is marked. Added by following
 * HACKING.md's new-view recipe. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/plot.h"
#include "rnnscope/view.h"
#include "render_util.h"

/* The shortest "%.*g" that reads back as the same float. */
static void exact(float v, char *buf, size_t len)
{
    for (int prec = 1; prec <= 9; prec++) {
        snprintf(buf, len, "%.*g", prec, (double)v);
        if (isnan(v) || (float)strtod(buf, NULL) == v)
            return;
    }
}

/* Which value of each sample: the step and the channel. */
static void value_at(const rs_view_state *s, size_t *step, size_t *channel)
{
    size_t R = s->full.rows, C = s->full.cols;
    *step = s->have_cursor && s->cursor < R ? s->cursor : R - 1;
    *channel = s->channels && s->nchannels ? s->channels[0] : s->channel;
    if (*channel >= C)
        *channel = 0;
}

/* A bar from the zero column toward v, in cells of the bar area [x0, x0 + w). */
static void draw_bar(rs_canvas *c, int x0, int w, int y, double v, double lo, double hi,
                     rs_style st)
{
    if (!isfinite(v) || hi <= lo)
        return;
    int zero = (int)lround((0 - lo) / (hi - lo) * w), end = (int)lround((v - lo) / (hi - lo) * w);
    int a = end < zero ? end : zero, b = end < zero ? zero : end;
    if (a == b && v > 0) /* a value too small for a cell still shows its side */
        b++;
    else if (a == b && v < 0)
        a--;
    int fg = rs_ui_color(st.depth, v >= 0 ? RS_UI_POS : RS_UI_NEG);
    for (int x = a < 0 ? 0 : a; x < b && x < w; x++)
        rs_canvas_set(c, x0 + x, y, st.graphics == RS_GFX_UNICODE ? 0x2588u : '#', fg,
                      RS_COLOR_DEFAULT);
}

int rs_view_draw_values(rs_canvas *c, rs_rect box, rs_view_state *s, rs_error *err)
{
    size_t R = s->full.rows, C = s->full.cols, n;
    if (rs_view_batch_count(s, &n, err) < 0)
        return -1;
    if (box.h < 2 || box.w < 8)
        return 0;
    size_t step, ch;
    value_at(s, &step, &ch);
    double lo = 0, hi = 0;
    for (size_t k = 0; k < n; k++) {
        double v = s->batch[k * R * C + step * C + ch];
        lo = isfinite(v) && v < lo ? v : lo;
        hi = isfinite(v) && v > hi ? v : hi;
    }
    char title[160], what[64], when[64] = "";
    size_t units = s->out.gates > 1 && s->out.gate_names ? C / (size_t)s->out.gates : 0;
    if (units) /* a gates internal: the gate's name and the unit in it */
        snprintf(what, sizeof what, "gate %s unit %zu", s->out.gate_names[ch / units], ch % units);
    else
        snprintf(what, sizeof what, "%s %zu", s->out.col_axis, ch);
    if (R > 1)
        snprintf(when, sizeof when, " at %s %zu", s->out.row_axis, step);
    snprintf(title, sizeof title, "%s%s, %zu sample%s", what, when, n, n == 1 ? "" : "s");
    rs_canvas_print(c, box.x, box.y, title, box.w, rs_ui_color(s->style.depth, RS_UI_LABEL),
                    RS_COLOR_DEFAULT);
    char idx[24], num[32];
    snprintf(idx, sizeof idx, ">%zu", s->first_sample + n - 1);
    int iw = rs_utf8_width(idx), nw = 0;
    for (size_t k = 0; k < n; k++) {
        exact(s->batch[k * R * C + step * C + ch], num, sizeof num);
        nw = rs_utf8_width(num) > nw ? rs_utf8_width(num) : nw;
    }
    size_t rows = (size_t)box.h - 1, first = 0;
    if (n > rows && s->sample >= rows) /* the sample on screen stays in sight */
        first = s->sample - rows + 1;
    int bar_x = iw + 1 + nw + 1, bar_w = box.w - bar_x;
    for (size_t k = first; k < n && k - first < rows; k++) {
        int y = box.y + 1 + (int)(k - first);
        bool here = k == s->sample;
        float v = s->batch[k * R * C + step * C + ch];
        snprintf(idx, sizeof idx, "%s%zu", here ? ">" : " ", s->first_sample + k);
        exact(v, num, sizeof num);
        int fg = rs_ui_color(s->style.depth, here ? RS_UI_SELECTED_FG : RS_UI_LABEL);
        print_right(c, box.x + iw, y, idx, fg);
        print_right(c, box.x + iw + 1 + nw, y, num, rs_ui_color(s->style.depth, RS_UI_DATA));
        if (bar_w >= 4)
            draw_bar(c, box.x + bar_x, bar_w, y, v, lo, hi, s->style);
    }
    return 0;
}

/* The timeline view: one layer over the checkpoints of a training run (the explorer on a
 * directory, plot DIR --view timeline). Above, its weights' histogram per checkpoint as a
 * heatmap (TensorBoard's "distributions": x the checkpoint, oldest left; y the bins, the
 * highest values on top); below, one small line plot per statistic across the checkpoints
 * (weight norm per gate, output mean and std, saturated gates, attention entropy), each named.
 * Under both, the checkpoints' epochs as tick labels; above the heatmap the cursor's
 * checkpoint and, over their empty columns, those that did not load. */
#include <stdio.h>
#include <stdlib.h>

#include "rnnscope/plot.h"
#include "rnnscope/view.h"
#include "render_util.h"

static bool is_missing(const rs_view_timeline *tl, size_t k)
{
    return tl->missing && k < tl->n && tl->missing[k];
}

static bool any_missing(const rs_view_timeline *tl)
{
    for (size_t k = 0; k < tl->n; k++)
        if (is_missing(tl, k))
            return true;
    return false;
}

static bool cursor_on(const rs_view_state *s)
{
    return (s->have_cursor || s->mark_cursor) && s->cursor < s->timeline->n;
}

/* Checkpoint k's label: its epoch, else its index. */
static void tick_text(const rs_view_timeline *tl, size_t k, char *buf, size_t len)
{
    snprintf(buf, len, "%ld", tl->ticks ? tl->ticks[k] : (long)k);
}

/* The labels under a plot of the checkpoints, cells [x0, x0 + w) of row y, checkpoint k from
 * cell sample_cell(k, n, w, per): the cursor's first (in the selection's colours) when `cursor`,
 * then the last's, then from the left every one that fits with a space on each side. */
static void draw_ticks(rs_canvas *c, int x0, int y, int w, int per, const rs_view_state *s,
                       bool with_cursor)
{
    const rs_view_timeline *tl = s->timeline;
    bool *used = w > 0 ? calloc((size_t)w, sizeof *used) : NULL;
    if (!used)
        return;
    rs_style st = s->style;
    for (size_t i = 0; i < tl->n + 2; i++) {
        bool cursor = i == 0;
        if (cursor && !(with_cursor && cursor_on(s)))
            continue;
        size_t k = cursor ? s->cursor : i == 1 ? tl->n - 1 : i - 2;
        char text[24];
        tick_text(tl, k, text, sizeof text);
        int lw = rs_utf8_width(text), x = sample_cell(k, tl->n, w, per);
        x = x + lw > w ? w - lw : x;
        bool room = x >= 0;
        for (int j = x - 1; room && j <= x + lw; j++)
            room = j < 0 || j >= w || !used[j];
        if (!room)
            continue;
        for (int j = x; j < x + lw; j++)
            used[j] = true;
        rs_canvas_print(c, x0 + x, y, text, -1,
                        rs_ui_color(st.depth, cursor ? RS_UI_SELECTED_FG : RS_UI_AXIS),
                        cursor ? rs_ui_color(st.depth, RS_UI_SELECTED_BG) : RS_COLOR_DEFAULT);
    }
    free(used);
}

/* The row above the map: a mark over each checkpoint that did not load, and the cursor's
 * "▼12" pointing into the map (its label left of it near the right edge). */
static void draw_marks(rs_canvas *c, rs_rect map, int y, const rs_view_state *s)
{
    const rs_view_timeline *tl = s->timeline;
    rs_style st = s->style;
    bool u = st.graphics == RS_GFX_UNICODE;
    for (size_t k = 0; k < tl->n; k++)
        if (is_missing(tl, k))
            rs_canvas_set(c, map.x + sample_cell(k, tl->n, map.w, 1), y, u ? 0x00D7u : 'x',
                          rs_ui_color(st.depth, RS_UI_WARN), RS_COLOR_DEFAULT);
    if (!cursor_on(s))
        return;
    int x = map.x + sample_cell(s->cursor, tl->n, map.w, 1);
    int fg = rs_ui_color(st.depth, RS_UI_SELECTED_FG), bg = rs_ui_color(st.depth, RS_UI_SELECTED_BG);
    char text[24];
    tick_text(tl, s->cursor, text, sizeof text);
    int w = rs_utf8_width(text);
    rs_canvas_set(c, x, y, u ? 0x25BCu : 'v', fg, bg);
    if (x + 1 + w <= map.x + map.w)
        rs_canvas_print(c, x + 1, y, text, -1, fg, bg);
    else if (x - w >= map.x)
        rs_canvas_print(c, x - w, y, text, -1, fg, bg);
}

/* The map's cells that hold only checkpoints that did not load (the heatmap's resampling:
 * cell x holds checkpoints [x n / w, max(that + 1, (x + 1) n / w))) blank, in every mode. */
static void blank_missing(rs_canvas *c, rs_rect map, const rs_view_timeline *tl)
{
    for (int x = 0; tl->missing && x < map.w; x++) {
        size_t a = (size_t)x * tl->n / (size_t)map.w, b = (size_t)(x + 1) * tl->n / (size_t)map.w;
        bool empty = true;
        for (size_t k = a; k < (b > a ? b : a + 1); k++)
            empty = empty && is_missing(tl, k);
        for (int y = map.y; empty && y < map.y + map.h; y++)
            rs_canvas_set(c, map.x + x, y, ' ', RS_COLOR_DEFAULT, RS_COLOR_DEFAULT);
    }
}

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

/* Title; the marks; the map with the bins' range in its gutter; the ticks; the colour bar. */
static int draw_hist(rs_canvas *c, rs_rect box, const rs_view_state *s, rs_error *err)
{
    const rs_view_timeline *tl = s->timeline;
    rs_style st = s->style;
    char title[200], lo[16], hi[16];
    rs_format_number(tl->hi, 6, hi, sizeof hi);
    rs_format_number(tl->lo, 6, lo, sizeof lo);
    snprintf(title, sizeof title, "weights over %zu checkpoints: y %s (top) .. %s, colour = share%s",
             tl->n, hi, lo, !any_missing(tl) ? "" : st.graphics == RS_GFX_UNICODE
                                                       ? ", \u00d7 did not load" : ", x did not load");
    rs_canvas_print(c, box.x, box.y, title, box.w, rs_ui_color(st.depth, RS_UI_LABEL),
                    RS_COLOR_DEFAULT);
    int marks = (cursor_on(s) || any_missing(tl)) && box.h >= 6, ticks = box.h >= 5,
        bar = box.h >= 4, gutter = 0;
    if (box.w >= 24) {
        const char *labels[] = {hi, lo, tl->tick_name ? tl->tick_name : ""};
        gutter = gutter_width(labels, 3);
    }
    rs_rect map = {box.x + gutter, box.y + 1 + marks, box.w - gutter, box.h - 1 - marks - ticks - bar};
    rs_matrix m;
    float *cells = hist_matrix(tl, &m);
    if (!cells)
        return rs_fail(err, NULL, "out of memory");
    rs_heatmap_opts o;
    rs_heatmap_defaults(&o);
    o.style = st;
    o.cmap = s->cmap == RS_CMAP_BWR ? RS_CMAP_VIRIDIS : s->cmap; /* shares: no centre */
    o.norm.mode = RS_NORM_MINMAX;
    o.labels = o.legend = false; /* the checkpoints' own labels and the bar come below */
    rs_heatmap_boxes drawn;
    int rc = rs_heatmap_frame(c, map, &m, &o, &drawn, err);
    free(cells);
    if (rc < 0)
        return -1;
    blank_missing(c, map, tl);
    int axis = rs_ui_color(st.depth, RS_UI_AXIS), y = map.y + map.h;
    if (gutter) {
        print_right(c, map.x - 1, map.y, hi, axis);
        if (map.h > 1)
            print_right(c, map.x - 1, map.y + map.h - 1, lo, axis);
    }
    if (marks)
        draw_marks(c, map, box.y + 1, s);
    if (ticks) {
        draw_ticks(c, map.x, y, map.w, 1, s, true);
        if (gutter && tl->tick_name)
            print_right(c, map.x - 1, y, tl->tick_name, axis);
        y++;
    }
    if (bar)
        rs_colorbar_draw(c, (rs_rect){map.x, y, map.w, 1}, &o, drawn.lo, drawn.hi);
    return 0;
}

/* Statistic k across the checkpoints: its name, then its line (a gap where a checkpoint did
 * not load). */
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
    /* the cursor's checkpoint is marked above the map and in the labels under the lines, not
     * in each line: a tick in every panel made a cursor step cost 1.3 KB (issue 16: <= 200 B) */
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
    int ticks = rows && rest.h >= rows * 2 + 1; /* a row of epochs under the panels */
    int ph = rows ? (rest.h - ticks) / rows : 0;
    for (int k = 0; k < n && ph >= 2; k++) {
        rs_rect p = {rest.x + (k % cols) * (pw + 2), rest.y + (k / cols) * ph, pw, ph};
        if (draw_series(c, p, s, k, err) < 0)
            return -1;
    }
    for (int col = 0; ticks && ph >= 2 && col < cols && col < n; col++)
        draw_ticks(c, rest.x + col * (pw + 2), rest.y + rows * ph, pw,
                   lines_dots_per_cell(false, s->style), s, hist_h == 0); /* else above the map */
    return 0;
}

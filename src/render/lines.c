/* Lines: small multiples, one panel per channel, a label row over a plot of the channel's
 * window. Braille puts 2x4 dots in a cell; eighth blocks give 8 levels in one column per cell;
 * ASCII draws 4 levels per cell with _ . - ' and steep spans with |. Each column spans the min..max of its samples and reaches back to
 * the previous column's last sample, so the line is continuous however steep. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/plot.h"
#include "rnnscope/view.h"
#include "render_util.h"

void rs_lines_defaults(rs_lines_opts *o)
{
    memset(o, 0, sizeof *o);
    o->style = (rs_style){RS_GFX_UNICODE, RS_DEPTH_NONE};
    o->channel_axis = 1;
}

void rs_lines_free(rs_lines *L)
{
    for (size_t i = 0; i < L->npanels; i++)
        rs_envelope_free(&L->panels[i].env);
    free(L->panels);
    L->panels = NULL;
    L->npanels = 0;
}


/* Number of panels per row when the caller did not say: panels about three times wider than
 * tall in cells (a cell is twice as tall as wide), at least 4 cells wide, preferring grids
 * whose last row is full. When no grid fits every panel at min_ph rows, the widest one. */
static int auto_cols(size_t n, int w, int h, int min_ph)
{
    int maxc = (w + 1) / 5 > 0 ? (w + 1) / 5 : 1;
    if ((size_t)maxc > n)
        maxc = (int)n;
    int best = maxc;
    double best_cost = INFINITY;
    for (int c = 1; c <= maxc; c++) {
        size_t rows = (n + (size_t)c - 1) / (size_t)c;
        if (rows * (size_t)min_ph > (size_t)h)
            continue;
        double ph = (double)h / (double)rows, pw = (double)(w - (c - 1)) / c;
        double cost = fabs(log(pw / ph / 3.0)) + (rows * (size_t)c > n ? 0.5 : 0);
        if (cost < best_cost) {
            best_cost = cost;
            best = c;
        }
    }
    return best;
}

/* Grid and page: sets L->cols, rows, first, npanels; returns the rows kept for the note. */
static int layout(rs_lines *L, size_t total)
{
    const rs_lines_opts *o = &L->opts;
    int W = L->box.w, H = L->box.h;
    int min_ph = H >= 2 ? 2 : H; /* a label row and one plot row of 4 dots */
    int cols = o->grid_cols > 0 ? o->grid_cols : auto_cols(total, W, H, min_ph);
    if ((size_t)cols > total)
        cols = (int)total;
    if (cols > (W + 1) / 2)
        cols = (W + 1) / 2 > 0 ? (W + 1) / 2 : 1;
    size_t per_page = total;
    if (o->max_per_page > 0 && (size_t)o->max_per_page < per_page)
        per_page = (size_t)o->max_per_page;
    int note = 0;
    size_t rows = (per_page + (size_t)cols - 1) / (size_t)cols;
    if (rows * (size_t)min_ph > (size_t)H || per_page < total) {
        note = H >= 4;
        size_t fit = (size_t)((H - note) / min_ph);
        if (fit < 1)
            fit = 1;
        if (rows > fit)
            rows = fit;
        if (rows * (size_t)cols < per_page)
            per_page = rows * (size_t)cols;
    }
    size_t pages = (total + per_page - 1) / per_page;
    size_t page = o->page < pages ? o->page : pages - 1;
    L->first = page * per_page;
    L->per_page = per_page;
    L->npanels = total - L->first < per_page ? total - L->first : per_page;
    L->cols = cols;
    L->rows = (int)((L->npanels + (size_t)cols - 1) / (size_t)cols);
    return per_page < total && note ? 1 : 0;
}

static void panel_range(rs_lines *L)
{
    const rs_lines_opts *o = &L->opts;
    double m = 0;
    for (size_t i = 0; i < L->npanels; i++) {
        rs_lines_panel *p = &L->panels[i];
        double dmin = p->env.min, dmax = p->env.max;
        widen_to_channel(o->also, o->channel_axis, p->channel, L->t0, L->len, &dmin, &dmax);
        if (dmin <= dmax)
            m = fmax(m, fmax(fabs(dmin), fabs(dmax)));
        if (o->zero_line && dmin <= dmax) {
            dmin = fmin(dmin, 0);
            dmax = fmax(dmax, 0);
        }
        rs_norm norm = {RS_NORM_MINMAX, 0, 0};
        rs_norm_range(&norm, dmin, dmax, &p->lo, &p->hi);
    }
    if (o->equal_axes)
        for (size_t i = 0; i < L->npanels; i++) {
            L->panels[i].lo = m > 0 ? -m : -1;
            L->panels[i].hi = m > 0 ? m : 1;
        }
}

int rs_lines_prepare(rs_lines *L, const rs_matrix *m_in, const rs_lines_opts *o, rs_rect box,
                     rs_error *err)
{
    memset(L, 0, sizeof *L);
    L->opts = *o;
    L->box = box;
    rs_matrix m = o->channel_axis == 0 ? rs_matrix_transpose(*m_in) : *m_in;
    size_t total = o->channels ? o->nchannels : m.cols;
    for (size_t i = 0; o->channels && i < o->nchannels; i++)
        if (o->channels[i] >= m.cols)
            return rs_fail(err, "lines", "channel %zu is outside 0..%zu", o->channels[i],
                           m.cols ? m.cols - 1 : 0);
    L->total = total;
    if (total == 0 || m.rows == 0 || box.w < 1 || box.h < 1)
        return 0;
    int note = layout(L, total);
    L->panels = calloc(L->npanels, sizeof *L->panels);
    if (!L->panels) {
        L->npanels = 0;
        return rs_fail(err, "lines", "out of memory");
    }
    int pw = (box.w - (L->cols - 1)) / L->cols;
    int ph = (box.h - note) / L->rows;
    size_t t0 = o->t0 < m.rows ? o->t0 : m.rows;
    size_t len = o->len == 0 || o->len > m.rows - t0 ? m.rows - t0 : o->len;
    L->t0 = t0;
    L->len = len;
    size_t *chans = malloc(L->npanels * sizeof *chans);
    rs_envelope *envs = malloc(L->npanels * sizeof *envs);
    for (size_t i = 0; chans && envs && i < L->npanels; i++) {
        rs_lines_panel *p = &L->panels[i];
        size_t k = L->first + i;
        p->channel = chans[i] = o->channels ? o->channels[k] : k;
        p->box = (rs_rect){box.x + (int)(i % (size_t)L->cols) * (pw + 1),
                           box.y + (int)(i / (size_t)L->cols) * ph, pw, ph};
    }
    size_t ncols = (size_t)(pw * lines_dots_per_cell(o->blocks, o->style));
    int rc = chans && envs
                 ? rs_envelope_build_many(envs, &m, chans, L->npanels, t0, len, ncols, err)
                 : rs_fail(err, "lines", "out of memory");
    for (size_t i = 0; rc == 0 && i < L->npanels; i++)
        L->panels[i].env = envs[i];
    free(chans);
    free(envs);
    if (rc < 0) {
        free(L->panels);
        L->panels = NULL;
        L->npanels = 0;
        return -1;
    }
    panel_range(L);
    return 0;
}

/* Span of dot column x in value space, joined to the previous column; false when empty. */
static bool column_span(const rs_envelope *e, size_t x, double *vlo, double *vhi)
{
    if (isnan(e->lo[x]))
        return false;
    *vlo = e->lo[x];
    *vhi = e->hi[x];
    if (x > 0 && isfinite(e->last[x - 1]) && !isnan(e->lo[x - 1])) {
        *vlo = fmin(*vlo, e->last[x - 1]);
        *vhi = fmax(*vhi, e->last[x - 1]);
    }
    return true;
}

static void render_braille(const rs_lines_panel *p, rs_rect plot, bool zero, rs_style st,
                           rs_canvas *c)
{
    static const uint8_t bit[2][4] = {{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}};
    int DH = plot.h * 4;
    int yz = zero && p->lo <= 0 && 0 <= p->hi ? value_row(0, p->lo, p->hi, DH) : -1;
    uint8_t bits[RS_CANVAS_MAX_SIDE];
    for (int cx = 0; cx < plot.w; cx++) {
        memset(bits, 0, (size_t)plot.h);
        for (int dx = 0; dx < 2; dx++) {
            double vlo, vhi;
            size_t x = (size_t)(cx * 2 + dx);
            if (x >= p->env.n || !column_span(&p->env, x, &vlo, &vhi))
                continue;
            int top = value_row(vhi, p->lo, p->hi, DH), bot = value_row(vlo, p->lo, p->hi, DH);
            for (int y = top; y <= bot; y++)
                bits[y / 4] |= bit[dx][y % 4];
        }
        for (int cy = 0; cy < plot.h; cy++) {
            if (bits[cy])
                rs_canvas_set(c, plot.x + cx, plot.y + cy, 0x2800u + bits[cy],
                              rs_ui_color(st.depth, RS_UI_DATA), RS_COLOR_DEFAULT);
            else if (yz >= 0 && yz / 4 == cy)
                rs_canvas_set(c, plot.x + cx, plot.y + cy,
                              0x2800u + bit[0][yz % 4] + bit[1][yz % 4],
                              rs_ui_color(st.depth, RS_UI_ZERO), RS_COLOR_DEFAULT);
        }
    }
}

/* The glyph of a cell that a column's span [top, bot] (levels from the top) reaches, the cell
 * holding levels [first, first + sub). Unicode: an eighth block growing from the bottom.
 * ASCII: a span over one or two of the cell's 4 levels is drawn at its height (' - . _ from
 * the top), a longer one as |, so that flat stretches read as a line, steep ones as a stroke. */
static uint32_t cell_glyph(bool ascii, int top, int bot, int first, int sub)
{
    int last = first + sub - 1;
    if (!ascii)
        return top >= first ? 0x2580u + (uint32_t)(last - top + 1) : 0x2588u;
    int from = top > first ? top : first, to = bot < last ? bot : last;
    if (to - from >= 2) /* three or four of the cell's levels: a stroke through it */
        return '|';
    static const char level[4] = {'\'', '-', '.', '_'};
    return (uint32_t)level[(from + to) / 2 - first];
}

/* Eighth blocks (unicode) or ASCII levels: one sample column per cell. */
static void render_cells(const rs_lines_panel *p, rs_rect plot, bool zero, rs_style st,
                         rs_canvas *c)
{
    bool ascii = st.graphics == RS_GFX_ASCII;
    int sub = ascii ? 4 : 8; /* levels per cell */
    int E = plot.h * sub;
    int zrow = zero && p->lo <= 0 && 0 <= p->hi ? value_row(0, p->lo, p->hi, E) / sub : -1;
    for (int cx = 0; cx < plot.w; cx++) {
        double vlo, vhi;
        bool any = (size_t)cx < p->env.n && column_span(&p->env, (size_t)cx, &vlo, &vhi);
        int top = any ? value_row(vhi, p->lo, p->hi, E) : E, bot = any ? value_row(vlo, p->lo, p->hi, E) : -1;
        for (int cy = 0; cy < plot.h; cy++) {
            int first = cy * sub, last = cy * sub + sub - 1; /* levels of this cell, from the top */
            if (any && top <= last && bot >= first) {
                rs_canvas_set(c, plot.x + cx, plot.y + cy, cell_glyph(ascii, top, bot, first, sub),
                              rs_ui_color(st.depth, RS_UI_DATA), RS_COLOR_DEFAULT);
            } else if (cy == zrow) {
                rs_canvas_set(c, plot.x + cx, plot.y + cy, ascii ? '-' : 0x2500u,
                              rs_ui_color(st.depth, RS_UI_ZERO), RS_COLOR_DEFAULT);
            }
        }
    }
}

void lines_plot(const rs_lines_panel *p, rs_rect plot, bool zero, bool blocks, rs_style st,
                rs_canvas *c)
{
    if (st.graphics == RS_GFX_UNICODE && !blocks)
        render_braille(p, plot, zero, st, c);
    else
        render_cells(p, plot, zero, st, c);
}

/* When samples outnumber columns, the column holding sample k (last x with x*len/n <= k);
 * otherwise the first column it spans (first x with x*len/n >= k). */
int sample_cell(size_t k, size_t len, int cells, int per)
{
    size_t n = (size_t)cells * (size_t)per;
    size_t col = len >= n ? ((k + 1) * n + len - 1) / len - 1 : (k * n + len - 1) / len;
    return (int)(col / (size_t)per);
}

/* Mark column cx of a plot: the role's background, or without colour the glyph in its empty
 * cells. */
static void mark_column(rs_canvas *c, rs_rect plot, int cx, rs_ui_role role, uint32_t glyph,
                        rs_style st)
{
    for (int y = plot.y; y < plot.y + plot.h; y++) {
        rs_cell *cell = rs_canvas_at(c, plot.x + cx, y);
        if (!cell)
            continue;
        if (st.depth != RS_DEPTH_NONE)
            cell->bg = (int16_t)rs_ui_color(st.depth, role);
        else if (cell->ch == ' ')
            cell->ch = glyph;
    }
}

/* The cursor step: its column marked in the plot's first and last rows only. A full-height
 * column cost a step about 2.3 KB over the link at 200x60 (ncurses rewrites every cell of the
 * old and the new column: issue 16's budget is 200 B); two ticks, with the step named in the
 * title and the status line, cost a few dozen bytes. */
void draw_cursor(rs_canvas *c, rs_rect plot, int cx, rs_style st)
{
    uint32_t glyph = st.graphics == RS_GFX_ASCII ? '|' : 0x2502u;
    mark_column(c, (rs_rect){plot.x, plot.y, plot.w, plot.h > 0 ? 1 : 0}, cx, RS_UI_CURSOR, glyph,
                st);
    if (plot.h > 1)
        mark_column(c, (rs_rect){plot.x, plot.y + plot.h - 1, plot.w, 1}, cx, RS_UI_CURSOR, glyph,
                    st);
}

/* Whether cell i of `cells` (per samples a cell) over a window of len samples starts at a
 * masked step. */
static bool cell_masked(const float *mask, size_t len, int cells, int per, int i)
{
    size_t n = (size_t)cells * (size_t)per, k = n ? (size_t)i * (size_t)per * len / n : len;
    return mask && k < len && mask[k] == 0;
}

static uint32_t masked_glyph(rs_style st)
{
    return st.graphics == RS_GFX_ASCII ? ':' : 0x00B7u;
}

void shade_masked(rs_canvas *c, rs_rect plot, const float *mask, size_t len, int per, rs_style st)
{
    for (int cx = 0; cx < plot.w; cx++)
        if (cell_masked(mask, len, plot.w, per, cx))
            mark_column(c, plot, cx, RS_UI_MASKED, masked_glyph(st), st);
}

void shade_masked_rows(rs_canvas *c, rs_rect strip, const float *mask, size_t len, int per,
                       rs_style st)
{
    for (int cy = 0; cy < strip.h; cy++)
        if (cell_masked(mask, len, strip.h, per, cy))
            mark_column(c, (rs_rect){strip.x, strip.y + cy, strip.w, 1}, 0, RS_UI_MASKED,
                        masked_glyph(st), st);
}

int lines_dots_per_cell(bool blocks, rs_style st)
{
    return st.graphics == RS_GFX_UNICODE && !blocks ? 2 : 1;
}

/* A panel's name: the channel's index, or a gate's name and the unit in it ("f3"), after
 * what a panel is ("channel 0") when asked. */
static void panel_name(const rs_lines_opts *o, const rs_lines_panel *p, const char *prefix,
                       bool selected, char *buf, size_t len)
{
    const char *mark = selected ? (o->style.graphics == RS_GFX_UNICODE ? "▶" : ">") : "";
    char index[48];
    if (o->gate_units && o->gate_names)
        snprintf(index, sizeof index, "%s%zu", o->gate_names[p->channel / o->gate_units],
                 p->channel % o->gate_units);
    else
        snprintf(index, sizeof index, "%zu", p->channel);
    snprintf(buf, len, "%s%s%s%s", mark, prefix ? prefix : "", prefix ? " " : "", index);
}

/* The label row: the panel's name and range; the selected channel's label is marked (">3" and
 * the selection colours) so that it shows without colour too; the first panel also says what
 * a panel is when that fits beside its range. */
static void render_label(const rs_lines_opts *o, const rs_lines_panel *p, bool first,
                         rs_canvas *c)
{
    char name[128], range[48], a[16], b[16];
    rs_style st = o->style;
    bool selected = o->mark_channel && p->channel == o->selected;
    panel_name(o, p, NULL, selected, name, sizeof name);
    int fg = rs_ui_color(st.depth, selected ? RS_UI_SELECTED_FG : RS_UI_LABEL);
    int bg = selected ? rs_ui_color(st.depth, RS_UI_SELECTED_BG) : RS_COLOR_DEFAULT;
    if (selected)
        for (int x = 0; x < p->box.w; x++)
            rs_canvas_set(c, p->box.x + x, p->box.y, ' ', fg, bg);
    int n = rs_utf8_width(name);
    /* the range shown, as short as it must be to fit: "[-0.8241, 0.638]", "-0.82..0.64",
     * "-.8..0.6"; a constant channel shows its value ("=0.5"), not the padded range */
    static const int digits[] = {6, 4, 3, 2};
    bool constant = p->env.min == p->env.max;
    int rw = 0;
    for (size_t i = 0; i < sizeof digits / sizeof *digits; i++) {
        if (constant)
            snprintf(range, sizeof range, "=%s", rs_format_number(p->env.min, digits[i], a, sizeof a));
        else
            snprintf(range, sizeof range, i ? "%s..%s" : "[%s, %s]",
                     rs_format_number(p->lo, digits[i], a, sizeof a),
                     rs_format_number(p->hi, digits[i], b, sizeof b));
        rw = rs_utf8_width(range);
        if (n + 1 + rw <= p->box.w)
            break;
    }
    char named[128];
    panel_name(o, p, first ? o->panel_name : NULL, selected, named, sizeof named);
    if (rs_utf8_width(named) + 1 + rw <= p->box.w)
        snprintf(name, sizeof name, "%s", named);
    n = rs_canvas_print(c, p->box.x, p->box.y, name, p->box.w, fg, bg);
    if (n + 1 + rw <= p->box.w)
        rs_canvas_print(c, p->box.x + p->box.w - rw, p->box.y, range, -1,
                        selected ? fg : rs_ui_color(st.depth, RS_UI_AXIS), bg);
}

void rs_lines_render(const rs_lines *L, rs_canvas *c)
{
    const rs_lines_opts *o = &L->opts;
    if (L->npanels == 0) {
        rs_canvas_print(c, L->box.x, L->box.y, "(no data)", L->box.w, RS_COLOR_DEFAULT,
                        RS_COLOR_DEFAULT);
        return;
    }
    for (size_t i = 0; i < L->npanels; i++) {
        const rs_lines_panel *p = &L->panels[i];
        rs_rect plot = p->box;
        if (plot.h >= 2) {
            render_label(o, p, i == 0, c);
            plot.y++;
            plot.h--;
        }
        lines_plot(p, plot, o->zero_line, o->blocks, o->style, c);
        if (o->step_mask && plot.w > 0)
            shade_masked(c, plot, o->step_mask + L->t0, L->len, lines_dots_per_cell(o->blocks, o->style),
                         o->style);
        /* the cursor column in every panel, or (with a selection) in the selected one only:
         * a column through every panel would cost a colour change in each on every redraw */
        bool cursor_here = o->mark_cursor && (!o->mark_channel || p->channel == o->selected);
        if (cursor_here && o->cursor >= L->t0 && o->cursor - L->t0 < L->len && plot.w > 0)
            draw_cursor(c, plot, sample_cell(o->cursor - L->t0, L->len, plot.w,
                                             lines_dots_per_cell(o->blocks, o->style)),
                        o->style);
    }
    if (L->npanels < L->total && L->box.h >= 4) {
        char note[128];
        size_t pages = (L->total + L->per_page - 1) / L->per_page;
        snprintf(note, sizeof note, "channels %zu-%zu of %zu (page %zu of %zu)", L->first,
                 L->first + L->npanels - 1, L->total, L->first / L->per_page + 1, pages);
        rs_canvas_print(c, L->box.x, L->box.y + L->box.h - 1, note, L->box.w,
                        rs_ui_color(o->style.depth, RS_UI_AXIS), RS_COLOR_DEFAULT);
    }
}

int rs_lines_draw(rs_canvas *c, rs_rect box, const rs_matrix *m, const rs_lines_opts *o,
                  rs_error *err)
{
    rs_lines L;
    if (rs_lines_prepare(&L, m, o, box, err) < 0)
        return -1;
    rs_lines_render(&L, c);
    rs_lines_free(&L);
    return 0;
}

/* ---- the lines view (rnnscope/view.h) ---- */

/* The x axis under the grid: under each column of panels the first and last step shown, and
 * in the first the axis' name (time, query) between them. */
static void draw_x_axis(rs_canvas *c, const rs_lines *L, int y, const char *name, rs_style st)
{
    int fg = rs_ui_color(st.depth, RS_UI_AXIS);
    char a[24], b[24];
    snprintf(a, sizeof a, "%zu", L->t0);
    snprintf(b, sizeof b, "%zu", L->t0 + (L->len ? L->len - 1 : 0));
    int wa = rs_utf8_width(a), wb = rs_utf8_width(b);
    for (int col = 0; col < L->cols && (size_t)col < L->npanels; col++) {
        rs_rect p = L->panels[col].box;
        if (wa + 1 + wb > p.w)
            continue;
        rs_canvas_print(c, p.x, y, a, -1, fg, RS_COLOR_DEFAULT);
        print_right(c, p.x + p.w, y, b, fg);
        if (col == 0)
            print_axis_name(c, (rs_rect){p.x, y, p.w, 1}, wa, wb, name, fg);
    }
}

/* The full output with the window and channels as options, so that labels keep the output's
 * indices; the page follows the selected channel when one is marked. The panels are named
 * from the output's description (channel, key; a gate's name and unit), and the x axis under
 * them (time, query) when there is room. */
int rs_view_draw_lines(rs_canvas *c, rs_rect box, rs_view_state *s, rs_error *err)
{
    rs_lines_opts o;
    rs_lines_defaults(&o);
    o.style = s->style;
    o.blocks = s->blocks;
    o.equal_axes = s->equal_axes;
    o.zero_line = s->zero_line;
    o.grid_cols = s->grid_cols;
    o.page = s->page;
    rs_matrix m = s->full, also = s->also;
    float *copy = NULL, *also_copy = NULL;
    if (s->transpose) { /* the selection, transposed: indices count from the selection */
        if (rs_view_transposed_selection(s, &m, &copy, &also, &also_copy, err) < 0)
            return -1;
    } else {
        o.t0 = s->t0;
        o.len = s->tlen;
        o.channels = s->channels;
        o.nchannels = s->nchannels;
        o.step_mask = s->step_mask;
        o.mark_channel = s->mark_channel;
        o.selected = s->channel;
        o.mark_cursor = s->mark_cursor;
        o.cursor = s->cursor;
        if (s->out.gates > 1 && s->out.gate_names && s->full.cols % (size_t)s->out.gates == 0)
            o.gate_units = s->full.cols / (size_t)s->out.gates;
        o.gate_names = s->out.gate_names;
    }
    o.also = s->also.rows ? &also : NULL;
    o.panel_name = o.gate_units ? NULL : s->transpose ? s->out.row_axis : s->out.col_axis;
    bool axis = box.h >= 6 && s->full.rows > 1; /* a row for the x axis under the panels */
    box.h -= axis;
    rs_lines L;
    int rc = rs_lines_prepare(&L, &m, &o, box, err);
    if (rc == 0 && s->mark_channel && L.per_page && s->channel / L.per_page != o.page) {
        o.page = s->channel / L.per_page;
        rs_lines_free(&L);
        rc = rs_lines_prepare(&L, &m, &o, box, err);
    }
    if (rc == 0) {
        rs_lines_render(&L, c);
        if (axis)
            draw_x_axis(c, &L, box.y + box.h, s->transpose ? s->out.col_axis : s->out.row_axis,
                        s->style);
        s->per_page = L.per_page;
        for (size_t i = 0; i < L.npanels && s->nhits < (int)(sizeof s->hits / sizeof s->hits[0]); i++) {
            rs_rect b = L.panels[i].box;
            s->hits[s->nhits++] = (rs_view_hit){b, L.panels[i].channel};
        }
        s->hit_t0 = L.t0;
        s->hit_len = L.len;
        rs_lines_free(&L);
    }
    free(copy);
    free(also_copy);
    return rc;
}

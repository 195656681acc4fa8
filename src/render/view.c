/* The view table (rnnscope/view.h) and what every view shares: the selection of rows and
 * channels, and the one orientation rule of heatmaps. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/view.h"

static const rs_view_info views[] = {
#define RS_VIEW_INFO(ID, fn, name, key, help, bar, applies, defaults, uses) \
    {RS_VIEW_##ID, name, key, help, bar, applies, defaults, uses, rs_view_draw_##fn},
    RS_VIEWS(RS_VIEW_INFO)
#undef RS_VIEW_INFO
};

const rs_view_info *rs_view_table(void)
{
    return views;
}

const rs_view_info *rs_view_get(rs_view_id id)
{
    return id >= 0 && id < RS_VIEW_COUNT ? &views[id] : NULL;
}

const rs_view_info *rs_view_by_name(const char *name)
{
    if (name && strcmp(name, "histogram") == 0)
        name = "hist";
    for (int i = 0; name && i < RS_VIEW_COUNT; i++)
        if (strcmp(views[i].name, name) == 0)
            return &views[i];
    return NULL;
}

const char *rs_view_names(char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < RS_VIEW_COUNT && used < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", views[i].name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return buf;
}

unsigned rs_view_output_kind(const rs_view_state *s)
{
    if (s->out.attention)
        return RS_FOR_ATTENTION;
    if (s->out.gates > 1)
        return RS_FOR_GATES;
    return s->full.rows <= 1 ? RS_FOR_VECTOR : RS_FOR_SEQUENCE;
}

rs_view_id rs_view_default(unsigned kind)
{
    for (int i = 0; i < RS_VIEW_COUNT; i++)
        if (views[i].defaults & kind)
            return (rs_view_id)i;
    return RS_VIEW_LINES;
}

void rs_view_state_init(rs_view_state *s)
{
    memset(s, 0, sizeof *s);
    s->style = (rs_style){RS_GFX_UNICODE, RS_DEPTH_NONE};
    s->cmap = RS_CMAP_BWR;
    s->norm.mode = RS_NORM_AUTO;
    s->agg = RS_AGG_MEAN;
    s->out.row_axis = "time";
    s->out.col_axis = "channel";
}

int rs_view_selection(const rs_view_state *s, rs_matrix *out, float **copy, size_t *ch_base,
                      rs_error *err)
{
    rs_matrix m = s->full;
    *copy = NULL;
    *ch_base = 0;
    if (s->tlen || s->t0)
        m = rs_matrix_window(m, s->t0, s->tlen ? s->tlen : m.rows, 0, m.cols);
    if (!s->channels) {
        *out = m;
        return 0;
    }
    bool run = true;
    for (size_t i = 0; i < s->nchannels; i++) {
        if (s->channels[i] >= m.cols)
            return rs_fail(err, NULL, "channel %zu is outside 0..%zu", s->channels[i],
                           m.cols ? m.cols - 1 : 0);
        run = run && (i == 0 || s->channels[i] == s->channels[i - 1] + 1);
    }
    if (run) {
        *out = rs_matrix_window(m, 0, m.rows, s->channels[0], s->nchannels);
        *ch_base = s->channels[0];
        return 0;
    }
    float *c = malloc((m.rows * s->nchannels + 1) * sizeof *c);
    if (!c)
        return rs_fail(err, NULL, "out of memory");
    for (size_t r = 0; r < m.rows; r++)
        for (size_t i = 0; i < s->nchannels; i++)
            c[r * s->nchannels + i] = rs_matrix_at(&m, r, s->channels[i]);
    *copy = c;
    *out = rs_matrix_make(c, m.rows, s->nchannels);
    return 0;
}

int rs_view_transposed_selection(const rs_view_state *s, rs_matrix *m, float **copy,
                                 rs_matrix *also, float **also_copy, rs_error *err)
{
    size_t base;
    rs_view_state other = *s;
    other.full = s->also;
    if (rs_view_selection(s, m, copy, &base, err) < 0 ||
        (s->also.rows && rs_view_selection(&other, also, also_copy, &base, err) < 0)) {
        free(*copy);
        *copy = NULL;
        return -1;
    }
    *m = rs_matrix_transpose(*m);
    *also = rs_matrix_transpose(*also);
    return 0;
}

/* The orientation rule: an attention matrix as it is, anything else with time along x; then
 * the user's transpose. */
static bool heatmap_as_is(const rs_view_state *s)
{
    return s->out.attention != s->transpose;
}

rs_matrix rs_view_heatmap_matrix(const rs_view_state *s, rs_matrix sel, size_t ch_base,
                                 size_t *row_base, size_t *col_base, bool *transposed)
{
    bool as_is = heatmap_as_is(s);
    /* as it is: rows are the (windowed) rows of the output; else its channels */
    *row_base = as_is ? s->t0 : ch_base;
    *col_base = as_is ? ch_base : s->t0;
    if (transposed)
        *transposed = s->transpose;
    return as_is ? sel : rs_matrix_transpose(sel);
}

int rs_view_cover(const rs_view_state *s, const rs_norm *norm, double *lo, double *hi,
                  rs_error *err)
{
    if (s->also.rows == 0 || s->also.rows != s->full.rows || s->also.cols != s->full.cols)
        return 0;
    rs_view_state other = *s;
    other.full = s->also;
    rs_matrix sel;
    float *copy;
    size_t base;
    if (rs_view_selection(&other, &sel, &copy, &base, err) < 0)
        return -1;
    double alo, ahi;
    rs_heatmap_range(&sel, norm, &alo, &ahi);
    free(copy);
    *lo = alo < *lo ? alo : *lo;
    *hi = ahi > *hi ? ahi : *hi;
    return 0;
}

int rs_view_heatmap_prepare(const rs_view_state *s, rs_matrix *m, float **copy, double *lo,
                            double *hi, rs_error *err)
{
    rs_matrix sel;
    size_t base, rb, cb;
    if (rs_view_selection(s, &sel, copy, &base, err) < 0)
        return -1;
    *m = rs_view_heatmap_matrix(s, sel, base, &rb, &cb, NULL);
    rs_heatmap_range(m, &s->norm, lo, hi);
    if (rs_view_cover(s, &s->norm, lo, hi, err) < 0) {
        free(*copy);
        *copy = NULL;
        return -1;
    }
    return 0;
}

int rs_view_batch_count(const rs_view_state *s, size_t *n, rs_error *err)
{
    *n = s->batch ? s->nsamples : 0;
    if (*n == 0 || s->full.rows * s->full.cols == 0)
        return rs_fail(err, NULL, "no batch of samples to show");
    return 0;
}

void rs_view_heatmap_opts(const rs_view_state *s, rs_heatmap_opts *o)
{
    rs_heatmap_defaults(o);
    o->style = s->style;
    o->cmap = s->cmap;
    o->norm = s->norm;
    o->agg = s->agg;
    /* the axes' names from the description, oriented as the matrix is */
    o->row_axis = heatmap_as_is(s) ? s->out.row_axis : s->out.col_axis;
    o->col_axis = heatmap_as_is(s) ? s->out.col_axis : s->out.row_axis;
}

static bool has_backward_direction(const rs_layer_desc *d)
{
    for (int i = 0; d && i < d->n_weights; i++)
        if (d->weights[i].direction && strcmp(d->weights[i].direction, "backward") == 0)
            return true;
    return false;
}

int rs_view_reflect_half(rs_view_state *s, float **copy, rs_error *err)
{
    rs_matrix m = s->full;
    *copy = NULL;
    if (!has_backward_direction(s->layer) || m.cols < 2 || m.cols % 2 || m.rows < 2 ||
        s->out.attention || s->out.gates > 1)
        return 0;
    float *c = malloc(m.rows * m.cols * sizeof *c + 1);
    if (!c)
        return rs_fail(err, NULL, "out of memory");
    size_t half = m.cols / 2;
    for (size_t r = 0; r < m.rows; r++)
        for (size_t k = 0; k < m.cols; k++)
            c[r * m.cols + k] = rs_matrix_at(&m, k < half ? r : m.rows - 1 - r, k);
    s->full = rs_matrix_make(c, m.rows, m.cols);
    *copy = c;
    return 1;
}

/* Whether view id draws time along x: the windowed views, but not transposed (channels along
 * x), except an attention heatmap (steps on both axes). */
static bool time_along_x(rs_view_id id, const rs_view_state *s)
{
    const rs_view_info *v = rs_view_get(id);
    if (!v || !(v->uses & RS_USES_WINDOW) || s->full.rows < 2)
        return false;
    return !s->transpose || (id == RS_VIEW_HEATMAP && s->out.attention);
}

/* The strip again on the box's last row, under each of the view's time axes: detail's and
 * heatmap's plot (time_x, time_w), or each column of the lines view's panels (its hits). */
static void strip_under_axes(rs_view_id id, rs_canvas *c, rs_rect box, rs_view_state *s)
{
    rs_rect row = {box.x, box.y + box.h - 1, box.w, 1};
    int n = s->time_w > 0 ? 1 : s->nhits;
    if (n == 0)
        return;
    for (int x = row.x; x < row.x + row.w; x++)
        rs_canvas_set(c, x, row.y, ' ', RS_COLOR_DEFAULT, RS_COLOR_DEFAULT);
    for (int i = 0; i < n; i++) {
        rs_rect axis = s->time_w > 0 ? (rs_rect){s->time_x, 0, s->time_w, 0} : s->hits[i].box;
        if (i > 0 && s->hits[i].box.y != s->hits[0].box.y)
            break; /* one strip per column of panels: the first row of the grid has them all */
        if (axis.x >= box.x && axis.x + axis.w <= box.x + box.w)
            rs_view_strip(id, c, (rs_rect){axis.x, box.y, axis.w, box.h}, s);
    }
}

rs_rect rs_view_strip(rs_view_id id, rs_canvas *c, rs_rect box, rs_view_state *s)
{
    s->strip_peak = SIZE_MAX;
    if (!s->strip || box.h < 4 || !time_along_x(id, s))
        return box;
    size_t rows = s->full.rows, t0 = s->t0 < rows ? s->t0 : 0;
    size_t len = s->tlen && t0 + s->tlen <= rows ? s->tlen : rows - t0;
    rs_rect row = {box.x, box.y + box.h - 1, box.w, 1};
    s->strip_peak = rs_strip_draw(c, row, s->strip, t0, len, s->style);
    box.h--;
    return box;
}

int rs_view_draw(rs_view_id id, rs_canvas *c, rs_rect box, rs_view_state *s, rs_error *err)
{
    const rs_view_info *v = rs_view_get(id);
    if (!v)
        return rs_fail(err, NULL, "no such view");
    s->nhits = 0;
    s->per_page = 0;
    memset(&s->heat, 0, sizeof s->heat);
    s->time_w = 0;
    rs_rect pic = rs_view_strip(id, c, box, s);
    int rc = v->draw(c, pic, s, err);
    if (rc == 0 && pic.h < box.h)
        strip_under_axes(id, c, box, s);
    return rc;
}

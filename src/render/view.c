/* The view table (rnnscope/view.h) and what every view shares: the selection of rows and
 * channels, and the one orientation rule of heatmaps. */
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

rs_matrix rs_view_heatmap_matrix(const rs_view_state *s, rs_matrix sel, size_t ch_base,
                                 size_t *row_base, size_t *col_base, bool *transposed)
{
    bool as_is = s->out.attention != s->transpose;
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

void rs_view_heatmap_opts(const rs_view_state *s, rs_heatmap_opts *o)
{
    rs_heatmap_defaults(o);
    o->style = s->style;
    o->cmap = s->cmap;
    o->norm = s->norm;
    o->agg = s->agg;
}

int rs_view_draw(rs_view_id id, rs_canvas *c, rs_rect box, rs_view_state *s, rs_error *err)
{
    const rs_view_info *v = rs_view_get(id);
    if (!v)
        return rs_fail(err, NULL, "no such view");
    s->nhits = 0;
    s->per_page = 0;
    return v->draw(c, box, s, err);
}

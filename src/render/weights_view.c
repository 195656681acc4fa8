/* The weights view (rnnscope/view.h), from the layer's description alone: per direction
 * (Bidirectional: forward, then backward, each labelled), a kernel / recurrent kernel / bias
 * cut into gate blocks (rs_weights_draw); any other weights (attention's Wt Wx bh Wa ba,
 * norms' gamma beta) as named heatmaps, each on its own scale. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rnnscope/plot.h"
#include "rnnscope/view.h"
#include "render_util.h"

/* The weights of one direction (NULL: a layer without directions). */
typedef struct weight_group {
    const char *direction;
    const rs_weight_desc *kernel, *recurrent, *bias;
    const rs_weight_desc *named[RS_DESC_MAX_WEIGHTS];
    int nnamed;
} weight_group;

static bool same_direction(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Kernel, recurrent kernel and bias go to the gate picture when there is at most one of each
 * and a kernel or a recurrent kernel; everything else is drawn by name. */
static void group_weights(const rs_layer_desc *d, const char *dir, weight_group *g)
{
    memset(g, 0, sizeof *g);
    g->direction = dir;
    int kernels = 0, recs = 0, biases = 0;
    for (int i = 0; i < d->n_weights; i++) {
        const rs_weight_desc *w = &d->weights[i];
        if (!same_direction(w->direction, dir))
            continue;
        kernels += w->role == RS_WEIGHT_KERNEL;
        recs += w->role == RS_WEIGHT_RECURRENT;
        biases += w->role == RS_WEIGHT_BIAS;
    }
    bool gated = kernels + recs >= 1 && kernels <= 1 && recs <= 1 && biases <= 1;
    for (int i = 0; i < d->n_weights; i++) {
        const rs_weight_desc *w = &d->weights[i];
        if (!same_direction(w->direction, dir))
            continue;
        if (gated && w->role == RS_WEIGHT_KERNEL)
            g->kernel = w;
        else if (gated && w->role == RS_WEIGHT_RECURRENT)
            g->recurrent = w;
        else if (gated && w->role == RS_WEIGHT_BIAS)
            g->bias = w;
        else
            g->named[g->nnamed++] = w;
    }
}

/* The largest finite |w| of a weight, 0 for none. */
static double abs_max_of(const rs_weight_desc *w)
{
    rs_stats st;
    if (!w)
        return 0;
    rs_stats_matrix(&w->m, &st);
    return st.finite ? fmax(fabs(st.min), fabs(st.max)) : 0;
}

/* g's weights in the other checkpoint's description (--compare), or NULL. */
static const weight_group *also_group(const rs_view_state *s, const weight_group *g,
                                      weight_group *out)
{
    if (!s->also_layer || s->also_layer->n_weights != s->layer->n_weights)
        return NULL;
    group_weights(s->also_layer, g->direction, out);
    return out->nnamed == g->nnamed ? out : NULL;
}

static int draw_gated_group(rs_canvas *c, rs_rect box, const weight_group *g,
                            const rs_view_state *s, rs_error *err)
{
    const rs_weight_desc *first = g->kernel ? g->kernel : g->recurrent;
    rs_weights_opts o;
    rs_weights_defaults(&o);
    o.style = s->style;
    o.cmap = s->cmap;
    weight_group other;
    const weight_group *a = also_group(s, g, &other);
    if (a) { /* --compare: one scale for A and B */
        o.cover = fmax(abs_max_of(a->kernel), abs_max_of(a->recurrent));
        o.cover_bias = abs_max_of(a->bias);
    }
    o.gates = first->gates;
    o.gate_names = first->gate_names;
    const rs_weight_desc *mats[2] = {g->kernel, g->recurrent};
    for (int i = 0; i < 2; i++) /* gradient mode: each block's norm beside its name */
        o.notes[i] = mats[i] && mats[i]->index >= 0 && mats[i]->index < RS_DESC_MAX_WEIGHTS
                         ? s->gate_notes[mats[i]->index]
                         : NULL;
    rs_matrix bias;
    if (g->bias) {
        bias = g->bias->m;
        if (bias.cols == 1 && bias.rows > 1) /* a vector: one row */
            bias = rs_matrix_transpose(bias);
        if (bias.cols % (size_t)o.gates)
            bias = rs_matrix_make(bias.data, 1, bias.rows * bias.cols);
    }
    return rs_weights_draw(c, box, g->kernel ? &g->kernel->m : NULL,
                           g->recurrent ? &g->recurrent->m : NULL, g->bias ? &bias : NULL, &o,
                           err);
}

/* One named weight: "Wt 60x32" over its heatmap and colour bar, on its own scale. */
static int draw_named(rs_canvas *c, rs_rect box, const rs_weight_desc *w,
                      const rs_weight_desc *also, const rs_view_state *s, rs_error *err)
{
    char title[64];
    snprintf(title, sizeof title, "%s %zux%zu", w->name, w->m.rows, w->m.cols);
    rs_canvas_print(c, box.x, box.y, title, box.w, rs_ui_color(s->style.depth, RS_UI_LABEL),
                    RS_COLOR_DEFAULT);
    if (box.h < 2)
        return 0;
    rs_heatmap_opts o;
    rs_heatmap_defaults(&o);
    o.style = s->style;
    o.cmap = s->cmap;
    o.labels = box.h >= 6 && box.w >= 16;
    rs_matrix m = w->m;
    if (m.cols == 1 && m.rows > 1)
        m = rs_matrix_transpose(m); /* a vector as one row */
    if (also) { /* --compare: the scale covers the other checkpoint's weight too */
        double lo, hi, alo, ahi;
        rs_heatmap_range(&m, &o.norm, &lo, &hi);
        rs_heatmap_range(&also->m, &o.norm, &alo, &ahi);
        o.norm = (rs_norm){RS_NORM_FIXED, (float)fmin(lo, alo), (float)fmax(hi, ahi)};
    }
    return rs_heatmap_draw(c, (rs_rect){box.x, box.y + 1, box.w, box.h - 1}, &m, &o, err);
}

/* The named weights in a grid of panels, matrices before vectors. */
static int draw_named_group(rs_canvas *c, rs_rect box, const weight_group *g,
                            const rs_view_state *s, rs_error *err)
{
    int n = g->nnamed, cols = n >= 4 && box.w >= 80 ? 3 : n >= 2 && box.w >= 50 ? 2 : 1;
    int rows = (n + cols - 1) / cols, pw = (box.w - (cols - 1) * 2) / cols;
    int ph = rows ? box.h / rows : 0;
    if (ph < 2)
        ph = 2;
    weight_group other;
    const weight_group *a = also_group(s, g, &other);
    for (int i = 0; i < n; i++) {
        rs_rect p = {box.x + (i % cols) * (pw + 2), box.y + (i / cols) * ph, pw, ph - 1};
        if (p.y + p.h > box.y + box.h)
            p.h = box.y + box.h - p.y;
        if (p.h >= 1 && draw_named(c, p, g->named[i], a ? a->named[i] : NULL, s, err) < 0)
            return -1;
    }
    return 0;
}

int rs_view_draw_weights(rs_canvas *c, rs_rect box, rs_view_state *s, rs_error *err)
{
    const rs_layer_desc *d = s->layer;
    if (!d || d->n_weights == 0)
        return rs_fail(err, NULL, "has no weights to show");
    const char *dirs[2] = {NULL, NULL};
    int ndirs = 0;
    for (int i = 0; i < d->n_weights; i++) {
        const char *dir = d->weights[i].direction;
        if (ndirs == 0 || (ndirs < 2 && !same_direction(dirs[ndirs - 1], dir)))
            dirs[ndirs++] = dir;
    }
    int band = box.h / ndirs;
    for (int k = 0; k < ndirs; k++) {
        rs_rect b = {box.x, box.y + k * band, box.w, k == ndirs - 1 ? box.h - k * band : band};
        if (dirs[k] && b.h > 2) { /* "forward" / "backward" over its band */
            rs_canvas_print(c, b.x, b.y, dirs[k], b.w, rs_ui_color(s->style.depth, RS_UI_AXIS),
                            RS_COLOR_DEFAULT);
            b.y++;
            b.h--;
        }
        weight_group g;
        group_weights(d, dirs[k], &g);
        int rc = 0;
        bool gated = g.kernel || g.recurrent;
        rs_rect named = b;
        if (gated) {
            rs_rect gb = b;
            if (g.nnamed) /* the rest below it */
                gb.h = b.h * 2 / 3;
            rc = draw_gated_group(c, gb, &g, s, err);
            named = (rs_rect){b.x, b.y + gb.h, b.w, b.h - gb.h};
        }
        if (rc == 0 && g.nnamed && named.h > 0)
            rc = draw_named_group(c, named, &g, s, err);
        if (rc < 0)
            return -1;
    }
    return 0;
}

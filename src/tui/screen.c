/* Drawing the explorer into a canvas: header, layers panel, view, status line, key bar,
 * help overlay. The canvas is painted by app.c or dumped as text by the tests. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explorer.h"
#include "rnnscope/text.h"
#include "rnnscope/plot.h"

#define MIN_COLS 40
#define MIN_ROWS 10

/* ---- colours of the TUI's own parts ---- */

typedef enum tui_role { T_HEADER, T_SELECTED, T_DIM, T_KEY, T_ERROR, T_TITLE } tui_role;

static void role_colors(const explorer *ex, tui_role role, int *fg, int *bg)
{
    static const int c256[][2] = {{231, 24}, {231, 31}, {244, -1}, {16, 37}, {203, -1}, {81, -1}};
    static const int c8[][2] = {{7, 4}, {0, 6}, {-1, -1}, {0, 6}, {1, -1}, {6, -1}};
    *fg = *bg = RS_COLOR_DEFAULT;
    if (ex->style.depth == RS_DEPTH_256) {
        *fg = c256[role][0];
        *bg = c256[role][1];
    } else if (ex->style.depth == RS_DEPTH_8) {
        *fg = c8[role][0];
        *bg = c8[role][1];
    }
}

static void fill_row(rs_canvas *c, int x, int y, int w, int fg, int bg)
{
    for (int i = 0; i < w; i++)
        rs_canvas_set(c, x + i, y, ' ', fg, bg);
}

static int put(const explorer *ex, rs_canvas *c, int x, int y, int max, const char *text,
               tui_role role)
{
    int fg, bg;
    role_colors(ex, role, &fg, &bg);
    return rs_canvas_print(c, x, y, text, max, fg, bg);
}

static bool unicode(const explorer *ex)
{
    return ex->style.graphics == RS_GFX_UNICODE;
}

/* "(240, 60)"; unknown dims as "?". */
static char *short_shape(const rs_shape *s, char *buf, size_t len)
{
    if (!s || s->rank < 0) {
        snprintf(buf, len, "?");
        return buf;
    }
    size_t used = (size_t)snprintf(buf, len, "(");
    for (int i = 0; i < s->rank && used < len; i++)
        used += (size_t)(s->dims[i] < 0 ? snprintf(buf + used, len - used, "%s?", i ? ", " : "")
                                        : snprintf(buf + used, len - used, "%s%ld", i ? ", " : "",
                                                   s->dims[i]));
    if (used < len)
        snprintf(buf + used, len - used, s->rank == 1 ? ",)" : ")");
    return buf;
}

static const char *output_name(const rs_node *n, int k, char *buf, size_t len)
{
    if (n->out_names && n->out_names[k])
        return n->out_names[k];
    snprintf(buf, len, "output %d", k);
    return buf;
}

/* ---- header ---- */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

/* "sample 3 of 0-7", "sample 7" (one picked with --sample): 0-based as --sample and dump. */
static void sample_text(const explorer *ex, char *buf, size_t len)
{
    long first = ex->input->first_sample, now = first + ex->sample;
    if (ex->nsamples > 1)
        snprintf(buf, len, "sample %ld of %ld-%ld", now, first, first + ex->nsamples - 1);
    else
        snprintf(buf, len, "sample %ld", now);
}

/* The sample first (it must survive a narrow screen), then the input, model and format. */
static void draw_header(explorer *ex, rs_canvas *c)
{
    int fg, bg;
    role_colors(ex, T_HEADER, &fg, &bg);
    fill_row(c, 0, 0, c->w, fg, bg);
    char text[1400], sample[64], input[300];
    const rs_model *m = ex->m;
    sample_text(ex, sample, sizeof sample);
    if (ex->input->random)
        snprintf(input, sizeof input, "random (seed %lu)", ex->input->seed);
    else
        snprintf(input, sizeof input, "%s", ex->input->description ? base_name(ex->input->description) : "?");
    char model[600];
    snprintf(model, sizeof model, "%s%s%s", base_name(m->path), ex->cmp.b ? " vs " : "",
             ex->cmp.b ? base_name(ex->cmp.b->path) : "");
    snprintf(text, sizeof text, " rnnscope  %s  input: %s  %s  %s%s%s", sample, input, model,
             rs_format_name(m->format),
             m->keras_version && m->keras_version[0] ? " " : "", m->keras_version ? m->keras_version : "");
    rs_canvas_print(c, 0, 0, text, c->w, fg, bg);
}

/* --compare: what the view shows, "A epoch_03.h5", "B epoch_07.h5" or "A − B"; "" without. */
static const char *compare_label(const explorer *ex, char *buf, size_t len)
{
    buf[0] = '\0';
    if (!ex->cmp.b)
        return buf;
    char clean[256];
    if (ex->cmp.show == RS_SHOW_DIFF) {
        snprintf(buf, len, "%s", unicode(ex) ? "A \u2212 B" : "A - B");
        return buf;
    }
    rs_text_sanitize(base_name(ex_model_of(ex, ex->cmp.show)->path), clean, sizeof clean);
    snprintf(buf, len, "%s %s", ex->cmp.show == RS_SHOW_A ? "A" : "B", clean);
    return buf;
}

/* ---- layers panel ---- */

/* Column widths of the layers panel: name, class, shape. */
typedef struct row_widths {
    int name, cls;
} row_widths;

static row_widths layer_widths(int panel_w)
{
    int avail = panel_w - 3; /* selection mark and expansion mark */
    if (avail >= 55)
        return (row_widths){24, 17};
    int shape_w = 12, rest = avail - shape_w;
    if (rest < 30) /* narrow: the class gives way so that names and shapes stay whole */
        return (row_widths){rest > 4 ? rest - 1 : 4, 0};
    int cls = rest * 4 / 10 < 17 ? rest * 4 / 10 : 17;
    return (row_widths){rest - cls - 2, cls};
}

/* The widths the model's names, classes and shapes need (names up to 24 cells, classes up to
 * 17), and the panel width that shows them whole. */
static int natural_widths(const explorer *ex, row_widths *w)
{
    int shape_w = 1;
    *w = (row_widths){6, 5};
    for (int i = 0; i < ex->m->n_nodes; i++) {
        const rs_node *n = &ex->m->nodes[i];
        char clean[1024], shape[64];
        rs_text_sanitize(n->name, clean, sizeof clean);
        int nw = rs_utf8_width(clean) + 1; /* a child row indents its output's name */
        rs_text_sanitize(n->class_name, clean, sizeof clean);
        int cw = rs_utf8_width(clean);
        for (int k = 0; k < n->n_outputs + n->n_internal && n->out_shapes; k++) {
            int sw = (int)strlen(short_shape(&n->out_shapes[k], shape, sizeof shape));
            shape_w = sw > shape_w ? sw : shape_w;
        }
        w->name = nw > w->name ? (nw < 24 ? nw : 24) : w->name;
        w->cls = cw > w->cls ? (cw < 17 ? cw : 17) : w->cls;
    }
    return 3 + w->name + 1 + w->cls + 1 + shape_w + 1;
}

/* s cut or padded to exactly w cells; cut names end in an ellipsis. */
static void fit(char *out, size_t len, const char *raw, int w, bool u)
{
    char s[1024];
    rs_text_sanitize(raw, s, sizeof s); /* measured as it will be shown */
    int n = rs_utf8_width(s);
    if (n <= w) {
        size_t k = strlen(s) < len - 1 ? strlen(s) : len - 1;
        memcpy(out, s, k);
        snprintf(out + k, len - k, "%*s", w - n, "");
        return;
    }
    snprintf(out, len, "%.*s%s", w > 1 ? w - 1 : 0, s, w > 0 ? (u ? "…" : "~") : "");
}

static void row_text(const explorer *ex, const ex_row *row, char *buf, size_t len, row_widths w)
{
    const rs_node *n = &ex->m->nodes[row->node];
    char shape[64], oname[32], name[256], cls[128];
    bool u = unicode(ex);
    if (row->child) {
        int k = row->output;
        const rs_shape *s = k < n->n_outputs + n->n_internal && n->out_shapes ? &n->out_shapes[k] : NULL;
        fit(name, sizeof name, output_name(n, k, oname, sizeof oname),
            w.name + w.cls - (w.cls ? 2 : 3), u);
        snprintf(buf, len, "  %s %s %s", u ? "└" : "`", name, short_shape(s, shape, sizeof shape));
        return;
    }
    bool more = n->n_outputs + n->n_internal > 1;
    const char *mark = !more ? " " : ex->expanded[row->node] ? (u ? "▾" : "-") : (u ? "▸" : "+");
    const rs_shape *s = n->n_outputs > 0 && n->out_shapes ? &n->out_shapes[0] : NULL;
    fit(name, sizeof name, n->name, w.name, u);
    fit(cls, sizeof cls, n->class_name, w.cls, u);
    snprintf(buf, len, "%s%s %s%s%s", mark, name, cls, w.cls ? " " : "",
             short_shape(s, shape, sizeof shape));
}

/* A panel's title row: the focused panel's is a filled bar that starts with a mark, so that
 * focus shows without colour too. */
static void panel_title(explorer *ex, rs_canvas *c, rs_rect box, const char *text, bool focused)
{
    char line[600];
    snprintf(line, sizeof line, "%s%s", focused ? (unicode(ex) ? "◆" : "*") : " ", text);
    if (!focused) {
        put(ex, c, box.x, box.y, box.w, line, T_DIM);
        return;
    }
    int fg, bg;
    role_colors(ex, T_SELECTED, &fg, &bg);
    fill_row(c, box.x, box.y, box.w, fg, bg);
    rs_canvas_print(c, box.x, box.y, line, box.w, fg, bg);
}

static void draw_layers(explorer *ex, rs_canvas *c, rs_rect box)
{
    panel_title(ex, c, box, "Layers", ex->focus == EX_FOCUS_LAYERS);
    int visible = box.h - 1;
    ex->layers_rows = visible;
    if (visible <= 0)
        return;
    if (ex->sel < ex->top)
        ex->top = ex->sel;
    if (ex->sel >= ex->top + visible)
        ex->top = ex->sel - visible + 1;
    row_widths widths = layer_widths(box.w), natural;
    if (box.w >= natural_widths(ex, &natural)) /* the panel sized itself to them */
        widths = natural;
    for (int i = 0; i < visible && ex->top + i < ex->nrows; i++) {
        int r = ex->top + i;
        const ex_row *row = &ex->rows[r];
        const rs_node *n = &ex->m->nodes[row->node];
        char text[768];
        row_text(ex, row, text, sizeof text, widths);
        int y = box.y + 1 + i;
        tui_role role = n->unsupported ? T_DIM : T_TITLE;
        int fg, bg;
        role_colors(ex, role, &fg, &bg);
        if (role == T_TITLE)
            fg = RS_COLOR_DEFAULT;
        if (r == ex->sel) {
            role_colors(ex, T_SELECTED, &fg, &bg);
            fill_row(c, box.x, y, box.w, fg, bg);
            rs_canvas_set(c, box.x, y, unicode(ex) ? 0x25B6 : '>', fg, bg);
        }
        rs_canvas_print(c, box.x + 1, y, text, box.w - 1, fg, bg);
    }
}

/* ---- the view ---- */

/* The output as a (rows = timesteps, cols = channels) matrix of the current sample. */
static bool output_matrix(const rs_tensor *t, rs_matrix *m)
{
    if (!t || t->size == 0)
        return false;
    if (t->rank <= 1) {
        *m = rs_matrix_make(t->data, t->size, 1);
    } else if (t->rank == 2) {
        *m = rs_matrix_make(t->data, 1, t->shape[1]); /* (1, C) of one sample */
    } else {
        size_t cols = t->shape[t->rank - 1];
        *m = rs_matrix_make(t->data, t->size / t->shape[0] / cols, cols);
    }
    return true;
}

/* The mask Keras carries with the output on screen, per timestep of the whole output (0 =
 * masked), or NULL. */
static const float *output_mask(explorer *ex, size_t steps)
{
    const ex_row *row = &ex->rows[ex->sel];
    const rs_run *r = ex->runs[ex->sample];
    const rs_tensor *mask = r ? rs_run_mask(r, row->node, row->output) : NULL;
    if (!mask || mask->rank != 2 || mask->shape[1] != steps)
        return NULL;
    return mask->data;
}

#define SAMPLES_MAX 256

/* The samples view: the output of every sample (computed as needed) into one buffer, as
 * `which` shows it (--compare). */
static float *batch_outputs(explorer *ex, rs_show which, const rs_matrix *m, size_t *n,
                            rs_error *err)
{
    if (which == RS_SHOW_DIFF) { /* A's batch minus B's (the A - B of one output is cached for
                                  * the output on screen: not overwritten here) */
        float *a = batch_outputs(ex, RS_SHOW_A, m, n, err);
        float *b = a ? batch_outputs(ex, RS_SHOW_B, m, n, err) : NULL;
        for (size_t i = 0; b && i < *n * m->rows * m->cols; i++)
            a[i] -= b[i];
        free(b);
        if (!b) {
            free(a);
            return NULL;
        }
        return a;
    }
    size_t per = m->rows * m->cols, count = (size_t)ex->nsamples;
    if (count > SAMPLES_MAX)
        count = SAMPLES_MAX;
    float *all = malloc(count * per * sizeof *all + 1);
    if (!all) {
        rs_fail(err, NULL, "out of memory");
        return NULL;
    }
    int keep = ex->sample;
    for (size_t k = 0; k < count; k++) {
        ex->sample = (int)k;
        int node, out;
        const rs_tensor *t = ex_output_of(ex, which, &node, &out, err);
        if (!t || t->size < per) {
            ex->sample = keep;
            free(all);
            return NULL;
        }
        memcpy(all + k * per, t->data, per * sizeof *all);
    }
    ex->sample = keep;
    *n = count;
    return all;
}

/* The explorer's part of the view state: the same fields plot fills from its options. */
static void fill_state(explorer *ex, rs_view_state *s, const rs_node *n, const rs_matrix *full,
                       const rs_tensor *t, const rs_layer_desc *desc)
{
    rs_view_state_init(s);
    s->style = ex->style;
    s->cmap = ex->cmap;
    s->norm = ex->norm;
    s->transpose = ex->transpose;
    s->equal_axes = ex->equal_axes;
    s->zero_line = ex->zero_line;
    s->grid_cols = ex->grid_cols;
    s->layer = n->n_weights ? desc : NULL;
    s->sample = (size_t)ex->sample;
    s->first_sample = (size_t)ex->input->first_sample;
    if (!full)
        return;
    int k = ex->rows[ex->sel].output;
    s->full = *full;
    if (k < desc->n_outputs)
        s->out = desc->outputs[k];
    if (s->out.gates > 1 && t && t->rank == 4) /* (1, T, gates, units): gates side by side */
        s->full = rs_matrix_make(t->data, t->shape[1], t->shape[2] * t->shape[3]);
    bool sequence = t && t->rank >= 3; /* the timestep window applies to sequences only */
    s->t0 = sequence && ex->tlen ? ex->t0 : 0;
    s->tlen = sequence ? ex->tlen : 0;
    s->channel = ex->channel < full->cols ? ex->channel : 0;
    s->mark_channel = true;
    s->cursor = sequence ? ex->cursor : 0;
    s->mark_cursor = s->have_cursor = sequence;
    /* the strip first: the input's integrated gradients run the model on other inputs */
    if (ex->grad.on && sequence)
        s->strip = exg_strip(ex, ex->rows[ex->sel].node, k, full->rows, ex->grad.strip_note,
                             sizeof ex->grad.strip_note);
    s->step_mask = sequence ? output_mask(ex, full->rows) : NULL;
}

/* The heatmap the view drew with blank cells at its map and colour bar: sixel images there. */
static int request_sixel(explorer *ex, const rs_view_state *s, rs_error *err)
{
    ex_sixel_request *rq = &ex->sixel, *bar = &ex->sixel_bar;
    rs_rect map = s->heat.boxes.map, strip = s->heat.boxes.bar;
    float *copy;
    if (map.w < 1 || map.h < 1)
        return 0;
    if (rs_view_heatmap_prepare(s, &rq->m, &copy, &rq->lo, &rq->hi, err) < 0)
        return -1;
    free(copy); /* no channel list in the explorer: never a copy */
    rq->box = map;
    rq->cmap = s->cmap;
    rq->agg = s->agg;
    rq->active = true;
    if (strip.w >= 1)
        *bar = (ex_sixel_request){.active = true, .colorbar = true, .box = strip, .cmap = s->cmap};
    return 0;
}

/* ---- --compare: what the view shows, and what its scales cover too ---- */

/* The description of the layer `which` shows: A's or B's, or A - B's weights (into *buf, which
 * the caller frees). */
static int shown_desc(explorer *ex, int node, rs_show which, rs_layer_desc *d, float **buf,
                      rs_error *err)
{
    *buf = NULL;
    if (which == RS_SHOW_DIFF && ex->cmp.b)
        return rs_weights_diff(&ex->m->nodes[node], &ex->cmp.b->nodes[node], d, buf, err);
    rs_node_describe(&ex_model_of(ex, which)->nodes[node], d);
    return 0;
}

/* A or B on screen: the other one's output, layer and batch, not drawn, which every scale
 * covers too (A - B on screen: nothing). */
typedef struct ex_also {
    rs_layer_desc desc;
    float *batch;
} ex_also;

static int fill_also(explorer *ex, rs_view_state *s, rs_view_id v, const rs_tensor *t,
                     ex_also *a, rs_error *err)
{
    a->batch = NULL;
    if (!ex->cmp.b || ex->cmp.show == RS_SHOW_DIFF)
        return 0;
    rs_show other = ex->cmp.show == RS_SHOW_A ? RS_SHOW_B : RS_SHOW_A;
    int node = ex->rows[ex->sel].node, k;
    rs_node_describe(&ex_model_of(ex, other)->nodes[node], &a->desc);
    s->also_layer = s->layer ? &a->desc : NULL;
    if (!t || !s->full.rows || (rs_view_get(v)->applies & RS_FOR_LAYER)) /* weights, timeline */
        return 0;
    const rs_tensor *o = ex_output_of(ex, other, &node, &k, err);
    if (!o)
        return -1;
    if (!rs_shape_equal(o, t))
        return rs_fail(err, ex->m->nodes[node].name, "A's and B's outputs differ in shape");
    s->also = s->full; /* the same cells of the other tensor */
    s->also.data = o->data + (s->full.data - t->data);
    if (rs_view_get(v)->applies & RS_FOR_BATCH) {
        size_t n;
        if (!(a->batch = batch_outputs(ex, other, &s->full, &n, err)))
            return -1;
        s->also_batch = a->batch;
    }
    return 0;
}

/* full is the output on screen; NULL only for the weights view (which does not read it). */
static int draw_picture(explorer *ex, rs_canvas *c, rs_rect box, rs_view_id v, const rs_node *n,
                        const rs_matrix *full, const rs_tensor *t, rs_error *err)
{
    rs_layer_desc desc;
    float *diff_weights;
    if (shown_desc(ex, ex->rows[ex->sel].node, ex->cmp.show, &desc, &diff_weights, err) < 0)
        return -1;
    if (ex->grad.on && v == RS_VIEW_WEIGHTS && n->n_weights > 0 && /* over their gradients */
        exg_weights(ex, (int)(n - ex->m->nodes), &desc, NULL, 0, err) < 0) {
        free(diff_weights);
        return -1;
    }
    rs_view_state s;
    fill_state(ex, &s, n, full, t, &desc);
    for (int w = 0; ex->grad.on && v == RS_VIEW_WEIGHTS && w < RS_DESC_MAX_WEIGHTS; w++)
        s.gate_notes[w] = ex->grad.notes.gate[w];
    free(ex->grad.reflected);
    ex->grad.reflected = NULL;
    ex_also also;
    if (fill_also(ex, &s, v, t, &also, err) < 0) {
        free(diff_weights);
        return -1;
    }
    int rc;
    float *batch = NULL;
    if (ex->grad.reflect_half && full && rs_view_reflect_half(&s, &ex->grad.reflected, err) < 0) {
        rc = -1;
        goto done;
    }
    s.images = v == RS_VIEW_HEATMAP && ex->mode == RS_TERM_SIXEL && !ex->help;
    if (v == RS_VIEW_TIMELINE && !(s.timeline = ex_timeline_of(ex, ex->rows[ex->sel].node, err))) {
        rc = -1;
        goto done;
    }
    if (v == RS_VIEW_TIMELINE) { /* its cursor is a checkpoint */
        s.cursor = ex->timeline.cursor;
        s.have_cursor = s.mark_cursor = true;
    }
    if ((rs_view_get(v)->applies & RS_FOR_BATCH) && full) { /* a view of every sample at once */
        s.batch = batch = batch_outputs(ex, ex->cmp.show, full, &s.nsamples, err);
        if (!batch) {
            rc = -1;
            goto done;
        }
    }
    rc = rs_view_draw(v, c, box, &s, err);
    ex->grad.strip_peak = s.strip_peak;
    if (rc < 0 && v == RS_VIEW_WEIGHTS)
        rs_error_prefix(err, n->name);
    if (rc == 0 && s.images && s.heat.drawn)
        rc = request_sixel(ex, &s, err);
    free(batch);
    ex->heat = s.heat;
    ex->channel_page = s.per_page ? s.per_page : 1;
    ex->nhits = 0;
    for (int i = 0; i < s.nhits && i < (int)(sizeof ex->hits / sizeof *ex->hits); i++)
        ex->hits[ex->nhits++] = (struct ex_panel_hit){s.hits[i].box, s.hits[i].channel};
    ex->hit_t0 = s.hit_t0;
    ex->hit_len = s.hit_len;
done:
    free(also.batch);
    free(diff_weights);
    return rc;
}

/* "lstm_1, attention[1]": where a node's inputs come from, when that is not simply the row
 * above it (a Functional model's branches and merges). Empty otherwise. */
static void inbound_names(const explorer *ex, int node, char *buf, size_t len)
{
    const rs_node *n = &ex->m->nodes[node];
    buf[0] = '\0';
    if (n->n_inputs == 0 || (n->n_inputs == 1 && n->inputs[0].node == node - 1 && n->inputs[0].output == 0))
        return;
    size_t used = 0;
    for (int i = 0; i < n->n_inputs && used < len; i++) {
        const rs_ref *r = &n->inputs[i];
        int w = r->output ? snprintf(buf + used, len - used, "%s%s[%d]", i ? ", " : "",
                                     ex->m->nodes[r->node].name, r->output)
                          : snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
                                     ex->m->nodes[r->node].name);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}


/* The weights view's numbers: the first weight's stats, NaN and Inf counted over all of them
 * (of the layer as the view shows it: --compare's A, B or A - B). */
static void weights_stats_line(explorer *ex, rs_canvas *c, const rs_node *n, int x, int y, int w)
{
    rs_layer_desc d;
    float *diff_weights;
    rs_error err;
    if (shown_desc(ex, (int)(n - ex->m->nodes), ex->cmp.show, &d, &diff_weights, &err) < 0) {
        put(ex, c, x, y, w, err.msg, T_ERROR);
        return;
    }
    rs_matrix k = d.weights[0].m;
    rs_stats st;
    rs_stats_matrix(&k, &st);
    for (int i = 1; i < d.n_weights; i++) {
        rs_stats more;
        rs_stats_matrix(&d.weights[i].m, &more);
        st.nan += more.nan;
        st.posinf += more.posinf;
        st.neginf += more.neginf;
    }
    free(diff_weights);
    char line[256], what[300];
    size_t shp[2] = {k.rows, k.cols};
    rs_stats_format(&st, 2, shp, line, sizeof line);
    snprintf(what, sizeof what, "weights: %s", line);
    put(ex, c, x, y, w, what, T_DIM);
}

static void draw_view(explorer *ex, rs_canvas *c, rs_rect box)
{
    rs_error err = {0};
    int node, k;
    const rs_tensor *t = ex_current_output(ex, &node, &k, &err);
    const rs_node *n = &ex->m->nodes[node];
    rs_view_id v = ex_current_view(ex, t);
    ex->grad.strip_peak = SIZE_MAX; /* until a strip is drawn */
    ex->grad.strip_note[0] = '\0';
    char title[1024], oname[32], shape[64];
    const rs_shape *s = n->out_shapes && k < n->n_outputs + n->n_internal ? &n->out_shapes[k] : NULL;
    char from[256] = "";
    inbound_names(ex, node, from, sizeof from);
    char shown[300];
    compare_label(ex, shown, sizeof shown);
    snprintf(title, sizeof title, "[%s%s%s%s] %s  %s %s  %s%s%s", rs_view_get(v)->name,
             ex->grad.on ? ", gradient" : "", shown[0] ? ": " : "", shown, n->name,
             output_name(n, k, oname, sizeof oname), short_shape(s, shape, sizeof shape),
             n->class_name, from[0] ? "  ← " : "", from);
    panel_title(ex, c, box, title, ex->focus == EX_FOCUS_VIEW);
    ex->view_rows = box.h - 2;
    ex->channel_page = 1; /* the lines view sets its own */
    if (box.h < 3)
        return;
    rs_rect pic = {box.x + 1, box.y + 2, box.w - 1, box.h - 2};
    /* the views of the layer itself (weights, timeline) whatever its output (none, empty,
     * failed) */
    rs_matrix m;
    bool have_output = t && output_matrix(t, &m);
    if (!(rs_view_get(v)->applies & RS_FOR_LAYER) && !have_output) {
        put(ex, c, pic.x, box.y + 1, pic.w, t ? "(empty output)" : err.msg, T_ERROR);
        return;
    }
    rs_layer_desc grads;
    char gates[1024];
    if (v == RS_VIEW_WEIGHTS && n->n_weights > 0 && ex->grad.on) {
        /* the gradient's norm per gate block of every weight (grad --by-gate) */
        if (exg_weights(ex, node, &grads, gates, sizeof gates, &err) < 0)
            snprintf(gates, sizeof gates, "%s", err.msg);
        put(ex, c, pic.x, box.y + 1, pic.w, gates, T_DIM);
    } else if (v == RS_VIEW_WEIGHTS && n->n_weights > 0) {
        weights_stats_line(ex, c, n, pic.x, box.y + 1, pic.w);
    } else if (have_output) {
        rs_stats st;
        rs_stats_matrix(&m, &st);
        char line[256];
        size_t shp[2] = {m.rows, m.cols};
        rs_stats_format(&st, 2, shp, line, sizeof line);
        put(ex, c, pic.x, box.y + 1, pic.w, line, T_DIM);
    }
    if (draw_picture(ex, c, pic, v, n, have_output ? &m : NULL, t, &err) < 0)
        put(ex, c, pic.x, pic.y, pic.w, err.msg, T_ERROR);
}

/* ---- status line, key bar, help ---- */

/* The heatmap on screen: its normalization and range, what its rows and columns are, and
 * whether the user transposed it. Empty for other views. */
static void heatmap_note(const explorer *ex, char *buf, size_t len)
{
    const rs_view_heat *h = &ex->heat;
    char lo[16], hi[16];
    buf[0] = '\0';
    if (!h->drawn)
        return;
    const char *norm = ex->norm.mode == RS_NORM_FIXED    ? "fixed"
                       : ex->norm.mode == RS_NORM_MINMAX ? "min-max"
                                                         : "auto";
    snprintf(buf, len, " norm %s %s..%s  rows %s, columns %s%s", norm,
             rs_format_number(h->boxes.lo, 6, lo, sizeof lo),
             rs_format_number(h->boxes.hi, 6, hi, sizeof hi), h->row_axis ? h->row_axis : "?",
             h->col_axis ? h->col_axis : "?", h->transposed ? " (transposed)" : "");
}

static void draw_status(explorer *ex, rs_canvas *c, int y)
{
    char text[1024];
    bool error = ex->message_is_error && ex->message[0];
    int x = 0;
    if (ex->grad.on && ex->prompt == EX_PROMPT_NONE) { /* what is differentiated, always */
        char what[1024];
        exg_status(ex, what, sizeof what);
        x = put(ex, c, 0, y, c->w, what, T_TITLE) + 2;
        if (x >= c->w)
            return;
    }
    bool timeline = ex_timeline_shown(ex);
    if (timeline && ex->prompt == EX_PROMPT_NONE) { /* the checkpoint under the cursor, always */
        char note[1024];
        ex_timeline_status(ex, note, sizeof note);
        if (note[0])
            x += put(ex, c, x, y, c->w - x, note, T_TITLE) + 2;
        if (x >= c->w)
            return;
    }
    if (ex->prompt == EX_PROMPT_SEARCH)
        snprintf(text, sizeof text, "search layers: %s_", ex->line);
    else if (ex->prompt == EX_PROMPT_EXPORT)
        snprintf(text, sizeof text, "export to (.npy or .csv): %s_", ex->line);
    else if (ex->prompt == EX_PROMPT_OVERWRITE)
        snprintf(text, sizeof text, "%s exists: overwrite? (y/n)", ex->pending_path);
    else if (ex->message[0])
        snprintf(text, sizeof text, "%s", ex->message);
    else {
        rs_error err = {0};
        int node, k;
        const rs_tensor *t = ex_current_output(ex, &node, &k, &err);
        if (!t && err.msg[0]) {
            /* why the layer on screen has no output (the memory cap...), in full */
            put(ex, c, x, y, c->w - x, err.msg, T_ERROR);
            return;
        }
        char value[96] = "";
        if (t && t->rank >= 3 && ex->cursor < t->shape[1] && !timeline) {
            size_t C = t->shape[t->rank - 1], ch = ex->channel < C ? ex->channel : 0;
            /* the value padded to its widest (-1.23457e-05): the rest of the line stays put
             * and a cursor or channel key rewrites the value alone, not the whole line */
            snprintf(value, sizeof value, "t=%zu ch=%zu %s=%-12.6g", ex->cursor, ch,
                     ex->grad.on ? "grad" : "value",
                     (double)t->data[ex->cursor * C + ch]);
        }
        char window[96] = "";
        const float *mask = t && t->rank >= 3 ? output_mask(ex, t->shape[1]) : NULL;
        size_t T = t && t->rank >= 3 ? t->shape[1] : 0, masked = 0;
        for (size_t i = 0; mask && !ex->tlen && i < T; i++)
            masked += mask[i] == 0;
        if (masked)
            snprintf(window, sizeof window, "  masked %zu of %zu steps", masked, T);
        if (ex->tlen)
            snprintf(window, sizeof window, "  window %zu..%zu", ex->t0, ex->t0 + ex->tlen - 1);
        char picture[160] = "";
        heatmap_note(ex, picture, sizeof picture);
        char shown[300];
        compare_label(ex, shown, sizeof shown);
        snprintf(text, sizeof text, "%s%s%s%s  %s%s%s%s  graphics: %s (%s)", shown,
                 shown[0] ? "  " : "", value, window, ex->equal_axes ? "equal-axes " : "",
                 ex->zero_line ? "zero-line " : "", rs_cmap_name(ex->cmap), picture,
                 rs_graphics_name(ex->mode), ex->mode_why);
    }
    put(ex, c, x, y, c->w - x, text, error ? T_ERROR : T_DIM);
}

static void draw_keybar(explorer *ex, rs_canvas *c, int y)
{
    size_t n;
    const rs_action_info *t = rs_action_table(&n);
    int x = 0;
    for (size_t i = 1; i < n && x < c->w; i++) {
        if (!t[i].bar)
            continue;
        char keys[64], first[16] = "";
        rs_keymap_keys_of(&ex->keys, t[i].id, keys, sizeof keys);
        sscanf(keys, "%15s", first);
        if (!first[0])
            continue;
        x += put(ex, c, x, y, c->w - x, first, T_KEY);
        x += put(ex, c, x, y, c->w - x, t[i].bar, T_DIM);
        x += put(ex, c, x, y, c->w - x, " ", T_DIM);
    }
}

/* Wrap text into lines of at most w columns at spaces; calls out(line) for each. Returns the
 * number of lines. */
static int wrap(const char *text, int w, void (*out)(void *, int, const char *), void *user)
{
    int n = 0;
    char line[256];
    while (*text) {
        while (*text == ' ')
            text++;
        int len = (int)strlen(text), cut = len;
        if (rs_utf8_width(text) > w) {
            cut = w < (int)sizeof line - 1 ? w : (int)sizeof line - 1;
            int space = cut;
            while (space > 0 && text[space] != ' ')
                space--;
            if (space > 0)
                cut = space;
        }
        snprintf(line, sizeof line, "%.*s", cut, text);
        if (out)
            out(user, n, line);
        n++;
        text += cut;
    }
    return n ? n : 1;
}

typedef struct help_painter {
    explorer *ex;
    rs_canvas *c;
    int x, y0, first, rows, w; /* box; the first line shown; lines that fit */
    int line;                  /* lines of the help so far */
    int fg, bg;
} help_painter;

static void help_put(void *user, int i, const char *text)
{
    help_painter *h = user;
    int row = h->line + i - h->first;
    if (row >= 0 && row < h->rows)
        rs_canvas_print(h->c, h->x, h->y0 + row, text, h->w, h->fg, h->bg);
}

/* Actions [from, to) of the table: keys and description (wrapped), once to count the lines,
 * once to draw. */
static int help_lines(explorer *ex, help_painter *h, int keys_w, size_t from, size_t to, bool draw)
{
    const rs_action_info *t = rs_action_table(&(size_t){0});
    h->line = 0;
    for (size_t i = from; i < to; i++) {
        char keys[64];
        rs_keymap_keys_of(&ex->keys, t[i].id, keys, sizeof keys);
        int row = h->line - h->first;
        if (draw && row >= 0 && row < h->rows)
            rs_canvas_print(h->c, h->x, h->y0 + row, keys, keys_w, h->fg, h->bg);
        help_painter desc = *h;
        desc.x += keys_w + 1;
        desc.w -= keys_w + 1;
        h->line += wrap(t[i].help, desc.w, draw ? help_put : NULL, &desc);
    }
    return h->line;
}

/* Where the second column starts: the first action at which half of the lines are done. */
static size_t help_split(explorer *ex, help_painter *h, int keys_w, size_t n)
{
    int total = help_lines(ex, h, keys_w, 1, n, false);
    for (size_t i = 2; i < n; i++)
        if (help_lines(ex, h, keys_w, 1, i, false) * 2 >= total)
            return i;
    return n;
}

/* The help overlay: every key with its description, wrapped to the screen's width, in two
 * columns on a wide screen; it scrolls (j/k, PgUp/PgDn) when the screen is shorter than the
 * list, and says where it is. */
static void draw_help(explorer *ex, rs_canvas *c)
{
    size_t n;
    rs_action_table(&n);
    int cols = c->w >= 110 ? 2 : 1, col_w = cols == 2 ? (c->w - 8) / 2 : c->w - 6;
    if (col_w > 74)
        col_w = 74;
    int w = cols * col_w + 2 * cols + 2, h = c->h - 2;
    int x0 = (c->w - w) / 2, y0 = 1, keys_w = col_w >= 56 ? 14 : 10;
    help_painter left = {ex, c, x0 + 2, y0 + 1, 0, h - 2, col_w, 0, 0, 0};
    role_colors(ex, T_HEADER, &left.fg, &left.bg);
    size_t split = cols == 2 ? help_split(ex, &left, keys_w, n) : n;
    help_painter right = left;
    right.x += col_w + 2;
    int total = help_lines(ex, &left, keys_w, 1, split, false);
    int right_lines = help_lines(ex, &right, keys_w, split, n, false);
    if (right_lines > total)
        total = right_lines;
    if (total < left.rows) { /* no more height than the list needs */
        h = total + 2;
        left.rows = right.rows = total;
    }
    int max_top = total > left.rows ? total - left.rows : 0;
    if (ex->help_top > max_top)
        ex->help_top = max_top;
    ex->help_page = left.rows;
    left.first = right.first = ex->help_top;
    for (int y = 0; y < h; y++)
        fill_row(c, x0, y0 + y, w, left.fg, left.bg);
    help_lines(ex, &left, keys_w, 1, split, true);
    help_lines(ex, &right, keys_w, split, n, true);
    char title[96], where[64];
    snprintf(title, sizeof title, "rnnscope keys%s", max_top ? ": j/k scroll" : "");
    rs_canvas_print(c, x0 + 2, y0, title, w - 4, left.fg, left.bg);
    int last = left.first + left.rows < total ? left.first + left.rows : total;
    snprintf(where, sizeof where, "lines %d-%d of %d  q closes", left.first + 1, last, total);
    rs_canvas_print(c, x0 + 2, y0 + h - 1, where, w - 4, left.fg, left.bg);
}

void ex_draw(explorer *ex, rs_canvas *c)
{
    for (int y = 0; y < c->h; y++)
        fill_row(c, 0, y, c->w, RS_COLOR_DEFAULT, RS_COLOR_DEFAULT);
    ex->screen_cols = c->w;
    ex->screen_rows = c->h;
    ex->sixel.active = ex->sixel_bar.active = false;
    memset(&ex->heat, 0, sizeof ex->heat);
    ex->nhits = 0;
    if (c->w < MIN_COLS || c->h < MIN_ROWS) {
        char text[64];
        snprintf(text, sizeof text, "%dx%d, need %dx%d", c->w, c->h, MIN_COLS, MIN_ROWS);
        rs_canvas_print(c, 0, c->h / 2 - 1, "terminal too small", c->w, RS_COLOR_DEFAULT,
                        RS_COLOR_DEFAULT);
        rs_canvas_print(c, 0, c->h / 2, text, c->w, RS_COLOR_DEFAULT, RS_COLOR_DEFAULT);
        return;
    }
    draw_header(ex, c);
    int body_h = c->h - 3;
    /* the layers panel as wide as its names and shapes need, at most 58 columns (2/5 of a
     * narrow screen); hidden (L), the view takes the whole width */
    row_widths natural;
    int left_w = c->w >= 120 ? 58 : c->w * 2 / 5, need = natural_widths(ex, &natural);
    left_w = need < left_w ? need : left_w;
    if (ex->layers_hidden)
        left_w = -1;
    rs_rect layers = {0, 1, left_w > 0 ? left_w : 0, body_h};
    rs_rect view = {left_w + 1, 1, c->w - left_w - 1, body_h};
    ex->layers_box = layers;
    ex->view_box = view;
    int fg, bg;
    role_colors(ex, T_DIM, &fg, &bg);
    if (!ex->layers_hidden) {
        draw_layers(ex, c, layers);
        for (int y = 1; y < 1 + body_h; y++)
            rs_canvas_set(c, left_w, y, unicode(ex) ? 0x2502 : '|', fg, bg);
    }
    draw_view(ex, c, view);
    draw_status(ex, c, c->h - 2);
    draw_keybar(ex, c, c->h - 1);
    if (ex->help)
        draw_help(ex, c);
}

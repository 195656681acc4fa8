/* Drawing the explorer into a canvas: header, layers panel, view, status line, key bar,
 * help overlay. The canvas is painted by app.c or dumped as text by the tests. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "explorer.h"
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

static void draw_header(explorer *ex, rs_canvas *c)
{
    int fg, bg;
    role_colors(ex, T_HEADER, &fg, &bg);
    fill_row(c, 0, 0, c->w, fg, bg);
    char text[512];
    const rs_model *m = ex->m;
    const char *base = strrchr(m->path, '/') ? strrchr(m->path, '/') + 1 : m->path;
    snprintf(text, sizeof text, " rnnscope  %s  %s%s%s  input: %s, sample %d/%d", base,
             rs_format_name(m->format), m->keras_version && m->keras_version[0] ? " " : "",
             m->keras_version ? m->keras_version : "",
             ex->input->description ? ex->input->description : "?", ex->sample + 1, ex->nsamples);
    rs_canvas_print(c, 0, 0, text, c->w, fg, bg);
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

/* s cut or padded to exactly w cells; cut names end in an ellipsis. */
static void fit(char *out, size_t len, const char *s, int w, bool u)
{
    int n = rs_utf8_width(s);
    if (n <= w) {
        snprintf(out, len, "%s%*s", s, w - n, "");
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

static void draw_layers(explorer *ex, rs_canvas *c, rs_rect box)
{
    put(ex, c, box.x, box.y, box.w, " Layers", ex->focus == EX_FOCUS_LAYERS ? T_TITLE : T_DIM);
    int visible = box.h - 1;
    if (visible <= 0)
        return;
    if (ex->sel < ex->top)
        ex->top = ex->sel;
    if (ex->sel >= ex->top + visible)
        ex->top = ex->sel - visible + 1;
    row_widths widths = layer_widths(box.w);
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

/* A weight as a matrix: a vector as one row, else (everything but the last axis, last axis). */
static rs_matrix weight_matrix(const rs_tensor *w)
{
    size_t last = w->rank ? w->shape[w->rank - 1] : 1;
    return rs_matrix_make(w->data, last ? w->size / last : 0, last);
}

static int draw_weights_view(explorer *ex, rs_canvas *c, rs_rect box, const rs_node *n,
                             rs_error *err)
{
    const char *cls = n->class_name;
    bool recurrent = strstr(cls, "LSTM") || strstr(cls, "GRU") || strstr(cls, "RNN") ||
                     strcmp(cls, "Bidirectional") == 0;
    const rs_tensor *kernel = NULL, *rec = NULL, *bias = NULL;
    for (int i = 0; i < n->n_weights; i++) { /* Keras order: kernel, recurrent kernel, bias */
        const rs_tensor *w = &n->weights[i].value;
        size_t last = w->rank ? w->shape[w->rank - 1] : 0;
        if (!kernel && w->rank >= 2)
            kernel = w;
        else if (kernel && last == kernel->shape[kernel->rank - 1] && recurrent && !rec && w->rank == 2 &&
                 !bias && i == 1)
            rec = w;
        else if (kernel && !bias && w->rank <= 2 && last == kernel->shape[kernel->rank - 1])
            bias = w;
    }
    if (!kernel)
        return rs_fail(err, n->name, "has no weight matrix to show");
    rs_matrix k = weight_matrix(kernel), r, b;
    if (rec)
        r = weight_matrix(rec);
    if (bias)
        b = weight_matrix(bias);
    rs_weights_opts o;
    rs_weights_defaults(&o);
    o.style = ex->style;
    o.cmap = ex->cmap;
    o.gates = strstr(cls, "LSTM") ? 4 : strstr(cls, "GRU") ? 3 : 1;
    if (strcmp(cls, "Bidirectional") == 0 && n->n_weights >= 3) /* gates from the shapes */
        o.gates = (int)(k.cols % 4 == 0 && rec && k.cols / 4 == r.rows ? 4 : rec && k.cols / 3 == r.rows ? 3 : 1);
    return rs_weights_draw(c, box, &k, rec ? &r : NULL, bias ? &b : NULL, &o, err);
}

static size_t lines_page(explorer *ex, const rs_matrix *m, rs_lines_opts *o, rs_rect box)
{
    rs_lines L;
    rs_error err;
    o->page = 0;
    if (rs_lines_prepare(&L, m, o, box, &err) < 0)
        return 0;
    size_t per = L.per_page ? L.per_page : 1;
    rs_lines_free(&L);
    return ex->channel / per;
}

/* full is the output on screen; NULL only for the weights view (which does not read it). */
static int draw_picture(explorer *ex, rs_canvas *c, rs_rect box, ex_view v, const rs_node *n,
                        const rs_matrix *full, rs_error *err)
{
    if (v == EX_VIEW_WEIGHTS)
        return draw_weights_view(ex, c, box, n, err);
    rs_matrix m = *full;
    if (ex->tlen && v != EX_VIEW_BARS && m.rows > 1)
        m = rs_matrix_window(m, ex->t0, ex->tlen, 0, m.cols);
    switch (v) {
    case EX_VIEW_DETAIL: {
        rs_detail_opts o;
        rs_detail_defaults(&o);
        o.style = ex->style;
        o.channel = ex->channel < m.cols ? ex->channel : 0;
        o.cursor = ex->cursor >= ex->t0 ? ex->cursor - ex->t0 : 0;
        o.zero_line = ex->zero_line;
        return rs_detail_draw(c, box, &m, &o, err);
    }
    case EX_VIEW_HEATMAP: {
        rs_heatmap_opts o;
        rs_heatmap_defaults(&o);
        o.style = ex->style;
        o.cmap = ex->cmap;
        o.norm = ex->norm;
        bool square = full->rows == full->cols;
        rs_matrix hm = square ? m : rs_matrix_transpose(m); /* channels x timesteps */
        if (ex->transpose)
            hm = rs_matrix_transpose(hm);
        if (ex->mode == RS_TERM_SIXEL && !ex->help && box.h >= 2 && box.w >= 1) {
            /* true pixels: blank cells under the image, the colour bar as text below it */
            ex_sixel_request *rq = &ex->sixel;
            rs_heatmap_range(&hm, &o.norm, &rq->lo, &rq->hi);
            rq->box = (rs_rect){box.x, box.y, box.w, box.h - 1};
            rq->m = hm;
            rq->cmap = o.cmap;
            rq->agg = o.agg;
            rq->active = true;
            rs_colorbar_draw(c, (rs_rect){box.x, box.y + box.h - 1, box.w, 1}, &o, rq->lo, rq->hi);
            return 0;
        }
        return rs_heatmap_draw(c, box, &hm, &o, err);
    }
    case EX_VIEW_HIST: {
        rs_hist_opts o;
        rs_hist_defaults(&o);
        o.style = ex->style;
        return rs_hist_draw(c, box, &m, &o, err);
    }
    case EX_VIEW_BARS: {
        rs_bars_opts o = {.style = ex->style};
        return rs_bars_draw(c, box, &m, &o, err);
    }
    default: {
        rs_lines_opts o;
        rs_lines_defaults(&o);
        o.style = ex->style;
        o.equal_axes = ex->equal_axes;
        o.zero_line = ex->zero_line;
        o.page = lines_page(ex, &m, &o, box);
        return rs_lines_draw(c, box, &m, &o, err);
    }
    }
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

static const char *const view_names[] = {"lines", "detail", "heatmap", "hist", "bars", "weights"};

/* The weights view's numbers: the first weight's stats, NaN and Inf counted over all of them. */
static void weights_stats_line(explorer *ex, rs_canvas *c, const rs_node *n, int x, int y, int w)
{
    const rs_tensor *first = &n->weights[0].value;
    rs_matrix k = weight_matrix(first);
    rs_stats st;
    rs_stats_matrix(&k, &st);
    for (int i = 1; i < n->n_weights; i++)
        rs_stats_add_nonfinite(&st, n->weights[i].value.data, n->weights[i].value.size);
    char line[256], what[300];
    size_t shp[2] = {k.rows, k.cols};
    rs_stats_format(&st, 2, shp, line, sizeof line);
    snprintf(what, sizeof what, "weights: %s", line);
    put(ex, c, x, y, w, what, T_DIM);
}

static void draw_view(explorer *ex, rs_canvas *c, rs_rect box)
{
    rs_error err = {""};
    int node, k;
    const rs_tensor *t = ex_current_output(ex, &node, &k, &err);
    const rs_node *n = &ex->m->nodes[node];
    ex_view v = ex_current_view(ex, t);
    char title[512], oname[32], shape[64];
    const rs_shape *s = n->out_shapes && k < n->n_outputs + n->n_internal ? &n->out_shapes[k] : NULL;
    char from[256] = "";
    inbound_names(ex, node, from, sizeof from);
    snprintf(title, sizeof title, " [%s] %s  %s %s  %s%s%s", view_names[v], n->name,
             output_name(n, k, oname, sizeof oname), short_shape(s, shape, sizeof shape),
             n->class_name, from[0] ? "  ← " : "", from);
    put(ex, c, box.x, box.y, box.w, title, ex->focus == EX_FOCUS_VIEW ? T_TITLE : T_DIM);
    ex->view_rows = box.h - 2;
    if (box.h < 3)
        return;
    rs_rect pic = {box.x + 1, box.y + 2, box.w - 1, box.h - 2};
    /* the weights view shows a layer's weights whatever its output (none, empty, failed) */
    rs_matrix m;
    bool have_output = t && output_matrix(t, &m);
    if (v != EX_VIEW_WEIGHTS && !have_output) {
        put(ex, c, pic.x, box.y + 1, pic.w, t ? "(empty output)" : err.msg, T_ERROR);
        return;
    }
    if (v == EX_VIEW_WEIGHTS && n->n_weights > 0) {
        weights_stats_line(ex, c, n, pic.x, box.y + 1, pic.w);
    } else if (have_output) {
        rs_stats st;
        rs_stats_matrix(&m, &st);
        char line[256];
        size_t shp[2] = {m.rows, m.cols};
        rs_stats_format(&st, 2, shp, line, sizeof line);
        put(ex, c, pic.x, box.y + 1, pic.w, line, T_DIM);
    }
    if (draw_picture(ex, c, pic, v, n, have_output ? &m : NULL, &err) < 0)
        put(ex, c, pic.x, pic.y, pic.w, err.msg, T_ERROR);
}

/* ---- status line, key bar, help ---- */

static void draw_status(explorer *ex, rs_canvas *c, int y)
{
    char text[512];
    bool error = ex->message_is_error && ex->message[0];
    if (ex->prompt == EX_PROMPT_SEARCH)
        snprintf(text, sizeof text, "search layers: %s_", ex->line);
    else if (ex->prompt == EX_PROMPT_EXPORT)
        snprintf(text, sizeof text, "export to (.npy or .csv): %s_", ex->line);
    else if (ex->prompt == EX_PROMPT_OVERWRITE)
        snprintf(text, sizeof text, "%s exists: overwrite? (y/n)", ex->pending_path);
    else if (ex->message[0])
        snprintf(text, sizeof text, "%s", ex->message);
    else {
        rs_error err = {""};
        int node, k;
        const rs_tensor *t = ex_current_output(ex, &node, &k, &err);
        if (!t && err.msg[0]) {
            /* why the layer on screen has no output (the memory cap...), in full */
            put(ex, c, 0, y, c->w, err.msg, T_ERROR);
            return;
        }
        char value[96] = "";
        if (t && t->rank >= 3 && ex->cursor < t->shape[1]) {
            size_t C = t->shape[t->rank - 1], ch = ex->channel < C ? ex->channel : 0;
            snprintf(value, sizeof value, "t=%zu ch=%zu value=%.6g", ex->cursor, ch,
                     (double)t->data[ex->cursor * C + ch]);
        }
        char window[64] = "";
        if (ex->tlen)
            snprintf(window, sizeof window, "  window %zu..%zu", ex->t0, ex->t0 + ex->tlen - 1);
        snprintf(text, sizeof text, "%s%s  %s%s%s  graphics: %s (%s)", value, window,
                 ex->equal_axes ? "equal-axes " : "", ex->zero_line ? "zero-line " : "",
                 rs_cmap_name(ex->cmap), rs_graphics_name(ex->mode), ex->mode_why);
    }
    put(ex, c, 0, y, c->w, text, error ? T_ERROR : T_DIM);
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

/* The help overlay: every action with its keys, in two columns when the screen is wide. */
static void draw_help(explorer *ex, rs_canvas *c)
{
    size_t n;
    const rs_action_info *t = rs_action_table(&n);
    int entries = (int)n - 1, cols = c->w >= 100 ? 2 : 1;
    int per_col = (entries + cols - 1) / cols, col_w = cols == 2 ? 48 : 60;
    int w = cols * col_w + 3, h = per_col + 2;
    if (w > c->w - 2)
        w = c->w - 2;
    if (h > c->h - 2)
        h = c->h - 2;
    int x0 = (c->w - w) / 2, y0 = (c->h - h) / 2;
    int fg, bg;
    role_colors(ex, T_HEADER, &fg, &bg);
    for (int y = 0; y < h; y++)
        fill_row(c, x0, y0 + y, w, fg, bg);
    rs_canvas_print(c, x0 + 2, y0, "rnnscope keys (any key closes)", w - 4, fg, bg);
    for (int i = 0; i < entries; i++) {
        int col = i / per_col, row = i % per_col;
        if (row + 1 >= h - 1)
            continue; /* a screen too short for the list shows its start */
        char keys[64], line[256];
        rs_keymap_keys_of(&ex->keys, t[i + 1].id, keys, sizeof keys);
        snprintf(line, sizeof line, "%-10s %s", keys, t[i + 1].help);
        int x = x0 + 2 + col * (col_w + 1);
        rs_canvas_print(c, x, y0 + 1 + row, line, col_w < w - 2 - col * (col_w + 1) ? col_w : w - 2 - col * (col_w + 1), fg, bg);
    }
}

void ex_draw(explorer *ex, rs_canvas *c)
{
    for (int y = 0; y < c->h; y++)
        fill_row(c, 0, y, c->w, RS_COLOR_DEFAULT, RS_COLOR_DEFAULT);
    ex->screen_cols = c->w;
    ex->screen_rows = c->h;
    ex->sixel.active = false;
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
    int left_w = c->w >= 120 ? 58 : c->w * 2 / 5;
    rs_rect layers = {0, 1, left_w, body_h};
    rs_rect view = {left_w + 1, 1, c->w - left_w - 1, body_h};
    ex->layers_box = layers;
    ex->view_box = view;
    draw_layers(ex, c, layers);
    int fg, bg;
    role_colors(ex, T_DIM, &fg, &bg);
    for (int y = 1; y < 1 + body_h; y++)
        rs_canvas_set(c, left_w, y, unicode(ex) ? 0x2502 : '|', fg, bg);
    draw_view(ex, c, view);
    draw_status(ex, c, c->h - 2);
    draw_keybar(ex, c, c->h - 1);
    if (ex->help)
        draw_help(ex, c);
}

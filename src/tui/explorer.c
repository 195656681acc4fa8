/* The explorer's state: layer rows, selection, view options, samples, prompts, export. */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "explorer.h"
#include "rnnscope/csv.h"
#include "rnnscope/memcap.h"
#include "rnnscope/npy.h"
#include "rnnscope/text.h"

#define ZOOM_MIN_STEPS 4

void ex_say(explorer *ex, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ex->message, sizeof ex->message, fmt, ap);
    va_end(ap);
    ex->message_is_error = error;
}

/* ---- rows of the layers panel ---- */

static bool node_expandable(const rs_node *n)
{
    return n->n_outputs + n->n_internal > 1;
}

static void rebuild_rows(explorer *ex)
{
    ex_row keep = ex->nrows ? ex->rows[ex->sel] : (ex_row){0, 0, false};
    ex->nrows = 0;
    for (int i = 0; i < ex->m->n_nodes; i++) {
        const rs_node *n = &ex->m->nodes[i];
        ex->rows[ex->nrows++] = (ex_row){i, 0, false};
        if (ex->expanded[i])
            for (int k = 0; k < n->n_outputs + n->n_internal; k++)
                ex->rows[ex->nrows++] = (ex_row){i, k, true};
    }
    /* keep the same row selected, or its layer's row when it went away */
    ex->sel = 0;
    for (int r = 0; r < ex->nrows; r++)
        if (ex->rows[r].node == keep.node && !ex->rows[r].child)
            ex->sel = r;
    for (int r = 0; r < ex->nrows; r++)
        if (ex->rows[r].node == keep.node && ex->rows[r].child == keep.child &&
            ex->rows[r].output == keep.output) {
            ex->sel = r;
            break;
        }
}

static int rows_capacity(const rs_model *m)
{
    int n = m->n_nodes;
    for (int i = 0; i < m->n_nodes; i++)
        n += m->nodes[i].n_outputs + m->nodes[i].n_internal;
    return n ? n : 1;
}

/* First node that is not an InputLayer: the most interesting place to start. */
static int first_interesting_row(const explorer *ex)
{
    for (int r = 0; r < ex->nrows; r++)
        if (ex->m->nodes[ex->rows[r].node].n_inputs > 0)
            return r;
    return 0;
}

int ex_init(explorer *ex, rs_model *m, rs_tui_input *input, rs_error *err)
{
    memset(ex, 0, sizeof *ex);
    ex->m = m;
    ex->input = input;
    ex->nsamples = input->n > 0 && input->batch[0].rank > 0 ? (int)input->batch[0].shape[0] : 1;
    if (ex->nsamples < 1) /* the loaders refuse it first (rs_input_fit): never sample 1 of 0 */
        return rs_fail(err, m->path, "the input holds no sample");
    ex->runs = calloc((size_t)ex->nsamples, sizeof *ex->runs);
    ex->expanded = calloc((size_t)m->n_nodes + 1, sizeof *ex->expanded);
    ex->view_of = malloc((size_t)m->n_nodes + 1);
    ex->rows = calloc((size_t)rows_capacity(m), sizeof *ex->rows);
    if (!ex->runs || !ex->expanded || !ex->view_of || !ex->rows) {
        ex_free(ex);
        return rs_fail(err, m->path, "out of memory");
    }
    if (exg_init(&ex->grad, m, ex->nsamples, err) < 0) {
        ex_free(ex);
        return -1;
    }
    memset(ex->view_of, EX_VIEW_DEFAULT, (size_t)m->n_nodes + 1);
    rs_keymap_defaults(&ex->keys);
    ex->cmap = RS_CMAP_BWR;
    ex->cancelled_row = ex->cancelled_sample = -1;
    ex->default_view[0] = rs_view_default(RS_FOR_SEQUENCE);
    ex->default_view[1] = rs_view_default(RS_FOR_ATTENTION);
    ex->default_view[2] = rs_view_default(RS_FOR_VECTOR);
    ex->norm.mode = RS_NORM_AUTO;
    ex->style.graphics = RS_GFX_UNICODE;
    ex->style.depth = RS_DEPTH_256;
    rebuild_rows(ex);
    ex->sel = first_interesting_row(ex);
    return 0;
}

static void free_runs(rs_run **runs, int n)
{
    for (int i = 0; runs && i < n; i++) {
        rs_run_free(runs[i]);
        runs[i] = NULL;
    }
}

int ex_compare_init(explorer *ex, rs_model *b, rs_error *err)
{
    ex->cmp.runs = calloc((size_t)ex->nsamples, sizeof *ex->cmp.runs);
    if (!ex->cmp.runs)
        return rs_fail(err, b->path, "out of memory");
    ex->cmp.b = b;
    ex->cmp.show = RS_SHOW_A;
    ex->cmp.diff_node = -1;
    return 0;
}

const rs_model *ex_model_of(const explorer *ex, rs_show which)
{
    return which == RS_SHOW_B && ex->cmp.b ? ex->cmp.b : ex->m;
}

void ex_free(explorer *ex)
{
    free_runs(ex->runs, ex->nsamples);
    free_runs(ex->cmp.runs, ex->nsamples);
    free(ex->cmp.runs);
    rs_tensor_free(&ex->cmp.diff);
    ex_timeline_free(&ex->timeline);
    free(ex->runs);
    free(ex->expanded);
    free(ex->view_of);
    free(ex->rows);
    exg_free(&ex->grad);
    memset(ex, 0, sizeof *ex);
}

/* ---- computing what is on screen ---- */

/* The model inputs of one sample: each input tensor's row `sample`, batch axis kept. */
static int sample_inputs(const explorer *ex, rs_tensor *out, rs_error *err)
{
    for (int i = 0; i < ex->input->n; i++) {
        const rs_tensor *b = &ex->input->batch[i];
        size_t shape[RS_MAX_RANK];
        memcpy(shape, b->shape, sizeof shape);
        shape[0] = 1;
        if (rs_tensor_alloc(&out[i], b->rank, shape, err) < 0)
            return -1;
        size_t per = b->shape[0] ? b->size / b->shape[0] : 0;
        memcpy(out[i].data, b->data + (size_t)ex->sample * per, per * sizeof(float));
    }
    return 0;
}

static rs_run *run_for_sample(explorer *ex, const rs_model *m, rs_run **runs, rs_error *err)
{
    if (runs[ex->sample])
        return runs[ex->sample];
    rs_run *r = rs_run_new(m, err);
    if (!r)
        return NULL;
    rs_tensor *ins = calloc((size_t)ex->input->n + 1, sizeof *ins);
    int rc = ins ? sample_inputs(ex, ins, err) : rs_fail(err, NULL, "out of memory");
    if (rc == 0)
        rc = rs_run_take_inputs(r, ins, ex->input->n, err);
    for (int i = 0; ins && i < ex->input->n; i++)
        rs_tensor_free(&ins[i]);
    free(ins);
    if (rc < 0) {
        rs_run_free(r);
        return NULL;
    }
    runs[ex->sample] = r;
    return r;
}

/* Model A's run of the sample on screen (gradient mode differentiates it). */
rs_run *ex_sample_run(explorer *ex, rs_error *err)
{
    return run_for_sample(ex, ex->m, ex->runs, err);
}

/* The output of the selected row computed by model A or B. */
static const rs_tensor *model_output(explorer *ex, rs_show which, rs_error *err)
{
    const ex_row *row = &ex->rows[ex->sel];
    bool b = which == RS_SHOW_B;
    rs_run *r = run_for_sample(ex, ex_model_of(ex, which), b ? ex->cmp.runs : ex->runs, err);
    if (!r)
        return NULL;
    rs_run_set_progress(r, ex->progress);
    if (ex->grad.on)
        return exg_gradient(ex, row->node, row->output, NULL, err);
    const rs_tensor *t;
    if (rs_run_output(r, row->node, row->output, &t, err) < 0) {
        if (err->code == RS_ERR_CANCELLED) { /* not again on its own */
            ex->cancelled_row = ex->sel;
            ex->cancelled_sample = ex->sample;
        }
        return NULL;
    }
    return t;
}

/* A - B of the selected row's output (kept until another row or sample is shown). */
static const rs_tensor *diff_output(explorer *ex, rs_error *err)
{
    ex_compare *c = &ex->cmp;
    const ex_row *row = &ex->rows[ex->sel];
    if (c->diff_node == row->node && c->diff_k == row->output && c->diff_sample == ex->sample)
        return &c->diff;
    const rs_tensor *a = model_output(ex, RS_SHOW_A, err), *b = a ? model_output(ex, RS_SHOW_B, err) : NULL;
    if (!b)
        return NULL;
    rs_tensor_free(&c->diff);
    c->diff_node = -1;
    if (rs_memcap_check(rs_run_held(ex->runs[ex->sample]), rs_size_mul(a->size, sizeof(float)),
                        ex->m->nodes[ex->rows[ex->sel].node].name, "A - B needs", err) < 0 ||
        rs_tensor_diff(a, b, &c->diff, err) < 0)
        return NULL;
    c->diff_node = row->node;
    c->diff_k = row->output;
    c->diff_sample = ex->sample;
    return &c->diff;
}

const rs_tensor *ex_output_of(explorer *ex, rs_show which, int *node_out, int *k_out,
                              rs_error *err)
{
    const ex_row *row = &ex->rows[ex->sel];
    *node_out = row->node;
    *k_out = row->output;
    if (ex->sel == ex->cancelled_row && ex->sample == ex->cancelled_sample) {
        rs_fail_code(err, RS_ERR_CANCELLED, NULL, "cancelled: press Ctrl-L to compute it again");
        return NULL;
    }
    if (which != RS_SHOW_A && !ex->cmp.b)
        which = RS_SHOW_A;
    return which == RS_SHOW_DIFF ? diff_output(ex, err) : model_output(ex, which, err);
}

const rs_tensor *ex_current_output(explorer *ex, int *node_out, int *k_out, rs_error *err)
{
    return ex_output_of(ex, ex->cmp.show, node_out, k_out, err);
}

rs_output_desc ex_current_output_desc(explorer *ex)
{
    const ex_row *row = &ex->rows[ex->sel];
    rs_layer_desc d;
    rs_node_describe(&ex->m->nodes[row->node], &d);
    if (row->output < d.n_outputs)
        return d.outputs[row->output];
    return (rs_output_desc){.row_axis = "time", .col_axis = "channel"};
}

rs_view_id ex_current_view(explorer *ex, const rs_tensor *t)
{
    const ex_row *row = &ex->rows[ex->sel];
    signed char chosen = ex->view_of[row->node];
    if (chosen != EX_VIEW_DEFAULT)
        return (rs_view_id)chosen;
    rs_output_desc d = ex_current_output_desc(ex);
    if (d.attention)
        return (rs_view_id)ex->default_view[1];
    if (d.gates > 1)
        return rs_view_default(RS_FOR_GATES);
    if (t && t->rank <= 2)
        return (rs_view_id)ex->default_view[2];
    return (rs_view_id)ex->default_view[0];
}

/* ---- actions ---- */

static void clamp_selection(explorer *ex)
{
    if (ex->sel < 0)
        ex->sel = 0;
    if (ex->sel >= ex->nrows)
        ex->sel = ex->nrows - 1;
}

static void select_row(explorer *ex, int r)
{
    ex->sel = r;
    clamp_selection(ex);
}

static size_t current_steps(explorer *ex)
{
    rs_error err;
    int node, k;
    const rs_tensor *t = ex_current_output(ex, &node, &k, &err);
    return t && t->rank >= 3 ? t->shape[1] : 0;
}

static size_t current_channels(explorer *ex)
{
    rs_error err;
    int node, k;
    const rs_tensor *t = ex_current_output(ex, &node, &k, &err);
    return t && t->rank >= 2 ? t->shape[t->rank - 1] : 1;
}

static void move_vertical(explorer *ex, int delta)
{
    if (ex->focus == EX_FOCUS_LAYERS) {
        select_row(ex, ex->sel + delta);
        return;
    }
    size_t n = current_channels(ex);
    long c = (long)ex->channel + delta;
    ex->channel = c < 0 ? 0 : (size_t)c >= n ? n - 1 : (size_t)c;
}

/* Whether the view on screen draws with option `what` (RS_USES_*, from the view table); if
 * not, the status line says so. */
static bool view_uses(explorer *ex, unsigned what, const char *key, const char *option)
{
    rs_error err;
    int node, k;
    const rs_tensor *t = ex_current_output(ex, &node, &k, &err);
    const rs_view_info *v = rs_view_get(ex_current_view(ex, t));
    if (!v || (v->uses & what))
        return true;
    ex_say(ex, false, "%s: the %s view has no %s (3: heatmap)", key, v->name, option);
    return false;
}

/* A page is what fits on screen: the layer rows shown, or the channels the view shows. */
static int page_size(const explorer *ex)
{
    if (ex->focus == EX_FOCUS_LAYERS)
        return ex->layers_rows > 1 ? ex->layers_rows - 1 : 1;
    return ex->channel_page > 1 && ex->channel_page < 1000000 ? (int)ex->channel_page : 1;
}

static void toggle_expand(explorer *ex, bool open)
{
    const ex_row *row = &ex->rows[ex->sel];
    const rs_node *n = &ex->m->nodes[row->node];
    if (!node_expandable(n)) {
        if (open)
            ex->focus = EX_FOCUS_VIEW;
        return;
    }
    if (ex->expanded[row->node] == open)
        return;
    ex->expanded[row->node] = open;
    rebuild_rows(ex);
}

static void set_view(explorer *ex, rs_view_id v)
{
    ex->view_of[ex->rows[ex->sel].node] = (signed char)v;
}

/* Zoom the timestep window around the cursor, by a factor of 2. */
static void zoom(explorer *ex, bool in)
{
    size_t T = current_steps(ex);
    if (T == 0)
        return;
    size_t len = ex->tlen ? ex->tlen : T;
    size_t want = in ? len / 2 : len * 2;
    if (want < ZOOM_MIN_STEPS)
        want = ZOOM_MIN_STEPS < T ? ZOOM_MIN_STEPS : T;
    if (want >= T) {
        ex->t0 = 0;
        ex->tlen = 0;
        return;
    }
    size_t center = ex->cursor < T ? ex->cursor : ex->t0 + len / 2;
    ex->t0 = center > want / 2 ? center - want / 2 : 0;
    if (ex->t0 + want > T)
        ex->t0 = T - want;
    ex->tlen = want;
}

static void pan(explorer *ex, int dir)
{
    size_t T = current_steps(ex);
    if (!ex->tlen || T == 0)
        return;
    size_t step = ex->tlen / 4 ? ex->tlen / 4 : 1, before = ex->t0;
    if (dir < 0)
        ex->t0 = ex->t0 > step ? ex->t0 - step : 0;
    else
        ex->t0 = ex->t0 + ex->tlen + step <= T ? ex->t0 + step : T - ex->tlen;
    /* the cursor moves with the window, as less and vim scroll it along */
    if (ex->t0 >= before)
        ex->cursor += ex->t0 - before;
    else
        ex->cursor = ex->cursor > before - ex->t0 ? ex->cursor - (before - ex->t0) : ex->t0;
    if (ex->cursor >= T)
        ex->cursor = T - 1;
}

static void move_cursor(explorer *ex, int dir)
{
    if (ex_timeline_shown(ex)) { /* the timeline's cursor is a checkpoint */
        ex_timeline_move(ex, dir);
        return;
    }
    size_t T = current_steps(ex);
    if (T == 0)
        return;
    if (dir < 0 && ex->cursor > 0)
        ex->cursor--;
    else if (dir > 0 && ex->cursor + 1 < T)
        ex->cursor++;
    if (ex->cursor >= T)
        ex->cursor = T - 1;
    /* keep the cursor inside the window */
    if (ex->tlen && ex->cursor < ex->t0)
        ex->t0 = ex->cursor;
    if (ex->tlen && ex->cursor >= ex->t0 + ex->tlen)
        ex->t0 = ex->cursor - ex->tlen + 1;
}

static bool row_matches(const explorer *ex, int r, const char *text)
{
    return text[0] && !ex->rows[r].child && strstr(ex->m->nodes[ex->rows[r].node].name, text);
}

static void search_from(explorer *ex, int start, int dir)
{
    if (!ex->search[0]) {
        ex_say(ex, false, "no search yet: press / to search layers");
        return;
    }
    for (int i = 1; i <= ex->nrows; i++) {
        int r = ((start + dir * i) % ex->nrows + ex->nrows) % ex->nrows;
        if (row_matches(ex, r, ex->search)) {
            ex->sel = r;
            return;
        }
    }
    ex_say(ex, true, "no layer matches '%s'", ex->search);
}

static void change_sample(explorer *ex, int dir)
{
    if (ex->nsamples <= 1) {
        ex_say(ex, false, "the input has one sample");
        return;
    }
    ex->sample = (ex->sample + dir + ex->nsamples) % ex->nsamples;
}

static void new_random_input(explorer *ex)
{
    rs_tui_input *in = ex->input;
    if (!in->random || !in->regenerate) {
        ex_say(ex, false, "the input is not random (use --random SEED)");
        return;
    }
    rs_error err;
    if (in->regenerate(in->user, in->seed + 1, in->batch, in->n, &err) < 0) {
        ex_say(ex, true, "%s", err.msg);
        return;
    }
    in->seed++;
    free_runs(ex->runs, ex->nsamples);
    free_runs(ex->cmp.runs, ex->nsamples);
    ex->cmp.diff_node = -1;
    exg_forget(&ex->grad);
    ex_say(ex, false, "new random input, seed %lu", in->seed);
}

/* "lstm_1.gates.s3.npy": the layer, the output by name when there are several, "grad" in
 * gradient mode, and the sample (0-based, as --sample), so that exports of two samples or
 * outputs, or of values and gradients, do not overwrite each other. */
static void default_export_name(explorer *ex)
{
    const ex_row *row = &ex->rows[ex->sel];
    rs_output_desc d = ex_current_output_desc(ex);
    const char *what = ex->grad.on ? "grad" : ex->cmp.b ? rs_show_name(ex->cmp.show) : NULL;
    rs_output_file_name(ex->m->nodes[row->node].name, &d, row->output, what,
                        ex->input->first_sample + ex->sample, "npy", ex->line, sizeof ex->line);
}

/* Keys while the help is open, as in less and htop: q, Esc and ? close it, the movement keys
 * scroll it, others do nothing. */
static void help_action(explorer *ex, rs_action a)
{
    int page = ex->help_page > 1 ? ex->help_page - 1 : 1;
    switch (a) {
    case RS_ACTION_QUIT:
    case RS_ACTION_HELP: ex->help = false; break;
    case RS_ACTION_REDRAW: ex->redraw_all = true; break;
    case RS_ACTION_UP: ex->help_top--; break;
    case RS_ACTION_DOWN: ex->help_top++; break;
    case RS_ACTION_PAGE_UP: ex->help_top -= page; break;
    case RS_ACTION_PAGE_DOWN: ex->help_top += page; break;
    case RS_ACTION_FIRST: ex->help_top = 0; break;
    case RS_ACTION_LAST: ex->help_top = 1 << 20; break; /* the draw clamps it */
    default: ex_say(ex, false, "in the help: j/k and PgUp/PgDn scroll, q or Esc closes"); break;
    }
    if (ex->help_top < 0)
        ex->help_top = 0;
}

void ex_action(explorer *ex, rs_action a)
{
    if (ex->help) {
        help_action(ex, a);
        return;
    }
    switch (a) {
    case RS_ACTION_NONE: break;
    case RS_ACTION_HELP:
        ex->help = true;
        ex->help_top = 0;
        break;
    case RS_ACTION_QUIT: ex->quit = true; break;
    case RS_ACTION_REDRAW:
        ex->redraw_all = true;
        ex->cancelled_row = -1;
        break;
    case RS_ACTION_FOCUS_NEXT:
    case RS_ACTION_FOCUS_PREV:
        ex->focus = ex->focus == EX_FOCUS_LAYERS ? EX_FOCUS_VIEW : EX_FOCUS_LAYERS;
        ex->layers_hidden = ex->layers_hidden && ex->focus == EX_FOCUS_VIEW; /* show to focus */
        break;
    case RS_ACTION_LAYERS_PANEL: /* hidden, the view has the focus (and the whole screen) */
        ex->layers_hidden = !ex->layers_hidden;
        if (ex->layers_hidden)
            ex->focus = EX_FOCUS_VIEW;
        break;
    case RS_ACTION_UP: move_vertical(ex, -1); break;
    case RS_ACTION_DOWN: move_vertical(ex, 1); break;
    case RS_ACTION_PAGE_UP: move_vertical(ex, -page_size(ex)); break;
    case RS_ACTION_PAGE_DOWN: move_vertical(ex, page_size(ex)); break;
    case RS_ACTION_FIRST: move_vertical(ex, -1000000); break;
    case RS_ACTION_LAST: move_vertical(ex, 1000000); break;
    case RS_ACTION_LEFT:
        if (ex->focus == EX_FOCUS_LAYERS) {
            if (ex->rows[ex->sel].child) { /* back to the parent row */
                int node = ex->rows[ex->sel].node;
                while (ex->sel > 0 && ex->rows[ex->sel].child)
                    ex->sel--;
                ex->expanded[node] = false;
                rebuild_rows(ex);
            } else {
                toggle_expand(ex, false);
            }
        } else if (ex_timeline_shown(ex)) { /* no pages of channels: the checkpoints */
            ex_timeline_move(ex, -1);
        } else {
            move_vertical(ex, -page_size(ex));
        }
        break;
    case RS_ACTION_RIGHT:
        if (ex->focus == EX_FOCUS_LAYERS)
            toggle_expand(ex, true);
        else if (ex_timeline_shown(ex))
            ex_timeline_move(ex, 1);
        else
            move_vertical(ex, page_size(ex));
        break;
    case RS_ACTION_OPEN: /* a layer opens into its outputs; an output opens into the view */
        if (ex->rows[ex->sel].child)
            ex->focus = EX_FOCUS_VIEW;
        else
            toggle_expand(ex, !ex->expanded[ex->rows[ex->sel].node]);
        break;
    case RS_ACTION_SEARCH:
        ex->prompt = EX_PROMPT_SEARCH;
        ex->line[0] = '\0';
        ex->search_start = ex->sel;
        break;
    case RS_ACTION_SEARCH_NEXT: search_from(ex, ex->sel, 1); break;
    case RS_ACTION_SEARCH_PREV: search_from(ex, ex->sel, -1); break;
    case RS_ACTION_CURSOR_PREV: move_cursor(ex, -1); break;
    case RS_ACTION_CURSOR_NEXT: move_cursor(ex, 1); break;
    case RS_ACTION_ZOOM_IN: zoom(ex, true); break;
    case RS_ACTION_ZOOM_OUT: zoom(ex, false); break;
    case RS_ACTION_PAN_LEFT: pan(ex, -1); break;
    case RS_ACTION_PAN_RIGHT: pan(ex, 1); break;
    case RS_ACTION_EQUAL_AXES: ex->equal_axes = !ex->equal_axes; break;
    case RS_ACTION_ZERO_LINE: ex->zero_line = !ex->zero_line; break;
    case RS_ACTION_COLUMNS: { /* as plot --cols; 0 lets the view choose from the space */
        static const int cycle[] = {0, 1, 2, 3, 4, 6, 8};
        size_t i = 0, n = sizeof cycle / sizeof *cycle;
        while (i < n && cycle[i] != ex->grid_cols)
            i++;
        ex->grid_cols = cycle[(i + 1) % n];
        if (ex->grid_cols)
            ex_say(ex, false, "lines: %d panels per row", ex->grid_cols);
        else
            ex_say(ex, false, "lines: panels per row from the space");
        break;
    }
    case RS_ACTION_COLORMAP:
        if (view_uses(ex, RS_USES_CMAP, "c", "colormap"))
            ex->cmap = (rs_cmap)((ex->cmap + 1) % 3);
        break;
    case RS_ACTION_NORMALIZE:
        if (view_uses(ex, RS_USES_NORM, "M", "normalization"))
            ex->norm.mode = ex->norm.mode == RS_NORM_AUTO ? RS_NORM_MINMAX : RS_NORM_AUTO;
        break;
    case RS_ACTION_TRANSPOSE:
        if (view_uses(ex, RS_USES_TRANSPOSE, "t", "transpose"))
            ex->transpose = !ex->transpose;
        break;
    case RS_ACTION_GRADIENT: exg_toggle(ex); break;
    case RS_ACTION_UNIT_NEXT: exg_next_unit(ex); break;
    case RS_ACTION_STRIP_SOURCE: exg_toggle_strip(ex); break;
    case RS_ACTION_SALIENCY_METHOD: exg_next_method(ex); break;
    case RS_ACTION_REFLECT_HALF: exg_toggle_reflect(ex); break;
    case RS_ACTION_SAMPLE_NEXT: change_sample(ex, 1); break;
    case RS_ACTION_SAMPLE_PREV: change_sample(ex, -1); break;
    case RS_ACTION_RANDOM: new_random_input(ex); break;
    case RS_ACTION_EXPORT:
        ex->prompt = EX_PROMPT_EXPORT;
        default_export_name(ex);
        break;
    case RS_ACTION_COMPARE:
        if (ex->cmp.b)
            ex->cmp.show = (rs_show)((ex->cmp.show + 1) % RS_SHOW_COUNT);
        else
            ex_say(ex, false, "one model: open a second with --compare B.h5");
        break;
    case RS_ACTION_COUNT: break;
    default: /* the views of the table: each action shows its view */
        if (RS_VIEW_OF_ACTION(a) < RS_VIEW_COUNT)
            set_view(ex, RS_VIEW_OF_ACTION(a));
        break;
    }
}

/* ---- prompts ---- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static void export_now(explorer *ex, const char *path)
{
    rs_error err;
    int node, k;
    const rs_tensor *t = ex_current_output(ex, &node, &k, &err);
    if (!t) {
        ex_say(ex, true, "%s", err.msg);
        return;
    }
    int rc = ends_with(path, ".csv") ? rs_csv_write(path, t, &err) : rs_npy_write(path, t, &err);
    if (rc < 0)
        ex_say(ex, true, "%s", err.msg);
    else
        ex_say(ex, false, "wrote %s", path);
}

static void finish_prompt(explorer *ex)
{
    ex_prompt p = ex->prompt;
    ex->prompt = EX_PROMPT_NONE;
    if (p == EX_PROMPT_SEARCH) {
        snprintf(ex->search, sizeof ex->search, "%s", ex->line);
        if (!row_matches(ex, ex->sel, ex->search))
            search_from(ex, ex->sel, 1);
    } else if (p == EX_PROMPT_EXPORT) {
        struct stat st;
        if (!ex->line[0])
            return;
        if (!ends_with(ex->line, ".npy") && !ends_with(ex->line, ".csv")) {
            ex_say(ex, true, "%s: the name must end in .npy or .csv", ex->line);
            return;
        }
        if (stat(ex->line, &st) == 0) {
            snprintf(ex->pending_path, sizeof ex->pending_path, "%s", ex->line);
            ex->prompt = EX_PROMPT_OVERWRITE;
            return;
        }
        export_now(ex, ex->line);
    }
}

static void prompt_key(explorer *ex, int key)
{
    size_t len = strlen(ex->line);
    if (ex->prompt == EX_PROMPT_OVERWRITE) {
        ex->prompt = EX_PROMPT_NONE;
        if (key == 'y' || key == 'Y')
            export_now(ex, ex->pending_path);
        else
            ex_say(ex, false, "not written");
        return;
    }
    if (key == 27) { /* a search left with Esc leaves the selection where it was */
        if (ex->prompt == EX_PROMPT_SEARCH)
            ex->sel = ex->search_start;
        ex->prompt = EX_PROMPT_NONE;
        return;
    }
    if (key == '\n' || key == '\r' || key == KEY_ENTER) {
        finish_prompt(ex);
        return;
    }
    if (key == KEY_BACKSPACE || key == 127 || key == 8) {
        if (len)
            ex->line[len - 1] = '\0';
    } else if (key >= ' ' && key < 0x7f && len + 1 < sizeof ex->line) {
        ex->line[len] = (char)key;
        ex->line[len + 1] = '\0';
    }
    if (ex->prompt == EX_PROMPT_SEARCH && ex->line[0] && !row_matches(ex, ex->sel, ex->line)) {
        /* incremental: jump to the first match as the user types */
        for (int r = 0; r < ex->nrows; r++)
            if (row_matches(ex, r, ex->line)) {
                ex->sel = r;
                break;
            }
    }
}

static bool inside(rs_rect r, int x, int y)
{
    return x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
}

void ex_click(explorer *ex, int x, int y)
{
    ex->message[0] = '\0';
    if (inside(ex->layers_box, x, y)) {
        ex->focus = EX_FOCUS_LAYERS;
        int r = ex->top + (y - ex->layers_box.y - 1); /* the panel's first row is its title */
        if (y > ex->layers_box.y && r < ex->nrows)
            ex->sel = r;
    } else if (inside(ex->view_box, x, y)) {
        ex->focus = EX_FOCUS_VIEW;
        for (int i = 0; i < ex->nhits; i++) { /* a lines panel: its channel, and the timestep */
            rs_rect b = ex->hits[i].box;
            if (!inside(b, x, y) || b.w < 1)
                continue;
            ex->channel = ex->hits[i].channel;
            if (ex->hit_len)
                ex->cursor = ex->hit_t0 + (size_t)(x - b.x) * ex->hit_len / (size_t)b.w;
        }
    }
}

void ex_wheel(explorer *ex, int x, int y, int dir)
{
    ex->message[0] = '\0';
    if (inside(ex->layers_box, x, y))
        ex->focus = EX_FOCUS_LAYERS;
    else if (inside(ex->view_box, x, y))
        ex->focus = EX_FOCUS_VIEW;
    ex_action(ex, dir < 0 ? RS_ACTION_UP : RS_ACTION_DOWN);
}

void ex_key(explorer *ex, int key)
{
    ex->message[0] = '\0';
    if (ex->prompt != EX_PROMPT_NONE) {
        prompt_key(ex, key);
        return;
    }
    if (key == KEY_RESIZE)
        return;
    rs_action a = rs_keymap_lookup(&ex->keys, key);
    if (key == 27 && a == RS_ACTION_NONE) { /* Esc: out of the help, back to the layers */
        if (ex->help)
            ex->help = false;
        else
            ex->focus = EX_FOCUS_LAYERS;
        return;
    }
    ex_action(ex, a);
}

/* rnnscope plot: print a picture of an array (--data FILE.npy) on stdout.
 * The model form (plot MODEL --layer NAME) needs the forward pass; its options are parsed here
 * already so that it only has to fill in `load_slice`. */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "commands.h"
#include "model_io.h"
#include "objective_opts.h"
#include "rnnscope/ckpt.h"
#include "rnnscope/run.h"
#include "rnnscope/sixel.h"
#include "rnnscope/term.h"
#include <fcntl.h>
#include "rnnscope/csv.h"
#include "rnnscope/npy.h"
#include "rnnscope/plot.h"
#include "rnnscope/signals.h"
#include "rnnscope/layer.h"
#include "rnnscope/timeline_pic.h"
#include "rnnscope/view.h"

/* The view asked for: one of rnnscope/view.h's table, or V_DEFAULT (the table's default). */
#define V_DEFAULT (-1)
typedef int view;
typedef enum color_when { C_AUTO, C_ALWAYS, C_NEVER } color_when;

#define MAX_CHANNEL_LIST 100000

typedef struct plot_args {
    const char *model, *layer, *data, *recurrent, *bias, *internal;
    input_opts in;      /* model form: --input, --random, --weights */
    unsigned long output;
    char layer_name[256];
    rs_tensor w_rec, w_bias; /* --data form, weights view: --recurrent, --bias */
    rs_layer_desc desc;      /* what the layer (or the arrays given) holds and produces */
    int out_index;           /* the output drawn, in desc.outputs; -1: a plain array */
    view view;
    rs_term_graphics graphics; /* --graphics; RS_TERM_AUTO when not given */
    color_when color;
    int width, height; /* 0: from the terminal */
    size_t *channels, nchannels;
    size_t t0, t1;     /* t1 0: to the end */
    bool have_window, equal_axes, zero_line, transpose, blocks;
    rs_cmap cmap;
    rs_norm norm;
    rs_agg agg;
    size_t sample, cursor, page;
    bool have_cursor;
    int grid_cols, gates;
    bool grad;          /* --grad: draw d objective / d the layer's output instead */
    bool strip;         /* --strip: its timestep importance under the picture */
    bool reflect_half;  /* --reflect-half: a Bidirectional's backward half reversed in time */
    rs_tensor *wgrads;  /* --grad --view weights: d objective / d each weight (desc over them) */
    rs_gate_notes notes; /* and each gate block's norm, beside its name */
    int n_wgrads;
    objective_opts obj; /* its OBJECTIVE options */
    /* --compare B: the second checkpoint, what is drawn (A, B or A - B), and the one not
     * drawn that the scales cover too (A or B on screen) */
    const char *compare;
    rs_show show;
    rs_model *b;
    rs_tensor also;
    rs_layer_desc also_desc;
    bool have_also_desc;
    float *diff_weights; /* A - B of the weights, when desc describes them */
} plot_args;

static void plot_usage(FILE *f)
{
    char views[200];
    fprintf(f, "Usage: rnnscope plot --data FILE.npy [PLOT OPTIONS]\n"
          "       rnnscope plot MODEL --layer NAME [--output K] [INPUT OPTIONS] [PLOT OPTIONS]\n"
          "       rnnscope plot MODEL --layer NAME --grad [OBJECTIVE] [INPUT OPTIONS] [PLOT OPTIONS]\n"
          "       rnnscope plot MODEL --compare B --layer NAME [--show a|b|diff] [...]\n"
          "       rnnscope plot DIR --view timeline --layer NAME [--cursor K] [INPUT OPTIONS] [...]\n"
          "\n"
          "--view timeline draws the layer over the checkpoints of DIR as the explorer's\n"
          "timeline view (9) does: its weights' histogram per checkpoint, its statistics as\n"
          "lines, the epochs under them; a checkpoint that does not load is an empty column.\n"
          "\n"
          "--compare B draws MODEL (A) and checkpoint B of its architecture on the same input:\n"
          "--show a or b (on one scale with the other, as the explorer's compare key shows\n"
          "them) or diff (A - B, the default).\n"
          "\n"
          "--grad draws the gradient of the objective with respect to the layer's output\n"
          "instead of the output (OBJECTIVE as for 'grad': --labels Y.npy [--loss NAME] |\n"
          "--unit J, --output-of NAME). --strip adds the timestep importance strip under\n"
          "lines, detail and heatmap: the gradient's L2 norm over channels at each step.\n"
          "\n"
          "Print a picture of an array on stdout. Rank 1: bars; rank 2 (timesteps, channels):\n"
          "lines; rank 3 (N, timesteps, channels): sample --sample N of the batch.\n"
          "\n"
          "Plot options:\n"
          "  --data FILE          .npy (or .csv) array to plot\n"
          "  --view V             %s\n"
          "  --graphics G         auto, sixel, unicode or ascii (auto: sixel heatmaps on a terminal\n"
          "                       that has sixel, else unicode in a UTF-8 locale)\n"
          "  --width W, --height H  size in cells (default: the terminal's, or 80 x 20); H lines\n"
          "                       in all, the stats line one of them (--height 1: the picture)\n"
          "  --channels LIST      e.g. 0-15,20 (columns of the array)\n"
          "  --timesteps A:B      rows A..B-1 (A: or :B allowed)\n"
          "  --sample N           sample of a rank-3 batch (default 0)\n"
          "  --equal-axes         lines: one symmetric range for all channels\n"
          "  --zero-line          lines, detail: draw y = 0\n"
          "  --blocks             lines: eighth blocks instead of braille\n"
          "  --cols N, --page N   lines: panels per row; which page of channels\n"
          "  --cursor T           detail, values: timestep whose value is shown (values: the\n"
          "                       last by default; its channel: the first of --channels);\n"
          "                       heatmap: marked beside the map with the selected channel;\n"
          "                       timeline: the checkpoint (0 = the oldest) marked and named\n"
          "  --cmap NAME          heatmap, weights: bwr (default), viridis, gray\n"
          "  --norm N             heatmap: auto (+-max|x|), minmax, or VMIN:VMAX\n"
          "  --agg A              heatmap: mean (default) or max (largest magnitude)\n"
          "  --transpose          swap the two axes\n"
          "  --reflect-half       a Bidirectional layer's output: its backward half's steps\n"
          "                       reversed (both directions in processing order)\n"
          "  --gates G            weights: lstm (4), gru (3), or a number\n"
          "  --recurrent FILE, --bias FILE  weights: recurrent kernel and bias beside --data\n"
          "  --color WHEN         auto (a terminal, no NO_COLOR), always, never\n"
          "  --max-memory SIZE    memory cap for the model, inputs and outputs (see rnnscope --help)\n",
          rs_view_names(views, sizeof views));
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("rnnscope: plot: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("; try 'rnnscope plot --help'\n", stderr);
    return EXIT_USAGE;
}

/* A whole decimal number, or false. */
static bool parse_size(const char *s, size_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > (unsigned long long)RS_MAX_ELEMS)
        return false;
    *out = (size_t)v;
    return true;
}

static bool parse_int(const char *s, int lo, int hi, int *out)
{
    size_t v;
    if (!parse_size(s, &v) || v < (size_t)lo || v > (size_t)hi)
        return false;
    *out = (int)v;
    return true;
}

/* "A:B", "A:", ":B" into [t0, t1) (t1 0 = to the end). */
static bool parse_window(const char *s, size_t *t0, size_t *t1)
{
    const char *colon = strchr(s, ':');
    if (!colon)
        return false;
    char a[32];
    size_t n = (size_t)(colon - s);
    if (n >= sizeof a)
        return false;
    memcpy(a, s, n);
    a[n] = '\0';
    *t0 = 0;
    *t1 = 0;
    if (n && !parse_size(a, t0))
        return false;
    if (colon[1] && !parse_size(colon + 1, t1))
        return false;
    return colon[1] == '\0' || *t1 > *t0;
}

/* "0-15,20" into a list of indices. */
static bool parse_channels(const char *s, size_t **out, size_t *count)
{
    size_t cap = 16, n = 0, *list = malloc(cap * sizeof *list);
    char *copy = strdup(s);
    bool ok = list && copy && *s;
    for (char *save = NULL, *tok = ok ? strtok_r(copy, ",", &save) : NULL; ok && tok;
         tok = strtok_r(NULL, ",", &save)) {
        size_t a, b;
        char *dash = strchr(tok, '-');
        if (dash)
            *dash = '\0';
        ok = parse_size(tok, &a) && (dash ? parse_size(dash + 1, &b) : (b = a, true)) && a <= b &&
             b - a < MAX_CHANNEL_LIST && n + (b - a + 1) <= MAX_CHANNEL_LIST;
        for (size_t i = a; ok && i <= b; i++) {
            if (n == cap) {
                size_t *grown = realloc(list, 2 * cap * sizeof *list);
                if (!grown) {
                    ok = false;
                    break;
                }
                list = grown;
                cap *= 2;
            }
            list[n++] = i;
        }
    }
    free(copy);
    if (!ok || n == 0) {
        free(list);
        return false;
    }
    *out = list;
    *count = n;
    return true;
}

static int parse_view(const char *s, view *v)
{
    const rs_view_info *info = rs_view_by_name(s);
    if (!info)
        return -1;
    *v = info->id;
    return 0;
}

static int parse_gates(const char *s, int *g)
{
    if (strcmp(s, "lstm") == 0)
        *g = 4;
    else if (strcmp(s, "gru") == 0)
        *g = 3;
    else if (strcmp(s, "simplernn") == 0 || strcmp(s, "rnn") == 0)
        *g = 1;
    else if (!parse_int(s, 1, 64, g))
        return -1;
    return 0;
}

enum {
    O_DATA = 256, O_VIEW, O_GRAPHICS, O_WIDTH, O_HEIGHT, O_CHANNELS, O_TIMESTEPS, O_EQUAL,
    O_ZERO, O_CMAP, O_NORM, O_COLOR, O_TRANSPOSE, O_SAMPLE, O_LAYER, O_OUTPUT, O_BLOCKS, O_COLS,
    O_PAGE, O_CURSOR, O_AGG, O_GATES, O_RECURRENT, O_BIAS, O_HELP, O_INTERNAL,
    O_INPUT, O_RANDOM, O_WEIGHTS, O_MAX_MEMORY, O_THREADS, O_GRAD, O_STRIP, O_REFLECT, O_COMPARE,
    O_SHOW,
};

static const struct option long_opts[] = {
    {"data", required_argument, 0, O_DATA}, {"view", required_argument, 0, O_VIEW},
    {"graphics", required_argument, 0, O_GRAPHICS}, {"width", required_argument, 0, O_WIDTH},
    {"height", required_argument, 0, O_HEIGHT}, {"channels", required_argument, 0, O_CHANNELS},
    {"timesteps", required_argument, 0, O_TIMESTEPS}, {"equal-axes", no_argument, 0, O_EQUAL},
    {"zero-line", no_argument, 0, O_ZERO}, {"cmap", required_argument, 0, O_CMAP},
    {"norm", required_argument, 0, O_NORM}, {"color", required_argument, 0, O_COLOR},
    {"transpose", no_argument, 0, O_TRANSPOSE}, {"sample", required_argument, 0, O_SAMPLE},
    {"layer", required_argument, 0, O_LAYER}, {"output", required_argument, 0, O_OUTPUT},
    {"blocks", no_argument, 0, O_BLOCKS}, {"cols", required_argument, 0, O_COLS},
    {"page", required_argument, 0, O_PAGE}, {"cursor", required_argument, 0, O_CURSOR},
    {"agg", required_argument, 0, O_AGG}, {"gates", required_argument, 0, O_GATES},
    {"recurrent", required_argument, 0, O_RECURRENT}, {"bias", required_argument, 0, O_BIAS},
    {"help", no_argument, 0, O_HELP}, {"internal", required_argument, 0, O_INTERNAL},
    {"input", required_argument, 0, O_INPUT}, {"random", required_argument, 0, O_RANDOM},
    {"weights", required_argument, 0, O_WEIGHTS}, {"threads", required_argument, 0, O_THREADS},
    {"max-memory", required_argument, 0, O_MAX_MEMORY}, {"grad", no_argument, 0, O_GRAD},
    {"strip", no_argument, 0, O_STRIP}, {"reflect-half", no_argument, 0, O_REFLECT},
    {"compare", required_argument, 0, O_COMPARE}, {"show", required_argument, 0, O_SHOW},
    OBJECTIVE_LONG_OPTIONS, {0, 0, 0, 0},
};

/* One option into a; returns 0, or EXIT_USAGE after printing why. */
static int apply_option(plot_args *a, int opt, const char *arg)
{
    rs_error err = {0};
    switch (opt) {
    case O_DATA: a->data = arg; return 0;
    case O_RECURRENT: a->recurrent = arg; return 0;
    case O_BIAS: a->bias = arg; return 0;
    case O_LAYER: a->layer = arg; return 0;
    case O_OUTPUT: return parse_count(arg, &a->output) ? 0 : usage_error("bad --output '%s'", arg);
    case O_INTERNAL: a->internal = arg; return 0;
    case O_INPUT: return input_opts_take(&a->in, "plot", OPT_INPUT, arg) < 0 ? EXIT_USAGE : 0;
    case O_RANDOM: return input_opts_take(&a->in, "plot", OPT_RANDOM, arg) < 0 ? EXIT_USAGE : 0;
    case O_THREADS: return input_opts_take(&a->in, "plot", OPT_THREADS, arg) < 0 ? EXIT_USAGE : 0;
    case O_WEIGHTS: a->in.weights = arg; return 0;
    case O_MAX_MEMORY:
        return input_opts_take(&a->in, "plot", OPT_MAX_MEMORY, arg) < 0 ? EXIT_USAGE : 0;
    case O_VIEW: {
        char names[200], fmt[256];
        snprintf(fmt, sizeof fmt, "unknown view '%%s' (%s)", rs_view_names(names, sizeof names));
        return parse_view(arg, &a->view) == 0 ? 0 : usage_error(fmt, arg);
    }
    case O_GRAPHICS:
        return rs_graphics_parse(arg, &a->graphics)
                   ? 0 : usage_error("unknown --graphics '%s' (auto, sixel, unicode, ascii)", arg);
    case O_WIDTH: return parse_int(arg, 1, RS_CANVAS_MAX_SIDE, &a->width) ? 0 : usage_error("bad --width '%s' (1..4096)", arg);
    case O_HEIGHT: return parse_int(arg, 1, RS_CANVAS_MAX_SIDE, &a->height) ? 0 : usage_error("bad --height '%s' (1..4096)", arg);
    case O_CHANNELS:
        free(a->channels);
        a->channels = NULL;
        return parse_channels(arg, &a->channels, &a->nchannels) ? 0 : usage_error("bad --channels '%s' (e.g. 0-15,20)", arg);
    case O_TIMESTEPS:
        a->have_window = true;
        return parse_window(arg, &a->t0, &a->t1) ? 0 : usage_error("bad --timesteps '%s' (A:B with A < B)", arg);
    case O_EQUAL: a->equal_axes = true; return 0;
    case O_ZERO: a->zero_line = true; return 0;
    case O_TRANSPOSE: a->transpose = true; return 0;
    case O_BLOCKS: a->blocks = true; return 0;
    case O_CMAP: return rs_cmap_parse(arg, &a->cmap, &err) == 0 ? 0 : usage_error("%s", err.msg);
    case O_NORM: return rs_norm_parse(arg, &a->norm, &err) == 0 ? 0 : usage_error("%s", err.msg);
    case O_AGG:
        if (strcmp(arg, "mean") == 0) a->agg = RS_AGG_MEAN;
        else if (strcmp(arg, "max") == 0) a->agg = RS_AGG_MAX;
        else return usage_error("unknown --agg '%s' (mean, max)", arg);
        return 0;
    case O_COLOR:
        if (strcmp(arg, "auto") == 0) a->color = C_AUTO;
        else if (strcmp(arg, "always") == 0) a->color = C_ALWAYS;
        else if (strcmp(arg, "never") == 0) a->color = C_NEVER;
        else return usage_error("unknown --color '%s' (auto, always, never)", arg);
        return 0;
    case O_SAMPLE: return parse_size(arg, &a->sample) ? 0 : usage_error("bad --sample '%s'", arg);
    case O_CURSOR: a->have_cursor = true; return parse_size(arg, &a->cursor) ? 0 : usage_error("bad --cursor '%s'", arg);
    case O_PAGE: return parse_size(arg, &a->page) ? 0 : usage_error("bad --page '%s'", arg);
    case O_COLS: return parse_int(arg, 1, 1000, &a->grid_cols) ? 0 : usage_error("bad --cols '%s' (1..1000)", arg);
    case O_GATES: return parse_gates(arg, &a->gates) == 0 ? 0 : usage_error("bad --gates '%s' (lstm, gru, or 1..64)", arg);
    case O_GRAD: a->grad = true; return 0;
    case O_STRIP: a->strip = true; return 0;
    case O_REFLECT: a->reflect_half = true; return 0;
    case O_COMPARE: a->compare = arg; return 0;
    case O_SHOW:
        return rs_show_parse(arg, &a->show) ? 0 : usage_error("unknown --show '%s' (a, b, diff)", arg);
    default: return objective_opts_take(&a->obj, "plot", opt, arg) > 0 ? 0 : EXIT_USAGE;
    }
}

/* Parse argv (argv[0] = "plot"). Returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, plot_args *a)
{
    memset(a, 0, sizeof *a);
    a->view = V_DEFAULT;
    a->out_index = -1;
    a->norm.mode = RS_NORM_AUTO;
    a->show = RS_SHOW_DIFF;
    bool norm_given = false, show_given = false;
    optind = 1;
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, ":", long_opts, NULL)) != -1) {
        if (opt == O_HELP) {
            plot_usage(stdout);
            return EXIT_OK;
        }
        if (opt == '?')
            return usage_error("unknown option '%s'", argv[optind - 1]);
        if (opt == ':')
            return usage_error("option '%s' needs a value", argv[optind - 1]);
        norm_given = norm_given || opt == O_NORM;
        show_given = show_given || opt == O_SHOW;
        int rc = apply_option(a, opt, optarg);
        if (rc)
            return rc;
    }
    if (!norm_given && !rs_cmap_diverging(a->cmap))
        a->norm.mode = RS_NORM_MINMAX; /* a sequential map has no meaningful centre */
    if (optind < argc)
        a->model = argv[optind++];
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (a->model && a->data)
        return usage_error("give either MODEL or --data, not both (%s)", a->model);
    if (a->model && !a->layer)
        return usage_error("%s", "MODEL needs --layer NAME");
    if ((a->obj.labels || a->obj.loss || a->obj.have_unit || a->obj.output_of) && !a->grad)
        return usage_error("%s", "--labels, --loss, --unit and --output-of go with --grad");
    if (a->grad && (!a->model || a->internal))
        return usage_error("%s", !a->model ? "--grad needs MODEL --layer NAME"
                                           : "--grad draws a layer's outputs or weights: no --internal yet");
    if (a->strip && !a->grad)
        return usage_error("%s", "--strip goes with --grad");
    if (a->grad && objective_opts_check(&a->obj, "plot") != EXIT_OK)
        return EXIT_USAGE;
    if (a->view == RS_VIEW_TIMELINE && (!a->model || a->grad || a->compare || a->internal))
        return usage_error("%s", "--view timeline draws DIR --layer NAME over the checkpoints "
                                 "(no --grad, --compare or --internal)");
    if ((a->compare && (!a->model || a->grad)) || (show_given && !a->compare))
        return usage_error("%s", a->compare ? "--compare B needs MODEL --layer NAME (no --grad yet)"
                                            : "--show goes with --compare B");
    if (a->model)
        return -1;
    if (!a->data)
        return usage_error("%s", "nothing to plot: give --data FILE.npy (or MODEL --layer NAME)");
    return -1;
}

/* ---- the terminal ---- */

static int terminal_size(int *cols, int *rows)
{
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
        *cols = ws.ws_col;
        *rows = ws.ws_row;
        return 0;
    }
    const char *c = getenv("COLUMNS");
    size_t v;
    if (c && parse_size(c, &v) && v > 0 && v <= RS_CANVAS_MAX_SIDE) {
        *cols = (int)v;
        *rows = 0;
        return 0;
    }
    return -1;
}

/* The text's glyphs from the graphics mode (a sixel heatmap's colour bar and every other
 * view are text); the colours from --color, NO_COLOR and TERM. */
static rs_style output_style(const plot_args *a, rs_term_graphics mode)
{
    rs_style st = {mode == RS_TERM_ASCII ? RS_GFX_ASCII : RS_GFX_UNICODE, RS_DEPTH_NONE};
    const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");
    bool color = a->color == C_ALWAYS ||
                 (a->color == C_AUTO && isatty(STDOUT_FILENO) && !(no_color && *no_color) &&
                  !(term && strcmp(term, "dumb") == 0));
    if (color) {
        bool basic = term && (strcmp(term, "linux") == 0 || strncmp(term, "vt", 2) == 0 ||
                              strcmp(term, "ansi") == 0 || strncmp(term, "cons", 4) == 0);
        st.depth = basic ? RS_DEPTH_8 : RS_DEPTH_256;
    }
    return st;
}

/* ---- the data ---- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static int read_array(const char *path, rs_tensor *t, rs_error *err)
{
    return ends_with(path, ".csv") ? rs_csv_read(path, t, err) : rs_npy_read(path, t, err);
}

/* What is drawn: the sample's whole matrix (the lines and detail views take the window and
 * channels as options, so that labels keep the array's indices), and the selected slice (the
 * timestep window and the channels: a copy when they are not one contiguous run). */
typedef struct slice {
    rs_matrix full, sel;
    size_t ch_base; /* index of the first selected channel when contiguous, else 0 */
    rs_tensor copy;
} slice;

static int select_matrix(const plot_args *a, const rs_tensor *t, rs_tensor *copy, rs_matrix *m,
                         size_t *ch_base, rs_error *err);

static int select_slice(const plot_args *a, const rs_tensor *t, slice *s, rs_error *err)
{
    memset(s, 0, sizeof *s);
    if (t->rank == 0)
        s->full = rs_matrix_make(t->data, 1, 1);
    else if (rs_matrix_from_tensor(t, a->sample, a->data, &s->full, err) < 0)
        return -1;
    return select_matrix(a, t, &s->copy, &s->sel, &s->ch_base, err);
}

static int select_matrix(const plot_args *a, const rs_tensor *t, rs_tensor *copy, rs_matrix *m,
                         size_t *ch_base, rs_error *err)
{
    *ch_base = 0;
    if (t->rank == 0) {
        *m = rs_matrix_make(t->data, 1, 1);
        return 0;
    }
    if (t->rank != 3 && a->sample != 0)
        return rs_fail(err, a->data, "--sample %zu needs a batch (an array of rank 3)", a->sample);
    if (rs_matrix_from_tensor(t, a->sample, a->data, m, err) < 0)
        return -1;
    if (a->have_window) {
        if (a->t0 >= m->rows)
            return rs_fail(err, a->data, "--timesteps starts at %zu, past the %zu timesteps",
                           a->t0, m->rows);
        *m = rs_matrix_window(*m, a->t0, a->t1 ? a->t1 - a->t0 : m->rows, 0, m->cols);
    }
    if (!a->channels)
        return 0;
    bool contiguous = true;
    for (size_t i = 0; i < a->nchannels; i++) {
        if (a->channels[i] >= m->cols)
            return rs_fail(err, a->data, "channel %zu is outside 0..%zu", a->channels[i],
                           m->cols ? m->cols - 1 : 0);
        contiguous = contiguous && (i == 0 || a->channels[i] == a->channels[i - 1] + 1);
    }
    if (contiguous) {
        *m = rs_matrix_window(*m, 0, m->rows, a->channels[0], a->nchannels);
        *ch_base = a->channels[0];
        return 0;
    }
    if (rs_tensor_alloc_dims(copy, err, 2, m->rows, a->nchannels) < 0)
        return -1;
    for (size_t r = 0; r < m->rows; r++)
        for (size_t i = 0; i < a->nchannels; i++)
            copy->data[r * a->nchannels + i] = rs_matrix_at(m, r, a->channels[i]);
    *m = rs_matrix_make(copy->data, m->rows, a->nchannels);
    return 0;
}

/* ---- drawing ---- */

/* --data's weights view: the array is the kernel, --recurrent and --bias beside it, in gate
 * blocks of --gates (or guessed from the columns): the description a layer would give. */
static int describe_arrays(plot_args *a, const rs_matrix *kernel, rs_error *err)
{
    rs_layer_desc *d = &a->desc;
    memset(d, 0, sizeof *d);
    int gates = a->gates ? a->gates : kernel->cols % 4 == 0 ? 4 : kernel->cols % 3 == 0 ? 3 : 1;
    rs_tensor *given[2] = {&a->w_rec, &a->w_bias};
    const char *paths[2] = {a->recurrent, a->bias};
    d->weights[d->n_weights++] = (rs_weight_desc){0, RS_WEIGHT_KERNEL, "kernel", NULL, gates,
                                                  rs_gate_names(gates), *kernel};
    for (int i = 0; i < 2; i++) {
        if (!paths[i])
            continue;
        rs_matrix m;
        if (read_array(paths[i], given[i], err) < 0 ||
            rs_matrix_from_tensor(given[i], 0, paths[i], &m, err) < 0)
            return -1;
        if (given[i]->rank == 1)
            m = rs_matrix_transpose(m); /* a vector of G*u is one row */
        d->weights[d->n_weights++] =
            (rs_weight_desc){i + 1, i ? RS_WEIGHT_BIAS : RS_WEIGHT_RECURRENT,
                             "", NULL, gates, rs_gate_names(gates), m};
        snprintf(d->weights[d->n_weights - 1].name, sizeof d->weights[0].name, "%s",
                 i ? "bias" : "recurrent kernel");
    }
    return 0;
}

static int describe_data(plot_args *a, const slice *s, rs_error *err)
{
    if (a->model || a->view != RS_VIEW_WEIGHTS)
        return 0;
    rs_matrix kernel = a->transpose ? rs_matrix_transpose(s->sel) : s->sel;
    return describe_arrays(a, &kernel, err);
}

/* --compare, A or B drawn: the other one, which every scale covers too. */
static void fill_also(const plot_args *a, const rs_tensor *t, rs_view_state *s)
{
    rs_error ignored;
    s->also_layer = a->have_also_desc ? &a->also_desc : NULL;
    if (!a->also.data || !rs_shape_equal(&a->also, t))
        return;
    if (t->rank == 0)
        s->also = rs_matrix_make(a->also.data, 1, 1);
    else if (rs_matrix_from_tensor(&a->also, a->sample, a->data, &s->also, &ignored) < 0)
        s->also.rows = 0;
    if (t->rank == 3)
        s->also_batch = a->also.data;
}

/* The view state from the options: the same fields the explorer fills from its keys (the
 * style comes later, from the graphics mode). */
static void fill_state(const plot_args *a, const rs_tensor *t, const slice *sl, rs_view_state *s)
{
    rs_view_state_init(s);
    s->full = sl->full;
    if (a->out_index >= 0 && a->out_index < a->desc.n_outputs)
        s->out = a->desc.outputs[a->out_index];
    else if (!a->model && s->full.rows == s->full.cols && s->full.rows > 1) {
        /* --data has no description: a square array is taken for an attention matrix (as dump
         * --internal attention writes it), decided on the whole array, not the window */
        s->out.attention = true;
        s->out.row_axis = "query";
        s->out.col_axis = "key";
    }
    s->t0 = a->t0;
    s->tlen = a->t1 ? a->t1 - a->t0 : a->have_window && a->t0 ? s->full.rows - a->t0 : 0;
    s->channels = a->channels;
    s->nchannels = a->nchannels;
    s->cursor = a->cursor;
    s->have_cursor = a->have_cursor;
    s->channel = a->channels ? a->channels[0] : 0; /* the heatmap marks it with the cursor */
    s->page = a->page;
    s->grid_cols = a->grid_cols;
    s->equal_axes = a->equal_axes;
    s->zero_line = a->zero_line;
    s->blocks = a->blocks;
    s->transpose = a->transpose;
    s->cmap = a->cmap;
    s->norm = a->norm;
    s->agg = a->agg;
    s->layer = a->desc.n_weights ? &a->desc : NULL;
    for (int w = 0; a->wgrads && w < RS_DESC_MAX_WEIGHTS; w++)
        s->gate_notes[w] = a->notes.gate[w];
    fill_also(a, t, s);
    if (t->rank == 3) { /* the samples view: every sample of the batch */
        s->batch = t->data;
        s->nsamples = t->shape[0];
        s->sample = a->sample;
    } else {
        s->batch = sl->full.data;
        s->nsamples = 1;
    }
}

/* ---- sixel ---- */

#define SIXEL_PROBE_MS 400
#define SIXEL_MAX_PX 2000

/* The graphics mode, decided as the explorer decides it (rs_graphics_decide): --graphics, then
 * RNNSCOPE_GRAPHICS, then the terminal; output that is not a terminal takes the locale's text.
 * The terminal is asked (which may take SIXEL_PROBE_MS) only when its answer matters: for a
 * heatmap with --graphics auto. The cell size in pixels comes from the same answers. */
static rs_term_graphics plot_graphics(const plot_args *a, bool heatmap, int *cell_w, int *cell_h)
{
    rs_term_env env;
    rs_term_env_from_process(&env);
    rs_term_caps caps = {0};
    bool tty = isatty(STDOUT_FILENO);
    int fd = -1;
    if (heatmap && a->graphics == RS_TERM_AUTO && tty &&
        (fd = open("/dev/tty", O_RDWR | O_NOCTTY)) >= 0) {
        rs_error err;
        if (rs_term_probe(fd, SIXEL_PROBE_MS, &caps, &err) < 0)
            memset(&caps, 0, sizeof caps);
    }
    rs_term_cell_size(&caps, fd >= 0 ? fd : STDOUT_FILENO, cell_w, cell_h);
    if (fd >= 0)
        close(fd);
    return rs_graphics_decide(a->graphics, tty ? &caps : NULL, &env, NULL, 0);
}

/* A sixel image placed over the blank cells `box` of a picture h rows high that was just
 * printed (the cursor is at the start of the line under it): save the cursor, go up and right
 * to the box, the image, restore the cursor. Appended to *text. */
static int place_image(char **text, const rs_sixel_image *img, rs_rect box, int h, rs_error *err)
{
    char move[48];
    snprintf(move, sizeof move, "\0337\033[%dA\033[%dG", h - box.y, box.x + 1);
    size_t had = strlen(*text), n = had + strlen(move) + img->len + 3;
    char *grown = realloc(*text, n);
    if (!grown)
        return rs_fail(err, "plot", "out of memory");
    snprintf(grown + had, n - had, "%s%s\0338", move, img->bytes);
    *text = grown;
    return 0;
}

/* The heatmap's map and colour bar strip, which the view left blank, as sixel images over the
 * printed picture (its axes, labels and markers are the text around them). */
static int sixel_images(char **text, const rs_view_state *vs, int h, int cell_w, int cell_h,
                        rs_error *err)
{
    rs_rect map = vs->heat.boxes.map, bar = vs->heat.boxes.bar;
    rs_matrix m;
    float *copy;
    double lo, hi;
    if (map.w < 1 || map.h < 1)
        return 0;
    if (rs_view_heatmap_prepare(vs, &m, &copy, &lo, &hi, err) < 0)
        return -1;
    int pw = map.w * cell_w, ph = map.h * cell_h / 6 * 6; /* never below its cells */
    pw = pw > SIXEL_MAX_PX ? SIXEL_MAX_PX : pw;
    ph = ph > SIXEL_MAX_PX ? SIXEL_MAX_PX : ph < 6 ? 6 : ph;
    rs_sixel_image img;
    int rc = rs_sixel_heatmap(&m, pw, ph, vs->cmap, lo, hi, vs->agg, &img, err);
    free(copy);
    if (rc == 0) {
        rc = place_image(text, &img, map, h, err);
        rs_sixel_free(&img);
    }
    int bw = bar.w * cell_w, bh = cell_h / 6 * 6;
    if (rc == 0 && bar.w >= 1 && bh >= 6 && bw <= SIXEL_MAX_PX &&
        (rc = rs_sixel_colorbar(bw, bh, vs->cmap, &img, err)) == 0) {
        rc = place_image(text, &img, bar, h, err);
        rs_sixel_free(&img);
    }
    return rc;
}

/* Write all of s; false on an error other than a closed pipe (which ends quietly). */
static bool write_out(const char *s, bool *closed)
{
    size_t n = strlen(s);
    if (fwrite(s, 1, n, stdout) != n || fflush(stdout) != 0) {
        if (errno == EPIPE) {
            *closed = true;
            return true;
        }
        return false;
    }
    return true;
}

/* Cut the stats line to w columns at a field boundary (two spaces), never inside a number. */
static void fit_line(char *line, int w)
{
    while ((int)strlen(line) > w) {
        char *cut = NULL;
        for (char *p = strstr(line, "  "); p && p - line <= w; p = strstr(p + 2, "  "))
            cut = p;
        if (!cut) {
            line[w] = '\0';
            return;
        }
        *cut = '\0';
    }
}

static int height_for(const plot_args *a, int term_rows)
{
    if (a->height)
        return a->height;
    int h = term_rows > 4 ? term_rows - 1 : 20; /* all but the prompt's line */
    return h > 60 ? 60 : h;
}

/* --strip: the timestep importance of the sample drawn ((T, C) full), as the explorer's strip
 * (rs_timestep_importance of the gradient), into *imp (1, T). */
static int strip_values(const rs_matrix *full, rs_tensor *imp, rs_error *err)
{
    rs_tensor g = {0};
    if (rs_tensor_alloc_dims(&g, err, 3, (size_t)1, full->rows, full->cols) < 0)
        return -1;
    for (size_t r = 0; r < full->rows; r++)
        for (size_t c = 0; c < full->cols; c++)
            g.data[r * full->cols + c] = rs_matrix_at(full, r, c);
    int rc = rs_timestep_importance(&g, imp, err);
    rs_tensor_free(&g);
    return rc;
}

/* The stats line of m (of t, drawn in view v) into line. */
static void stats_line(const plot_args *a, const rs_tensor *t, rs_matrix m, view v, char *line,
                       size_t len)
{
    rs_stats s;
    rs_stats_matrix(&m, &s);
    for (int i = 1; v == RS_VIEW_WEIGHTS && i < a->desc.n_weights; i++) {
        /* NaN and Inf anywhere in the layer's weights shown */
        const rs_matrix *wm = &a->desc.weights[i].m;
        rs_stats_add_nonfinite(&s, wm->data, wm->rows * wm->cols);
    }
    size_t shape[2] = {m.rows, m.cols};
    rs_stats_format(&s, t->rank <= 1 ? 1 : 2, shape, line, len);
}

/* The line (cut to the width) and the picture of view v of the state, on stdout. */
static int draw_and_print(const plot_args *a, rs_view_state *vs_in, char *line, view v,
                          rs_term_graphics mode, int cell_w, int cell_h, rs_error *err)
{
    rs_view_state vs = *vs_in;
    rs_style st = vs.style;
    int cols = 80, rows = 0;
    terminal_size(&cols, &rows);
    int w = a->width ? a->width : cols, h = height_for(a, rows);
    bool header = h >= 2; /* the stats line is one of the H lines; --height 1: the picture */
    h -= header;
    /* images go over the picture once it is printed: all of it must be on the screen (a
     * --height taller than the terminal scrolls its top away; the map is then text) */
    vs.images = v == RS_VIEW_HEATMAP && (rows <= 0 || h + 2 <= rows) && mode == RS_TERM_SIXEL;
    rs_canvas c;
    if (rs_canvas_init(&c, w, h, err) < 0)
        return -1;
    if (rs_view_draw((rs_view_id)v, &c, rs_canvas_rect(&c), &vs, err) < 0) {
        rs_error_prefix(err, a->data);
        rs_canvas_free(&c);
        return -1;
    }
    char *pic = rs_canvas_ansi(&c, st.depth);
    rs_canvas_free(&c);
    if (!pic)
        return rs_fail(err, "plot", "out of memory");
    if (vs.images && vs.heat.drawn && sixel_images(&pic, &vs, h, cell_w, cell_h, err) < 0) {
        free(pic);
        return -1;
    }
    fit_line(line, w);
    bool closed = false, ok = (!header || (write_out(line, &closed) &&
                                           (closed || write_out("\n", &closed)))) &&
                              (closed || write_out(pic, &closed));
    free(pic);
    if (!ok)
        return rs_fail(err, "standard output", "%s", strerror(errno));
    return 0;
}

static int print_picture(const plot_args *a, const rs_tensor *t, const slice *sl,
                         const float *strip, rs_error *err)
{
    rs_matrix m = a->transpose ? rs_matrix_transpose(sl->sel) : sl->sel;
    rs_view_state vs;
    fill_state(a, t, sl, &vs);
    /* the default: the table's for what a layer's output is; an array given with --data is
     * drawn as lines (or bars) whatever its shape */
    unsigned kind = t->rank <= 1 || vs.full.rows <= 1 ? RS_FOR_VECTOR
                    : a->model ? rs_view_output_kind(&vs) : RS_FOR_SEQUENCE;
    view v = a->view != V_DEFAULT ? a->view : (view)rs_view_default(kind);
    int cell_w, cell_h;
    rs_term_graphics mode = plot_graphics(a, v == RS_VIEW_HEATMAP, &cell_w, &cell_h);
    vs.style = output_style(a, mode);
    vs.strip = strip;
    float *reflected = NULL;
    int reflect = a->reflect_half ? rs_view_reflect_half(&vs, &reflected, err) : 0;
    if (reflect < 0)
        return -1;
    if (a->reflect_half && !reflect)
        return rs_fail(err, a->data, "--reflect-half: not the output of a layer with a backward "
                       "direction (a Bidirectional, merged by concatenation)");
    char line[512];
    stats_line(a, t, m, v, line, sizeof line);
    int rc = draw_and_print(a, &vs, line, v, mode, cell_w, cell_h, err);
    free(reflected);
    return rc;
}

/* Weights view of a layer: its description (the model stays open while it is drawn), and its
 * first weight as the array whose numbers the stats line gives. */
static int layer_weights(plot_args *a, const rs_node *n, const rs_node *nb, rs_tensor *first)
{
    rs_error err = {0};
    if (n->n_weights == 0) {
        cli_error("%s: layer %s (%s) has no weights", a->model, n->name, n->class_name);
        return EXIT_FAIL;
    }
    /* --compare: B's weights, or A - B's, drawn; the other checkpoint's covered by the scales */
    const rs_node *shown = nb && a->show == RS_SHOW_B ? nb : n;
    bool diff = nb && a->show == RS_SHOW_DIFF;
    if (diff && rs_weights_diff(n, nb, &a->desc, &a->diff_weights, &err) < 0) {
        cli_error("%s", err.msg);
        return EXIT_FAIL;
    }
    if (!diff)
        rs_node_describe(shown, &a->desc);
    if (nb && !diff) {
        rs_node_describe(shown == n ? nb : n, &a->also_desc);
        a->have_also_desc = true;
    }
    if (a->wgrads) { /* --grad: the same pictures of d objective / d each weight */
        rs_describe_over(n, &a->desc, a->wgrads);
        rs_gate_notes_make(n, a->wgrads, &a->notes);
    }
    const rs_matrix *m = &a->desc.weights[0].m;
    size_t shape[2] = {m->rows, m->cols};
    if ((diff ? rs_tensor_diff(&n->weights[0].value, &nb->weights[0].value, first, &err)
              : rs_tensor_copy(first, a->wgrads ? &a->wgrads[0] : &shown->weights[0].value,
                               &err)) < 0 ||
        rs_tensor_reshape(first, 2, shape, &err) < 0) {
        cli_error("%s", err.msg);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

/* --compare: B's output of the layer (B's run holds the same input); t holds A's and becomes
 * what is drawn (A, B or A - B), a->also the one of A and B not drawn. */
static int compare_outputs(plot_args *a, rs_run *run_b, int node, int k, rs_tensor *t)
{
    rs_error err = {0};
    const rs_tensor *out_b;
    rs_tensor d = {0};
    if (rs_run_output(run_b, node, k, &out_b, &err) < 0 ||
        (a->show == RS_SHOW_A && rs_tensor_copy(&a->also, out_b, &err) < 0) ||
        (a->show == RS_SHOW_DIFF && rs_tensor_diff(t, out_b, &d, &err) < 0)) {
        cli_error("%s", err.msg);
        return EXIT_FAIL;
    }
    if (a->show == RS_SHOW_B) {
        rs_tensor_move(&a->also, t);
        if (rs_tensor_copy(t, out_b, &err) < 0) {
            cli_error("%s", err.msg);
            return EXIT_FAIL;
        }
    }
    if (a->show == RS_SHOW_DIFF)
        rs_tensor_move(t, &d);
    return EXIT_OK;
}

/* The output as the views draw it: a gates internal (N, T, gates, units) as (N, T, gates x
 * units), gate g in its own columns; a batch of one sample as the sample. */
static void shape_for_view(const plot_args *a, int k, rs_tensor *t)
{
    rs_error err;
    if (!t->data)
        return;
    /* a (N, T, gates, units) internal: (N, T, gates x units), gate g in its own columns */
    if (a->desc.outputs[k].gates > 1 && t->rank == 4) {
        size_t shape[3] = {t->shape[0], t->shape[1], t->shape[2] * t->shape[3]};
        rs_tensor_reshape(t, 3, shape, &err);
    }
    /* a view of the whole batch (samples, values) of vectors (N, C): N samples of one step,
     * as the explorer holds them */
    if (a->view != V_DEFAULT && (rs_view_get((rs_view_id)a->view)->applies & RS_FOR_BATCH) &&
        t->rank == 2) {
        size_t shape[3] = {t->shape[0], 1, t->shape[1]};
        rs_tensor_reshape(t, 3, shape, &err);
    }
    /* a batch of one sample: draw the sample, not a batch of one */
    if (t->rank >= 2 && t->shape[0] == 1 && t->rank != 3) {
        size_t shape[RS_MAX_RANK];
        memcpy(shape, t->shape + 1, sizeof(size_t) * (size_t)(t->rank - 1));
        rs_tensor_reshape(t, t->rank - 1, shape, &err);
    }
}

/* The model form: run the model and take the layer's output (a copy) as the array to draw.
 * Prints its errors; returns an exit status. */
static int layer_output(plot_args *a, rs_tensor *t, rs_model **opened)
{
    rs_model *m = NULL;
    int rc = cli_open_model(a->model, &a->in, &m);
    *opened = m; /* the caller frees it: the weights view draws from its weights */
    if (rc != EXIT_OK)
        return rc;
    rs_error err = {0};
    rs_tensor batch[CLI_MAX_INPUTS] = {0};
    rs_run *run = NULL, *run_b = NULL;
    const rs_tensor *out;
    if (a->compare && (rc = cli_open_compare(m, a->compare, &a->b)) != EXIT_OK)
        return rc;
    int node = rs_model_find_node(m, a->layer, &err), k = (int)a->output;
    if (node < 0) {
        cli_error("%s: %s", a->model, err.msg);
        rc = EXIT_FAIL;
        goto done;
    }
    const rs_node *n = &m->nodes[node];
    if (a->internal) {
        k = -1;
        for (int i = n->n_outputs; i < n->n_outputs + n->n_internal; i++)
            if (n->out_names && n->out_names[i] && strcmp(n->out_names[i], a->internal) == 0)
                k = i;
    }
    if (k < 0 || k >= n->n_outputs + (a->internal ? n->n_internal : 0)) {
        cli_error("%s: layer %s (%s) has no %s %s", a->model, n->name, n->class_name,
                  a->internal ? "internal" : "output", a->internal ? a->internal : "of that index");
        rc = EXIT_FAIL;
        goto done;
    }
    snprintf(a->layer_name, sizeof a->layer_name, "%s", n->name);
    rs_node_describe(n, &a->desc);
    a->out_index = k;
    a->data = a->layer_name; /* the name in messages about the array */
    if (a->view == RS_VIEW_WEIGHTS && !a->grad) {
        rc = layer_weights(a, n, a->b ? &a->b->nodes[node] : NULL, t);
        goto done;
    }
    char desc[256];
    if ((rc = cli_build_inputs(m, &a->in, batch, desc, sizeof desc)) != EXIT_OK)
        goto done;
    if ((a->b && (!(run_b = rs_run_new(a->b, &err)) ||
                  rs_run_set_inputs(run_b, batch, a->b->n_inputs, &err) < 0)) ||
        !(run = rs_run_new(m, &err)) || rs_run_take_inputs(run, batch, m->n_inputs, &err) < 0 ||
        (!a->grad && (rs_run_output(run, node, k, &out, &err) < 0 || rs_tensor_copy(t, out, &err) < 0))) {
        cli_error("%s", err.msg);
        rc = EXIT_FAIL;
        goto done;
    }
    if (a->grad && a->view == RS_VIEW_WEIGHTS) {
        if (n->n_weights > 0 && !(a->wgrads = calloc((size_t)n->n_weights, sizeof *a->wgrads))) {
            cli_error("%s: out of memory", a->model);
            rc = EXIT_FAIL;
        }
        a->n_wgrads = n->n_weights;
        if (rc == EXIT_OK && n->n_weights > 0)
            rc = cli_weight_gradients(run, a->model, &a->obj, &a->in, node, a->wgrads);
        if (rc == EXIT_OK)
            rc = layer_weights(a, n, NULL, t);
        goto done;
    }
    if (a->grad && (rc = cli_layer_gradient(run, a->model, &a->obj, &a->in, node, k, t)) != EXIT_OK)
        goto done;
    if (a->b && (rc = compare_outputs(a, run_b, node, k, t)) != EXIT_OK)
        goto done;
    shape_for_view(a, k, t);
    shape_for_view(a, k, &a->also);
done:
    rs_run_free(run);
    rs_run_free(run_b);
    for (int i = 0; i < CLI_MAX_INPUTS; i++)
        rs_tensor_free(&batch[i]);
    if (rc != EXIT_OK)
        rs_tensor_free(t);
    return rc;
}

/* The timeline picture of node n: its line names the layer, the checkpoint at --cursor and
 * those that did not load (rs_timeline_note, as the explorer's status line). */
static int print_timeline(plot_args *a, const rs_node *n, const rs_timeline_pic *pic,
                          const rs_timeline_cols *cols)
{
    rs_error err = {0};
    rs_node_describe(n, &a->desc);
    rs_view_state vs;
    rs_view_state_init(&vs);
    vs.layer = n->n_weights ? &a->desc : NULL;
    vs.timeline = &pic->view;
    vs.cmap = a->cmap;
    vs.cursor = a->cursor;
    vs.have_cursor = a->have_cursor;
    int cell_w, cell_h;
    rs_term_graphics mode = plot_graphics(a, false, &cell_w, &cell_h);
    vs.style = output_style(a, mode);
    char note[1024], line[1200];
    rs_timeline_note(cols, a->have_cursor ? a->cursor : SIZE_MAX,
                     vs.style.graphics == RS_GFX_UNICODE, note, sizeof note);
    snprintf(line, sizeof line, "%s over %zu checkpoints%s%s", cli_shown(n->name),
             cols->listed.n, note[0] ? ": " : "", note);
    if (draw_and_print(a, &vs, line, RS_VIEW_TIMELINE, mode, cell_w, cell_h, &err) < 0) {
        cli_error("%s", err.msg);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

/* plot DIR --view timeline --layer NAME: the layer over every checkpoint of the directory as
 * the explorer opened on DIR draws it: the newest checkpoint's architecture and input, the
 * same statistics (from the cache of `timeline` when it has them), the same picture. */
static int plot_timeline(plot_args *a)
{
    rs_model *m = NULL;
    rs_tensor batch[CLI_MAX_INPUTS] = {0};
    rs_timeline tl = {0};
    rs_timeline_cols cols = {0};
    rs_timeline_pic pic = {0};
    rs_error err = {0};
    char desc[256];
    int node = -1, rc = cli_open_newest(a->model, &a->in, &m);
    if (rc == EXIT_OK && (node = rs_model_find_node(m, a->layer, &err)) < 0) {
        cli_error("%s: %s", a->model, err.msg);
        rc = EXIT_FAIL;
    }
    if (rc == EXIT_OK)
        rc = cli_build_inputs(m, &a->in, batch, desc, sizeof desc);
    if (rc == EXIT_OK) {
        snprintf(a->layer_name, sizeof a->layer_name, "%s", m->nodes[node].name);
        a->data = a->layer_name; /* the name in messages about the picture */
        if (rs_timeline_open(a->model, m, a->in.weights, batch, true, &tl, &cols, &err) < 0 ||
            rs_timeline_pic_make(&pic, &tl, &cols, m->nodes[node].name, &err) < 0) {
            cli_error("%s", err.msg);
            rc = EXIT_FAIL;
        }
    }
    if (rc == EXIT_OK && a->have_cursor && a->cursor >= cols.listed.n) {
        cli_error("%s: --cursor %zu: the directory has %zu checkpoints (0 = the oldest)",
                  a->model, a->cursor, cols.listed.n);
        rc = EXIT_FAIL;
    }
    if (rc == EXIT_OK)
        rc = print_timeline(a, &m->nodes[node], &pic, &cols);
    rs_timeline_pic_free(&pic);
    rs_timeline_cols_free(&cols);
    rs_timeline_free(&tl);
    for (int i = 0; i < CLI_MAX_INPUTS; i++)
        rs_tensor_free(&batch[i]);
    rs_model_free(m);
    return rc;
}

/* Ended by a signal while writing to a terminal (rnnscope/signals.h): close a sixel image
 * cut off in the middle (ST) and reset the colours, so the shell's prompt comes back plain. */
static void end_picture_on_signal(void *arg)
{
    static const char reset[] = "\033\\\033[0m\n";
    ssize_t ignored = write(STDOUT_FILENO, reset, sizeof reset - 1);
    (void)arg;
    (void)ignored;
}

int cmd_plot(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    signal(SIGPIPE, SIG_IGN);
    if (isatty(STDOUT_FILENO))
        rs_signal_hook_add(end_picture_on_signal, NULL); /* until the program ends */
    plot_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0) {
        free(a.channels);
        return rc;
    }
    if (a.view == RS_VIEW_TIMELINE) {
        rc = plot_timeline(&a);
        free(a.channels);
        return rc;
    }
    rs_error err = {0};
    rs_tensor t = {0};
    slice s = {0};
    rs_model *model = NULL;
    if (a.model) {
        rc = layer_output(&a, &t, &model);
    } else if ((rc = cli_apply_memcap(&a.in)) == EXIT_OK && read_array(a.data, &t, &err) < 0) {
        cli_error("%s", err.msg);
        rc = EXIT_FAIL;
    }
    rs_tensor strip = {0};
    if (rc == EXIT_OK && (select_slice(&a, &t, &s, &err) < 0 || describe_data(&a, &s, &err) < 0 ||
                          (a.strip && s.full.rows > 1 && strip_values(&s.full, &strip, &err) < 0) ||
                          print_picture(&a, &t, &s, strip.data, &err) < 0)) {
        cli_error("%s", err.msg);
        rc = EXIT_FAIL;
    }
    rs_tensor_free(&s.copy);
    rs_tensor_free(&strip);
    rs_tensor_free(&t);
    for (int i = 0; i < a.n_wgrads && a.wgrads; i++)
        rs_tensor_free(&a.wgrads[i]);
    free(a.wgrads);
    rs_tensor_free(&a.w_rec);
    rs_tensor_free(&a.w_bias);
    rs_model_free(model);
    rs_model_free(a.b);
    rs_tensor_free(&a.also);
    free(a.diff_weights);
    free(a.channels);
    return rc;
}

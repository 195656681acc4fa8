/* rnnscope timeline DIR [--layer NAME] [INPUT OPTIONS] [--format text|tsv] [--hist]: the
 * checkpoints of a training run in order (epoch in the name, else mtime), one row per
 * checkpoint and layer: weight norm (per gate for recurrent layers), the output's mean and std
 * on the input, the share of saturated gate activations, the attention entropy; then a heatmap
 * of one layer's weight histogram over the checkpoints (TensorBoard's "distributions": x the
 * checkpoint, y the bins). Statistics are cached per checkpoint and input
 * ($XDG_CACHE_HOME/rnnscope): the second run over a directory loads nothing. */
#include <getopt.h>
#include <langinfo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "model_io.h"
#include "rnnscope/canvas.h"
#include "rnnscope/ckpt.h"
#include "rnnscope/ckpt_stats.h"
#include "rnnscope/plot.h"

enum { OPT_LAYER = OPT_FIRST_FREE, OPT_FORMAT, OPT_HIST, OPT_BINS, OPT_WIDTH, OPT_NO_CACHE, OPT_HELP };

typedef struct timeline_args {
    const char *dir, *layer;
    bool tsv, hist, no_cache;
    unsigned long bins, width;
    input_opts in;
} timeline_args;

static void timeline_usage(FILE *f)
{
    fputs("Usage: rnnscope timeline DIR [--layer NAME] [--input FILE ... | --random SEED]\n"
          "                     [--sample N] [--format text|tsv] [--hist] [--bins N] [--width W]\n"
          "                     [--no-cache] [--max-memory SIZE] [--threads N]\n"
          "\n"
          "The checkpoints in DIR (.h5 .hdf5 .keras .json), ordered by the epoch number in their\n"
          "names (else by modification time): per checkpoint and layer the weight norm (per\n"
          "gate), the output's mean and std on the input, the share of saturated gate\n"
          "activations (|g - 0.5| > 0.45), the attention entropy; then a heatmap of the\n"
          "layer's weight histogram across checkpoints. --format tsv: tab-separated rows;\n"
          "--hist: the histogram's rows too. Statistics are cached in $XDG_CACHE_HOME/rnnscope.\n",
          f);
}

static int parse_args(int argc, char **argv, timeline_args *a)
{
    static const struct option opts[] = {
        INPUT_LONG_OPTIONS,
        {"layer", required_argument, 0, OPT_LAYER},
        {"format", required_argument, 0, OPT_FORMAT},
        {"hist", no_argument, 0, OPT_HIST},
        {"bins", required_argument, 0, OPT_BINS},
        {"width", required_argument, 0, OPT_WIDTH},
        {"no-cache", no_argument, 0, OPT_NO_CACHE},
        {"help", no_argument, 0, OPT_HELP},
        {0, 0, 0, 0},
    };
    memset(a, 0, sizeof *a);
    a->bins = 24;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        int taken = input_opts_take(&a->in, "timeline", c, optarg);
        if (taken < 0)
            return EXIT_USAGE;
        if (taken)
            continue;
        switch (c) {
        case OPT_LAYER: a->layer = optarg; break;
        case OPT_HIST: a->hist = true; break;
        case OPT_NO_CACHE: a->no_cache = true; break;
        case OPT_FORMAT:
            if (!cli_parse_format("timeline", optarg, &a->tsv))
                return EXIT_USAGE;
            break;
        case OPT_BINS:
        case OPT_WIDTH: {
            unsigned long v;
            if (!parse_count(optarg, &v) || v < 2 || v > RS_CANVAS_MAX_SIDE) {
                cli_error("timeline: %s needs a number from 2 to %d, not '%s'",
                          c == OPT_BINS ? "--bins" : "--width", RS_CANVAS_MAX_SIDE, optarg);
                return EXIT_USAGE;
            }
            *(c == OPT_BINS ? &a->bins : &a->width) = v;
            break;
        }
        case OPT_HELP: timeline_usage(stdout); exit(EXIT_OK);
        case ':': cli_error("timeline: %s needs a value", argv[optind - 1]); return EXIT_USAGE;
        default: cli_error("timeline: unknown option '%s'; try 'rnnscope timeline --help'", argv[optind - 1]); return EXIT_USAGE;
        }
    }
    if (optind < argc)
        a->dir = argv[optind++];
    if (optind < argc) {
        cli_error("timeline: unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    if (!a->dir) {
        cli_error("timeline: DIR is required; try 'rnnscope timeline --help'");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* ---- statistics of every checkpoint, from the cache or computed (src/ckpt/timeline.c) ---- */

typedef struct timeline {
    rs_timeline all;            /* the checkpoints and their statistics */
    rs_model *first;            /* the first checkpoint: the architecture and the input */
    rs_tensor batch[CLI_MAX_INPUTS];
    char desc[256];
} timeline;

static int gather(const timeline_args *a, timeline *tl)
{
    rs_error err = {0};
    int rc = rs_timeline_gather(&tl->all, tl->first, a->in.weights, tl->batch, !a->no_cache, &err);
    for (size_t i = 0; i < tl->all.n_skipped; i++) /* as --watch: a checkpoint being written */
        cli_error("%s (skipped)", tl->all.skipped[i].msg);
    if (rc < 0) {
        cli_error("%s", err.msg);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

/* ---- output ---- */

static void gate_list(const rs_layer_stats *s, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int g = 0; g < s->n_gates && used < len; g++)
        used += (size_t)snprintf(buf + used, len - used, "%s%.6g", g ? "," : "", s->gate_norm[g]);
    if (!s->n_gates)
        snprintf(buf, len, "-");
}

static void print_row(bool tsv, const rs_ckpt *c, const rs_layer_stats *s)
{
    char gates[256], epoch[32];
    gate_list(s, gates, sizeof gates);
    snprintf(epoch, sizeof epoch, "%ld", c->epoch);
    const char *file = strrchr(c->path, '/') ? strrchr(c->path, '/') + 1 : c->path;
    if (tsv)
        printf("%s\t%s\t%s\t%.9g\t%s\t%.9g\t%.9g\t%.9g\t%.9g\n", c->epoch < 0 ? "-" : epoch,
               cli_shown(file), cli_shown(s->name), s->weight_norm, gates, s->out_mean,
               s->out_std, s->saturated, s->att_entropy);
    else
        printf("%5s  %-24s %-16s %10.4g  %-30s %10.4g %10.4g %8.4g %8.4g\n",
               c->epoch < 0 ? "-" : epoch, cli_shown(file), cli_shown(s->name), s->weight_norm,
               gates, s->out_mean, s->out_std, s->saturated, s->att_entropy);
}

static void print_table(const timeline_args *a, const timeline *tl, const char *only)
{
    if (a->tsv)
        printf("epoch\tfile\tlayer\tweight_norm\tgate_norms\tout_mean\tout_std\tsaturated\t"
               "attention_entropy\n");
    else
        printf("%s: %zu checkpoints, ordered by %s; input: %s\n\n%5s  %-24s %-16s %10s  %-30s "
               "%10s %10s %8s %8s\n", cli_shown(a->dir), tl->all.ckpts.n,
               tl->all.ckpts.by_epoch ? "the epoch in their names" : "modification time",
               cli_shown(tl->desc), "epoch", "file", "layer", "|W|", "|W| per gate", "out mean",
               "out std", "sat.", "att. H");
    for (size_t i = 0; i < tl->all.ckpts.n; i++)
        for (int l = 0; l < tl->all.stats[i].n; l++)
            if (!only || strcmp(tl->all.stats[i].layers[l].name, only) == 0)
                print_row(a->tsv, &tl->all.ckpts.items[i], &tl->all.stats[i].layers[l]);
}

static void print_hist_tsv(const timeline *tl, const char *layer, int bins, const double *shares,
                           double lo, double hi)
{
    printf("\nepoch\tfile\tlayer\tbin\tbin_lo\tbin_hi\tshare\n");
    for (size_t i = 0; i < tl->all.ckpts.n; i++) {
        const rs_ckpt *c = &tl->all.ckpts.items[i];
        const char *file = strrchr(c->path, '/') ? strrchr(c->path, '/') + 1 : c->path;
        for (int b = 0; b < bins; b++)
            printf("%ld\t%s\t%s\t%d\t%.9g\t%.9g\t%.9g\n", c->epoch, cli_shown(file),
                   cli_shown(layer), b, lo + (hi - lo) * b / bins, lo + (hi - lo) * (b + 1) / bins,
                   shares[i * (size_t)bins + (size_t)b]);
    }
}

/* The heatmap: rows the bins (highest values on top), columns the checkpoints. */
static int print_heatmap(const timeline_args *a, const timeline *tl, const char *layer, int bins,
                         const double *shares, double lo, double hi)
{
    size_t n = tl->all.ckpts.n;
    float *m = malloc(n * (size_t)bins * sizeof *m);
    if (!m)
        return EXIT_FAIL;
    for (int b = 0; b < bins; b++)
        for (size_t c = 0; c < n; c++)
            m[(size_t)(bins - 1 - b) * n + c] = (float)shares[c * (size_t)bins + (size_t)b];
    const char *cs = nl_langinfo(CODESET), *no_color = getenv("NO_COLOR");
    rs_heatmap_opts o;
    rs_heatmap_defaults(&o);
    o.style.graphics = cs && strcmp(cs, "UTF-8") == 0 ? RS_GFX_UNICODE : RS_GFX_ASCII;
    o.style.depth = isatty(STDOUT_FILENO) && !(no_color && *no_color) ? RS_DEPTH_256 : RS_DEPTH_NONE;
    o.cmap = RS_CMAP_VIRIDIS;
    o.norm.mode = RS_NORM_MINMAX;
    rs_canvas cv;
    rs_error err = {0};
    rs_matrix mx = rs_matrix_make(m, (size_t)bins, n);
    int w = a->width ? (int)a->width : 80, h = bins / 2 + 4;
    char *pic = NULL;
    if (rs_canvas_init(&cv, w, h, &err) == 0) {
        if (rs_heatmap_draw(&cv, rs_canvas_rect(&cv), &mx, &o, &err) == 0)
            pic = rs_canvas_ansi(&cv, o.style.depth);
        rs_canvas_free(&cv);
    }
    free(m);
    if (!pic) {
        cli_error("timeline: %s", err.msg[0] ? err.msg : "out of memory");
        return EXIT_FAIL;
    }
    printf("\nweights of %s across checkpoints: x = checkpoint (0 = oldest), y = %d bins from "
           "%.4g (top) to %.4g (bottom), colour = share of the weights\n%s", cli_shown(layer),
           bins, hi, lo, pic);
    free(pic);
    return EXIT_OK;
}

/* The layer of the histogram: --layer, else the first with weights. */
static const char *hist_layer(const timeline *tl, const char *only)
{
    if (only)
        return only;
    for (int l = 0; l < tl->all.stats[0].n; l++)
        if (tl->all.stats[0].layers[l].n_weights)
            return tl->all.stats[0].layers[l].name;
    return NULL;
}

static int report(const timeline_args *a, timeline *tl)
{
    const char *only = NULL;
    if (a->layer) {
        rs_error err = {0};
        int node = rs_model_find_node(tl->first, a->layer, &err);
        if (node < 0) {
            cli_error("%s: %s", tl->all.ckpts.items[0].path, err.msg);
            return EXIT_FAIL;
        }
        only = tl->first->nodes[node].name;
    }
    int rc = gather(a, tl);
    if (rc != EXIT_OK)
        return rc;
    print_table(a, tl, only);
    const char *layer = hist_layer(tl, only);
    if (!layer || (a->tsv && !a->hist))
        return EXIT_OK;
    double lo, hi, *shares = rs_timeline_hist(&tl->all, layer, (int)a->bins, &lo, &hi);
    if (!shares) {
        cli_error("%s: out of memory", a->dir);
        return EXIT_FAIL;
    }
    if (a->tsv)
        print_hist_tsv(tl, layer, (int)a->bins, shares, lo, hi);
    else
        rc = print_heatmap(a, tl, layer, (int)a->bins, shares, lo, hi);
    free(shares);
    return rc;
}

int cmd_timeline(int argc, char **argv)
{
    timeline_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != EXIT_OK)
        return rc;
    timeline tl = {0};
    rs_error err = {0};
    if (rs_ckpt_list_dir(a.dir, &tl.all.ckpts, &err) < 0) {
        cli_error("%s", err.msg);
        return EXIT_FAIL;
    }
    if (tl.all.ckpts.links)
        cli_error("%s: %zu symbolic link%s skipped: checkpoints are read from the directory's own "
                  "files only", a.dir, tl.all.ckpts.links, tl.all.ckpts.links == 1 ? "" : "s");
    if (tl.all.ckpts.n == 0) {
        cli_error("%s: no checkpoint (.h5, .hdf5, .keras, .json) in the directory", a.dir);
        rs_ckpt_list_free(&tl.all.ckpts);
        return EXIT_FAIL;
    }
    if ((rc = cli_open_model(tl.all.ckpts.items[0].path, &a.in, &tl.first)) == EXIT_OK &&
        (rc = cli_build_inputs(tl.first, &a.in, tl.batch, tl.desc, sizeof tl.desc)) == EXIT_OK)
        rc = report(&a, &tl);
    for (int i = 0; i < CLI_MAX_INPUTS; i++)
        rs_tensor_free(&tl.batch[i]);
    rs_model_free(tl.first);
    rs_timeline_free(&tl.all);
    return rc;
}

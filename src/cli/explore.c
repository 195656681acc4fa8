/* rnnscope [INPUT OPTIONS] [--graphics MODE] [--grad [OBJECTIVE]] [MODEL]: open the explorer
 * (no MODEL: the demo). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "model_io.h"
#include "objective_opts.h"
#include "rnnscope/ckpt.h"
#include "rnnscope/input.h"
#include "rnnscope/npy.h"
#include "rnnscope/tui.h"

#define DEMO_MODEL "demo/demo.h5"

enum { OPT_GRAPHICS = OPT_FIRST_FREE, OPT_MOUSE, OPT_KEYS, OPT_DUMP, OPT_HEADLESS, OPT_SIZE, OPT_WATCH,
       OPT_GRAD, OPT_COMPARE };

typedef struct explore_args {
    const char *model;
    const char *watch;     /* --watch PATH: a model file or a directory of checkpoints */
    const char *compare;   /* --compare B: a second checkpoint shown as B and A - B */
    input_opts in;
    rs_tui_options tui;
    objective_opts obj;  /* --grad: what is differentiated (the OBJECTIVE options of grad) */
    saliency_opts sal;   /* the InputLayer's attribution in gradient mode */
} explore_args;

/* The bundled demo: $RNNSCOPE_DATADIR, the source tree we were built from, the installed data. */
static const char *demo_path(char *buf, size_t len)
{
    const char *dirs[] = {getenv("RNNSCOPE_DATADIR"), RNNSCOPE_SRCDIR "/share/rnnscope",
                          RNNSCOPE_DATADIR};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        if (!dirs[i] || !*dirs[i])
            continue;
        snprintf(buf, len, "%s/%s", dirs[i], DEMO_MODEL);
        if (access(buf, R_OK) == 0)
            return buf;
    }
    return NULL;
}

static int parse_args(int argc, char **argv, explore_args *a)
{
    static const struct option opts[] = {
        INPUT_LONG_OPTIONS,
        {"graphics", required_argument, 0, OPT_GRAPHICS},
        {"mouse", no_argument, 0, OPT_MOUSE},
        {"keys", required_argument, 0, OPT_KEYS},
        {"dump-screen", required_argument, 0, OPT_DUMP},
        {"headless", no_argument, 0, OPT_HEADLESS},
        {"size", required_argument, 0, OPT_SIZE},
        {"watch", required_argument, 0, OPT_WATCH},
        {"grad", no_argument, 0, OPT_GRAD},
        OBJECTIVE_LONG_OPTIONS,
        SALIENCY_LONG_OPTIONS,
        {"compare", required_argument, 0, OPT_COMPARE},
        {0, 0, 0, 0},
    };
    memset(a, 0, sizeof *a);
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        int taken = input_opts_take(&a->in, "rnnscope", c, optarg);
        if (taken == 0)
            taken = objective_opts_take(&a->obj, "rnnscope", c, optarg);
        if (taken == 0)
            taken = saliency_opts_take(&a->sal, "rnnscope", c, optarg);
        if (taken < 0)
            return EXIT_USAGE;
        if (taken)
            continue;
        switch (c) {
        case OPT_GRAPHICS:
            if (!rs_graphics_parse(optarg, &a->tui.graphics)) {
                cli_error("unknown --graphics '%s' (auto, sixel, unicode, ascii)", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_MOUSE: a->tui.mouse = true; break;
        case OPT_KEYS: a->tui.keys_script = optarg; break;
        case OPT_DUMP: a->tui.dump_path = optarg; break;
        case OPT_HEADLESS: a->tui.headless = true; break;
        case OPT_WATCH: a->watch = optarg; break;
        case OPT_GRAD: a->tui.grad.start = true; break;
        case OPT_COMPARE: a->compare = optarg; break;
        case OPT_SIZE:
            if (sscanf(optarg, "%dx%d", &a->tui.headless_cols, &a->tui.headless_rows) != 2 ||
                a->tui.headless_cols < 1 || a->tui.headless_rows < 1 ||
                a->tui.headless_cols > 1000 || a->tui.headless_rows > 1000) {
                cli_error("--size needs COLSxROWS, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case ':': cli_error("%s needs a value", argv[optind - 1]); return EXIT_USAGE;
        default: cli_error("unknown option '%s'; try 'rnnscope --help'", argv[optind - 1]); return EXIT_USAGE;
        }
    }
    if (optind < argc)
        a->model = argv[optind++];
    if (optind < argc) {
        cli_error("unexpected argument '%s'; try 'rnnscope --help'", argv[optind]);
        return EXIT_USAGE;
    }
    if (a->watch && a->model) {
        cli_error("--watch PATH opens PATH: give no MODEL besides it");
        return EXIT_USAGE;
    }
    if (a->compare && ((!a->model && !a->watch) || a->tui.grad.start)) {
        cli_error("--compare B needs a MODEL A (or --watch A) to compare with, and no --grad");
        return EXIT_USAGE;
    }
    if (objective_opts_check(&a->obj, "rnnscope") != EXIT_OK ||
        saliency_opts_check(&a->sal, "rnnscope") != EXIT_OK)
        return EXIT_USAGE;
    if (a->tui.keys_script && !a->tui.headless && !isatty(STDIN_FILENO))
        a->tui.headless = true; /* a script without a terminal runs headless */
    return EXIT_OK;
}

typedef struct random_source {
    const rs_model *m;
} random_source;

static int regenerate(void *user, unsigned long seed, rs_tensor *batch, int n, rs_error *err)
{
    random_source *src = user;
    for (int i = 0; i < n; i++) {
        rs_tensor fresh;
        if (rs_random_input(src->m, i, seed, batch[i].shape[0], &fresh, err) < 0)
            return -1;
        rs_tensor_move(&batch[i], &fresh);
    }
    return 0;
}

/* --watch: the file, or the newest checkpoint of the directory, loaded now (as it is: the
 * user asked for it); the explorer then follows the watcher. */
static int open_watched(explore_args *a, rs_watch *w, rs_model **m)
{
    rs_error err = {0};
    int rc = cli_apply_memcap(&a->in);
    if (rc != EXIT_OK)
        return rc;
    if (rs_watch_init(w, a->watch, a->in.weights, &err) < 0) {
        cli_error("%s", err.msg);
        return EXIT_FAIL;
    }
    if (rs_watch_poll(w, rs_watch_now(), false, m) != 1) {
        cli_error("%s", w->error.msg[0] ? w->error.msg : "nothing to load");
        return EXIT_FAIL;
    }
    a->tui.watch = w;
    a->tui.timeline_dir = w->is_dir ? a->watch : NULL;
    return EXIT_OK;
}

/* Gradient mode's objective (as grad builds it: the labels of the whole batch, or of --sample)
 * and the InputLayer's saliency options (the --baseline read into *baseline). */
static int build_gradient_mode(explore_args *a, const rs_model *m, const char *path,
                               rs_tensor *labels, rs_tensor *baseline)
{
    rs_tui_grad *g = &a->tui.grad;
    int rc = cli_build_objective(m, path, &a->obj, &a->in, &g->obj, labels);
    if (rc != EXIT_OK)
        return rc;
    g->saliency = (rs_saliency_opts){a->sal.method, (int)a->sal.ig_steps, NULL};
    g->baseline_name = a->sal.baseline;
    if (!a->sal.baseline)
        return EXIT_OK;
    rs_error err = {0};
    if (rs_npy_read(a->sal.baseline, baseline, &err) < 0) {
        cli_error("%s", err.msg);
        return EXIT_FAIL;
    }
    g->saliency.baseline = baseline;
    return EXIT_OK;
}

/* --labels: one row per sample of the input (the explorer differentiates one sample at once). */
static int check_labels(const explore_args *a, const rs_tensor *labels, const rs_tensor *batch)
{
    size_t want = batch[0].rank > 0 ? batch[0].shape[0] : 1;
    if (!a->obj.labels || (labels->rank >= 1 && labels->shape[0] == want))
        return EXIT_OK;
    cli_error("%s: holds %zu samples, the input %zu (--labels)", a->obj.labels,
              labels->rank >= 1 ? labels->shape[0] : 0, want);
    return EXIT_FAIL;
}

/* MODEL is a directory of checkpoints: its newest, and the timeline view over all of them. */
static int open_dir(explore_args *a, rs_model **m)
{
    a->tui.timeline_dir = a->model;
    return cli_open_newest(a->model, &a->in, m);
}

int cmd_explore(int argc, char **argv)
{
    explore_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != EXIT_OK)
        return rc;
    char demo[4096];
    if (!a.model && !a.watch && !(a.model = demo_path(demo, sizeof demo))) {
        cli_error("no MODEL given and the bundled demo is not installed; try 'rnnscope --help'");
        return EXIT_FAIL;
    }
    rs_model *m = NULL;
    rs_watch watch = {.inotify_fd = -1}; /* freed on every path: no descriptor 0 to close */
    struct stat st;
    if (a.watch)
        rc = open_watched(&a, &watch, &m);
    else if (stat(a.model, &st) == 0 && S_ISDIR(st.st_mode))
        rc = open_dir(&a, &m);
    else
        rc = cli_open_model(a.model, &a.in, &m);
    rs_model *b = NULL;
    if (rc == EXIT_OK && a.compare && (rc = cli_open_compare(m, a.compare, &b)) == EXIT_OK)
        a.tui.compare = b;
    if (rc != EXIT_OK) {
        rs_model_free(m);
        rs_watch_free(&watch); /* --watch with a --compare B that failed */
        return rc;
    }
    rs_tensor batch[CLI_MAX_INPUTS] = {0}, labels = {0}, baseline = {0};
    char desc[256];
    const char *path = a.model ? a.model : a.watch;
    if ((rc = build_gradient_mode(&a, m, path, &labels, &baseline)) == EXIT_OK &&
        (rc = cli_build_inputs(m, &a.in, batch, desc, sizeof desc)) == EXIT_OK &&
        (rc = check_labels(&a, &labels, batch)) == EXIT_OK) {
        random_source src = {m};
        bool random = !a.in.n_files && strncmp(desc, "random", 6) == 0;
        rs_tui_input input = {batch, m->n_inputs, desc, a.in.have_sample ? (long)a.in.sample : 0,
                              random, a.in.seed, regenerate, &src};
        rs_error err = {0};
        if (rs_tui_run(m, &input, &a.tui, &err) < 0) {
            cli_error("%s", err.msg);
            rc = EXIT_FAIL;
        }
    }
    for (int i = 0; i < CLI_MAX_INPUTS; i++)
        rs_tensor_free(&batch[i]);
    rs_tensor_free(&labels);
    rs_tensor_free(&baseline);
    rs_model_free(m);
    rs_model_free(b);
    rs_watch_free(&watch);
    return rc;
}

/* rnnscope dump MODEL --layer NAME [--output K] [--internal gates|cell|attention] [INPUT OPTIONS] -o OUT:
 * one layer's output for the whole batch (or --sample), batch axis first, as .npy or .csv. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "model_io.h"
#include "rnnscope/ckpt.h"
#include "rnnscope/csv.h"
#include "rnnscope/npy.h"
#include "rnnscope/layer.h"
#include "rnnscope/run.h"

enum { OPT_LAYER = OPT_FIRST_FREE, OPT_OUTPUT, OPT_INTERNAL, OPT_COMPARE, OPT_SHOW, OPT_HELP };

typedef struct dump_args {
    const char *model, *layer, *out, *internal;
    unsigned long output;
    input_opts in;
    const char *compare; /* --compare B */
    rs_show show;        /* --show a|b|diff (default diff) */
} dump_args;

static void dump_usage(FILE *f)
{
    fputs("Usage: rnnscope dump MODEL --layer NAME [--output K] [--internal gates|cell|attention]\n"
          "                     [--input FILE ... | --random SEED] [--sample N]\n"
          "                     [--max-memory SIZE] [--compare B [--show a|b|diff]] -o OUT\n"
          "\n"
          "Write one layer's output, batch axis first, float32: OUT.npy (NumPy), OUT.csv (last\n"
          "axis = columns, the others flattened into rows) or - (.npy on standard output).\n"
          "OUT a directory: the file in it is named LAYER[.OUTPUT][.sN].npy (lstm_1.gates.s3.npy).\n"
          "NAME is the layer's name or a part of it that matches one layer only.\n"

          "--compare B: B is a checkpoint of MODEL's architecture run on the same input; write\n"
          "MODEL's output minus B's (--show diff, the default), or either one (a, b).\n",
          f);
}

static int parse_args(int argc, char **argv, dump_args *a)
{
    static const struct option opts[] = {
        INPUT_LONG_OPTIONS,
        {"layer", required_argument, 0, OPT_LAYER},
        {"output", required_argument, 0, OPT_OUTPUT},
        {"internal", required_argument, 0, OPT_INTERNAL},
        {"compare", required_argument, 0, OPT_COMPARE},
        {"show", required_argument, 0, OPT_SHOW},
        {"help", no_argument, 0, OPT_HELP},
        {0, 0, 0, 0},
    };
    memset(a, 0, sizeof *a);
    a->show = RS_SHOW_DIFF;
    bool show_given = false;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":o:", opts, NULL)) != -1) {
        int taken = input_opts_take(&a->in, "dump", c, optarg);
        if (taken < 0)
            return EXIT_USAGE;
        if (taken)
            continue;
        switch (c) {
        case OPT_LAYER: a->layer = optarg; break;
        case 'o': a->out = optarg; break;
        case OPT_INTERNAL: a->internal = optarg; break;
        case OPT_COMPARE: a->compare = optarg; break;
        case OPT_SHOW:
            if (!rs_show_parse(optarg, &a->show)) {
                cli_error("dump: --show is a, b or diff, not '%s'", optarg);
                return EXIT_USAGE;
            }
            show_given = true;
            break;
        case OPT_OUTPUT:
            if (!parse_count(optarg, &a->output)) {
                cli_error("dump: --output needs an output index, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_HELP: dump_usage(stdout); exit(EXIT_OK);
        case ':': cli_error("dump: %s needs a value", argv[optind - 1]); return EXIT_USAGE;
        default: cli_error("dump: unknown option '%s'; try 'rnnscope dump --help'", argv[optind - 1]); return EXIT_USAGE;
        }
    }
    if (optind < argc)
        a->model = argv[optind++];
    if (optind < argc) {
        cli_error("dump: unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    if (show_given && !a->compare) {
        cli_error("dump: --show goes with --compare B");
        return EXIT_USAGE;
    }
    if (!a->model || !a->layer || !a->out) {
        cli_error("dump: %s is required; try 'rnnscope dump --help'",
                  !a->model ? "MODEL" : !a->layer ? "--layer NAME" : "-o OUT");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* Which output of the node: --output K among the Keras outputs, or an internal by name. */
static int pick_output(const rs_node *n, const dump_args *a, int *k)
{
    if (a->internal) {
        for (int i = n->n_outputs; i < n->n_outputs + n->n_internal; i++)
            if (n->out_names && n->out_names[i] && strcmp(n->out_names[i], a->internal) == 0) {
                *k = i;
                return EXIT_OK;
            }
        for (int i = 0; i < n->n_outputs; i++)
            if (n->out_names && n->out_names[i] && strcmp(n->out_names[i], a->internal) == 0) {
                cli_error("%s: layer %s (%s) returns its %s: use --output %d", a->model, n->name,
                          n->class_name, a->internal, i);
                return EXIT_FAIL;
            }
        cli_error("%s: layer %s (%s) has no internal '%s'%s", a->model, n->name, n->class_name,
                  a->internal, n->n_internal ? ""
                                             : " (recurrent layers have gates and cell, attention "
                                               "layers their attention)");
        return EXIT_FAIL;
    }
    if (a->output >= (unsigned long)n->n_outputs) {
        cli_error("%s: layer %s has %d output%s, --output %lu does not exist", a->model, n->name,
                  n->n_outputs, n->n_outputs == 1 ? "" : "s", a->output);
        return EXIT_FAIL;
    }
    *k = (int)a->output;
    return EXIT_OK;
}

/* -o DIR, a directory: the file in it named as the explorer's export names it, from the
 * layer's description: "lstm_1.gates.npy", "lstm_1.gates.s3.npy" with --sample 3. */
static const char *out_path(const dump_args *a, const rs_node *n, int k, char *buf, size_t len)
{
    struct stat st;
    if (strcmp(a->out, "-") == 0 || stat(a->out, &st) != 0 || !S_ISDIR(st.st_mode))
        return a->out;
    rs_layer_desc d;
    rs_node_describe(n, &d);
    char name[256];
    rs_output_file_name(n->name, k < d.n_outputs ? &d.outputs[k] : NULL, k, NULL,
                        a->in.have_sample ? (long)a->in.sample : -1, "npy", name, sizeof name);
    size_t dl = strlen(a->out);
    snprintf(buf, len, "%s%s%s", a->out, dl && a->out[dl - 1] == '/' ? "" : "/", name);
    return buf;
}

int cmd_dump(int argc, char **argv)
{
    dump_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != EXIT_OK)
        return rc;
    rs_model *m = NULL;
    if ((rc = cli_open_model(a.model, &a.in, &m)) != EXIT_OK)
        return rc;
    rs_error err = {0};
    rs_tensor batch[CLI_MAX_INPUTS] = {0}, diff = {0};
    rs_run *run = NULL, *run_b = NULL;
    rs_model *b = NULL;
    if (a.compare && (rc = cli_open_compare(m, a.compare, &b)) != EXIT_OK)
        goto done;
    int node = rs_model_find_node(m, a.layer, &err), k = 0;
    if (node < 0) {
        cli_error("%s: %s", a.model, err.msg);
        rc = EXIT_FAIL;
        goto done;
    }
    if ((rc = pick_output(&m->nodes[node], &a, &k)) != EXIT_OK)
        goto done;
    char desc[256];
    if ((rc = cli_build_inputs(m, &a.in, batch, desc, sizeof desc)) != EXIT_OK)
        goto done;
    const rs_tensor *out = NULL, *out_b = NULL;
    /* --compare: B on the same input (a copy: A takes the batch) */
    if ((b && (!(run_b = rs_run_new(b, &err)) ||
               rs_run_set_inputs(run_b, batch, b->n_inputs, &err) < 0)) ||
        !(run = rs_run_new(m, &err)) || rs_run_take_inputs(run, batch, m->n_inputs, &err) < 0 ||
        (!(b && a.show == RS_SHOW_B) && rs_run_output(run, node, k, &out, &err) < 0) ||
        (b && a.show != RS_SHOW_A && rs_run_output(run_b, node, k, &out_b, &err) < 0) ||
        (b && a.show == RS_SHOW_DIFF && rs_tensor_diff(out, out_b, &diff, &err) < 0)) {
        cli_error("%s", err.msg);
        rc = EXIT_FAIL;
        goto done;
    }
    char path[4096];
    rc = cli_write_tensor("dump", out_path(&a, &m->nodes[node], k, path, sizeof path),
                          !b || a.show == RS_SHOW_A ? out : a.show == RS_SHOW_B ? out_b : &diff);
done:
    rs_run_free(run);
    rs_run_free(run_b);
    rs_tensor_free(&diff);
    for (int i = 0; i < CLI_MAX_INPUTS; i++)
        rs_tensor_free(&batch[i]);
    rs_model_free(m);
    rs_model_free(b);
    return rc;
}

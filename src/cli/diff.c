/* rnnscope diff MODEL_A MODEL_B [INPUT OPTIONS] [--format text|tsv]: how far checkpoint B moved
 * from A. One row per weight (shape, ||B - A|| / ||A||, max |B - A|, cosine(A, B)), then one row
 * per layer output on the same input (the same three numbers for the outputs). The two files
 * must have the same architecture, layer by layer; else one line naming the first difference.
 * Exit 0 when the report was printed, whatever it says (it is a report, not a test). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "model_io.h"
#include "rnnscope/ckpt.h"
#include "rnnscope/run.h"

enum { OPT_FORMAT = OPT_FIRST_FREE, OPT_HELP };

typedef struct diff_args {
    const char *a, *b;
    bool tsv;
    input_opts in;
} diff_args;

static void diff_usage(FILE *f)
{
    fputs("Usage: rnnscope diff MODEL_A MODEL_B [--input FILE ... | --random SEED] [--sample N]\n"
          "                     [--format text|tsv] [--max-memory SIZE] [--threads N]\n"
          "\n"
          "Compare two checkpoints of one model: for every weight its shape, ||B-A||/||A||,\n"
          "max |B-A| and cosine(A, B); for every layer's output on the input the same numbers.\n"
          "The architectures must match layer by layer. Exit 0 when the report is printed\n"
          "(also when the checkpoints differ), 1 on an error, 2 on misuse.\n",
          f);
}

static int parse_args(int argc, char **argv, diff_args *a)
{
    static const struct option opts[] = {
        INPUT_LONG_OPTIONS,
        {"format", required_argument, 0, OPT_FORMAT},
        {"help", no_argument, 0, OPT_HELP},
        {0, 0, 0, 0},
    };
    memset(a, 0, sizeof *a);
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        int taken = input_opts_take(&a->in, "diff", c, optarg);
        if (taken < 0)
            return EXIT_USAGE;
        if (taken)
            continue;
        switch (c) {
        case OPT_FORMAT:
            if (!cli_parse_format("diff", optarg, &a->tsv))
                return EXIT_USAGE;
            break;
        case OPT_HELP: diff_usage(stdout); exit(EXIT_OK);
        case ':': cli_error("diff: %s needs a value", argv[optind - 1]); return EXIT_USAGE;
        default: cli_error("diff: unknown option '%s'; try 'rnnscope diff --help'", argv[optind - 1]); return EXIT_USAGE;
        }
    }
    if (optind < argc)
        a->a = argv[optind++];
    if (optind < argc)
        a->b = argv[optind++];
    if (optind < argc) {
        cli_error("diff: unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    if (!a->b) {
        cli_error("diff: two models are needed; try 'rnnscope diff --help'");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* One row: text columns aligned, or tab-separated. */
static void print_row(bool tsv, const char *kind, const char *layer, const char *name,
                      const char *shape, const rs_delta *d)
{
    if (tsv)
        printf("%s\t%s\t%s\t%s\t%.9g\t%.9g\t%.9g\n", kind, layer, name, shape, d->rel, d->max_abs,
               d->cosine);
    else
        printf("  %-18s %-34s %-14s %12.6g %12.6g %10.6f\n", layer, name, shape, d->rel,
               d->max_abs, d->cosine);
}

static void print_weights(bool tsv, const rs_model *a, const rs_model *b)
{
    if (!tsv)
        printf("weights              %-34s %-14s %12s %12s %10s\n", "", "shape", "|dW|/|W|",
               "max |dW|", "cosine");
    for (int i = 0; i < a->n_nodes; i++) {
        const rs_node *na = &a->nodes[i], *nb = &b->nodes[i];
        if (!na->owns_weights)
            continue;
        for (int w = 0; w < na->n_weights; w++) {
            const rs_tensor *ta = &na->weights[w].value, *tb = &nb->weights[w].value;
            char shape[96];
            rs_shape_format(ta->rank, ta->shape, shape, sizeof shape);
            rs_delta d = rs_delta_of(ta->data, tb->data, ta->size);
            print_row(tsv, "weight", cli_shown(na->name), cli_shown(na->weights[w].name), shape, &d);
        }
    }
}

/* Each layer's Keras outputs on the same input, A against B. */
static int print_outputs(bool tsv, const rs_model *a, rs_run *ra, rs_run *rb)
{
    if (!tsv)
        printf("\noutputs on the input %-34s %-14s %12s %12s %10s\n", "", "shape", "|dY|/|Y|",
               "max |dY|", "cosine");
    for (int i = 0; i < a->n_nodes; i++) {
        const rs_node *n = &a->nodes[i];
        if (n->n_inputs == 0 || n->unsupported)
            continue; /* InputLayers are the same input; unsupported layers do not run */
        for (int k = 0; k < n->n_outputs; k++) {
            const rs_tensor *ya, *yb;
            rs_error err = {0};
            if (rs_run_output(ra, i, k, &ya, &err) < 0 || rs_run_output(rb, i, k, &yb, &err) < 0) {
                cli_error("%s", err.msg);
                return EXIT_FAIL;
            }
            char shape[96], name[64];
            rs_shape_format(ya->rank, ya->shape, shape, sizeof shape);
            snprintf(name, sizeof name, "output %d%s%s", k,
                     n->out_names && n->out_names[k] ? " " : "",
                     n->out_names && n->out_names[k] ? cli_shown(n->out_names[k]) : "");
            rs_delta d = rs_delta_of(ya->data, yb->data, ya->size);
            print_row(tsv, "output", cli_shown(n->name), name, shape, &d);
        }
    }
    return EXIT_OK;
}

static int compare(const diff_args *a, const rs_model *ma, const rs_model *mb)
{
    rs_error err = {0};
    if (rs_arch_compare(ma, mb, &err) < 0) {
        cli_error("%s and %s: different architectures: %s", a->a, a->b, err.msg);
        return EXIT_FAIL;
    }
    rs_tensor batch[CLI_MAX_INPUTS] = {0};
    char desc[256];
    int rc = cli_build_inputs(ma, &a->in, batch, desc, sizeof desc);
    if (rc != EXIT_OK)
        return rc;
    rs_run *ra = rs_run_new(ma, &err), *rb = ra ? rs_run_new(mb, &err) : NULL;
    if (!rb || rs_run_set_inputs(ra, batch, ma->n_inputs, &err) < 0 ||
        rs_run_set_inputs(rb, batch, mb->n_inputs, &err) < 0) {
        cli_error("%s", err.msg);
        rc = EXIT_FAIL;
    } else {
        if (a->tsv)
            printf("kind\tlayer\tname\tshape\trel_change\tmax_abs_change\tcosine\n");
        else
            printf("A: %s\nB: %s\ninput: %s\n\n", cli_shown(a->a), cli_shown(a->b), cli_shown(desc));
        print_weights(a->tsv, ma, mb);
        rc = print_outputs(a->tsv, ma, ra, rb);
    }
    rs_run_free(ra);
    rs_run_free(rb);
    for (int i = 0; i < CLI_MAX_INPUTS; i++)
        rs_tensor_free(&batch[i]);
    return rc;
}

int cmd_diff(int argc, char **argv)
{
    diff_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != EXIT_OK)
        return rc;
    rs_model *ma = NULL, *mb = NULL;
    if ((rc = cli_open_model(a.a, &a.in, &ma)) == EXIT_OK &&
        (rc = cli_open_model(a.b, &a.in, &mb)) == EXIT_OK)
        rc = compare(&a, ma, mb);
    rs_model_free(ma);
    rs_model_free(mb);
    return rc;
}

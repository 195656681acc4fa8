/* rnnscope grad MODEL --layer NAME [--output K] | --weight NAME [OBJECTIVE] [INPUT OPTIONS] -o OUT:
 * the gradient of the objective with respect to a layer's output (the InputLayer's: the input,
 * saliency) or to one weight, written as `dump` writes outputs. OBJECTIVE: --labels Y.npy with
 * the file's compiled loss or --loss NAME, else the sum of the model output's unit --unit J;
 * --output-of NAME picks the model output. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "grad_gates.h"
#include "objective_opts.h"
#include "model_io.h"
#include "rnnscope/attribution.h"
#include "rnnscope/grad.h"
#include "rnnscope/input.h"
#include "rnnscope/npy.h"
#include "rnnscope/run.h"

enum {
    OPT_LAYER = OPT_FIRST_FREE, OPT_OUTPUT, OPT_WEIGHT, OPT_IMPORTANCE, OPT_BY_GATE, OPT_HELP,
};

typedef struct grad_args {
    const char *model, *layer, *weight, *out;
    objective_opts obj;
    saliency_opts sal; /* --method: the gradient, times the output, or integrated */
    unsigned long output;
    bool importance, by_gate;
    input_opts in;
} grad_args;

static void grad_usage(FILE *f)
{
    fputs("Usage: rnnscope grad MODEL --layer NAME [--output K] [--method grad|input_x_grad|ig]\n"
          "                     [OBJECTIVE] [INPUT OPTIONS] -o OUT\n"
          "                     [--ig-steps N] [--baseline FILE.npy] [--importance]\n"
          "       rnnscope grad MODEL --weight NAME [OBJECTIVE] [INPUT OPTIONS] -o OUT\n"
          "       rnnscope grad MODEL --weight NAME | --layer NAME --by-gate [OBJECTIVE]\n"
          "                     [INPUT OPTIONS]\n"
          "\n"
          "Write the gradient of the objective with respect to one layer's output (same shape\n"
          "as 'dump' of it; the InputLayer's is the input: saliency) or to one weight (in its\n"
          "Keras shape), float32: OUT.npy, OUT.csv or - (.npy on standard output).\n"
          "\n"
          "Objective:\n"
          "  (none)            the sum over the batch (and timesteps) of the model output's\n"
          "                    unit --unit J (default 0): what the prediction depends on\n"
          "  --labels Y.npy    the model's compiled loss against these labels (Keras' default\n"
          "                    reduction: the mean over the batch)\n"
          "  --loss NAME       the loss when the file names none: mse, mae,\n"
          "                    binary_crossentropy, categorical_crossentropy,\n"
          "                    sparse_categorical_crossentropy (Keras names and aliases)\n"
          "  --output-of NAME  the model output (its layer) for a model with several\n"
          "\n"
          "--method input_x_grad: the gradient times the layer's output; ig: integrated\n"
          "gradients of a model input along the straight path from a baseline (zeros, or\n"
          "--baseline FILE.npy: the input's shape or one sample's) in --ig-steps N points\n"
          "(default 32, midpoint rule): the values add up to the objective at the input minus\n"
          "at the baseline; a line on stderr says how closely (the completeness error).\n"
          "--importance writes the timestep importance instead, shape (N, T): the L2 norm of\n"
          "the result over the channels at each sample and step.\n"
          "--by-gate prints the weight's gradient (or every weight of the --layer) by gate\n"
          "instead of writing it: one row per gate block (LSTM i f c o, GRU z r h, each\n"
          "direction of a Bidirectional) with its norm and the shares of exact zeros, NaN, Inf.\n"
          "--weight takes the weight's full name as 'summary --weights' lists it\n"
          "(lstm_1/recurrent_kernel:0) or a part that matches one weight only.\n",
          f);
}

static int misuse(const char *what)
{
    cli_error("grad: %s; try 'rnnscope grad --help'", what);
    return EXIT_USAGE;
}

static int take_option(grad_args *a, int c, char **argv)
{
    switch (c) {
    case OPT_LAYER: a->layer = optarg; return EXIT_OK;
    case OPT_WEIGHT: a->weight = optarg; return EXIT_OK;
    case OPT_IMPORTANCE: a->importance = true; return EXIT_OK;
    case OPT_BY_GATE: a->by_gate = true; return EXIT_OK;
    case 'o': a->out = optarg; return EXIT_OK;
    case OPT_OUTPUT:
        if (!parse_count(optarg, &a->output)) {
            cli_error("grad: --output needs a non-negative index, not '%s'", optarg);
            return EXIT_USAGE;
        }
        return EXIT_OK;
    case OPT_HELP: grad_usage(stdout); exit(EXIT_OK);
    case ':': cli_error("grad: %s needs a value", argv[optind - 1]); return EXIT_USAGE;
    default:
        cli_error("grad: unknown option '%s'; try 'rnnscope grad --help'", argv[optind - 1]);
        return EXIT_USAGE;
    }
}

static int check_args(const grad_args *a)
{
    if (!a->model)
        return misuse("MODEL is required");
    if (!a->layer == !a->weight)
        return misuse(a->layer ? "give --layer or --weight, not both"
                               : "--layer NAME or --weight NAME is required");
    if (a->by_gate && (a->out || a->importance || a->output || a->sal.method != RS_SALIENCY_GRAD))
        return misuse(a->out ? "--by-gate prints a table: no -o"
                             : "--by-gate takes no --importance, --output or --method");
    if (!a->out && !a->by_gate)
        return misuse("-o OUT is required");
    if (a->weight && a->output)
        return misuse("--output goes with --layer");
    if (a->weight && (a->sal.method != RS_SALIENCY_GRAD || a->importance))
        return misuse(a->importance ? "--importance goes with --layer" : "--method goes with --layer");
    if (saliency_opts_check(&a->sal, "grad") != EXIT_OK)
        return EXIT_USAGE;
    return objective_opts_check(&a->obj, "grad");
}

static int parse_args(int argc, char **argv, grad_args *a)
{
    static const struct option opts[] = {
        INPUT_LONG_OPTIONS,
        {"layer", required_argument, 0, OPT_LAYER},
        {"output", required_argument, 0, OPT_OUTPUT},
        {"weight", required_argument, 0, OPT_WEIGHT},
        OBJECTIVE_LONG_OPTIONS,
        SALIENCY_LONG_OPTIONS,
        {"importance", no_argument, 0, OPT_IMPORTANCE},
        {"by-gate", no_argument, 0, OPT_BY_GATE},
        {"help", no_argument, 0, OPT_HELP},
        {0, 0, 0, 0},
    };
    memset(a, 0, sizeof *a);
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":o:", opts, NULL)) != -1) {
        int taken = input_opts_take(&a->in, "grad", c, optarg);
        if (taken == 0)
            taken = objective_opts_take(&a->obj, "grad", c, optarg);
        if (taken == 0)
            taken = saliency_opts_take(&a->sal, "grad", c, optarg);
        if (taken < 0)
            return EXIT_USAGE;
        if (!taken && take_option(a, c, argv) != EXIT_OK)
            return EXIT_USAGE;
    }
    if (optind < argc)
        a->model = argv[optind++];
    if (optind < argc) {
        cli_error("grad: unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    return check_args(a);
}

/* What to compute: the layer (and its --output) or the weight. */
typedef struct target {
    int node, output;      /* --layer */
    int weight_node, weight;
} target;

static int pick_target(const rs_model *m, const grad_args *a, target *t)
{
    rs_error err = {0};
    *t = (target){-1, 0, -1, 0};
    if (a->weight) {
        if (rs_model_find_weight(m, a->weight, &t->weight_node, &t->weight, &err) == 0)
            return EXIT_OK;
    } else if ((t->node = rs_model_find_node(m, a->layer, &err)) >= 0) {
        const rs_node *n = &m->nodes[t->node];
        if (a->output >= (unsigned long)n->n_outputs) {
            cli_error("%s: layer %s has %d output%s, --output %lu does not exist", a->model,
                      n->name, n->n_outputs, n->n_outputs == 1 ? "" : "s", a->output);
            return EXIT_FAIL;
        }
        t->output = (int)a->output;
        return EXIT_OK;
    }
    cli_error("%s: %s", a->model, err.msg);
    return EXIT_FAIL;
}

/* The model input index of a node, or -1. */
static int model_input_of(const rs_model *m, int node)
{
    for (int i = 0; i < m->n_inputs; i++)
        if (m->inputs[i] == node)
            return i;
    return -1;
}

/* Write t, or with --importance its L2 norm over channels at each step. */
static int write_result(const grad_args *a, const rs_tensor *t)
{
    if (!a->importance)
        return cli_write_tensor("grad", a->out, t);
    rs_error err = {0};
    rs_tensor imp = {0};
    if (rs_timestep_importance(t, &imp, &err) < 0) {
        cli_error("%s: --importance: %s", a->model, err.msg);
        return EXIT_FAIL;
    }
    int rc = cli_write_tensor("grad", a->out, &imp);
    rs_tensor_free(&imp);
    return rc;
}

/* "%.6g", "NaN" for any NaN (printf writes "-nan" for some). */
static const char *number(double x, char buf[32])
{
    snprintf(buf, 32, isnan(x) ? "NaN" : "%.6g", x);
    return buf;
}

/* --method ig: integrated gradients of the model input --layer names, and how closely they add
 * up to f(x) - f(baseline) on stderr. */
static int integrated(rs_run *run, const rs_objective *obj, const target *t, const grad_args *a)
{
    const rs_model *m = rs_run_model(run);
    int input = model_input_of(m, t->node);
    rs_error err = {0};
    rs_tensor base = {0};
    rs_saliency ig = {0};
    if (input < 0) {
        cli_error("%s: layer %s is not a model input: --method ig integrates along the path from "
                  "a baseline to an input", a->model, m->nodes[t->node].name);
        return EXIT_FAIL;
    }
    rs_saliency_opts o = {RS_SALIENCY_IG, (int)a->sal.ig_steps, a->sal.baseline ? &base : NULL};
    if ((a->sal.baseline && rs_npy_read(a->sal.baseline, &base, &err) < 0) ||
        rs_saliency_compute(run, obj, input, &o, a->sal.baseline, &ig, &err) < 0) {
        cli_error("%s", err.msg);
        rs_tensor_free(&base);
        return EXIT_FAIL;
    }
    char error[96];
    if (isnan(ig.completeness_error)) /* in words: "-nan%" says nothing */
        snprintf(error, sizeof error, "unknown: the objective is not a number at the %s",
                 isnan(ig.f_input) ? "input" : "baseline");
    else
        snprintf(error, sizeof error, "%.3g%%", 100 * ig.completeness_error);
    char v[4][32];
    fprintf(stderr, "rnnscope: grad: integrated gradients (%d steps): sum %s, f(input) - "
            "f(baseline) = %s - %s = %s, completeness error %s\n",
            o.ig_steps ? o.ig_steps : RS_IG_STEPS_DEFAULT, number(ig.sum, v[0]),
            number(ig.f_input, v[1]), number(ig.f_baseline, v[2]),
            number(ig.f_input - ig.f_baseline, v[3]), error);
    int rc = write_result(a, &ig.values);
    rs_saliency_free(&ig);
    rs_tensor_free(&base);
    return rc;
}

/* --method input_x_grad: the gradient times the layer's output, element by element. */
static int times_output(rs_run *run, const target *t, const rs_tensor *grad, rs_tensor *out,
                        rs_error *err)
{
    const rs_tensor *y;
    if (rs_run_output(run, t->node, t->output, &y, err) < 0 || rs_tensor_copy(out, grad, err) < 0)
        return -1;
    for (size_t i = 0; i < out->size && i < y->size; i++)
        out->data[i] *= y->data[i];
    return 0;
}

/* --importance of the plain gradient: the library's timestep importance of the layer, as the
 * explorer's strip draws it. */
static int layer_importance(rs_run *run, const rs_objective *obj, const target *t,
                            const grad_args *a)
{
    rs_error err = {0};
    rs_tensor imp = {0};
    if (rs_layer_importance(run, obj, t->node, t->output, &imp, &err) < 0) {
        cli_error("%s", err.msg);
        return EXIT_FAIL;
    }
    int rc = cli_write_tensor("grad", a->out, &imp);
    rs_tensor_free(&imp);
    return rc;
}

/* Compute and write the gradient the target asks for. */
static int compute_and_write(rs_run *run, const rs_objective *obj, const target *t,
                             const grad_args *a)
{
    if (a->by_gate)
        return cli_print_gate_table(run, obj, t->node >= 0 ? t->node : t->weight_node,
                                    t->node >= 0 ? -1 : t->weight);
    if (a->sal.method == RS_SALIENCY_IG)
        return integrated(run, obj, t, a);
    if (a->importance && a->sal.method == RS_SALIENCY_GRAD)
        return layer_importance(run, obj, t, a);
    rs_error err = {0};
    rs_grad_request req = {t->node, t->weight_node, false};
    rs_grads *g = NULL;
    if (rs_grad_compute(run, obj, &req, &g, &err) < 0) {
        cli_error("%s", err.msg);
        return EXIT_FAIL;
    }
    const rs_tensor *out = t->node >= 0 ? rs_grads_output(g, t->output)
                                        : rs_grads_weight(g, t->weight_node, t->weight);
    rs_tensor made = {0};
    int rc = EXIT_OK;
    if (!out) { /* no gradient reaches this weight: it does not change the objective */
        const rs_tensor *w = &rs_run_model(run)->nodes[t->weight_node].weights[t->weight].value;
        rc = rs_tensor_alloc(&made, w->rank, w->shape, &err) < 0 ? EXIT_FAIL : EXIT_OK;
        out = &made;
    } else if (a->sal.method == RS_SALIENCY_INPUT_X_GRAD) {
        rc = times_output(run, t, out, &made, &err) < 0 ? EXIT_FAIL : EXIT_OK;
        out = &made;
    }
    if (rc != EXIT_OK)
        cli_error("%s", err.msg);
    else
        rc = write_result(a, out);
    rs_tensor_free(&made);
    rs_grads_free(g);
    return rc;
}

int cmd_grad(int argc, char **argv)
{
    grad_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != EXIT_OK)
        return rc;
    rs_model *m = NULL;
    if ((rc = cli_open_model(a.model, &a.in, &m)) != EXIT_OK)
        return rc;
    rs_error err = {0};
    rs_tensor batch[CLI_MAX_INPUTS] = {0}, labels = {0};
    rs_run *run = NULL;
    target t;
    rs_objective obj = {0};
    char desc[256];
    if ((rc = pick_target(m, &a, &t)) != EXIT_OK ||
        (rc = cli_build_objective(m, a.model, &a.obj, &a.in, &obj, &labels)) != EXIT_OK)
        goto done;
    if ((rc = cli_build_inputs(m, &a.in, batch, desc, sizeof desc)) != EXIT_OK)
        goto done;
    if (!(run = rs_run_new(m, &err)) || rs_run_take_inputs(run, batch, m->n_inputs, &err) < 0) {
        cli_error("%s", err.msg);
        rc = EXIT_FAIL;
        goto done;
    }
    rc = compute_and_write(run, &obj, &t, &a);
done:
    rs_run_free(run);
    for (int i = 0; i < CLI_MAX_INPUTS; i++)
        rs_tensor_free(&batch[i]);
    rs_tensor_free(&labels);
    rs_model_free(m);
    return rc;
}

/* The OBJECTIVE options of grad, plot --grad and the explorer, the objective they describe, and
 * the saliency options of grad and the explorer. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "objective_opts.h"
#include "rnnscope/input.h"
#include "rnnscope/npy.h"

int objective_opts_take(objective_opts *o, const char *cmd, int opt, const char *arg)
{
    switch (opt) {
    case OPT_LABELS: o->labels = arg; return 1;
    case OPT_LOSS: o->loss = arg; return 1;
    case OPT_OUTPUT_OF: o->output_of = arg; return 1;
    case OPT_UNIT:
        if (!parse_count(arg, &o->unit)) {
            cli_error("%s: --unit needs a non-negative index, not '%s'", cmd, arg);
            return -1;
        }
        o->have_unit = true;
        return 1;
    default: return 0;
    }
}

int objective_opts_check(const objective_opts *o, const char *cmd)
{
    const char *why = o->loss && !o->labels ? "--loss needs --labels"
                      : o->labels && o->have_unit ? "--unit is for the objective without labels"
                                                  : NULL;
    if (!why)
        return EXIT_OK;
    cli_error("%s: %s; try 'rnnscope %s --help'", cmd, why, cmd);
    return EXIT_USAGE;
}

int saliency_opts_take(saliency_opts *o, const char *cmd, int opt, const char *arg)
{
    switch (opt) {
    case OPT_BASELINE: o->baseline = arg; return 1;
    case OPT_METHOD:
        if (!strcmp(arg, "grad") || !strcmp(arg, "input_x_grad") || !strcmp(arg, "ig")) {
            o->method = arg[0] == 'g'   ? RS_SALIENCY_GRAD
                        : arg[1] == 'n' ? RS_SALIENCY_INPUT_X_GRAD
                                        : RS_SALIENCY_IG;
            return 1;
        }
        cli_error("%s: --method is grad, input_x_grad or ig, not '%s'", cmd, arg);
        return -1;
    case OPT_IG_STEPS:
        if (!parse_count(arg, &o->ig_steps) || o->ig_steps < 1 || o->ig_steps > 100000) {
            cli_error("%s: --ig-steps needs a count from 1 to 100000, not '%s'", cmd, arg);
            return -1;
        }
        o->have_ig_steps = true;
        return 1;
    default: return 0;
    }
}

int saliency_opts_check(const saliency_opts *o, const char *cmd)
{
    if ((!o->have_ig_steps && !o->baseline) || o->method == RS_SALIENCY_IG)
        return EXIT_OK;
    cli_error("%s: %s; try 'rnnscope %s --help'", cmd,
              o->baseline ? "--baseline goes with --method ig" : "--ig-steps goes with --method ig",
              cmd);
    return EXIT_USAGE;
}

/* The model output --output-of names (default the first). */
static int pick_model_output(const rs_model *m, const char *path, const objective_opts *o,
                             int *out)
{
    *out = 0;
    if (!o->output_of)
        return EXIT_OK;
    rs_error err = {0};
    int node = rs_model_find_node(m, o->output_of, &err);
    if (node < 0) {
        cli_error("%s: %s", path, err.msg);
        return EXIT_FAIL;
    }
    for (int k = 0; k < m->n_outputs; k++)
        if (m->outputs[k].node == node) {
            *out = k;
            return EXIT_OK;
        }
    cli_error("%s: layer %s is not a model output (--output-of)", path, m->nodes[node].name);
    return EXIT_FAIL;
}

/* The loss: --loss, else the one the file was compiled with. */
static int pick_loss(const rs_model *m, const char *path, const objective_opts *o, int output,
                     rs_loss *loss)
{
    rs_error err = {0};
    if (o->loss) {
        if (rs_loss_from_name(o->loss, loss, &err) == 0)
            return EXIT_OK;
        cli_error("--loss %s", err.msg);
        return EXIT_USAGE;
    }
    int rc = rs_model_loss(m, output, loss, &err);
    if (rc == 0)
        return EXIT_OK;
    if (rc > 0)
        cli_error("%s: the file names no loss (saved without compiling): give --loss NAME", path);
    else
        cli_error("%s", err.msg);
    return EXIT_FAIL;
}

static int read_labels(const objective_opts *o, const input_opts *in, rs_tensor *labels)
{
    rs_error err = {0};
    if (rs_npy_read(o->labels, labels, &err) < 0 ||
        (in->have_sample && labels->rank >= 1 &&
         rs_input_pick_sample(labels, in->sample, o->labels, &err) < 0)) {
        cli_error("%s", err.msg);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

int cli_build_objective(const rs_model *m, const char *path, const objective_opts *o,
                        const input_opts *in, rs_objective *obj, rs_tensor *labels)
{
    memset(obj, 0, sizeof *obj);
    int rc = pick_model_output(m, path, o, &obj->output);
    obj->unit = (long)o->unit;
    if (rc == EXIT_OK && o->labels &&
        ((rc = pick_loss(m, path, o, obj->output, &obj->loss)) != EXIT_OK ||
         (rc = read_labels(o, in, labels)) != EXIT_OK))
        return rc;
    obj->labels = o->labels ? labels : NULL;
    return rc;
}

/* What plot --grad draws: node's output k (k >= 0), or every weight of node (k < 0). */
static int plot_gradient(rs_run *run, const char *path, const objective_opts *o,
                         const input_opts *in, int node, int k, rs_tensor *out)
{
    rs_objective obj;
    rs_tensor labels = {0};
    rs_grads *g = NULL;
    rs_error err = {0};
    rs_grad_request req = {node, -1, false};
    int rc = cli_build_objective(rs_run_model(run), path, o, in, &obj, &labels);
    if (rc == EXIT_OK && k < 0 && rs_node_weight_grads(run, &obj, node, out, &err) < 0)
        rc = EXIT_FAIL;
    else if (rc == EXIT_OK && k >= 0 && (rs_grad_compute(run, &obj, &req, &g, &err) < 0 ||
                                         rs_tensor_copy(out, rs_grads_output(g, k), &err) < 0))
        rc = EXIT_FAIL;
    if (rc == EXIT_FAIL && err.msg[0])
        cli_error("%s", err.msg);
    rs_grads_free(g);
    rs_tensor_free(&labels);
    return rc;
}

int cli_layer_gradient(rs_run *run, const char *path, const objective_opts *o,
                       const input_opts *in, int node, int k, rs_tensor *out)
{
    return plot_gradient(run, path, o, in, node, k, out);
}

int cli_weight_gradients(rs_run *run, const char *path, const objective_opts *o,
                         const input_opts *in, int node, rs_tensor *out)
{
    return plot_gradient(run, path, o, in, node, -1, out);
}

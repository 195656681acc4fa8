/* rnnscope grad --by-gate: d objective / d a layer's weights, one row per gate block (LSTM
 * i f c o, GRU z r h, per direction of a Bidirectional) with the gradient's norm and the shares
 * of exact zeros, NaN and Inf: which gates learn, which are dead or overflow. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "grad_gates.h"

/* One weight's rows. grad NULL: no gradient reaches the weight (all zeros). */
static int print_weight(const rs_node *n, int w, const rs_tensor *grad, int name_w)
{
    rs_error err = {0};
    rs_tensor zeros = {0};
    const rs_tensor *v = &n->weights[w].value;
    if (!grad && rs_tensor_alloc(&zeros, v->rank, v->shape, &err) < 0) {
        cli_error("%s", err.msg);
        return EXIT_FAIL;
    }
    rs_gate_stats rows[RS_MAX_GATE_BLOCKS];
    int k = rs_weight_grad_by_gate(n, w, grad ? grad : &zeros, rows, &err);
    rs_tensor_free(&zeros);
    if (k < 0) {
        cli_error("%s", err.msg);
        return EXIT_FAIL;
    }
    for (int g = 0; g < k; g++) {
        char norm[32];
        rs_gate_norm_text(&rows[g], 6, norm, sizeof norm);
        printf("%-*s  %-9s  %-5s  %8zu  %12s  %6.2f%%  %6.2f%%  %6.2f%%\n", name_w,
               cli_shown(n->weights[w].name), rows[g].direction ? rows[g].direction : "-",
               rows[g].gate ? rows[g].gate : "-", rows[g].count, norm, 100 * rows[g].zeros,
               100 * rows[g].nans, 100 * rows[g].infs);
    }
    return EXIT_OK;
}

int cli_print_gate_table(rs_run *run, const rs_objective *obj, int node, int weight)
{
    const rs_node *n = &rs_run_model(run)->nodes[node];
    rs_error err = {0};
    rs_grad_request req = {-1, node, false};
    rs_grads *g = NULL;
    if (n->n_weights == 0) {
        cli_error("%s: layer %s has no weights", rs_run_model(run)->path, cli_shown(n->name));
        return EXIT_FAIL;
    }
    if (rs_grad_compute(run, obj, &req, &g, &err) < 0) {
        cli_error("%s", err.msg);
        return EXIT_FAIL;
    }
    int first = weight < 0 ? 0 : weight, last = weight < 0 ? n->n_weights - 1 : weight;
    int name_w = (int)strlen("weight");
    for (int w = first; w <= last; w++) {
        int l = (int)strlen(cli_shown(n->weights[w].name));
        name_w = l > name_w ? l : name_w;
    }
    printf("%-*s  %-9s  %-5s  %8s  %12s  %7s  %7s  %7s\n", name_w, "weight", "direction", "gate",
           "values", "grad norm", "zeros", "NaN", "Inf");
    int rc = EXIT_OK;
    for (int w = first; rc == EXIT_OK && w <= last; w++)
        rc = print_weight(n, w, rs_grads_weight(g, node, w), name_w);
    rs_grads_free(g);
    return rc;
}

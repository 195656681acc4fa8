/* rnnscope grad --by-gate: the table of a weight gradient by gate. */
#ifndef RNNSCOPE_CLI_GRAD_GATES_H
#define RNNSCOPE_CLI_GRAD_GATES_H

#include "rnnscope/grad.h"

/* Print, for weight `weight` of `node` (-1: every weight of the node), one row per gate block:
 * the weight's name, direction, gate, count, the gradient's norm and the shares of exact zeros,
 * NaN and Inf. Prints errors; returns the exit status. */
int cli_print_gate_table(rs_run *run, const rs_objective *obj, int node, int weight);

#endif

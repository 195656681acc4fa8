/* The OBJECTIVE options shared by `grad` and `plot --grad`: --labels Y.npy [--loss NAME] with
 * the loss, else --unit J of the model output; --output-of NAME picks the model output. */
#ifndef RNNSCOPE_CLI_OBJECTIVE_OPTS_H
#define RNNSCOPE_CLI_OBJECTIVE_OPTS_H

#include <getopt.h>
#include <stdbool.h>

#include "model_io.h"
#include "rnnscope/grad.h"

enum { OPT_LABELS = 1100, OPT_LOSS, OPT_UNIT, OPT_OUTPUT_OF };

#define OBJECTIVE_LONG_OPTIONS                                                                \
    {"labels", required_argument, 0, OPT_LABELS}, {"loss", required_argument, 0, OPT_LOSS},  \
        {"unit", required_argument, 0, OPT_UNIT},                                             \
        {"output-of", required_argument, 0, OPT_OUTPUT_OF}

typedef struct objective_opts {
    const char *labels, *loss, *output_of;
    unsigned long unit;
    bool have_unit;
} objective_opts;

/* 1 when opt is one of the objective options (taken into o), 0 when it is not, -1 after
 * printing why its value is bad (cmd names the command). */
int objective_opts_take(objective_opts *o, const char *cmd, int opt, const char *arg);

/* EXIT_OK, or EXIT_USAGE after printing a misuse (--loss without --labels, --unit with them). */
int objective_opts_check(const objective_opts *o, const char *cmd);

/* The objective on model m (opened from path): the model output, the loss (--loss, else the
 * file's compiled one) and the labels (read into *labels, --sample applied; the caller frees
 * it). Prints errors; returns an exit status. */
int cli_build_objective(const rs_model *m, const char *path, const objective_opts *o,
                        const input_opts *in, rs_objective *obj, rs_tensor *labels);

/* plot --grad's array: d objective / d output k of node on run (its inputs set), copied into
 * *out. Prints errors; returns an exit status. */
int cli_layer_gradient(rs_run *run, const char *path, const objective_opts *o,
                       const input_opts *in, int node, int k, rs_tensor *out);

#endif

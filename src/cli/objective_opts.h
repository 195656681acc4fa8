/* The OBJECTIVE options shared by `grad`, `plot --grad` and the explorer's `--grad`: --labels
 * Y.npy [--loss NAME] with the loss, else --unit J of the model output; --output-of NAME picks
 * the model output. And the saliency options of `grad` and the explorer: --method, --ig-steps,
 * --baseline. */
#ifndef RNNSCOPE_CLI_OBJECTIVE_OPTS_H
#define RNNSCOPE_CLI_OBJECTIVE_OPTS_H

#include <getopt.h>
#include <stdbool.h>

#include "model_io.h"
#include "rnnscope/attribution.h"
#include "rnnscope/grad.h"

enum { OPT_LABELS = 1100, OPT_LOSS, OPT_UNIT, OPT_OUTPUT_OF, OPT_METHOD, OPT_IG_STEPS, OPT_BASELINE };

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

/* plot --grad --view weights: d objective / d every weight of node, into out[0..n_weights).
 * Prints errors; returns an exit status. */
int cli_weight_gradients(rs_run *run, const char *path, const objective_opts *o,
                         const input_opts *in, int node, rs_tensor *out);

/* --method grad|input_x_grad|ig, --ig-steps N, --baseline FILE.npy */
#define SALIENCY_LONG_OPTIONS                                                                 \
    {"method", required_argument, 0, OPT_METHOD},                                            \
        {"ig-steps", required_argument, 0, OPT_IG_STEPS},                                     \
        {"baseline", required_argument, 0, OPT_BASELINE}

typedef struct saliency_opts {
    rs_saliency_method method; /* the gradient, times the input, or integrated */
    unsigned long ig_steps;
    bool have_ig_steps;
    const char *baseline;
} saliency_opts;

/* As objective_opts_take, for the saliency options. */
int saliency_opts_take(saliency_opts *o, const char *cmd, int opt, const char *arg);

/* EXIT_OK, or EXIT_USAGE after printing a misuse (--baseline or --ig-steps without ig). */
int saliency_opts_check(const saliency_opts *o, const char *cmd);

#endif

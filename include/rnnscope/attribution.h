/* What the objective depends on, built on the reverse pass (grad.h): saliency on a model input
 * (the gradient, gradient × input, integrated gradients) and timestep importance (the
 * gradient's L2 norm over channels at each step). Definitions: the man page's grad section
 * (share/man/rnnscope.1.in). */
#ifndef RNNSCOPE_ATTRIBUTION_H
#define RNNSCOPE_ATTRIBUTION_H

#include "rnnscope/grad.h"

typedef enum rs_saliency_method {
    RS_SALIENCY_GRAD,         /* d objective / d input */
    RS_SALIENCY_INPUT_X_GRAD, /* input ⊙ d objective / d input */
    RS_SALIENCY_IG,           /* integrated gradients (Sundararajan et al. 2017) */
} rs_saliency_method;

#define RS_IG_STEPS_DEFAULT 32 /* issue 18: points along the path, midpoint rule */

typedef struct rs_saliency_opts {
    rs_saliency_method method;
    int ig_steps;              /* RS_SALIENCY_IG: points along the path; 0 = the default */
    const rs_tensor *baseline; /* RS_SALIENCY_IG: the input's shape, or one sample's (the same
                                  for every sample of the batch); NULL = zeros */
} rs_saliency_opts;

typedef struct rs_saliency {
    rs_tensor values; /* the input's shape */
    /* Integrated gradients' completeness (NaN for the other methods): the attributions add up
     * to f(input) - f(baseline) up to the quadrature error. */
    double f_input, f_baseline, sum;
    double completeness_error; /* |sum - (f_input - f_baseline)| / |f_input - f_baseline|
                                  (the absolute difference when f_input == f_baseline) */
} rs_saliency;

/* Saliency of the objective with respect to model input `input` (index into m->inputs) at the
 * run's inputs. Integrated gradients: (x - b) ⊙ the mean of the gradients at b + α (x - b),
 * α = (s + 0.5) / steps, s < steps; the run gets its inputs back afterwards. A baseline of
 * another shape is refused naming `baseline_name` (NULL: "the baseline"). */
int rs_saliency_compute(rs_run *r, const rs_objective *obj, int input, const rs_saliency_opts *o,
                        const char *baseline_name, rs_saliency *out, rs_error *err);

void rs_saliency_free(rs_saliency *s);

/* Timestep importance of a gradient (or attribution) g of shape (N, T, ...): out (N, T), the
 * L2 norm over everything after the time axis at each sample and step. Refuses rank < 3 (a
 * Flatten's or Dense's (N, features) has no time axis). */
int rs_timestep_importance(const rs_tensor *g, rs_tensor *out, rs_error *err);

/* The timestep importance of node's output k: d objective / d that output, then its norm per
 * step. The model input's own saliency: rs_saliency_compute, then rs_timestep_importance. */
int rs_layer_importance(rs_run *r, const rs_objective *obj, int node, int k, rs_tensor *out,
                        rs_error *err);

#endif

/* Timing (not a test): the first gradient "screen" of issue 18, what the explorer computes when
 * it switches to gradients on a layer: d objective / d that layer's output (the objective: the
 * sum of the model output's unit 0) and its timestep importance strip; and the input's saliency
 * strip (plain gradient, and integrated gradients at 32 points).
 * Run: bench/grad_screen MODEL INPUT.npy LAYER REPS [IMPORTANCE_OUT.npy]
 * Prints one line per measurement, "name median_seconds min_seconds", each the median of REPS
 * after WARM_SECONDS of untimed calls:
 *   warm_layer   the explorer's case: the forward pass already held by the run (values shown),
 *                then rs_grad_compute for LAYER + rs_timestep_importance
 *   cold_layer   the same on a fresh run: forward pass + reverse pass + importance
 *   warm_input   the input's plain-gradient saliency strip, forward pass held
 *   warm_ig32    the input's integrated-gradients strip (32 points, 34 passes), forward held
 * IMPORTANCE_OUT.npy receives warm_layer's importance (N, T), for checking against the peer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rnnscope/attribution.h"
#include "rnnscope/model.h"
#include "rnnscope/npy.h"
#include "rnnscope/run.h"

#define WARM_SECONDS 0.05

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct bench {
    const rs_model *m;
    const rs_tensor *input;
    int node;
    const char *out; /* write the importance here (once) */
} bench;

typedef enum what { WARM_LAYER, COLD_LAYER, WARM_INPUT, WARM_IG32 } what;

/* A run holding the whole forward pass (the explorer after drawing the values). */
static rs_run *run_with_values(const bench *b, rs_error *err)
{
    rs_run *r = rs_run_new(b->m, err);
    const rs_tensor *y;
    if (r && (rs_run_set_inputs(r, b->input, 1, err) < 0 ||
              rs_run_output(r, b->m->outputs[0].node, b->m->outputs[0].output, &y, err) < 0)) {
        rs_run_free(r);
        return NULL;
    }
    return r;
}

/* One measurement: its seconds into *secs. */
static int once(bench *b, what w, double *secs, rs_error *err)
{
    rs_objective obj = {0};
    rs_run *r = w == COLD_LAYER ? rs_run_new(b->m, err) : run_with_values(b, err);
    if (!r || (w == COLD_LAYER && rs_run_set_inputs(r, b->input, 1, err) < 0)) {
        rs_run_free(r);
        return -1;
    }
    rs_tensor imp = {0};
    rs_saliency s = {0};
    rs_saliency_opts ig = {RS_SALIENCY_IG, 32, NULL};
    double t0 = now();
    int rc;
    if (w == WARM_IG32)
        rc = rs_saliency_compute(r, &obj, 0, &ig, NULL, &s, err) < 0 ||
                     rs_timestep_importance(&s.values, &imp, err) < 0 ? -1 : 0;
    else
        rc = rs_layer_importance(r, &obj, w == WARM_INPUT ? b->m->inputs[0] : b->node, 0, &imp, err);
    *secs = now() - t0;
    if (rc == 0 && w == WARM_LAYER && b->out) {
        rc = rs_npy_write(b->out, &imp, err);
        b->out = NULL;
    }
    rs_saliency_free(&s);
    rs_tensor_free(&imp);
    rs_run_free(r);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int measure(bench *b, what w, const char *name, int reps, rs_error *err)
{
    double *t = calloc((size_t)reps, sizeof *t), warm, t0 = now();
    int rc = t ? 0 : rs_fail(err, NULL, "out of memory");
    for (int n = 0; rc == 0 && (n == 0 || now() - t0 < WARM_SECONDS); n++)
        rc = once(b, w, &warm, err);
    for (int i = 0; rc == 0 && i < reps; i++)
        rc = once(b, w, &t[i], err);
    if (rc == 0) {
        qsort(t, (size_t)reps, sizeof *t, cmp_double);
        printf("%s %.6f %.6f\n", name, t[reps / 2], t[0]);
    }
    free(t);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 5 || argc > 6) {
        fputs("usage: grad_screen MODEL INPUT.npy LAYER REPS [IMPORTANCE_OUT.npy]\n", stderr);
        return 2;
    }
    int reps = atoi(argv[4]);
    rs_error err = {0};
    rs_model *m = NULL;
    rs_tensor input = {0};
    int rc = reps < 1 ? rs_fail(&err, NULL, "REPS must be positive") : 0;
    if (rc == 0)
        rc = rs_model_load(argv[1], NULL, &m, &err);
    if (rc == 0 && (m->n_inputs != 1 || m->n_outputs < 1))
        rc = rs_fail(&err, argv[1], "the benchmark needs one input and an output");
    if (rc == 0)
        rc = rs_npy_read(argv[2], &input, &err);
    bench b = {m, &input, -1, argc == 6 ? argv[5] : NULL};
    if (rc == 0 && (b.node = rs_model_find_node(m, argv[3], &err)) < 0)
        rc = -1;
    const char *names[] = {"warm_layer", "cold_layer", "warm_input", "warm_ig32"};
    for (int w = WARM_LAYER; rc == 0 && w <= WARM_IG32; w++)
        rc = measure(&b, (what)w, names[w], w == WARM_IG32 ? (reps + 4) / 5 : reps, &err);
    if (rc != 0)
        fprintf(stderr, "grad_screen: %s\n", err.msg);
    rs_tensor_free(&input);
    rs_model_free(m);
    return rc == 0 ? 0 : 1;
}

/* Timing (not a test): our side of the forward-pass benchmark (bench/run.py).
 * Loads a model and one input .npy, warms up (untimed forward passes for at least WARM_SECONDS,
 * as the peer does), then runs the whole model REPS times, each time on a fresh rs_run (nothing
 * cached), and prints the seconds of each forward pass on its own line. Only rs_run_output is
 * timed: not the load, not the copy of the input.
 * Run: bench/forward [--grad] MODEL INPUT.npy THREADS REPS [OUT.npy]
 * OUT.npy receives the model's first output of the last repetition. THREADS 0: rnnscope's default
 * count (RNNSCOPE_THREADS, else every CPU the process may use). With --grad each repetition times
 * the forward and reverse passes instead (issue 17): rs_grad_compute of the sum of the first
 * output's unit 0 with respect to the input and every weight.
 * BENCH_KERNELS=portable|avx2|avx512 in the environment forces that vector path (an AVX-512
 * machine measures its AVX2 code too); `bench/forward --kernels` prints the path it would use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rnnscope/grad.h"
#include "rnnscope/model.h"
#include "rnnscope/npy.h"
#include "rnnscope/run.h"
#include "rnnscope/threads.h"

#include "core/vmath_path.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int with_grad; /* --grad: the forward and reverse passes */

/* One forward pass of the model's first output on a fresh run; its seconds into *secs and, when
 * out_path is given, the output written there. */
static int forward_once(const rs_model *m, const rs_tensor *input, const char *out_path,
                        double *secs, rs_error *err)
{
    rs_run *r = rs_run_new(m, err);
    if (!r)
        return -1;
    int rc = rs_run_set_inputs(r, input, 1, err);
    const rs_tensor *out = NULL;
    if (rc == 0 && with_grad) {
        rs_objective obj = {0};
        rs_grad_request req = {m->inputs[0], -1, true};
        rs_grads *g = NULL;
        double t0 = now();
        rc = rs_grad_compute(r, &obj, &req, &g, err);
        *secs = now() - t0;
        out = g ? rs_grads_output(g, 0) : NULL;
        if (rc == 0 && out_path)
            rc = rs_npy_write(out_path, out, err);
        rs_grads_free(g);
        rs_run_free(r);
        return rc;
    }
    if (rc == 0) {
        double t0 = now();
        rc = rs_run_output(r, m->outputs[0].node, m->outputs[0].output, &out, err);
        *secs = now() - t0;
    }
    if (rc == 0 && out_path)
        rc = rs_npy_write(out_path, out, err);
    rs_run_free(r);
    return rc;
}

/* Long enough for what a first call pays once (lazy symbol binding, a fresh heap's pages) and
 * for an idle CPU to be running at speed again (on this project's VM a second vCPU idle for a
 * while runs a 2-thread call of a few milliseconds 1.5x slower for the first ~20 ms). */
#define WARM_SECONDS 0.05

/* BENCH_KERNELS, when set: false when this machine cannot run that path. */
static bool force_kernels(void)
{
    const char *name = getenv("BENCH_KERNELS");
    rs_vmath_path path;
    if (!name || !*name)
        return true;
    if (!rs_vmath_from_name(name, &path) || !rs_vmath_force(path)) {
        fprintf(stderr, "forward: BENCH_KERNELS=%s: not a path this machine can run\n", name);
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    if (!force_kernels())
        return 2;
    if (argc == 2 && strcmp(argv[1], "--kernels") == 0) {
        printf("%s\n", rs_vmath_name(rs_vmath_current()));
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "--grad")) {
        with_grad = 1;
        argc--, argv++;
    }
    if (argc < 5 || argc > 6) {
        fputs("usage: forward [--grad] MODEL INPUT.npy THREADS REPS [OUT.npy] | forward --kernels\n",
              stderr);
        return 2;
    }
    int threads = atoi(argv[3]), reps = atoi(argv[4]);
    if (threads < 0 || reps < 1) {
        fputs("forward: THREADS must be 0 or more and REPS positive\n", stderr);
        return 2;
    }
    rs_set_threads(threads); /* 0: the default */
    rs_error err = {0};
    rs_model *m = NULL;
    rs_tensor input = {0};
    int rc = rs_model_load(argv[1], NULL, &m, &err);
    if (rc == 0 && (m->n_inputs != 1 || m->n_outputs < 1))
        rc = rs_fail(&err, argv[1], "the benchmark needs one input and an output");
    if (rc == 0)
        rc = rs_npy_read(argv[2], &input, &err);
    double t0 = now(), warm;
    for (int n = 0; rc == 0 && (n == 0 || now() - t0 < WARM_SECONDS); n++)
        rc = forward_once(m, &input, NULL, &warm, &err);
    for (int i = 0; rc == 0 && i < reps; i++) {
        double secs = 0;
        rc = forward_once(m, &input, i == reps - 1 && argc == 6 ? argv[5] : NULL, &secs, &err);
        if (rc == 0)
            printf("%.6f\n", secs);
    }
    if (rc != 0)
        fprintf(stderr, "forward: %s\n", err.msg);
    rs_tensor_free(&input);
    rs_model_free(m);
    return rc == 0 ? 0 : 1;
}

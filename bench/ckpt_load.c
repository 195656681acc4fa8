/* Timing (not a test): one load of a checkpoint in the library, what a timeline does for each
 * checkpoint before its statistics (issue 19's "one load"): rs_model_load (the HDF5 guard's
 * child, then the load here), REPS times, the seconds of each on its own line.
 * Run: bench/ckpt_load FILE REPS */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rnnscope/model.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench/ckpt_load FILE REPS\n");
        return 2;
    }
    int reps = atoi(argv[2]);
    for (int i = 0; i < reps; i++) {
        rs_error err = {0};
        rs_model *m = NULL;
        double t0 = now();
        int rc = rs_model_load(argv[1], NULL, &m, &err);
        double secs = now() - t0;
        rs_model_free(m);
        if (rc < 0) {
            fprintf(stderr, "bench/ckpt_load: %s\n", err.msg);
            return 1;
        }
        printf("%.6f\n", secs);
    }
    return 0;
}

/* Timing (not a test): what Debian's OpenBLAS sgemm reaches on given shapes, the limit the
 * batch-32 recurrent layers are measured against (bench/run.py). For each shape, C[MxN] =
 * A[MxK] * B[KxN] (row-major, float32) is repeated until at least 0.2 s have passed; the median
 * GFLOP/s (2*M*N*K flops per call) of 3 such blocks is printed, one line per shape.
 * Run: bench/sgemm_bound THREADS M N K [M N K ...]
 * With THREADS alone it prints OpenBLAS' build configuration (version, kernel, threading). */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static float *random_matrix(size_t n)
{
    float *p = malloc(n * sizeof *p);
    unsigned x = 12345u;
    for (size_t i = 0; p && i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (float)(x >> 16 & 0x7fff) / 32768.0f - 0.5f;
    }
    return p;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median GFLOP/s of 3 timed blocks of calls, after one warm-up call. */
static double sgemm_gflops(int M, int N, int K, const float *A, const float *B, float *C)
{
    double rate[3];
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, A, K, B, N, 0.0f, C, N);
    for (int blk = 0; blk < 3; blk++) {
        long calls = 0;
        double t0 = now(), dt;
        do {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, A, K, B, N,
                        0.0f, C, N);
            calls++;
            dt = now() - t0;
        } while (dt < 0.2);
        rate[blk] = 2.0 * M * N * (double)K * (double)calls / dt * 1e-9;
    }
    qsort(rate, 3, sizeof rate[0], by_value);
    return rate[1];
}

int main(int argc, char **argv)
{
    if (argc < 2 || (argc - 2) % 3 != 0) {
        fputs("usage: sgemm_bound THREADS [M N K ...]\n", stderr);
        return 2;
    }
    int threads = atoi(argv[1]);
    if (threads < 1) {
        fputs("sgemm_bound: THREADS must be positive\n", stderr);
        return 2;
    }
    openblas_set_num_threads(threads);
    if (argc == 2)
        printf("%s\n", openblas_get_config());
    for (int i = 2; i + 2 < argc; i += 3) {
        int M = atoi(argv[i]), N = atoi(argv[i + 1]), K = atoi(argv[i + 2]);
        if (M < 1 || N < 1 || K < 1 || (double)M * K + (double)K * N + (double)M * N > 4e8) {
            fprintf(stderr, "sgemm_bound: bad shape %s %s %s\n", argv[i], argv[i + 1], argv[i + 2]);
            return 2;
        }
        float *A = random_matrix((size_t)M * K), *B = random_matrix((size_t)K * N);
        float *C = malloc((size_t)M * N * sizeof *C);
        if (!A || !B || !C) {
            fputs("sgemm_bound: out of memory\n", stderr);
            return 1;
        }
        printf("%d %d %d %.2f\n", M, N, K, sgemm_gflops(M, N, K, A, B, C));
        fflush(stdout);
        free(A);
        free(B);
        free(C);
    }
    return 0;
}

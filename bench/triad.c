/* Timing (not a test): this machine's memory bandwidth, STREAM's triad a[i] = b[i] + s*c[i] on
 * float arrays, split over THREADS threads. Bytes counted per element: 12 (read b and c, write
 * a; write-allocate traffic is not counted, as in STREAM). Prints the best of the passes in
 * GB/s (10^9 bytes/s), STREAM's convention.
 * Run: bench/triad MIB_PER_ARRAY THREADS [PASSES]
 * e.g. bench/triad 128 1 (3 x 128 MiB: far beyond the last-level cache) or bench/triad 4 2. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define MAX_THREADS 256

typedef struct slice {
    float *a;
    const float *b, *c;
    size_t n;
    int passes;
    pthread_barrier_t *start, *done;
} slice;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The triad over n floats: 8 at a time in vector types, so that even at -O2 the loop streams
 * as STREAM compiled with -O3 would (the bound must not be our compiler flags). The AVX2 version
 * is used when the CPU has it; a and b, c are 32-byte aligned. */
typedef float v8f __attribute__((vector_size(32)));

#define TRIAD_BODY                                                                        \
    size_t i = 0;                                                                         \
    for (; i + 8 <= n; i += 8)                                                            \
        *(v8f *)(a + i) = *(const v8f *)(b + i) + scalar * *(const v8f *)(c + i);           \
    for (; i < n; i++)                                                                    \
        a[i] = b[i] + scalar * c[i];

__attribute__((target("avx2"))) static void triad_avx2(float *a, const float *b, const float *c,
                                                      size_t n, float scalar)
{
    TRIAD_BODY
}

static void triad_portable(float *a, const float *b, const float *c, size_t n, float scalar)
{
    TRIAD_BODY
}

/* Every thread does the same passes over its own slice; the barriers let the main thread time
 * each pass across all threads. */
static void *triad_worker(void *arg)
{
    slice *s = arg;
    bool avx2 = __builtin_cpu_supports("avx2");
    for (int p = 0; p < s->passes; p++) {
        pthread_barrier_wait(s->start);
        if (avx2)
            triad_avx2(s->a, s->b, s->c, s->n, 3.0f);
        else
            triad_portable(s->a, s->b, s->c, s->n, 3.0f);
        pthread_barrier_wait(s->done);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: triad MIB_PER_ARRAY THREADS [PASSES]\n", stderr);
        return 2;
    }
    double mib = atof(argv[1]);
    int threads = atoi(argv[2]);
    size_t n = (size_t)(mib * 1048576.0 / sizeof(float));
    int passes = argc > 3 ? atoi(argv[3]) : (mib >= 64 ? 10 : 100);
    if (n < 1024 || threads < 1 || threads > MAX_THREADS || passes < 2) {
        fputs("triad: need MIB_PER_ARRAY >= 0.004, 1..256 threads, PASSES >= 2\n", stderr);
        return 2;
    }
    float *a = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
    float *b = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
    float *c = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
    if (!a || !b || !c) {
        fputs("triad: out of memory\n", stderr);
        return 1;
    }
    pthread_barrier_t start, done;
    pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
    pthread_barrier_init(&done, NULL, (unsigned)threads + 1);
    slice sl[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    size_t per = ((n + (size_t)threads - 1) / (size_t)threads + 15) / 16 * 16; /* slices 64-byte aligned */
    for (int t = 0; t < threads; t++) {
        size_t lo = (size_t)t * per < n ? (size_t)t * per : n;
        size_t hi = lo + per < n ? lo + per : n;
        for (size_t i = lo; i < hi; i++) {
            a[i] = 0.0f;
            b[i] = 1.0f;
            c[i] = 2.0f;
        }
        sl[t] = (slice){a + lo, b + lo, c + lo, hi - lo, passes, &start, &done};
        pthread_create(&tid[t], NULL, triad_worker, &sl[t]);
    }
    double best = 1e30;
    for (int p = 0; p < passes; p++) {
        double t0 = now();
        pthread_barrier_wait(&start);
        pthread_barrier_wait(&done);
        double dt = now() - t0;
        if (p > 0 && dt < best) /* the first pass warms the caches and page tables */
            best = dt;
    }
    for (int t = 0; t < threads; t++)
        pthread_join(tid[t], NULL);
    double check = 0;
    for (size_t i = 0; i < n; i += 4096)
        check += a[i];
    if (check != 7.0 * (double)((n + 4095) / 4096)) {
        fputs("triad: wrong result\n", stderr);
        return 1;
    }
    printf("%.2f\n", 3.0 * (double)n * sizeof(float) / best * 1e-9);
    free(a);
    free(b);
    free(c);
    return 0;
}

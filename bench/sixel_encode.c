/* Timing (not a test): sixel encoding of attention matrices at 600x600 pixels.
 * Usage: bench/sixel_encode [repeats]. Prints the median time and the bytes produced. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rnnscope/sixel.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A softmax-like attention matrix: each row peaks near its own step and at a burst. */
static float *attention(size_t T)
{
    float *a = malloc(T * T * sizeof *a);
    for (size_t r = 0; r < T; r++) {
        double sum = 0;
        for (size_t c = 0; c < T; c++) {
            double d = (double)r - (double)c, b = (double)c - 0.6 * (double)T;
            a[r * T + c] = (float)(exp(-d * d / 50.0) + 2 * exp(-b * b / 20.0) + 0.01);
            sum += a[r * T + c];
        }
        for (size_t c = 0; c < T; c++)
            a[r * T + c] = (float)(a[r * T + c] / sum);
    }
    return a;
}

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 9;
    if (repeats < 1 || repeats > 1000)
        repeats = 9;
    size_t sizes[] = {240, 2048};
    printf("sixel encoding at 600x600 px, median of %d runs\n", repeats);
    for (size_t s = 0; s < 2; s++) {
        size_t T = sizes[s];
        float *a = attention(T);
        rs_matrix m = rs_matrix_make(a, T, T);
        double lo, hi, *times = malloc((size_t)repeats * sizeof *times);
        rs_norm norm = {RS_NORM_MINMAX, 0, 0};
        rs_heatmap_range(&m, &norm, &lo, &hi);
        size_t bytes = 0;
        for (int i = 0; i < repeats; i++) {
            rs_sixel_image img;
            rs_error err;
            double t0 = now();
            if (rs_sixel_heatmap(&m, 600, 600, RS_CMAP_VIRIDIS, lo, hi, RS_AGG_MEAN, &img, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                return 1;
            }
            times[i] = now() - t0;
            bytes = img.len;
            rs_sixel_free(&img);
        }
        qsort(times, (size_t)repeats, sizeof *times, cmp_double);
        printf("  %4zu x %-4zu  %8.2f ms  %8zu bytes\n", T, T, times[repeats / 2] * 1e3, bytes);
        free(times);
        free(a);
    }
    return 0;
}

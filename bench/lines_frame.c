/* Timing (not a test): the lines view of 64 channels x 10^6 timesteps in 200x60 cells.
 * Reports the one-time envelope build and the per-frame cost after it (drawing the canvas
 * from the envelopes, and turning it into ANSI text as `plot` does).
 * Run: make bench   (or: make bench/lines_frame && ./bench/lines_frame [T] [C] [frames]) */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rnnscope/plot.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    size_t T = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    size_t C = argc > 2 ? strtoull(argv[2], NULL, 10) : 64;
    int frames = argc > 3 ? atoi(argv[3]) : 200;
    if (T == 0 || C == 0 || frames < 1)
        return 2;
    float *d = malloc(T * C * sizeof *d);
    if (!d) {
        fprintf(stderr, "lines_frame: out of memory for %zu x %zu floats\n", T, C);
        return 1;
    }
    unsigned x = 1;
    for (size_t i = 0; i < T * C; i++) { /* a cheap random walk per channel */
        x = x * 1103515245u + 12345u;
        d[i] = (i >= C ? d[i - C] : 0) + ((float)(x >> 16 & 0x7fff) / 32768.0f - 0.5f);
    }
    rs_matrix m = rs_matrix_make(d, T, C);
    rs_lines_opts o;
    rs_lines_defaults(&o);
    o.style = (rs_style){RS_GFX_UNICODE, RS_DEPTH_256};
    o.zero_line = true;
    rs_canvas c;
    rs_error err = {0};
    if (rs_canvas_init(&c, 200, 60, &err) < 0)
        return 1;
    rs_lines L;
    double t0 = now();
    if (rs_lines_prepare(&L, &m, &o, rs_canvas_rect(&c), &err) < 0) {
        fprintf(stderr, "lines_frame: %s\n", err.msg);
        return 1;
    }
    double t1 = now();
    for (int f = 0; f < frames; f++)
        rs_lines_render(&L, &c);
    double t2 = now();
    size_t bytes = 0;
    for (int f = 0; f < frames; f++) {
        char *s = rs_canvas_ansi(&c, RS_DEPTH_256);
        bytes += s ? 1 : 0;
        free(s);
    }
    double t3 = now();
    printf("lines view: %zu channels x %zu timesteps in 200x60 cells (%zu panels of %dx%d shown)\n",
           C, T, L.npanels, L.npanels ? L.panels[0].box.w : 0, L.npanels ? L.panels[0].box.h : 0);
    printf("  envelope build (once):   %9.1f ms\n", (t1 - t0) * 1e3);
    printf("  frame from envelopes:    %9.3f ms  (mean of %d)\n", (t2 - t1) * 1e3 / frames, frames);
    printf("  canvas to ANSI text:     %9.3f ms  (mean of %d)\n", (t3 - t2) * 1e3 / frames, frames);
    (void)bytes;
    rs_lines_free(&L);
    rs_canvas_free(&c);
    free(d);
    return 0;
}

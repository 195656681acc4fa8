/* MaxPooling1D and AveragePooling1D. */
#include <math.h>
#include <stdint.h>

#include "rnnscope/ops.h"

void rs_pool1d_rows(bool average, size_t pool, size_t stride, rs_padding pad, size_t T, size_t C,
                    const float *x, float *y, size_t first, size_t end)
{
    size_t out_len, pad_left;
    rs_window_geometry(T, pool, stride, 1, pad, &out_len, &pad_left);
    for (size_t t = first; t < end && t < out_len; t++) {
        /* the window's steps inside the input: padding is skipped, not looped over, so the
         * cost is bounded by the input whatever the pool size */
        size_t at = t * stride; /* window start in padded coordinates */
        size_t lo = at >= pad_left ? at - pad_left : 0;
        size_t hi = at + pool >= pad_left ? at + pool - pad_left : 0;
        if (hi > T)
            hi = T;
        for (size_t c = 0; c < C; c++) {
            float acc = average ? 0.0f : -INFINITY;
            for (size_t pos = lo; pos < hi; pos++) {
                float v = x[pos * C + c];
                acc = average ? acc + v : (v > acc || isnan(v) ? v : acc);
            }
            y[t * C + c] = average ? (hi > lo ? acc / (float)(hi - lo) : 0.0f) : acc;
        }
    }
}

void rs_pool1d_run(bool average, size_t pool, size_t stride, rs_padding pad, size_t T, size_t C,
                   const float *x, float *y)
{
    rs_pool1d_rows(average, pool, stride, pad, T, C, x, y, 0, SIZE_MAX);
}

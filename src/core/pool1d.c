/* MaxPooling1D and AveragePooling1D. */
#include <math.h>

#include "rnnscope/ops.h"

void rs_pool1d_run(bool average, size_t pool, size_t stride, rs_padding pad, size_t T, size_t C,
                   const float *x, float *y)
{
    size_t out_len, pad_left;
    rs_window_geometry(T, pool, stride, 1, pad, &out_len, &pad_left);
    for (size_t t = 0; t < out_len; t++)
        for (size_t c = 0; c < C; c++) {
            float acc = average ? 0.0f : -INFINITY;
            size_t count = 0;
            for (size_t j = 0; j < pool; j++) {
                long long pos = (long long)(t * stride + j) - (long long)pad_left;
                if (pos < 0 || pos >= (long long)T)
                    continue;
                float v = x[(size_t)pos * C + c];
                acc = average ? acc + v : (v > acc || isnan(v) ? v : acc);
                count++;
            }
            y[t * C + c] = average ? (count ? acc / (float)count : 0.0f) : acc;
        }
}

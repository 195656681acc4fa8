/* BatchNormalization (inference) and LayerNormalization. */
#include <math.h>

#include "rnnscope/ops.h"

void rs_batch_norm_run(size_t rows, size_t C, const float *x, const float *gamma, const float *beta,
                       const float *mean, const float *var, float eps, float *y)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < C; c++) {
            /* as tf.nn.batch_normalization: x * inv + (beta - mean * inv) */
            float inv = 1.0f / sqrtf(var[c] + eps) * (gamma ? gamma[c] : 1.0f);
            y[r * C + c] = x[r * C + c] * inv + ((beta ? beta[c] : 0.0f) - mean[c] * inv);
        }
}

void rs_layer_norm_run(size_t rows, size_t C, const float *x, const float *gamma, const float *beta,
                       float eps, float *y)
{
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * C;
        double mean = 0, var = 0;
        for (size_t c = 0; c < C; c++)
            mean += xr[c];
        mean /= (double)C;
        for (size_t c = 0; c < C; c++)
            var += ((double)xr[c] - mean) * ((double)xr[c] - mean);
        var /= (double)C;
        float inv = 1.0f / sqrtf((float)var + eps);
        for (size_t c = 0; c < C; c++) {
            float v = ((float)(xr[c] - mean)) * inv;
            y[r * C + c] = v * (gamma ? gamma[c] : 1.0f) + (beta ? beta[c] : 0.0f);
        }
    }
}

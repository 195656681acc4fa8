/* Element-wise exp, sigmoid and tanh over arrays: portable C on the C library. */
#include <math.h>

#include "rnnscope/kernels.h"
#include "rnnscope/vmath.h"

void rs_vexp(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = expf(x[i]);
}

void rs_vsigmoid(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = rs_sigmoid(x[i]);
}

void rs_vtanh(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = tanhf(x[i]);
}

/* Element-wise exp, sigmoid and tanh over float arrays, in place. These are the hot
 * nonlinearities of recurrent gates and additive attention, so they get vector code (AVX2+FMA
 * chosen at run time, portable C otherwise). Accuracy: within 1e-6 absolute (and 4 ulp relative
 * for exp) of the C library's double-precision result; NaN stays NaN, ±Inf map as libm does. */
#ifndef RNNSCOPE_VMATH_H
#define RNNSCOPE_VMATH_H

#include <stddef.h>

void rs_vexp(float *x, size_t n);
void rs_vsigmoid(float *x, size_t n);
void rs_vtanh(float *x, size_t n);

#endif

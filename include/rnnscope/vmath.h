/* Element-wise exp, sigmoid and tanh over float arrays, in place. These are the hot
 * nonlinearities of recurrent gates and additive attention, so they get vector code (AVX-512 or
 * AVX2+FMA chosen at run time, portable C with the same algorithm otherwise; src/core/vmath.c).
 *
 * Accuracy against the C library's double-precision result rounded to float, on every finite
 * input including subnormal inputs and results (tests/unit/test_vmath, every path):
 *   rs_vexp      <= 1.5 ulp  (measured 1.0)
 *   rs_vsigmoid  <= 2.5 ulp and <= 1e-7 absolute  (measured 2.15 ulp, 9e-8)
 *   rs_vtanh     <= 1.5 ulp and <= 1e-7 absolute  (measured 1.23 ulp, 7.4e-8)
 * Special values: NaN stays NaN; exp(+Inf) = +Inf (also above ln FLT_MAX = 88.7228),
 * exp(-Inf) = 0 (also below -103.98); sigmoid(±Inf) = 1 / 0; tanh(±Inf) = ±1, tanh(-0) = -0.
 * Results do not depend on the array's length or alignment. */
#ifndef RNNSCOPE_VMATH_H
#define RNNSCOPE_VMATH_H

#include <stddef.h>

void rs_vexp(float *x, size_t n);
void rs_vsigmoid(float *x, size_t n);
void rs_vtanh(float *x, size_t n);

#endif

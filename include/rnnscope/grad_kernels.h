/* Numeric kernels of the reverse pass: products with a transposed operand, and the derivatives
 * of the Keras activations (rnnscope/kernels.h). */
#ifndef RNNSCOPE_GRAD_KERNELS_H
#define RNNSCOPE_GRAD_KERNELS_H

#include <stdbool.h>
#include <stddef.h>

#include "rnnscope/kernels.h"

/* dst (cols, rows) = src (rows, cols) transposed; src rows lds apart. */
void rs_transpose(size_t rows, size_t cols, const float *src, size_t lds, float *dst);

/* C[M,N] (+)= A[K,M]ᵀ B[K,N] (the gradient of a weight: inputs ᵀ · output gradients).
 * Returns -1 when out of memory for the transpose. */
int rs_gemm_tn(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B,
               size_t ldb, float *C, size_t ldc, bool accumulate);

/* C[M,N] (+)= A[M,K] B[N,K]ᵀ (the gradient of an input: output gradients · weightsᵀ).
 * Returns -1 when out of memory for the transpose. */
int rs_gemm_nt(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B,
               size_t ldb, float *C, size_t ldc, bool accumulate);

/* Does rnnscope have the derivative of this element-wise activation? (Softmax kinds: see
 * rs_softmax_axis_backward.) */
bool rs_activation_has_grad(const rs_activation *a);

/* dx = dy · f'(x) element-wise, for the pre-activations x (y = f(x) unused by most kinds). */
void rs_activation_backward(const rs_activation *a, const float *x, const float *dy, float *dx,
                            size_t n);

/* The same from the activations' outputs y alone, for the kinds where f' is a function of y
 * (linear, tanh, sigmoid, hard_sigmoid, plain relu, relu6, elu, selu, softplus, softsign,
 * exponential): false for the others. d gets f'(x) (not multiplied by anything). */
bool rs_activation_grad_from_output(const rs_activation *a, const float *y, float *d, size_t n);

/* Softmax (or log-softmax) over `axis` of a tensor of `shape`: dx from its output y and dy. */
void rs_softmax_axis_backward(const float *y, const float *dy, float *dx, int rank,
                              const size_t *shape, int axis, bool log);

#endif

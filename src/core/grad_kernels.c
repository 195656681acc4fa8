/* Reverse-pass kernels: transposed products (through rs_gemm on a transposed copy, so that
 * they run at its speed) and the activations' derivatives, each the derivative of the formula
 * in activations.c (Keras' definition; at a kink, the side TensorFlow takes: 0 at relu's 0). */
#include <math.h>
#include <stdlib.h>

#include "rnnscope/grad_kernels.h"

#define SELU_ALPHA 1.6732632423543772
#define SELU_SCALE 1.0507009873554805

void rs_transpose(size_t rows, size_t cols, const float *src, size_t lds, float *dst)
{
    const size_t B = 32; /* blocks keep both sides in cache */
    for (size_t i0 = 0; i0 < rows; i0 += B)
        for (size_t j0 = 0; j0 < cols; j0 += B)
            for (size_t i = i0; i < i0 + B && i < rows; i++)
                for (size_t j = j0; j < j0 + B && j < cols; j++)
                    dst[j * rows + i] = src[i * lds + j];
}

static float *scratch(size_t a, size_t b)
{
    if (a && b > ((size_t)1 << 40) / a)
        return NULL;
    return malloc((a && b ? a * b : 1) * sizeof(float));
}

int rs_gemm_tn(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B,
               size_t ldb, float *C, size_t ldc, bool accumulate)
{
    float *at = scratch(M, K);
    if (!at)
        return -1;
    rs_transpose(K, M, A, lda, at);
    rs_gemm(M, N, K, at, K, B, ldb, C, ldc, accumulate);
    free(at);
    return 0;
}

int rs_gemm_nt(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B,
               size_t ldb, float *C, size_t ldc, bool accumulate)
{
    float *bt = scratch(K, N);
    if (!bt)
        return -1;
    rs_transpose(N, K, B, ldb, bt);
    rs_gemm(M, N, K, A, lda, bt, N, C, ldc, accumulate);
    free(bt);
    return 0;
}

static double sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

static double softplus(double x)
{
    return fmax(x, 0.0) + log1p(exp(-fabs(x)));
}

/* keras.activations.relu(x, alpha, max_value, threshold): see relu_keras in activations.c. */
static double relu_grad(const rs_activation *a, double x)
{
    double d = x > a->threshold && x > 0 && (!isfinite(a->max_value) || x < a->max_value);
    if (a->alpha != 0 && x < a->threshold)
        d += a->alpha;
    return d;
}

static double grad1(const rs_activation *a, double x)
{
    switch (a->kind) {
    case RS_ACT_LINEAR: return 1;
    case RS_ACT_TANH: { double t = tanh(x); return 1 - t * t; }
    case RS_ACT_SIGMOID: { double s = sigmoid(x); return s * (1 - s); }
    case RS_ACT_HARD_SIGMOID_K2: return x > -2.5 && x < 2.5 ? 0.2 : 0;
    case RS_ACT_HARD_SIGMOID_K3: return x > -3 && x < 3 ? 1.0 / 6 : 0;
    case RS_ACT_HARD_SILU:
        return (x >= 3 ? 1 : x <= -3 ? 0 : x / 6 + 0.5) + (x > -3 && x < 3 ? x / 6 : 0);
    case RS_ACT_RELU: return relu_grad(a, x);
    case RS_ACT_RELU6: return x > 0 && x < 6;
    case RS_ACT_ELU: return x > 0 ? 1 : a->alpha * exp(x);
    case RS_ACT_SELU: return SELU_SCALE * (x > 0 ? 1 : SELU_ALPHA * exp(x));
    case RS_ACT_SOFTPLUS: return sigmoid(x);
    case RS_ACT_SOFTSIGN: { double d = 1 + fabs(x); return 1 / (d * d); }
    case RS_ACT_EXPONENTIAL: return exp(x);
    case RS_ACT_SWISH: { double s = sigmoid(x); return s + x * s * (1 - s); }
    case RS_ACT_GELU: return 0.5 * (1 + erf(x * M_SQRT1_2)) + x * exp(-0.5 * x * x) / sqrt(2 * M_PI);
    case RS_ACT_GELU_TANH: {
        double c = 0.7978845608028654, u = c * (x + 0.044715 * x * x * x), t = tanh(u);
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x);
    }
    case RS_ACT_MISH: {
        double t = tanh(softplus(x));
        return t + x * (1 - t * t) * sigmoid(x);
    }
    case RS_ACT_CELU: return x > 0 ? 1 : exp(x);
    case RS_ACT_SQUAREPLUS: return 0.5 * (1 + x / sqrt(x * x + 4));
    case RS_ACT_SOFT_SHRINK:
    case RS_ACT_HARD_SHRINK: return fabs(x) > 0.5;
    case RS_ACT_SPARSE_PLUS: return x <= -1 ? 0 : x < 1 ? 0.5 * (x + 1) : 1;
    case RS_ACT_TANH_SHRINK: { double t = tanh(x); return t * t; }
    case RS_ACT_HARD_TANH: return x > -1 && x < 1;
    case RS_ACT_LOG_SIGMOID: return sigmoid(-x);
    case RS_ACT_SPARSE_SIGMOID: return x > -1 && x < 1 ? 0.5 : 0;
    default: return NAN; /* softmax kinds, and any kind added without a derivative */
    }
}

bool rs_activation_has_grad(const rs_activation *a)
{
    return a->kind != RS_ACT_SOFTMAX && a->kind != RS_ACT_LOG_SOFTMAX && !isnan(grad1(a, 0.25));
}

void rs_activation_backward(const rs_activation *a, const float *x, const float *dy, float *dx,
                            size_t n)
{
    for (size_t i = 0; i < n; i++)
        dx[i] = (float)(dy[i] * grad1(a, x[i]));
}

static bool plain_relu(const rs_activation *a)
{
    return a->alpha == 0 && a->threshold == 0 && !isfinite(a->max_value);
}

/* f'(x) as a function of y = f(x), or NAN when it is not one. */
static double grad_of_output(const rs_activation *a, double y)
{
    switch (a->kind) {
    case RS_ACT_LINEAR: return 1;
    case RS_ACT_TANH: return 1 - y * y;
    case RS_ACT_SIGMOID: return y * (1 - y);
    case RS_ACT_HARD_SIGMOID_K2: return y > 0 && y < 1 ? 0.2 : 0;
    case RS_ACT_HARD_SIGMOID_K3: return y > 0 && y < 1 ? 1.0 / 6 : 0;
    case RS_ACT_RELU: return plain_relu(a) ? y > 0 : NAN;
    case RS_ACT_RELU6: return y > 0 && y < 6;
    case RS_ACT_ELU: return y > 0 ? 1 : y + a->alpha;
    case RS_ACT_SELU: return y > 0 ? SELU_SCALE : y + SELU_SCALE * SELU_ALPHA;
    case RS_ACT_SOFTPLUS: return -expm1(-y);
    case RS_ACT_SOFTSIGN: { double d = 1 - fabs(y); return d * d; }
    case RS_ACT_EXPONENTIAL: return y;
    default: return NAN;
    }
}

bool rs_activation_grad_from_output(const rs_activation *a, const float *y, float *d, size_t n)
{
    if (isnan(grad_of_output(a, 0.5)))
        return false;
    for (size_t i = 0; i < n; i++)
        d[i] = (float)grad_of_output(a, y[i]);
    return true;
}

void rs_softmax_axis_backward(const float *y, const float *dy, float *dx, int rank,
                              const size_t *shape, int axis, bool log)
{
    if (axis < 0)
        axis += rank;
    size_t outer = 1, inner = 1, len = shape[axis];
    for (int i = 0; i < axis; i++)
        outer *= shape[i];
    for (int i = axis + 1; i < rank; i++)
        inner *= shape[i];
    for (size_t o = 0; o < outer; o++)
        for (size_t in = 0; in < inner; in++) {
            size_t base = o * len * inner + in;
            double s = 0;
            for (size_t k = 0; k < len; k++)
                s += log ? dy[base + k * inner]
                         : (double)dy[base + k * inner] * y[base + k * inner];
            for (size_t k = 0; k < len; k++) {
                size_t i = base + k * inner;
                dx[i] = log ? (float)(dy[i] - exp(y[i]) * s) : (float)(y[i] * (dy[i] - s));
            }
        }
}

/* Keras activations, each as Keras defines it (keras/activations.py, keras/src/activations). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/kernels.h"
#include "rnnscope/vmath.h"

#define SELU_ALPHA 1.6732632423543772f
#define SELU_SCALE 1.0507009873554805f

typedef struct act_name {
    const char *name;
    rs_act_kind kind;
} act_name;

static const act_name act_names[] = {
    {"linear", RS_ACT_LINEAR},       {"tanh", RS_ACT_TANH},
    {"sigmoid", RS_ACT_SIGMOID},     {"relu", RS_ACT_RELU},
    {"relu6", RS_ACT_RELU6},         {"elu", RS_ACT_ELU},
    {"selu", RS_ACT_SELU},           {"softplus", RS_ACT_SOFTPLUS},
    {"softsign", RS_ACT_SOFTSIGN},   {"exponential", RS_ACT_EXPONENTIAL},
    {"swish", RS_ACT_SWISH},         {"silu", RS_ACT_SWISH},
    {"gelu", RS_ACT_GELU},           {"mish", RS_ACT_MISH},
    {"softmax", RS_ACT_SOFTMAX},     {"log_softmax", RS_ACT_LOG_SOFTMAX},
    {"hard_silu", RS_ACT_HARD_SILU}, {"hard_swish", RS_ACT_HARD_SILU},
    {"celu", RS_ACT_CELU},           {"squareplus", RS_ACT_SQUAREPLUS},
    {"soft_shrink", RS_ACT_SOFT_SHRINK}, {"hard_shrink", RS_ACT_HARD_SHRINK},
    {"sparse_plus", RS_ACT_SPARSE_PLUS}, {"tanh_shrink", RS_ACT_TANH_SHRINK},
    {"hard_tanh", RS_ACT_HARD_TANH}, {"log_sigmoid", RS_ACT_LOG_SIGMOID},
    {"sparse_sigmoid", RS_ACT_SPARSE_SIGMOID},
    /* what every released Keras computes (3.8-3.15); the caller knows a later version */
    {"sparsemax", RS_ACT_SPARSEMAX_K38},
    {"glu", RS_ACT_GLU},
};

bool rs_activation_from_name(const char *name, int keras_major, rs_activation *out)
{
    memset(out, 0, sizeof *out);
    out->axis = -1;
    out->alpha = 0.0f;
    out->max_value = INFINITY;
    if (!name || !*name || strcmp(name, "None") == 0) {
        out->kind = RS_ACT_LINEAR;
        return true;
    }
    if (strcmp(name, "leaky_relu") == 0) { /* keras.activations.leaky_relu: negative_slope 0.2 */
        out->kind = RS_ACT_RELU;
        out->alpha = 0.2f;
        return true;
    }
    if (strcmp(name, "hard_sigmoid") == 0) {
        out->kind = keras_major >= 3 ? RS_ACT_HARD_SIGMOID_K3 : RS_ACT_HARD_SIGMOID_K2;
        return true;
    }
    for (size_t i = 0; i < sizeof act_names / sizeof act_names[0]; i++) {
        if (strcmp(name, act_names[i].name) == 0) {
            out->kind = act_names[i].kind;
            if (out->kind == RS_ACT_ELU)
                out->alpha = 1.0f;
            return true;
        }
    }
    return false;
}

float rs_sigmoid(float x)
{
    /* Stable for large |x|: never exponentiates a large positive number. */
    if (x >= 0) {
        float e = expf(-x);
        return 1.0f / (1.0f + e);
    }
    float e = expf(x);
    return e / (1.0f + e);
}

static float clampf(float x, float lo, float hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static float relu_keras(const rs_activation *a, float x)
{
    /* keras.activations.relu(x, alpha, max_value, threshold), step by step as Keras does it:
     * keep x above the threshold, clip to [0, max_value] when a cap is set, then subtract
     * alpha * relu(threshold - x). */
    float t = a->threshold;
    float y = x > t ? x : 0.0f;
    if (isfinite(a->max_value))
        y = clampf(y, 0.0f, a->max_value);
    if (a->alpha != 0.0f)
        y -= a->alpha * fmaxf(t - x, 0.0f);
    return y;
}

static float softplus(float x)
{
    return fmaxf(x, 0.0f) + log1pf(expf(-fabsf(x)));
}

float rs_apply1(const rs_activation *a, float x)
{
    switch (a->kind) {
    case RS_ACT_LINEAR: return x;
    case RS_ACT_TANH: return tanhf(x);
    case RS_ACT_SIGMOID: return rs_sigmoid(x);
    case RS_ACT_HARD_SIGMOID_K2: return clampf(0.2f * x + 0.5f, 0.0f, 1.0f);
    case RS_ACT_HARD_SIGMOID_K3: return clampf(x / 6.0f + 0.5f, 0.0f, 1.0f);
    case RS_ACT_HARD_SILU: return x * clampf(x / 6.0f + 0.5f, 0.0f, 1.0f);
    case RS_ACT_RELU: return relu_keras(a, x);
    case RS_ACT_RELU6: return clampf(x, 0.0f, 6.0f);
    case RS_ACT_ELU: return x > 0 ? x : a->alpha * expm1f(x);
    case RS_ACT_SELU: return SELU_SCALE * (x > 0 ? x : SELU_ALPHA * expm1f(x));
    case RS_ACT_SOFTPLUS: return softplus(x);
    case RS_ACT_SOFTSIGN: return x / (fabsf(x) + 1.0f);
    case RS_ACT_EXPONENTIAL: return expf(x);
    case RS_ACT_SWISH: return x * rs_sigmoid(x);
    case RS_ACT_GELU: return 0.5f * x * (1.0f + erff(x * (float)M_SQRT1_2));
    case RS_ACT_GELU_TANH: {
        float c = 0.7978845608028654f; /* sqrt(2/pi) */
        return 0.5f * x * (1.0f + tanhf(c * (x + 0.044715f * x * x * x)));
    }
    case RS_ACT_MISH: return x * tanhf(softplus(x));
    case RS_ACT_CELU: return fmaxf(x, 0.0f) + expm1f(fminf(x, 0.0f));
    case RS_ACT_SQUAREPLUS: return (x + sqrtf(x * x + 4.0f)) / 2.0f;
    case RS_ACT_SOFT_SHRINK: return x > 0.5f ? x - 0.5f : x < -0.5f ? x + 0.5f : 0.0f;
    case RS_ACT_HARD_SHRINK: return fabsf(x) > 0.5f ? x : 0.0f;
    case RS_ACT_SPARSE_PLUS: return x <= -1.0f ? 0.0f : x < 1.0f ? 0.25f * (x + 1) * (x + 1) : x;
    case RS_ACT_TANH_SHRINK: return x - tanhf(x);
    case RS_ACT_HARD_TANH: return clampf(x, -1.0f, 1.0f);
    case RS_ACT_LOG_SIGMOID: return -softplus(-x);
    case RS_ACT_SPARSE_SIGMOID: return x <= -1.0f ? 0.0f : x >= 1.0f ? 1.0f : 0.5f * (x + 1);
    case RS_ACT_SOFTMAX:
    case RS_ACT_LOG_SOFTMAX:
    case RS_ACT_SPARSEMAX:
    case RS_ACT_SPARSEMAX_K38:
    case RS_ACT_GLU: return x; /* not element-wise: see rs_activate and rs_glu */
    }
    return x;
}

bool rs_activation_elementwise(const rs_activation *a)
{
    switch (a->kind) {
    case RS_ACT_SOFTMAX:
    case RS_ACT_LOG_SOFTMAX:
    case RS_ACT_SPARSEMAX:
    case RS_ACT_SPARSEMAX_K38:
    case RS_ACT_GLU: return false;
    default: return true;
    }
}

void rs_glu(const float *x, float *y, size_t rows, size_t len)
{
    size_t half = len / 2;
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < half; j++)
            y[r * half + j] = x[r * len + j] * rs_sigmoid(x[r * len + half + j]);
}

/* qsort order: descending (no NaN reaches it) */
static int descending(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x < y) - (x > y);
}

/* Sparsemax of one row, as sparsemax in keras/src/backend/{tensorflow,jax,numpy,torch}/nn.py:
 * sort descending, cumulative sums c_j, support = the j with sorted_j - (c_j - 1) / j > 0,
 * k = its size, then tau. The released versions sum the cumulative sums over the support
 * (keras issue #23425); the fix (PR #23469) sums the sorted values, that is c_k. A row with a
 * NaN, or without a finite support, becomes NaN. `sorted` is scratch of len values. */
static void sparsemax_row(float *p, size_t len, bool released, float *sorted)
{
    for (size_t j = 0; j < len; j++)
        if (isnan(p[j])) {
            for (j = 0; j < len; j++)
                p[j] = NAN;
            return;
        }
    memcpy(sorted, p, len * sizeof(float));
    qsort(sorted, len, sizeof(float), descending);
    double cumsum = 0, kept = 0, k = 0;
    for (size_t j = 0; j < len; j++) {
        cumsum += sorted[j];
        if (sorted[j] - (cumsum - 1) / (double)(j + 1) > 0) {
            k++;
            kept += released ? cumsum : sorted[j];
        }
    }
    float tau = k > 0 ? (float)((kept - 1) / k) : NAN;
    for (size_t j = 0; j < len; j++)
        p[j] = isnan(tau) ? NAN : fmaxf(p[j] - tau, 0.0f);
}

static void sparsemax_rows(float *x, size_t n, size_t row, bool released)
{
    float sorted[256], *scratch = row <= 256 ? sorted : malloc(row * sizeof(float));
    if (!scratch) { /* out of memory: NaN rather than a wrong number */
        for (size_t i = 0; i < n; i++)
            x[i] = NAN;
        return;
    }
    for (size_t r = 0; r + row <= n; r += row)
        sparsemax_row(x + r, row, released, scratch);
    if (scratch != sorted)
        free(scratch);
}

void rs_activate(const rs_activation *a, float *x, size_t n, size_t row)
{
    if (a->kind == RS_ACT_LINEAR)
        return;
    if (a->kind == RS_ACT_SOFTMAX || a->kind == RS_ACT_LOG_SOFTMAX) {
        if (row == 0)
            return;
        size_t shape[2] = {n / row, row};
        rs_softmax_axis(x, 2, shape, 1, a->kind == RS_ACT_LOG_SOFTMAX);
        return;
    }
    if (a->kind == RS_ACT_SPARSEMAX || a->kind == RS_ACT_SPARSEMAX_K38) {
        if (row > 0)
            sparsemax_rows(x, n, row, a->kind == RS_ACT_SPARSEMAX_K38);
        return;
    }
    if (a->kind == RS_ACT_GLU)
        return; /* changes the shape: the caller uses rs_glu */
    /* the vector versions (rnnscope/vmath.h) of the common element-wise ones */
    if (a->kind == RS_ACT_TANH || a->kind == RS_ACT_SIGMOID || a->kind == RS_ACT_EXPONENTIAL) {
        void (*vec)(float *, size_t) = a->kind == RS_ACT_TANH      ? rs_vtanh
                                       : a->kind == RS_ACT_SIGMOID ? rs_vsigmoid
                                                                   : rs_vexp;
        vec(x, n);
        return;
    }
    for (size_t i = 0; i < n; i++)
        x[i] = rs_apply1(a, x[i]);
}

/* Softmax of one contiguous row: the same formula as the strided loop of rs_softmax_axis
 * (exp(x - max) / Σ, the sum in double), with the exps done once by rs_vexp. */
static void softmax_row(float *p, size_t len)
{
    float max = -INFINITY;
    for (size_t k = 0; k < len; k++)
        max = p[k] > max ? p[k] : max; /* NaN skipped, as fmaxf does */
    for (size_t k = 0; k < len; k++)
        p[k] -= max;
    rs_vexp(p, len);
    double part[4] = {0, 0, 0, 0};
    size_t k = 0;
    for (; k + 4 <= len; k += 4)
        for (int l = 0; l < 4; l++)
            part[l] += p[k + l];
    for (; k < len; k++)
        part[0] += p[k];
    float sum = (float)((part[0] + part[1]) + (part[2] + part[3]));
    for (k = 0; k < len; k++)
        p[k] /= sum;
}

void rs_softmax_axis(float *x, int rank, const size_t *shape, int axis, bool log)
{
    if (axis < 0)
        axis += rank;
    if (axis < 0 || axis >= rank)
        return;
    size_t outer = 1, inner = 1, len = shape[axis];
    for (int i = 0; i < axis; i++)
        outer *= shape[i];
    for (int i = axis + 1; i < rank; i++)
        inner *= shape[i];
    if (inner == 1 && !log) {
        for (size_t o = 0; o < outer; o++)
            softmax_row(x + o * len, len);
        return;
    }
    for (size_t o = 0; o < outer; o++) {
        for (size_t in = 0; in < inner; in++) {
            float *p = x + o * len * inner + in;
            float max = -INFINITY;
            for (size_t k = 0; k < len; k++)
                max = fmaxf(max, p[k * inner]);
            double sum = 0;
            for (size_t k = 0; k < len; k++)
                sum += expf(p[k * inner] - max);
            float lsum = logf((float)sum);
            for (size_t k = 0; k < len; k++) {
                float shifted = p[k * inner] - max;
                p[k * inner] = log ? shifted - lsum : expf(shifted) / (float)sum;
            }
        }
    }
}

/* Numeric kernels: matrix products and Keras activations on float32 arrays. */
#ifndef RNNSCOPE_KERNELS_H
#define RNNSCOPE_KERNELS_H

#include <stdbool.h>
#include <stddef.h>

/* Keras activations, by the names Keras writes in configs. */
typedef enum rs_act_kind {
    RS_ACT_LINEAR,
    RS_ACT_TANH,
    RS_ACT_SIGMOID,
    RS_ACT_HARD_SIGMOID_K2, /* Keras <= 2: clip(0.2x + 0.5, 0, 1) */
    RS_ACT_HARD_SIGMOID_K3, /* Keras 3:    clip(x/6 + 0.5, 0, 1) */
    RS_ACT_HARD_SILU,       /* Keras 3 hard_silu / hard_swish: x * hard_sigmoid_k3(x) */
    RS_ACT_RELU,            /* with alpha (negative slope), max_value, threshold */
    RS_ACT_RELU6,
    RS_ACT_ELU,             /* alpha */
    RS_ACT_SELU,
    RS_ACT_SOFTPLUS,
    RS_ACT_SOFTSIGN,
    RS_ACT_EXPONENTIAL,
    RS_ACT_SWISH,           /* swish == silu: x * sigmoid(x) */
    RS_ACT_GELU,            /* exact: 0.5 x (1 + erf(x / sqrt 2)) */
    RS_ACT_GELU_TANH,       /* tanh approximation */
    RS_ACT_MISH,
    RS_ACT_CELU,            /* Keras 3, alpha 1: max(x,0) + alpha expm1(min(x,0) / alpha) */
    RS_ACT_SQUAREPLUS,      /* Keras 3, b 4: (x + sqrt(x^2 + b)) / 2 */
    RS_ACT_SOFT_SHRINK,     /* Keras 3, threshold 0.5 */
    RS_ACT_HARD_SHRINK,     /* Keras 3, threshold 0.5 */
    RS_ACT_SPARSE_PLUS,     /* Keras 3: 0, (x+1)^2/4, x */
    RS_ACT_TANH_SHRINK,     /* Keras 3: x - tanh x */
    RS_ACT_HARD_TANH,       /* Keras 3: clip(x, -1, 1) */
    RS_ACT_LOG_SIGMOID,     /* Keras 3: -softplus(-x) */
    RS_ACT_SPARSE_SIGMOID,  /* Keras 3: 0, (x+1)/2, 1 */
    RS_ACT_SOFTMAX,         /* over one axis (default the last) */
    RS_ACT_LOG_SOFTMAX,
    /* sparsemax over the last axis: max(x - tau, 0), tau from the k sorted values that stay */
    RS_ACT_SPARSEMAX,       /* Martins & Astudillo: tau = (cumsum_k - 1) / k (Keras >= 3.16) */
    RS_ACT_SPARSEMAX_K38,   /* Keras 3.8-3.15: tau = (cumsum_1 + ... + cumsum_k - 1) / k */
    RS_ACT_GLU,             /* Keras 3.7+: x = [a, b] halves of the last axis, a * sigmoid(b);
                             * halves the last axis (rs_glu), so not in place */
} rs_act_kind;

typedef struct rs_activation {
    rs_act_kind kind;
    float alpha;      /* relu negative slope, elu alpha */
    float max_value;  /* relu cap; <= 0 or INFINITY when none */
    float threshold;  /* relu threshold */
    int axis;         /* softmax axis; -1 = last */
} rs_activation;

/* The activation a Keras config names ("tanh", "hard_sigmoid", ...). keras_major selects
 * hard_sigmoid's formula. Returns false for an unknown name. */
bool rs_activation_from_name(const char *name, int keras_major, rs_activation *out);

/* Apply an element-wise activation in place. Softmax and sparsemax are not element-wise: this
 * function applies them to rows of length `row` (rs_softmax_axis for another axis); glu is
 * left to rs_glu. */
void rs_activate(const rs_activation *a, float *x, size_t n, size_t row);

/* True for the activations that act on each value alone (not softmax, sparsemax or glu). */
bool rs_activation_elementwise(const rs_activation *a);

/* glu over rows of `len` values (even): y, rows of len / 2, = first half * sigmoid(second). */
void rs_glu(const float *x, float *y, size_t rows, size_t len);

/* Softmax over `axis` of a tensor of the given shape, in place. log selects log-softmax. */
void rs_softmax_axis(float *x, int rank, const size_t *shape, int axis, bool log);

/* Scalar activations, for fused loops. */
float rs_sigmoid(float x);
float rs_apply1(const rs_activation *a, float x);

/* C[M,N] = (accumulate ? C : 0) + A[M,K] * B[K,N]; row-major with leading dimensions. */
void rs_gemm(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B, size_t ldb,
             float *C, size_t ldc, bool accumulate);

/* y[N] = (accumulate ? y : 0) + x[K] * B[K,N]. */
void rs_gemv_rows(size_t N, size_t K, const float *x, const float *B, size_t ldb, float *y,
                  bool accumulate);

/* A right-hand side B[K,N] laid out once for many products (the recurrent weights, used at every
 * step): bands of rows cut into 16-column panels, either copied (rs_pack_b) or rearranged in
 * B's own memory (rs_pack_b_in_place: the weights are then held once). */
typedef struct rs_packed_b {
    size_t K, N, ldb;
    const float *B;       /* B in rows, or NULL while B is rearranged in place */
    float *panels;        /* the packed B, or NULL: products read B */
    size_t width;         /* columns of a band in panels (N rounded up to 16 when copied) */
    size_t col0;          /* this product's first column in panels (rs_packed_b_columns) */
    bool owned;           /* panels is a copy, freed by rs_packed_b_free */
    unsigned char *seen;  /* in place: scratch to put B back, allocated up front */
} rs_packed_b;

/* Packs a copy of B (ldb: B's row stride). Returns -1 when out of memory; without AVX2 (the portable path) nothing is
 * copied and products read B. */
int rs_pack_b(rs_packed_b *p, size_t K, size_t N, const float *B, size_t ldb);

/* Rearranges B (K x N, rows contiguous) into panels in its own memory. Until rs_unpack_b_in_place
 * B holds no rows: nothing else may read it. Returns 0 when done, 1 when this machine or shape
 * cannot (no AVX2, N not a multiple of 16: use rs_pack_b), -1 when out of memory. */
int rs_pack_b_in_place(rs_packed_b *p, size_t K, size_t N, float *B);

/* Puts B back in rows, exactly as it was (a no-op unless packed in place). */
void rs_unpack_b_in_place(rs_packed_b *p);

/* The columns [col0, col0 + n) of a packed B as a B of their own; col0 a multiple of 16. It
 * refers to p's panels and is not freed. */
rs_packed_b rs_packed_b_columns(const rs_packed_b *p, size_t col0, size_t n);

void rs_packed_b_free(rs_packed_b *p);

/* C[M,N] = (accumulate ? C : 0) + A[M,K] * B. */
void rs_gemm_packed(size_t M, const float *A, size_t lda, const rs_packed_b *B, float *C,
                    size_t ldc, bool accumulate);

#endif

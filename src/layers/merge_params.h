/* The parsed configs (node->params) of the merge layers, shared by their forward pass
 * (src/layers/merge.c) and their reverse pass (src/layers/merge_grad.c). Not a public interface. */
#ifndef RNNSCOPE_LAYERS_MERGE_PARAMS_H
#define RNNSCOPE_LAYERS_MERGE_PARAMS_H

#include "rnnscope/kernels.h"
#include "rnnscope/node.h"

typedef enum merge_op {
    MERGE_CONCAT, MERGE_ADD, MERGE_SUBTRACT, MERGE_MULTIPLY, MERGE_AVERAGE, MERGE_MAXIMUM,
    MERGE_MINIMUM, MERGE_DOT,
} merge_op;

typedef struct merge_params {
    merge_op op;
    int axis;        /* Concatenate: index into the shape without batch */
    int axes[2];     /* Dot: per input, index into the shape without batch */
    bool normalize;  /* Dot */
} merge_params;

/* How batch_dot pairs the elements of its two inputs (merge.c): per sample s and output element
 * i, x[ox + k ka] · z[oz + k kb] summed over k < len. */
typedef struct dot_plan {
    size_t dims[2 * RS_MAX_RANK], strides[2 * RS_MAX_RANK];
    int nx, nz;
    size_t len, ka, kb, xs, zs, per;
} dot_plan;

/* The plan of contracting axis a of x with axis b of z, and the result's shape and rank. */
int dot_plan_make(const rs_tensor *x, int a, const rs_tensor *z, int b, dot_plan *pl,
                  size_t *shape, int *rank, rs_error *err);
void dot_plan_offsets(const dot_plan *pl, size_t s, size_t i, size_t *ox, size_t *oz);

/* L2-normalize x along `axis` into y, as Keras: x / sqrt(max(sum x^2, min_sq)). */
int l2_normalize(const rs_tensor *x, int axis, float min_sq, rs_tensor *y, rs_error *err);

/* min_sq of Dot(normalize=True): epsilon^2 of tf.nn.l2_normalize (Keras 2) or Keras 3's. */
static inline float dot_min_sq(int keras_major)
{
    return keras_major >= 3 ? 1e-14f : 1e-12f;
}

#endif

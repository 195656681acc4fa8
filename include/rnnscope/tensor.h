/* A dense float32 tensor in C (row-major) order, rank 0..RS_MAX_RANK. */
#ifndef RNNSCOPE_TENSOR_H
#define RNNSCOPE_TENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include "rnnscope/error.h"

#define RS_MAX_RANK 6

/* Largest element count we agree to hold (2^40 floats would be 4 TiB: far beyond any model). */
#define RS_MAX_ELEMS ((size_t)1 << 40)

typedef struct rs_tensor {
    int rank;
    size_t shape[RS_MAX_RANK];
    size_t size;  /* product of shape; 1 for rank 0 */
    float *data;  /* owned; NULL when size == 0 */
} rs_tensor;

/* a*b into *out; false on overflow. */
bool rs_mul_overflows(size_t a, size_t b, size_t *out);

/* Product of the shape into *count, checked against overflow and RS_MAX_ELEMS. */
int rs_shape_count(int rank, const size_t *shape, size_t *count, rs_error *err);

/* Allocate a zero-filled tensor. On failure t is left empty. */
int rs_tensor_alloc(rs_tensor *t, int rank, const size_t *shape, rs_error *err);

/* Same as rs_tensor_alloc with the shape given as arguments. */
int rs_tensor_alloc_dims(rs_tensor *t, rs_error *err, int rank, ...);

int rs_tensor_copy(rs_tensor *dst, const rs_tensor *src, rs_error *err);

/* Reinterpret the same elements with another shape of equal count. */
int rs_tensor_reshape(rs_tensor *t, int rank, const size_t *shape, rs_error *err);

void rs_tensor_free(rs_tensor *t);

/* Take ownership of src's data into dst (dst freed first); src becomes empty. */
void rs_tensor_move(rs_tensor *dst, rs_tensor *src);

/* "(2, 240, 4)" into buf; returns buf. */
char *rs_shape_format(int rank, const size_t *shape, char *buf, size_t len);

bool rs_shape_equal(const rs_tensor *a, const rs_tensor *b);

/* Strides (in elements) that read t broadcast to `shape`, NumPy's way: t's axes face the last
 * ones of shape, an axis of size 1 repeats (stride 0). -1 when t does not broadcast. */
int rs_broadcast_strides(const rs_tensor *t, int rank, const size_t *shape, size_t *stride);

/* A row-major walk over `shape` that keeps `at`, an offset into another array read with its
 * own strides (a transposed or broadcast view). */
typedef struct rs_walk {
    int rank;
    size_t shape[RS_MAX_RANK], stride[RS_MAX_RANK], idx[RS_MAX_RANK];
    size_t at;
} rs_walk;

void rs_walk_init(rs_walk *w, int rank, const size_t *shape, const size_t *stride);
/* Step to the next element of shape (wrapping to 0 after the last). */
void rs_walk_next(rs_walk *w);

/* dst = src with its axes reordered: axis i of dst is axis perm[i] of src (a transpose). */
int rs_tensor_permute(rs_tensor *dst, const rs_tensor *src, const int *perm, rs_error *err);

#endif

/* A read-only 2-D view of float data with arbitrary strides: a slice of an rs_tensor, its
 * transpose or a window of it, without copying. Rows are timesteps (or query steps) and columns
 * channels (or key steps) unless a view says otherwise. */
#ifndef RNNSCOPE_MATRIX_H
#define RNNSCOPE_MATRIX_H

#include <stddef.h>
#include "rnnscope/tensor.h"

typedef struct rs_matrix {
    const float *data;
    size_t rows, cols;
    ptrdiff_t rstride, cstride; /* in elements */
} rs_matrix;

static inline float rs_matrix_at(const rs_matrix *m, size_t r, size_t c)
{
    return m->data[(ptrdiff_t)r * m->rstride + (ptrdiff_t)c * m->cstride];
}

/* A row-major rows x cols block. */
rs_matrix rs_matrix_make(const float *data, size_t rows, size_t cols);

/* Rows become columns. */
rs_matrix rs_matrix_transpose(rs_matrix m);

/* The window [r0, r0+nr) x [c0, c0+nc), clipped to the matrix. */
rs_matrix rs_matrix_window(rs_matrix m, size_t r0, size_t nr, size_t c0, size_t nc);

/* A rank-1 tensor as a (n, 1) column, rank 2 as it is, rank 3 as sample `sample` of the batch.
 * Other ranks, or a sample out of range, are an error naming `name`. */
int rs_matrix_from_tensor(const rs_tensor *t, size_t sample, const char *name, rs_matrix *out,
                          rs_error *err);

#endif

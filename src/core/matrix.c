/* 2-D strided views of float data. */
#include "rnnscope/matrix.h"

rs_matrix rs_matrix_make(const float *data, size_t rows, size_t cols)
{
    return (rs_matrix){data, rows, cols, (ptrdiff_t)cols, 1};
}

rs_matrix rs_matrix_transpose(rs_matrix m)
{
    return (rs_matrix){m.data, m.cols, m.rows, m.cstride, m.rstride};
}

rs_matrix rs_matrix_window(rs_matrix m, size_t r0, size_t nr, size_t c0, size_t nc)
{
    if (r0 > m.rows)
        r0 = m.rows;
    if (c0 > m.cols)
        c0 = m.cols;
    if (nr > m.rows - r0)
        nr = m.rows - r0;
    if (nc > m.cols - c0)
        nc = m.cols - c0;
    rs_matrix w = m;
    if (nr > 0 && nc > 0)
        w.data = m.data + (ptrdiff_t)r0 * m.rstride + (ptrdiff_t)c0 * m.cstride;
    w.rows = nr;
    w.cols = nc;
    return w;
}

int rs_matrix_from_tensor(const rs_tensor *t, size_t sample, const char *name, rs_matrix *out,
                          rs_error *err)
{
    char buf[128];
    switch (t->rank) {
    case 1:
        *out = rs_matrix_make(t->data, t->shape[0], 1);
        return 0;
    case 2:
        *out = rs_matrix_make(t->data, t->shape[0], t->shape[1]);
        return 0;
    case 3:
        if (sample >= t->shape[0])
            return rs_fail(err, name, "sample %zu is outside the batch of %zu", sample,
                           t->shape[0]);
        *out = rs_matrix_make(t->size ? t->data + sample * t->shape[1] * t->shape[2] : NULL,
                              t->shape[1], t->shape[2]);
        return 0;
    default:
        return rs_fail(err, name, "cannot plot an array of shape %s (rank 1, 2 or 3 expected)",
                       rs_shape_format(t->rank, t->shape, buf, sizeof buf));
    }
}

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/aligned.h"
#include "rnnscope/tensor.h"

bool rs_mul_overflows(size_t a, size_t b, size_t *out)
{
    return __builtin_mul_overflow(a, b, out);
}

int rs_shape_count(int rank, const size_t *shape, size_t *count, rs_error *err)
{
    if (rank < 0 || rank > RS_MAX_RANK)
        return rs_fail(err, NULL, "rank %d is outside 0..%d", rank, RS_MAX_RANK);
    size_t n = 1;
    for (int i = 0; i < rank; i++) {
        if (rs_mul_overflows(n, shape[i], &n) || n > RS_MAX_ELEMS) {
            char buf[160];
            return rs_fail(err, NULL, "shape %s is too large",
                           rs_shape_format(rank, shape, buf, sizeof buf));
        }
    }
    *count = n;
    return 0;
}

int rs_tensor_alloc(rs_tensor *t, int rank, const size_t *shape, rs_error *err)
{
    memset(t, 0, sizeof *t);
    size_t count;
    if (rs_shape_count(rank, shape, &count, err) < 0)
        return -1;
    size_t bytes;
    if (rs_mul_overflows(count, sizeof(float), &bytes))
        return rs_fail(err, NULL, "tensor of %zu elements is too large", count);
    /* never NULL, even for 0 elements (a 0-step output): code that offsets into an empty
     * tensor then offsets a real pointer by 0, which C allows, instead of NULL */
    float *data = rs_calloc_aligned(count ? count : 1, sizeof(float));
    if (!data)
        return rs_fail_code(err, RS_ERR_NO_MEMORY, NULL,
                            "out of memory allocating %zu bytes", bytes);
    t->rank = rank;
    for (int i = 0; i < rank; i++)
        t->shape[i] = shape[i];
    t->size = count;
    t->data = data;
    return 0;
}

int rs_tensor_alloc_dims(rs_tensor *t, rs_error *err, int rank, ...)
{
    size_t shape[RS_MAX_RANK] = {0};
    if (rank < 0 || rank > RS_MAX_RANK) {
        memset(t, 0, sizeof *t);
        return rs_fail(err, NULL, "rank %d is outside 0..%d", rank, RS_MAX_RANK);
    }
    va_list ap;
    va_start(ap, rank);
    for (int i = 0; i < rank; i++)
        shape[i] = va_arg(ap, size_t);
    va_end(ap);
    return rs_tensor_alloc(t, rank, shape, err);
}

int rs_tensor_copy(rs_tensor *dst, const rs_tensor *src, rs_error *err)
{
    if (rs_tensor_alloc(dst, src->rank, src->shape, err) < 0)
        return -1;
    if (src->size)
        memcpy(dst->data, src->data, src->size * sizeof(float));
    return 0;
}

int rs_tensor_reshape(rs_tensor *t, int rank, const size_t *shape, rs_error *err)
{
    size_t count;
    if (rs_shape_count(rank, shape, &count, err) < 0)
        return -1;
    if (count != t->size) {
        char a[160], b[160];
        return rs_fail(err, NULL, "cannot reshape %s into %s",
                       rs_shape_format(t->rank, t->shape, a, sizeof a),
                       rs_shape_format(rank, shape, b, sizeof b));
    }
    t->rank = rank;
    for (int i = 0; i < rank; i++)
        t->shape[i] = shape[i];
    return 0;
}

void rs_tensor_free(rs_tensor *t)
{
    if (!t)
        return;
    rs_free_aligned(t->data);
    memset(t, 0, sizeof *t);
}

void rs_tensor_move(rs_tensor *dst, rs_tensor *src)
{
    rs_tensor_free(dst);
    *dst = *src;
    memset(src, 0, sizeof *src);
}

char *rs_shape_format(int rank, const size_t *shape, char *buf, size_t len)
{
    size_t used = 0;
    int n = snprintf(buf, len, "(");
    used = n > 0 ? (size_t)n : 0;
    for (int i = 0; i < rank && used < len; i++) {
        n = snprintf(buf + used, len - used, "%s%zu", i ? ", " : "", shape[i]);
        if (n > 0)
            used += (size_t)n;
    }
    if (used < len)
        snprintf(buf + used, len - used, rank == 1 ? ",)" : ")");
    return buf;
}

bool rs_shape_equal(const rs_tensor *a, const rs_tensor *b)
{
    if (a->rank != b->rank)
        return false;
    for (int i = 0; i < a->rank; i++)
        if (a->shape[i] != b->shape[i])
            return false;
    return true;
}

int rs_broadcast_strides(const rs_tensor *t, int rank, const size_t *shape, size_t *stride)
{
    if (t->rank > rank)
        return -1;
    size_t s = 1;
    for (int i = rank - 1; i >= 0; i--) {
        int k = i - (rank - t->rank); /* t's axis facing axis i */
        if (k < 0) {
            stride[i] = 0;
            continue;
        }
        if (t->shape[k] != shape[i] && t->shape[k] != 1)
            return -1;
        stride[i] = t->shape[k] == 1 ? 0 : s;
        s *= t->shape[k];
    }
    return 0;
}

void rs_walk_init(rs_walk *w, int rank, const size_t *shape, const size_t *stride)
{
    memset(w, 0, sizeof *w);
    w->rank = rank;
    for (int i = 0; i < rank; i++) {
        w->shape[i] = shape[i];
        w->stride[i] = stride[i];
    }
}

void rs_walk_next(rs_walk *w)
{
    for (int i = w->rank - 1; i >= 0; i--) { /* an odometer, last axis fastest */
        w->at += w->stride[i];
        if (++w->idx[i] < w->shape[i])
            return;
        w->at -= w->stride[i] * w->shape[i];
        w->idx[i] = 0;
    }
}

int rs_tensor_permute(rs_tensor *dst, const rs_tensor *src, const int *perm, rs_error *err)
{
    size_t shape[RS_MAX_RANK] = {0}, stride[RS_MAX_RANK] = {0}, src_stride[RS_MAX_RANK];
    bool seen[RS_MAX_RANK] = {false};
    int rank = src->rank;
    for (int i = 0; i < rank; i++) {
        if (perm[i] < 0 || perm[i] >= rank || seen[perm[i]])
            return rs_fail(err, NULL, "axes to permute are not a permutation of 0..%d", rank - 1);
        seen[perm[i]] = true;
    }
    size_t s = 1;
    for (int i = rank - 1; i >= 0; i--) {
        src_stride[i] = s;
        s *= src->shape[i];
    }
    for (int i = 0; i < rank; i++) {
        shape[i] = src->shape[perm[i]];
        stride[i] = src_stride[perm[i]]; /* how far one step along dst axis i moves in src */
    }
    if (rs_tensor_alloc(dst, rank, shape, err) < 0)
        return -1;
    rs_walk w;
    rs_walk_init(&w, rank, shape, stride);
    for (size_t k = 0; k < dst->size; k++, rs_walk_next(&w))
        dst->data[k] = src->data[w.at];
    return 0;
}

/* Merge layers: Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum, Dot. */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "layers/common.h"
#include "layers/families.h"
#include "layers/merge_params.h"

static const struct {
    const char *cls;
    merge_op op;
} OPS[] = {
    {"Concatenate", MERGE_CONCAT}, {"Add", MERGE_ADD},         {"Subtract", MERGE_SUBTRACT},
    {"Multiply", MERGE_MULTIPLY},  {"Average", MERGE_AVERAGE}, {"Maximum", MERGE_MAXIMUM},
    {"Minimum", MERGE_MINIMUM},    {"Dot", MERGE_DOT},
};

static bool dims_agree(long a, long b)
{
    return a < 0 || b < 0 || a == b;
}

static int shape_mismatch(const rs_node *n, const rs_shape *a, const rs_shape *b, rs_error *err)
{
    char sa[128], sb[128];
    return rs_fail(err, n->name, "%s cannot merge shapes %s and %s", n->class_name,
                   rs_shape_format_batch(a, sa, sizeof sa), rs_shape_format_batch(b, sb, sizeof sb));
}

static int concat_shape(rs_node *n, merge_params *p, const rs_shape *in, rs_error *err)
{
    long axis = cfg_int(n, "axis", -1);
    p->axis = rs_axis_index(axis, in[0].rank);
    if (p->axis < 0)
        return rs_fail(err, n->name, "axis %ld is out of range", axis);
    rs_shape out = in[0];
    for (int i = 1; i < n->n_inputs; i++) {
        if (in[i].rank != in[0].rank)
            return shape_mismatch(n, &in[0], &in[i], err);
        for (int d = 0; d < out.rank; d++) {
            if (d == p->axis)
                out.dims[d] = out.dims[d] < 0 || in[i].dims[d] < 0 ? -1
                                                                   : out.dims[d] + in[i].dims[d];
            else if (!dims_agree(out.dims[d], in[i].dims[d]))
                return shape_mismatch(n, &in[0], &in[i], err);
        }
    }
    n->out_shapes[0] = out;
    return 0;
}

/* Elementwise merges: equal shapes, or one broadcast along dims of size 1. */
static int elementwise_shape(rs_node *n, const rs_shape *in, rs_error *err)
{
    rs_shape out = in[0];
    for (int i = 1; i < n->n_inputs; i++) {
        if (in[i].rank != out.rank)
            return shape_mismatch(n, &in[0], &in[i], err);
        for (int d = 0; d < out.rank; d++) {
            long a = out.dims[d], b = in[i].dims[d];
            if (a == 1)
                out.dims[d] = b;
            else if (b != 1 && !dims_agree(a, b))
                return shape_mismatch(n, &in[0], &in[i], err);
            else if (a < 0)
                out.dims[d] = b;
        }
    }
    n->out_shapes[0] = out;
    return 0;
}

static int dot_shape(rs_node *n, merge_params *p, const rs_shape *in, rs_error *err)
{
    const cJSON *axes = cfg_get(n, "axes");
    long a[2];
    for (int i = 0; i < 2; i++) {
        const cJSON *v = cJSON_IsArray(axes) ? cJSON_GetArrayItem(axes, i) : axes;
        a[i] = cfg_whole(v, -1);
        p->axes[i] = rs_axis_index(a[i], in[i].rank);
        if (p->axes[i] < 0)
            return rs_fail(err, n->name, "Dot axis %ld is out of range", a[i]);
    }
    p->normalize = cfg_bool(n, "normalize", false);
    if (!dims_agree(in[0].dims[p->axes[0]], in[1].dims[p->axes[1]]))
        return shape_mismatch(n, &in[0], &in[1], err);
    rs_shape out = {0};
    for (int i = 0; i < 2; i++)
        for (int d = 0; d < in[i].rank; d++)
            if (d != p->axes[i]) {
                if (out.rank >= RS_MAX_RANK)
                    return rs_fail(err, n->name, "Dot result has too many dims");
                out.dims[out.rank++] = in[i].dims[d];
            }
    if (out.rank == 0)
        out = rs_shape_make(1, 1L); /* batch_dot keeps a unit axis */
    n->out_shapes[0] = out;
    return 0;
}

int rs_merge_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
{
    merge_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_node_outputs(n, 1, 0, err) < 0 || rs_expect_weight_count(n, 0, err) < 0)
        return -1;
    for (size_t i = 0; i < sizeof OPS / sizeof *OPS; i++)
        if (!strcmp(OPS[i].cls, n->class_name))
            p->op = OPS[i].op;
    if (p->op == MERGE_DOT || p->op == MERGE_SUBTRACT) {
        if (rs_expect_inputs(n, 2, 2, err) < 0)
            return -1;
    } else if (rs_expect_inputs(n, 1, INT_MAX, err) < 0) { /* the loader caps calls' inputs */
        return -1;
    }
    for (int i = 0; i < n->n_inputs; i++)
        if (in[i].rank < 1)
            return rs_fail(err, n->name, "%s needs inputs of rank 2 or more", n->class_name);
    if (p->op == MERGE_CONCAT)
        return concat_shape(n, p, in, err);
    if (p->op == MERGE_DOT)
        return dot_shape(n, p, in, err);
    return elementwise_shape(n, in, err);
}

/* ==== forward pass ==== */

static int runtime_mismatch(const rs_tensor *a, const rs_tensor *b, rs_error *err)
{
    char sa[160], sb[160];
    return rs_fail(err, NULL, "cannot merge inputs of shapes %s and %s",
                   rs_shape_format(a->rank, a->shape, sa, sizeof sa),
                   rs_shape_format(b->rank, b->shape, sb, sizeof sb));
}

static float combine(merge_op op, float acc, float v)
{
    switch (op) {
    case MERGE_SUBTRACT: return acc - v;
    case MERGE_MULTIPLY: return acc * v;
    case MERGE_MAXIMUM: return fmaxf(acc, v);
    case MERGE_MINIMUM: return fminf(acc, v);
    default: return acc + v; /* Add, Average */
    }
}

/* Add, Subtract, Multiply, Average, Maximum, Minimum: element-wise over the inputs, axes of
 * size 1 broadcast. */
static int elementwise_forward(const merge_params *p, rs_layer_io *io, rs_error *err)
{
    const rs_tensor *first = io->inputs[0];
    size_t shape[RS_MAX_RANK];
    memcpy(shape, first->shape, sizeof shape);
    for (int k = 1; k < io->n_inputs; k++) {
        const rs_tensor *t = io->inputs[k];
        if (t->rank != first->rank)
            return runtime_mismatch(first, t, err);
        for (int d = 0; d < t->rank; d++) {
            if (shape[d] == 1)
                shape[d] = t->shape[d];
            else if (t->shape[d] != 1 && t->shape[d] != shape[d])
                return runtime_mismatch(first, t, err);
        }
    }
    rs_tensor *y = &io->outputs[0];
    if (rs_tensor_alloc(y, first->rank, shape, err) < 0)
        return -1;
    for (int k = 0; k < io->n_inputs; k++) {
        const rs_tensor *t = io->inputs[k];
        size_t stride[RS_MAX_RANK];
        rs_walk w;
        rs_broadcast_strides(t, y->rank, shape, stride); /* fits: checked above */
        rs_walk_init(&w, y->rank, shape, stride);
        for (size_t i = 0; i < y->size; i++, rs_walk_next(&w)) {
            float v = t->data[w.at];
            y->data[i] = k == 0 ? v : combine(p->op, y->data[i], v);
        }
    }
    if (p->op == MERGE_AVERAGE)
        for (size_t i = 0; i < y->size; i++)
            y->data[i] /= (float)io->n_inputs;
    return 0;
}

/* The element-wise merges' mask. Keras 2: the logical and of the masks the inputs have (none
 * when none has one). Keras 3 (since 3.4): the logical or, and none unless every input has one. */
static int merge_masks(rs_layer_io *io, rs_error *err)
{
    rs_tensor *out = &io->out_masks[0];
    bool or_rule = io->keras_major >= 3;
    for (int k = 0; k < io->n_inputs && or_rule; k++)
        if (!io->in_masks[k])
            return 0;
    for (int k = 0; k < io->n_inputs; k++) {
        const rs_tensor *m = io->in_masks[k];
        if (!m)
            continue;
        if (!out->data) {
            if (rs_tensor_copy(out, m, err) < 0)
                return -1;
        } else if (!rs_shape_equal(out, m)) {
            return rs_fail(err, NULL, "its inputs' masks have different shapes");
        } else {
            for (size_t i = 0; i < m->size; i++)
                out->data[i] = or_rule ? out->data[i] != 0 || m->data[i] != 0
                                       : out->data[i] != 0 && m->data[i] != 0;
        }
    }
    return 0;
}

static int concat_forward(const merge_params *p, rs_layer_io *io, rs_error *err)
{
    const rs_tensor *first = io->inputs[0];
    int axis = p->axis + 1; /* with the batch axis */
    size_t shape[RS_MAX_RANK], outer = 1, inner = 1;
    memcpy(shape, first->shape, sizeof shape);
    if (axis >= first->rank)
        return rs_fail(err, NULL, "axis %d is out of range for rank %d", axis, first->rank);
    shape[axis] = 0;
    for (int k = 0; k < io->n_inputs; k++) {
        const rs_tensor *t = io->inputs[k];
        if (t->rank != first->rank)
            return runtime_mismatch(first, t, err);
        for (int d = 0; d < t->rank; d++)
            if (d != axis && t->shape[d] != first->shape[d])
                return runtime_mismatch(first, t, err);
        shape[axis] += t->shape[axis];
    }
    for (int d = 0; d < axis; d++)
        outer *= shape[d];
    for (int d = axis + 1; d < first->rank; d++)
        inner *= shape[d];
    rs_tensor *y = &io->outputs[0];
    if (rs_tensor_alloc(y, first->rank, shape, err) < 0)
        return -1;
    size_t row = shape[axis] * inner, at = 0; /* at: where input k starts in an output row */
    for (int k = 0; k < io->n_inputs; k++) {
        size_t part = io->inputs[k]->shape[axis] * inner;
        for (size_t o = 0; o < outer; o++)
            memcpy(y->data + o * row + at, io->inputs[k]->data + o * part, part * sizeof(float));
        at += part;
    }
    return 0;
}

/* Concatenate's mask as Keras builds it: each input's mask (all true when it has none)
 * broadcast over the input's last axis, concatenated along the axis, then reduced over the last
 * axis: all() in Keras 2, any() in Keras 3. The result has the output's shape without its last
 * axis. Only concatenating on the last axis makes the reduction combine inputs. */
static int concat_mask(const merge_params *p, rs_layer_io *io, rs_error *err)
{
    bool masked = false, any_rule = io->keras_major >= 3;
    for (int k = 0; k < io->n_inputs; k++)
        masked = masked || io->in_masks[k];
    if (!masked)
        return 0;
    const rs_tensor *y = &io->outputs[0];
    int axis = p->axis + 1, last = y->rank - 1;
    rs_tensor *out = &io->out_masks[0];
    if (rs_tensor_alloc(out, last, y->shape, err) < 0)
        return -1;
    for (size_t i = 0; i < out->size; i++)
        out->data[i] = !any_rule;
    size_t outer = 1, inner = 1, at = 0; /* over the mask's shape: axes before/after `axis` */
    size_t out_len = axis == last ? 1 : y->shape[axis];
    for (int d = 0; d < axis && d < last; d++)
        outer *= y->shape[d];
    for (int d = axis + 1; d < last; d++)
        inner *= y->shape[d];
    for (int k = 0; k < io->n_inputs; k++) {
        const rs_tensor *m = io->in_masks[k], *x = io->inputs[k];
        size_t len = axis == last ? 1 : x->shape[axis];
        if (m && m->size * x->shape[last] != x->size)
            return rs_fail(err, NULL, "the mask of input %d does not fit its shape", k);
        for (size_t o = 0; o < outer; o++)
            for (size_t j = 0; j < len * inner; j++) {
                float *dst = &out->data[(o * out_len + at) * inner + j];
                bool v = !m || m->data[o * len * inner + j] != 0;
                *dst = any_rule ? (*dst != 0 || v) : (*dst != 0 && v);
            }
        at += axis == last ? 0 : len;
    }
    return 0;
}

/* L2-normalize x along `axis` into a new tensor, as Keras: x / sqrt(max(sum x^2, min_sq)). The
 * floor only matters for vectors of (almost) zero length. */
int l2_normalize(const rs_tensor *x, int axis, float min_sq, rs_tensor *y, rs_error *err)
{
    if (rs_tensor_copy(y, x, err) < 0)
        return -1;
    size_t outer = 1, inner = 1, len = x->shape[axis];
    for (int d = 0; d < axis; d++)
        outer *= x->shape[d];
    for (int d = axis + 1; d < x->rank; d++)
        inner *= x->shape[d];
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++) {
            float *v = y->data + o * len * inner + i;
            float ss = 0;
            for (size_t k = 0; k < len; k++)
                ss += v[k * inner] * v[k * inner];
            float inv = 1.0f / sqrtf(fmaxf(ss, min_sq));
            for (size_t k = 0; k < len; k++)
                v[k * inner] *= inv;
        }
    return 0;
}

/* Row-major strides of t with the axis `skip` left out (the batch axis too). */
static int free_strides(const rs_tensor *t, int skip, size_t *dims, size_t *strides)
{
    size_t s = 1, all[RS_MAX_RANK];
    for (int d = t->rank - 1; d >= 0; d--) {
        all[d] = s;
        s *= t->shape[d];
    }
    int k = 0;
    for (int d = 1; d < t->rank; d++)
        if (d != skip) {
            dims[k] = t->shape[d];
            strides[k++] = all[d];
        }
    return k;
}

int dot_plan_make(const rs_tensor *x, int a, const rs_tensor *z, int b, dot_plan *pl,
                  size_t *shape, int *rank, rs_error *err)
{
    pl->nx = free_strides(x, a, pl->dims, pl->strides);
    pl->nz = free_strides(z, b, pl->dims + pl->nx, pl->strides + pl->nx);
    if (x->shape[0] != z->shape[0] || x->shape[a] != z->shape[b])
        return runtime_mismatch(x, z, err);
    *rank = 1 + pl->nx + pl->nz;
    if (*rank > RS_MAX_RANK)
        return rs_fail(err, NULL, "the result would have rank %d", *rank);
    shape[0] = x->shape[0];
    for (int i = 0; i < pl->nx + pl->nz; i++)
        shape[i + 1] = pl->dims[i];
    if (*rank == 1) /* both inputs vectors: Keras keeps a unit axis */
        shape[(*rank)++] = 1;
    pl->len = x->shape[a];
    pl->xs = x->size / x->shape[0];
    pl->zs = z->size / z->shape[0];
    pl->ka = pl->kb = pl->per = 1;
    for (int d = a + 1; d < x->rank; d++)
        pl->ka *= x->shape[d];
    for (int d = b + 1; d < z->rank; d++)
        pl->kb *= z->shape[d];
    for (int d = 1; d < *rank; d++)
        pl->per *= shape[d];
    return 0;
}

void dot_plan_offsets(const dot_plan *pl, size_t s, size_t i, size_t *ox, size_t *oz)
{
    size_t rest = i;
    *ox = s * pl->xs;
    *oz = s * pl->zs;
    for (int d = pl->nx + pl->nz - 1; d >= 0; d--) { /* split i into x's and z's offsets */
        size_t c = rest % pl->dims[d];
        rest /= pl->dims[d];
        if (d < pl->nx)
            *ox += c * pl->strides[d];
        else
            *oz += c * pl->strides[d];
    }
}

/* batch_dot: per sample, contract axis a of x with axis b of y; the result's axes are x's
 * free axes then y's. */
static int batch_dot(const rs_tensor *x, int a, const rs_tensor *z, int b, rs_tensor *out,
                     rs_error *err)
{
    dot_plan pl;
    size_t shape[RS_MAX_RANK];
    int rank;
    if (dot_plan_make(x, a, z, b, &pl, shape, &rank, err) < 0 ||
        rs_tensor_alloc(out, rank, shape, err) < 0)
        return -1;
    for (size_t s = 0; s < shape[0]; s++)
        for (size_t i = 0; i < pl.per; i++) {
            size_t ox, oz;
            dot_plan_offsets(&pl, s, i, &ox, &oz);
            float acc = 0;
            for (size_t k = 0; k < pl.len; k++)
                acc += x->data[ox + k * pl.ka] * z->data[oz + k * pl.kb];
            out->data[s * pl.per + i] = acc;
        }
    return 0;
}

static int dot_forward(const merge_params *p, rs_layer_io *io, rs_error *err)
{
    int a = p->axes[0] + 1, b = p->axes[1] + 1;
    const rs_tensor *x = io->inputs[0], *z = io->inputs[1];
    if (a >= x->rank || b >= z->rank)
        return runtime_mismatch(x, z, err);
    if (!p->normalize)
        return batch_dot(x, a, z, b, &io->outputs[0], err);
    rs_tensor nx = {0}, nz = {0};
    int rc = -1;
    float min_sq = dot_min_sq(io->keras_major);
    if (l2_normalize(x, a, min_sq, &nx, err) == 0 && l2_normalize(z, b, min_sq, &nz, err) == 0)
        rc = batch_dot(&nx, a, &nz, b, &io->outputs[0], err);
    rs_tensor_free(&nx);
    rs_tensor_free(&nz);
    return rc;
}

/* Input k's mask at flat element i of an input of that shape, or -1 when it has none. */
static int mask_at(const rs_layer_io *io, int k, size_t i, size_t row)
{
    const rs_tensor *m = io->in_masks[k];
    return m ? m->data[i / row] != 0 : -1;
}

/* Keras 3 (since 3.4) Multiply, Maximum and Minimum of masked inputs: masked values take no
 * part. Multiply treats them as 1 (and zeroes what no input covers when every input has a
 * mask); Maximum and Minimum take the other side's value, pair by pair. */
static int masked_merge_k3(const merge_params *p, rs_layer_io *io, rs_error *err)
{
    const rs_tensor *first = io->inputs[0];
    size_t row = first->rank ? first->shape[first->rank - 1] : 1;
    for (int k = 0; k < io->n_inputs; k++) {
        const rs_tensor *m = io->in_masks[k];
        if (!rs_shape_equal(io->inputs[k], first))
            return rs_fail(err, NULL, "masked inputs that broadcast are not supported");
        if (m && (row == 0 || m->size != first->size / row))
            return rs_fail(err, NULL, "the mask of input %d does not fit its shape", k);
    }
    rs_tensor *y = &io->outputs[0];
    if (rs_tensor_alloc(y, first->rank, first->shape, err) < 0)
        return -1;
    bool all_masked = true;
    for (int k = 0; k < io->n_inputs; k++)
        all_masked = all_masked && io->in_masks[k];
    for (size_t i = 0; i < y->size; i++) {
        float o = io->inputs[0]->data[i];
        int om = mask_at(io, 0, i, row); /* the running output's mask; -1: none */
        if (p->op == MERGE_MULTIPLY && om == 0)
            o = 1;
        for (int k = 1; k < io->n_inputs; k++) {
            float v = io->inputs[k]->data[i];
            int m = mask_at(io, k, i, row);
            if (p->op == MERGE_MULTIPLY) {
                o *= m == 0 ? 1 : v;
                om = om == 1 || m == 1;
                continue;
            }
            if (m == 0)
                v = o;
            if (om == 0)
                o = v;
            om = m >= 0 && om >= 0 ? (om == 1 || m == 1) : -1;
            o = combine(p->op, o, v);
        }
        y->data[i] = p->op == MERGE_MULTIPLY && all_masked && !om ? 0 : o;
    }
    return 0;
}

int rs_merge_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const merge_params *p = n->params;
    switch (p->op) {
    case MERGE_CONCAT:
        return concat_forward(p, io, err) < 0 ? -1 : concat_mask(p, io, err);
    case MERGE_DOT:
        return dot_forward(p, io, err); /* Dot has no mask */
    default:
        break;
    }
    bool masked = false;
    for (int k = 0; k < io->n_inputs; k++)
        masked = masked || io->in_masks[k];
    bool k3_values = io->keras_major >= 3 && masked &&
                     (p->op == MERGE_MULTIPLY || p->op == MERGE_MAXIMUM || p->op == MERGE_MINIMUM);
    int rc = k3_values ? masked_merge_k3(p, io, err) : elementwise_forward(p, io, err);
    return rc < 0 ? -1 : merge_masks(io, err);
}

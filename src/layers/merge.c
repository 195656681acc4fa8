/* Merge layers: Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum, Dot. */
#include <string.h>

#include "layers/common.h"
#include "layers/families.h"

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
        a[i] = cJSON_IsNumber(v) ? (long)v->valuedouble : -1;
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

int rs_merge_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
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
    } else if (rs_expect_inputs(n, 1, 4096, err) < 0) {
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

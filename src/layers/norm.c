/* Normalization layers: BatchNormalization (inference: moving statistics), LayerNormalization. */
#include <string.h>

#include "layers/common.h"
#include "layers/families.h"

typedef struct norm_params {
    int axis;          /* index into the shape without batch */
    double epsilon;
    bool center, scale;
    bool rms_scaling;  /* Keras 3 LayerNormalization */
} norm_params;

/* The normalized axis: an int or a one-element list in Keras numbering. */
static int norm_axis(const rs_node *n, const rs_shape *in, int *axis, rs_error *err)
{
    const cJSON *a = cfg_get(n, "axis");
    if (cJSON_IsArray(a)) {
        if (cJSON_GetArraySize(a) != 1)
            return rs_node_unsupported((rs_node *)n, "normalization over several axes"), 1;
        a = cJSON_GetArrayItem(a, 0);
    }
    long k = cJSON_IsNumber(a) ? (long)a->valuedouble : -1;
    *axis = rs_axis_index(k, in->rank);
    if (*axis < 0)
        return rs_fail(err, n->name, "axis %ld is out of range for an input of rank %d", k,
                       in->rank + 1);
    return 0;
}

int rs_batch_norm_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
{
    norm_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0)
        return -1;
    n->out_shapes[0] = in[0];
    int r = norm_axis(n, &in[0], &p->axis, err);
    if (r != 0)
        return r < 0 ? -1 : 0;
    p->epsilon = cfg_num(n, "epsilon", 1e-3);
    p->center = cfg_bool(n, "center", true);
    p->scale = cfg_bool(n, "scale", true);
    long c = in[0].dims[p->axis];
    int count = 2 + p->center + p->scale;
    if (rs_expect_weight_count(n, count, err) < 0)
        return -1;
    for (int i = 0; i < count; i++)
        if (RS_EXPECT_SHAPE(n, i, err, c) < 0)
            return -1;
    return 0;
}

int rs_layer_norm_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
{
    norm_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0)
        return -1;
    n->out_shapes[0] = in[0];
    int r = norm_axis(n, &in[0], &p->axis, err);
    if (r != 0)
        return r < 0 ? -1 : 0;
    p->epsilon = cfg_num(n, "epsilon", 1e-3);
    p->center = cfg_bool(n, "center", true);
    p->scale = cfg_bool(n, "scale", true);
    p->rms_scaling = cfg_bool(n, "rms_scaling", false);
    long c = in[0].dims[p->axis];
    int count = p->center + p->scale;
    if (rs_expect_weight_count(n, count, err) < 0)
        return -1;
    for (int i = 0; i < count; i++)
        if (RS_EXPECT_SHAPE(n, i, err, c) < 0)
            return -1;
    return 0;
}

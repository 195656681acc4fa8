/* Core layers: InputLayer, Dense, activations, identity-at-inference layers (Dropout & co,
 * Masking), Embedding, and the shape movers Flatten, Reshape, Permute, RepeatVector. */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "layers/common.h"
#include "layers/families.h"

/* ---- InputLayer ---- */

typedef struct input_params {
    rs_shape shape;
    char dtype[32];
} input_params;

int rs_input_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
{
    input_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_node_outputs(n, 1, 0, err) < 0)
        return -1;
    const cJSON *shape = cfg_get(n, "batch_input_shape");
    if (!shape)
        shape = cfg_get(n, "batch_shape");
    snprintf(p->dtype, sizeof p->dtype, "%s", cfg_str(n, "dtype", "float32"));
    p->shape.rank = -1;
    if (cJSON_IsArray(shape)) {
        int rank = cJSON_GetArraySize(shape) - 1;
        if (rank < 0 || rank > RS_MAX_RANK)
            return rs_fail(err, n->name, "input shape of rank %d is not supported", rank);
        p->shape.rank = rank;
        for (int i = 0; i < rank; i++) {
            const cJSON *d = cJSON_GetArrayItem(shape, i + 1);
            if (cJSON_IsNumber(d) && (d->valuedouble < 0 || d->valuedouble > 1e12))
                return rs_fail(err, n->name, "input dimension %g is out of range", d->valuedouble);
            p->shape.dims[i] = cJSON_IsNumber(d) ? (long)d->valuedouble : -1;
        }
    }
    if (n->n_inputs == 1 && in[0].rank >= 0)
        p->shape = in[0]; /* an InputLayer inside the graph passes its tensor on */
    n->out_shapes[0] = p->shape;
    return rs_expect_weight_count(n, 0, err);
}

/* ---- Dense ---- */

typedef struct dense_params {
    long units;
    rs_activation activation;
    bool use_bias;
} dense_params;

int rs_dense_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
{
    dense_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0)
        return -1;
    p->units = cfg_int(n, "units", -1);
    p->use_bias = cfg_bool(n, "use_bias", true);
    if (cfg_activation(n, "activation", "linear", m, &p->activation, err) < 0)
        return rs_node_unsupported(n, "%s", err->msg);
    if (p->units <= 0)
        return rs_fail(err, n->name, "Dense has no valid 'units'");
    if (in[0].rank < 1)
        return rs_fail(err, n->name, "Dense needs an input of rank 2 or more");
    long d = in[0].dims[in[0].rank - 1];
    if (rs_expect_weight_count(n, p->use_bias ? 2 : 1, err) < 0 ||
        RS_EXPECT_SHAPE(n, 0, err, d, p->units) < 0 ||
        (p->use_bias && RS_EXPECT_SHAPE(n, 1, err, p->units) < 0))
        return -1;
    n->out_shapes[0] = in[0];
    n->out_shapes[0].dims[in[0].rank - 1] = p->units;
    return 0;
}

/* ---- Activation, ReLU, LeakyReLU, ELU, Softmax ---- */

typedef struct activation_params {
    rs_activation activation;
    double alpha;      /* LeakyReLU / ELU slope, ReLU negative_slope */
    double max_value;  /* ReLU cap; < 0 = none */
    double threshold;  /* ReLU threshold */
    long axis;         /* Softmax axis (Keras numbering, -1 = last) */
} activation_params;

int rs_activation_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
{
    activation_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0)
        return -1;
    n->out_shapes[0] = in[0];
    p->max_value = -1;
    p->axis = cfg_int(n, "axis", -1);
    const char *cls = n->class_name;
    rs_activation *a = &p->activation;
    rs_activation_from_name("linear", m ? m->keras_major : 2, a);
    if (!strcmp(cls, "ReLU")) {
        a->kind = RS_ACT_RELU;
        a->alpha = (float)cfg_num(n, "negative_slope", 0);
        double cap = cfg_num(n, "max_value", -1);
        a->max_value = cap >= 0 ? (float)cap : INFINITY;
        a->threshold = (float)cfg_num(n, "threshold", 0);
    } else if (!strcmp(cls, "LeakyReLU")) {
        a->kind = RS_ACT_RELU;
        a->alpha = (float)cfg_num(n, "negative_slope", cfg_num(n, "alpha", 0.3));
    } else if (!strcmp(cls, "ELU")) {
        a->kind = RS_ACT_ELU;
        a->alpha = (float)cfg_num(n, "alpha", 1.0);
    } else if (!strcmp(cls, "Softmax")) {
        a->kind = RS_ACT_SOFTMAX;
    } else if (cfg_activation(n, "activation", "linear", m, a, err) < 0) {
        return rs_node_unsupported(n, "%s", err->msg);
    }
    a->axis = (int)p->axis;
    return rs_expect_weight_count(n, 0, err);
}

/* ---- identity at inference: Dropout & co, ActivityRegularization, Masking ---- */

typedef struct identity_params {
    double mask_value;  /* Masking */
    bool masks;
} identity_params;

int rs_identity_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
{
    identity_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0)
        return -1;
    p->masks = strcmp(n->class_name, "Masking") == 0;
    p->mask_value = cfg_num(n, "mask_value", 0.0);
    n->out_shapes[0] = in[0];
    return rs_expect_weight_count(n, 0, err);
}

/* ---- Embedding ---- */

typedef struct embedding_params {
    long input_dim, output_dim;
    bool mask_zero;
} embedding_params;

int rs_embedding_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
{
    embedding_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0)
        return -1;
    p->input_dim = cfg_int(n, "input_dim", -1);
    p->output_dim = cfg_int(n, "output_dim", -1);
    p->mask_zero = cfg_bool(n, "mask_zero", false);
    if (p->input_dim <= 0 || p->output_dim <= 0)
        return rs_fail(err, n->name, "Embedding has no valid input_dim/output_dim");
    if (in[0].rank + 1 > RS_MAX_RANK)
        return rs_fail(err, n->name, "input rank too large");
    if (rs_expect_weight_count(n, 1, err) < 0 ||
        RS_EXPECT_SHAPE(n, 0, err, p->input_dim, p->output_dim) < 0)
        return -1;
    n->out_shapes[0] = in[0];
    n->out_shapes[0].dims[in[0].rank] = p->output_dim;
    n->out_shapes[0].rank = in[0].rank + 1;
    return 0;
}

/* ---- Flatten, Reshape, Permute, RepeatVector ---- */

typedef struct reshape_params {
    rs_shape target;     /* Reshape: target shape (resolved); Flatten: the result */
    int perm[RS_MAX_RANK]; /* Permute: output dim i = input dim perm[i] */
    long repeat;         /* RepeatVector */
} reshape_params;

/* Product of known dims; -1 when one is unknown. */
static long shape_count(const rs_shape *s)
{
    long c = 1;
    for (int i = 0; i < s->rank; i++) {
        if (s->dims[i] < 0)
            return -1;
        if (__builtin_mul_overflow(c, s->dims[i], &c))
            return -1;
    }
    return c;
}

int rs_flatten_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
{
    reshape_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0)
        return -1;
    p->target = rs_shape_make(1, shape_count(&in[0]));
    n->out_shapes[0] = p->target;
    return rs_expect_weight_count(n, 0, err);
}

int rs_reshape_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
{
    reshape_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0)
        return -1;
    const cJSON *t = cfg_get(n, "target_shape");
    int rank = cJSON_GetArraySize(t);
    if (!cJSON_IsArray(t) || rank > RS_MAX_RANK)
        return rs_fail(err, n->name, "Reshape has no valid target_shape");
    int unknown = -1;
    long known = 1;
    p->target.rank = rank;
    for (int i = 0; i < rank; i++) {
        const cJSON *d = cJSON_GetArrayItem(t, i);
        long v = cJSON_IsNumber(d) && d->valuedouble <= 1e12 ? (long)d->valuedouble : -1;
        if (v < 0) {
            if (unknown >= 0)
                return rs_fail(err, n->name, "Reshape target_shape has two unknown dims");
            unknown = i;
        } else if (__builtin_mul_overflow(known, v, &known)) {
            return rs_fail(err, n->name, "Reshape target_shape is too large");
        }
        p->target.dims[i] = v;
    }
    long total = shape_count(&in[0]);
    if (unknown >= 0 && total >= 0) {
        if (known == 0 || total % known != 0)
            return rs_fail(err, n->name, "cannot reshape %ld values to target_shape", total);
        p->target.dims[unknown] = total / known;
    } else if (unknown < 0 && total >= 0 && total != known) {
        return rs_fail(err, n->name, "cannot reshape %ld values into %ld", total, known);
    }
    n->out_shapes[0] = p->target;
    return rs_expect_weight_count(n, 0, err);
}

int rs_permute_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
{
    reshape_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0)
        return -1;
    const cJSON *dims = cfg_get(n, "dims");
    if (!cJSON_IsArray(dims) || cJSON_GetArraySize(dims) != in[0].rank)
        return rs_fail(err, n->name, "Permute dims do not match the input rank %d", in[0].rank);
    bool seen[RS_MAX_RANK] = {false};
    n->out_shapes[0].rank = in[0].rank;
    for (int i = 0; i < in[0].rank; i++) {
        const cJSON *d = cJSON_GetArrayItem(dims, i);
        int v = cJSON_IsNumber(d) ? (int)d->valuedouble - 1 : -1;
        if (v < 0 || v >= in[0].rank || seen[v])
            return rs_fail(err, n->name, "Permute dims are not a permutation of 1..%d",
                           in[0].rank);
        seen[v] = true;
        p->perm[i] = v;
        n->out_shapes[0].dims[i] = in[0].dims[v];
    }
    return rs_expect_weight_count(n, 0, err);
}

int rs_repeat_vector_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
{
    reshape_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0 ||
        rs_expect_rank(n, &in[0], 1, err) < 0)
        return -1;
    p->repeat = cfg_int(n, "n", -1);
    if (p->repeat <= 0)
        return rs_fail(err, n->name, "RepeatVector has no valid 'n'");
    n->out_shapes[0] = rs_shape_make(2, p->repeat, in[0].dims[0]);
    return rs_expect_weight_count(n, 0, err);
}


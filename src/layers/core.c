/* Core layers: InputLayer, Dense, activations, identity-at-inference layers (Dropout & co,
 * Masking), Rescaling, Embedding, and the shape movers Flatten, Reshape, Permute, RepeatVector. */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "layers/common.h"
#include "layers/families.h"
#include "layers/core_params.h"

/* ---- InputLayer ---- */

typedef struct input_params {
    rs_shape shape;
    char dtype[32];
} input_params;

int rs_input_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
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
        if (rank < 0 || rank > RS_MAX_SHAPE_RANK)
            return rs_fail(err, n->name, "input shape of rank %d is not supported (at most %d "
                           "dimensions besides the batch)", rank, RS_MAX_SHAPE_RANK);
        p->shape.rank = rank;
        for (int i = 0; i < rank; i++) {
            const cJSON *d = cJSON_GetArrayItem(shape, i + 1);
            if (cJSON_IsNumber(d) && !(d->valuedouble >= 0 && d->valuedouble <= 1e12))
                return rs_fail(err, n->name, "input dimension %g is out of range", d->valuedouble);
            p->shape.dims[i] = cJSON_IsNumber(d) ? (long)d->valuedouble : -1;
        }
    }
    if (n->n_inputs == 1 && in[0].rank >= 0)
        p->shape = in[0]; /* an InputLayer inside the graph passes its tensor on */
    n->out_shapes[0] = p->shape;
    return rs_expect_weight_count(n, 0, err);
}

/* Is the layer quantized by Keras 3 (int8/float8/int4... dtype policies store other weights)? */
static bool quantized(const rs_node *n)
{
    const cJSON *d = cfg_get(n, "dtype");
    const char *name = cJSON_IsString(d) ? d->valuestring : NULL;
    if (cJSON_IsObject(d)) {
        const cJSON *cls = cJSON_GetObjectItemCaseSensitive(d, "class_name");
        const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(d, "config");
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(cfg, "name");
        if (cJSON_IsString(cls) && strcmp(cls->valuestring, "DTypePolicy") &&
            strcmp(cls->valuestring, "FloatDTypePolicy") && strcmp(cls->valuestring, "Policy"))
            return true;
        name = cJSON_IsString(nm) ? nm->valuestring : NULL;
    }
    return name && strstr(name, "_from_");
}

/* The output shape of glu: half the last axis, which must be even (Keras splits it in two);
 * else the node cannot run. */
static void glu_shape(rs_node *n, rs_shape *s)
{
    long last = s->rank >= 1 ? s->dims[s->rank - 1] : 1;
    if (last >= 0 && last % 2 != 0)
        rs_node_unsupported(n, "activation 'glu' needs an even last axis, not %ld", last);
    else if (last >= 0)
        s->dims[s->rank - 1] = last / 2;
}

/* ---- Dense ---- */

int rs_dense_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
{
    dense_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0)
        return -1;
    if (cfg_size(n, "units", -1, 1, RS_MAX_UNITS, &p->units, err) < 0)
        return -1;
    p->use_bias = cfg_bool(n, "use_bias", true);
    if (quantized(n))
        return rs_node_unsupported(n, "quantized Dense");
    if (cfg_activation_or_glu(n, "activation", "linear", ctx, &p->activation, err) < 0)
        return rs_node_unsupported_by(n, err);
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
    if (p->activation.kind == RS_ACT_GLU)
        glu_shape(n, &n->out_shapes[0]);
    return 0;
}

/* ---- Activation, ReLU, LeakyReLU, ELU, Softmax ---- */


int rs_activation_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
{
    activation_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0)
        return -1;
    n->out_shapes[0] = in[0];
    p->max_value = -1;
    p->axis = cfg_int(n, "axis", -1);
    const char *cls = n->class_name;
    rs_activation *a = &p->activation;
    rs_activation_from_name("linear", ctx ? ctx->keras_major : 2, a);
    if (!strcmp(cls, "ReLU")) {
        a->kind = RS_ACT_RELU;
        a->alpha = (float)cfg_num(n, "negative_slope", 0);
        double cap = cfg_num(n, "max_value", -1);
        a->max_value = cap >= 0 ? (float)cap : INFINITY;
        a->threshold = (float)cfg_num(n, "threshold", 0);
    } else if (!strcmp(cls, "LeakyReLU")) {
        a->kind = RS_ACT_RELU;
        a->alpha = (float)cfg_num(n, "negative_slope", cfg_num(n, "alpha", 0.3));
        a->max_value = INFINITY;
    } else if (!strcmp(cls, "ThresholdedReLU")) {
        a->kind = RS_ACT_RELU; /* x where x > theta, else 0 */
        a->threshold = (float)cfg_num(n, "theta", 1.0);
        a->max_value = INFINITY;
    } else if (!strcmp(cls, "ELU")) {
        a->kind = RS_ACT_ELU;
        a->alpha = (float)cfg_num(n, "alpha", 1.0);
    } else if (!strcmp(cls, "Softmax")) {
        a->kind = RS_ACT_SOFTMAX;
        const cJSON *axes = cfg_get(n, "axis");
        if (cJSON_IsArray(axes) && cJSON_GetArraySize(axes) != 1)
            return rs_node_unsupported(n, "Softmax over several axes");
        p->zero_masked = rs_keras_at_least(ctx, 3, 14);
    } else if (cfg_activation_or_glu(n, "activation", "linear", ctx, a, err) < 0) {
        return rs_node_unsupported_by(n, err);
    } else if (a->kind == RS_ACT_GLU) {
        glu_shape(n, &n->out_shapes[0]);
    }
    a->axis = (int)p->axis;
    return rs_expect_weight_count(n, 0, err);
}

/* ---- PReLU: a learned negative slope per element, shared along shared_axes ---- */

int rs_prelu_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
{
    n->params = NULL;
    if (rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0)
        return -1;
    rs_shape alpha = in[0];
    const cJSON *shared = cfg_get(n, "shared_axes"), *e;
    int count = cJSON_IsArray(shared) ? cJSON_GetArraySize(shared) : cJSON_IsNumber(shared);
    for (int i = 0; i < count; i++) {
        e = cJSON_IsArray(shared) ? cJSON_GetArrayItem(shared, i) : shared;
        long k = cJSON_IsNumber(e) ? cfg_whole(e, 1L << 40) : 0;
        int axis = rs_axis_index(k, in[0].rank);
        if (axis < 0)
            return rs_fail(err, n->name, "shared axis %ld is out of range", k);
        alpha.dims[axis] = 1;
    }
    n->out_shapes[0] = in[0];
    if (rs_expect_weight_count(n, 1, err) < 0)
        return -1;
    return rs_expect_weight_shape(n, 0, alpha.rank, alpha.dims, err);
}

/* ---- identity at inference: Dropout & co, ActivityRegularization, Masking ---- */

int rs_identity_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
{
    identity_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0)
        return -1;
    p->masks = strcmp(n->class_name, "Masking") == 0;
    p->mask_value = cfg_num(n, "mask_value", 0.0);
    n->out_shapes[0] = in[0];
    return rs_expect_weight_count(n, 0, err);
}

/* ---- Rescaling ---- */

/* y = x * scale + offset. Keras 3 also takes a scale or offset per channel (an array): not
 * yet. */
int rs_rescaling_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
{
    rescaling_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0)
        return -1;
    const cJSON *scale = cfg_get(n, "scale"), *offset = cfg_get(n, "offset");
    if ((scale && !cJSON_IsNumber(scale)) || (offset && !cJSON_IsNumber(offset)))
        return rs_node_unsupported(n, "Rescaling with a scale or offset per channel");
    p->scale = (float)cfg_num(n, "scale", 1.0);
    p->offset = (float)cfg_num(n, "offset", 0.0);
    n->out_shapes[0] = in[0];
    return rs_expect_weight_count(n, 0, err);
}

/* ---- Embedding ---- */

int rs_embedding_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
{
    embedding_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0)
        return -1;
    if (cfg_size(n, "input_dim", -1, 1, RS_MAX_UNITS, &p->input_dim, err) < 0 ||
        cfg_size(n, "output_dim", -1, 1, RS_MAX_UNITS, &p->output_dim, err) < 0)
        return -1;
    p->mask_zero = cfg_bool(n, "mask_zero", false);
    if (quantized(n))
        return rs_node_unsupported(n, "quantized Embedding");
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

int rs_flatten_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
{
    reshape_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0)
        return -1;
    p->target = rs_shape_make(1, shape_count(&in[0]));
    n->out_shapes[0] = p->target;
    return rs_expect_weight_count(n, 0, err);
}

int rs_reshape_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
{
    reshape_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0)
        return -1;
    const cJSON *t = cfg_get(n, "target_shape");
    int rank = cJSON_GetArraySize(t);
    if (!cJSON_IsArray(t) || rank > RS_MAX_SHAPE_RANK)
        return rs_fail(err, n->name, "Reshape has no valid target_shape (at most %d dimensions)",
                       RS_MAX_SHAPE_RANK);
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

int rs_permute_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
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
        long v = cfg_whole(d, 0) - 1;
        if (v < 0 || v >= in[0].rank || seen[v])
            return rs_fail(err, n->name, "Permute dims are not a permutation of 1..%d",
                           in[0].rank);
        seen[v] = true;
        p->perm[i] = v;
        n->out_shapes[0].dims[i] = in[0].dims[v];
    }
    return rs_expect_weight_count(n, 0, err);
}

int rs_repeat_vector_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
{
    reshape_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0 ||
        rs_expect_rank(n, &in[0], 1, err) < 0)
        return -1;
    if (cfg_size(n, "n", -1, 1, RS_MAX_STEPS, &p->repeat, err) < 0)
        return -1;
    if (p->repeat <= 0)
        return rs_fail(err, n->name, "RepeatVector has no valid 'n'");
    n->out_shapes[0] = rs_shape_make(2, p->repeat, in[0].dims[0]);
    return rs_expect_weight_count(n, 0, err);
}


/* ==== forward pass ==== */

/* The input's mask, passed on unchanged (layers Keras marks supports_masking). */
static int pass_mask(rs_layer_io *io, rs_error *err)
{
    if (!io->in_masks[0])
        return 0;
    return rs_tensor_copy(&io->out_masks[0], io->in_masks[0], err);
}

/* Output 0 = a copy of input 0, mask passed on. */
static int copy_through(rs_layer_io *io, rs_error *err)
{
    if (rs_tensor_copy(&io->outputs[0], io->inputs[0], err) < 0)
        return -1;
    return pass_mask(io, err);
}

int rs_input_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    if (io->n_inputs != 1)
        return rs_fail(err, NULL, "a model input has no layer to run");
    return copy_through(io, err);
}

/* Apply an activation to a whole tensor (batch axis first); softmax over its axis; glu
 * replaces t by a tensor of half its last axis. */
static int activate_tensor(const rs_activation *a, rs_tensor *t, rs_error *err)
{
    size_t last = t->rank ? t->shape[t->rank - 1] : 1;
    if (a->kind == RS_ACT_SOFTMAX || a->kind == RS_ACT_LOG_SOFTMAX) {
        rs_softmax_axis(t->data, t->rank, t->shape, a->axis, a->kind == RS_ACT_LOG_SOFTMAX);
        return 0;
    }
    if (a->kind != RS_ACT_GLU) {
        rs_activate(a, t->data, t->size, last);
        return 0;
    }
    if (last % 2 != 0)
        return rs_fail(err, NULL, "glu needs an even last axis, not %zu", last);
    size_t shape[RS_MAX_RANK];
    memcpy(shape, t->shape, sizeof shape);
    shape[t->rank - 1] = last / 2;
    rs_tensor y = {0};
    if (rs_tensor_alloc(&y, t->rank, shape, err) < 0)
        return -1;
    rs_glu(t->data, y.data, last ? t->size / last : 0, last);
    rs_tensor_free(t);
    rs_tensor_move(t, &y);
    return 0;
}

int rs_dense_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const dense_params *p = n->params;
    const rs_tensor *x = io->inputs[0];
    const rs_tensor *kernel = &n->weights[0].value;
    size_t d = kernel->shape[0], units = (size_t)p->units;
    if (x->rank < 2 || x->shape[x->rank - 1] != d)
        return rs_fail(err, NULL, "input's last axis should have %zu values", d);
    size_t shape[RS_MAX_RANK];
    memcpy(shape, x->shape, sizeof shape);
    shape[x->rank - 1] = units;
    rs_tensor *y = &io->outputs[0];
    if (rs_tensor_alloc(y, x->rank, shape, err) < 0)
        return -1;
    size_t rows = d ? x->size / d : 0;
    rs_gemm(rows, units, d, x->data, d, kernel->data, units, y->data, units, false);
    if (p->use_bias) {
        const float *b = n->weights[1].value.data;
        for (size_t r = 0; r < rows; r++)
            for (size_t u = 0; u < units; u++)
                y->data[r * units + u] += b[u];
    }
    /* softmax: Keras' default axis, the last */
    if (activate_tensor(&p->activation, y, err) < 0)
        return -1;
    return pass_mask(io, err);
}

/* Start a walk over y that reads t broadcast to y's shape; fails naming t as `what`. */
static int broadcast_walk(const rs_tensor *t, const rs_tensor *y, const char *what, rs_walk *w,
                          rs_error *err)
{
    size_t stride[RS_MAX_RANK];
    if (rs_broadcast_strides(t, y->rank, y->shape, stride) < 0) {
        char a[160], b[160];
        return rs_fail(err, NULL, "its %s %s does not broadcast to its input %s", what,
                       rs_shape_format(t->rank, t->shape, a, sizeof a),
                       rs_shape_format(y->rank, y->shape, b, sizeof b));
    }
    rs_walk_init(w, y->rank, y->shape, stride);
    return 0;
}

/* The Softmax layer's mask, as Keras applies it: masked inputs get -1e9 added before the
 * softmax, and (Keras >= 3.14) masked outputs become 0. `after` selects the second step. */
static int softmax_mask(const activation_params *p, rs_layer_io *io, bool after, rs_error *err)
{
    const rs_tensor *m = io->in_masks[0];
    rs_tensor *y = &io->outputs[0];
    rs_walk w;
    if (!m || (after && !p->zero_masked))
        return 0;
    if (broadcast_walk(m, y, "input mask", &w, err) < 0)
        return -1;
    for (size_t i = 0; i < y->size; i++, rs_walk_next(&w))
        if (m->data[w.at] == 0)
            y->data[i] = after ? 0.0f : y->data[i] - 1e9f;
    return 0;
}

int rs_activation_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const activation_params *p = n->params;
    if (copy_through(io, err) < 0)
        return -1;
    rs_tensor *y = &io->outputs[0];
    rs_activation a = p->activation;
    bool softmax_layer = !strcmp(n->class_name, "Softmax"); /* the one that reads the mask */
    if (a.kind == RS_ACT_SOFTMAX || a.kind == RS_ACT_LOG_SOFTMAX) {
        long axis = p->axis < 0 ? p->axis + y->rank : p->axis; /* Keras counts the batch */
        if (axis < 0 || axis >= y->rank)
            return rs_fail(err, NULL, "softmax axis %ld is out of range for rank %d", p->axis,
                           y->rank);
        a.axis = (int)axis;
    }
    if (softmax_layer && softmax_mask(p, io, false, err) < 0)
        return -1;
    if (activate_tensor(&a, y, err) < 0)
        return -1;
    return softmax_layer ? softmax_mask(p, io, true, err) : 0;
}

int rs_prelu_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const rs_tensor *alpha = &n->weights[0].value;
    rs_walk w;
    if (copy_through(io, err) < 0 || broadcast_walk(alpha, &io->outputs[0], "alpha", &w, err) < 0)
        return -1;
    rs_tensor *y = &io->outputs[0];
    for (size_t i = 0; i < y->size; i++, rs_walk_next(&w))
        if (y->data[i] < 0)
            y->data[i] *= alpha->data[w.at];
    return 0;
}

/* Masking: mask = any(x != mask_value) over the last axis; masked steps become zeros. */
static int masking_forward(const identity_params *p, rs_layer_io *io, rs_error *err)
{
    const rs_tensor *x = io->inputs[0];
    if (x->rank < 2)
        return rs_fail(err, NULL, "Masking needs an input of rank 2 or more");
    rs_tensor *y = &io->outputs[0], *mask = &io->out_masks[0];
    if (rs_tensor_copy(y, x, err) < 0 || rs_tensor_alloc(mask, x->rank - 1, x->shape, err) < 0)
        return -1;
    size_t row = x->shape[x->rank - 1];
    float mv = (float)p->mask_value;
    for (size_t r = 0; r < mask->size; r++) {
        float *v = y->data + r * row;
        bool keep = false;
        for (size_t c = 0; c < row && !keep; c++)
            keep = v[c] != mv;
        mask->data[r] = keep;
        if (!keep)
            memset(v, 0, row * sizeof *v);
    }
    return 0;
}

int rs_identity_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const identity_params *p = n->params;
    return p->masks ? masking_forward(p, io, err) : copy_through(io, err);
}

/* In float32 as Keras computes it: the product rounded, then the sum. */
int rs_rescaling_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const rescaling_params *p = n->params;
    if (copy_through(io, err) < 0)
        return -1;
    rs_tensor *y = &io->outputs[0];
    for (size_t i = 0; i < y->size; i++) {
        float scaled = y->data[i] * p->scale;
        y->data[i] = scaled + p->offset;
    }
    return 0;
}

int rs_embedding_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const embedding_params *p = n->params;
    const rs_tensor *ids = io->inputs[0];
    const rs_tensor *table = &n->weights[0].value;
    size_t dim = (size_t)p->output_dim, shape[RS_MAX_RANK];
    if (ids->rank < 1 || ids->rank + 1 > RS_MAX_RANK)
        return rs_fail(err, NULL, "input rank %d is not supported", ids->rank);
    memcpy(shape, ids->shape, sizeof shape);
    shape[ids->rank] = dim;
    rs_tensor *y = &io->outputs[0];
    if (rs_tensor_alloc(y, ids->rank + 1, shape, err) < 0)
        return -1;
    for (size_t i = 0; i < ids->size; i++) {
        float v = ids->data[i];
        /* Keras casts the ids to int32 (truncating); TF refuses ids outside the table */
        if (!(v > -1.0f && v < (float)p->input_dim)) {
            size_t per = ids->size / ids->shape[0]; /* ids per sample */
            return rs_fail(err, NULL, "token id %g (sample %zu, position %zu) is outside 0..%ld",
                           (double)v, i / per, i % per, p->input_dim - 1);
        }
        memcpy(y->data + i * dim, table->data + (size_t)v * dim, dim * sizeof(float));
    }
    if (!p->mask_zero)
        return 0;
    rs_tensor *mask = &io->out_masks[0];
    if (rs_tensor_alloc(mask, ids->rank, ids->shape, err) < 0)
        return -1;
    for (size_t i = 0; i < ids->size; i++)
        mask->data[i] = (long)ids->data[i] != 0;
    return 0;
}

/* Copy input 0 into output 0 with the batch axis kept and the rest given by `s`. */
static int reshape_to(const rs_shape *s, rs_layer_io *io, rs_error *err)
{
    const rs_tensor *x = io->inputs[0];
    size_t shape[RS_MAX_RANK], known = 1;
    int unknown = -1;
    if (x->rank < 1 || s->rank + 1 > RS_MAX_RANK)
        return rs_fail(err, NULL, "cannot reshape an input of rank %d", x->rank);
    shape[0] = x->shape[0];
    for (int i = 0; i < s->rank; i++) {
        if (s->dims[i] < 0)
            unknown = i;
        else
            known *= (size_t)s->dims[i];
        shape[i + 1] = s->dims[i] < 0 ? 1 : (size_t)s->dims[i];
    }
    size_t per_sample = x->shape[0] ? x->size / x->shape[0] : 0;
    if (unknown >= 0 && known && per_sample % known == 0)
        shape[unknown + 1] = per_sample / known; /* Reshape's -1, or an unknown length */
    if (rs_tensor_copy(&io->outputs[0], x, err) < 0 ||
        rs_tensor_reshape(&io->outputs[0], s->rank + 1, shape, err) < 0)
        return -1;
    return 0;
}

int rs_flatten_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    rs_shape flat = rs_shape_make(1, -1L);
    return reshape_to(&flat, io, err);
}

int rs_reshape_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const reshape_params *p = n->params;
    return reshape_to(&p->target, io, err);
}

int rs_permute_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const reshape_params *p = n->params;
    const rs_tensor *x = io->inputs[0];
    int perm[RS_MAX_RANK] = {0}; /* with the batch axis in front */
    for (int i = 1; i < x->rank; i++)
        perm[i] = p->perm[i - 1] + 1;
    if (x->rank != n->out_shapes[0].rank + 1)
        return rs_fail(err, NULL, "input of rank %d does not fit the permutation", x->rank);
    return rs_tensor_permute(&io->outputs[0], x, perm, err);
}

int rs_repeat_vector_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const reshape_params *p = n->params;
    const rs_tensor *x = io->inputs[0];
    if (x->rank != 2)
        return rs_fail(err, NULL, "RepeatVector needs an input of rank 2");
    size_t B = x->shape[0], D = x->shape[1], R = (size_t)p->repeat;
    rs_tensor *y = &io->outputs[0];
    if (rs_tensor_alloc_dims(y, err, 3, B, R, D) < 0)
        return -1;
    for (size_t b = 0; b < B; b++)
        for (size_t r = 0; r < R; r++)
            memcpy(y->data + (b * R + r) * D, x->data + b * D, D * sizeof(float));
    return 0;
}

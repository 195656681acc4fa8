/* Attention layers: keras-self-attention's SeqSelfAttention, SeqWeightedAttention,
 * ScaledDotProductAttention and ResidualScaledDotProductAttention; Keras' Attention,
 * AdditiveAttention and MultiHeadAttention; and keras-multi-head's MultiHeadAttention (same
 * class name, told apart by "head_num"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/attention.h"
#include "rnnscope/memcap.h"

#include "layers/common.h"
#include "layers/families.h"
#include "layers/attention_params.h"

/* Output 0 is the values. The attention weights are output 1 when the layer returns them, else
 * (when `internal`) an internal named "attention" in the same place, computed only when asked
 * for (dump --internal attention, the explorer) exactly as the returned output would be. */
static int set_attention_outputs(rs_node *n, bool with_attention, bool internal, rs_shape values,
                                 rs_shape attention, rs_error *err)
{
    if (rs_node_outputs(n, with_attention ? 2 : 1, !with_attention && internal ? 1 : 0, err) < 0)
        return -1;
    n->out_shapes[0] = values;
    if (!with_attention && !internal)
        return 0;
    n->out_shapes[1] = attention;
    if ((with_attention && rs_node_name_output(n, 0, "values", err) < 0) ||
        rs_node_name_output(n, 1, "attention", err) < 0)
        return -1;
    return 0;
}

/* Whether outputs[1] (the attention weights, returned or internal) is to be computed. */
static bool attention_kept(const rs_node *n, const rs_layer_io *io)
{
    return n->n_outputs >= 2 || (n->n_internal >= 1 && !io->skip_internals);
}

int rs_seq_self_attention_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx,
                                rs_error *err)
{
    attention_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_expect_rank(n, &in[0], 2, err) < 0)
        return -1;
    const char *type = cfg_str(n, "attention_type", "additive");
    p->multiplicative = !strcmp(type, "multiplicative");
    if (!p->multiplicative && strcmp(type, "additive") != 0)
        return rs_fail(err, n->name, "unknown attention_type '%s'", type);
    if (cfg_size(n, "units", 32, 1, RS_MAX_UNITS, &p->units, err) < 0 ||
        cfg_size(n, "attention_width", -1, 1, RS_MAX_STEPS, &p->attention_width, err) < 0)
        return -1;
    p->history_only = cfg_bool(n, "history_only", false);
    p->use_additive_bias = cfg_bool(n, "use_additive_bias", true);
    p->use_attention_bias = cfg_bool(n, "use_attention_bias", true);
    p->return_attention = cfg_bool(n, "return_attention", false);
    p->attention_regularizer_weight = cfg_num(n, "attention_regularizer_weight", 0);
    if (p->units <= 0 && !p->multiplicative)
        return rs_fail(err, n->name, "SeqSelfAttention has no valid 'units'");
    long t = in[0].dims[0], d = in[0].dims[1], u = p->units;
    if (set_attention_outputs(n, p->return_attention, true, in[0], rs_shape_make(2, t, t), err) < 0)
        return -1;
    if (cfg_activation(n, "attention_activation", "linear", ctx, &p->attention_activation,
                       err) < 0 && rs_node_unsupported_by(n, err) < 0)
        return -1;
    int k = 0;
    if (p->multiplicative) {
        if (rs_expect_weight_count(n, 1 + p->use_attention_bias, err) < 0 ||
            RS_EXPECT_SHAPE(n, k++, err, d, d) < 0)
            return -1;
    } else {
        if (rs_expect_weight_count(n, 3 + p->use_additive_bias + p->use_attention_bias, err) < 0 ||
            RS_EXPECT_SHAPE(n, k++, err, d, u) < 0 || RS_EXPECT_SHAPE(n, k++, err, d, u) < 0 ||
            (p->use_additive_bias && RS_EXPECT_SHAPE(n, k++, err, u) < 0) ||
            RS_EXPECT_SHAPE(n, k++, err, u, 1L) < 0)
            return -1;
    }
    if (p->use_attention_bias && RS_EXPECT_SHAPE(n, k, err, 1L) < 0)
        return -1;
    return 0;
}

int rs_seq_weighted_attention_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx,
                                    rs_error *err)
{
    attention_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_expect_rank(n, &in[0], 2, err) < 0)
        return -1;
    p->use_bias = cfg_bool(n, "use_bias", true);
    p->return_attention = cfg_bool(n, "return_attention", false);
    long t = in[0].dims[0], d = in[0].dims[1];
    if (set_attention_outputs(n, p->return_attention, true, rs_shape_make(1, d), rs_shape_make(1, t),
                              err) < 0 ||
        rs_expect_weight_count(n, 1 + p->use_bias, err) < 0 ||
        RS_EXPECT_SHAPE(n, 0, err, d, 1L) < 0 ||
        (p->use_bias && RS_EXPECT_SHAPE(n, 1, err, 1L) < 0))
        return -1;
    return 0;
}

/* Inputs of a query/key/value layer: one tensor (q = k = v) or [q, k, v] (keras-self-attention)
 * or [q, v(, k)] (Keras). All rank 2 (T, D). */
static int qkv_inputs(rs_node *n, const rs_shape *in, int lo, int hi, rs_error *err)
{
    if (rs_expect_inputs(n, lo, hi, err) < 0)
        return -1;
    for (int i = 0; i < n->n_inputs; i++)
        if (rs_expect_rank(n, &in[i], 2, err) < 0)
            return -1;
    return 0;
}

/* ScaledDotProductAttention takes x or [q, k, v]; ResidualScaledDotProductAttention (its
 * RealFormer variant, keras_self_attention/real_former.py) [x, prev] or [q, k, v, prev], prev
 * the (Tq, Tk) scores of the layer before, and also returns its own scores + prev. */
int rs_scaled_dot_attention_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx,
                                  rs_error *err)
{
    attention_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p)
        return -1;
    p->residual = !strcmp(n->class_name, "ResidualScaledDotProductAttention");
    int extra = p->residual; /* prev, the last input */
    if (qkv_inputs(n, in, 1 + extra, 3 + extra, err) < 0 || rs_expect_weight_count(n, 0, err) < 0)
        return -1;
    if (n->n_inputs == 2 + extra)
        return rs_fail(err, n->name, "%s takes %d or %d inputs, not %d", n->class_name, 1 + extra,
                       3 + extra, n->n_inputs);
    p->return_attention = cfg_bool(n, "return_attention", false);
    p->history_only = cfg_bool(n, "history_only", false);
    bool three = n->n_inputs - extra == 3;
    const rs_shape *q = &in[0], *k = &in[three ? 1 : 0], *v = &in[three ? 2 : 0];
    rs_shape values = rs_shape_make(2, q->dims[0], v->dims[1]);
    rs_shape scores = rs_shape_make(2, q->dims[0], k->dims[0]);
    if (!p->residual)
        return set_attention_outputs(n, p->return_attention, true, values, scores, err);
    const rs_shape *prev = &in[n->n_inputs - 1];
    if ((prev->dims[0] >= 0 && scores.dims[0] >= 0 && prev->dims[0] != scores.dims[0]) ||
        (prev->dims[1] >= 0 && scores.dims[1] >= 0 && prev->dims[1] != scores.dims[1]))
        return rs_fail(err, n->name, "its last input (the previous scores) is (%ld, %ld), the "
                       "scores (%ld, %ld)", prev->dims[0], prev->dims[1], scores.dims[0],
                       scores.dims[1]);
    /* values, residual scores, then the attention: returned, or an internal as for the others */
    bool ret = p->return_attention;
    if (rs_node_outputs(n, ret ? 3 : 2, ret ? 0 : 1, err) < 0 ||
        rs_node_name_output(n, 0, "values", err) < 0 ||
        rs_node_name_output(n, 1, "residual", err) < 0 ||
        rs_node_name_output(n, 2, "attention", err) < 0)
        return -1;
    n->out_shapes[0] = values;
    n->out_shapes[1] = n->out_shapes[2] = scores;
    return 0;
}

/* The layer object ({"class_name", "config", "inbound_nodes"}) whose config is `config`,
 * anywhere in the model config (nested models included), or NULL. */
static const cJSON *layer_object(const cJSON *json, const cJSON *config)
{
    if (!json)
        return NULL;
    if (cJSON_IsObject(json) && cJSON_GetObjectItemCaseSensitive(json, "config") == config)
        return json;
    const cJSON *child;
    cJSON_ArrayForEach(child, json) {
        const cJSON *found = layer_object(child, config);
        if (found)
            return found;
    }
    return NULL;
}

/* The keyword arguments this call of the layer was made with (use_causal_mask,
 * return_attention_scores, ...), as the functional config records them: Keras 2 and TF.js in
 * the 4th element of the call's first input entry, Keras 3 under "kwargs". NULL when not
 * recorded (Sequential models, no arguments). */
static const cJSON *call_kwargs(const rs_node *n, const rs_layer_ctx *ctx)
{
    const cJSON *layer = ctx ? layer_object(ctx->model_config, n->keras_config) : NULL;
    const cJSON *nodes = layer ? cJSON_GetObjectItemCaseSensitive(layer, "inbound_nodes") : NULL;
    const char *hash = strrchr(n->name, '#'); /* the second call of a shared layer is "name#1" */
    const cJSON *call = cJSON_GetArrayItem(nodes, hash ? atoi(hash + 1) : 0);
    if (cJSON_IsObject(call))
        return cJSON_GetObjectItemCaseSensitive(call, "kwargs");
    const cJSON *kwargs = cJSON_GetArrayItem(cJSON_GetArrayItem(call, 0), 3);
    return cJSON_IsObject(kwargs) ? kwargs : NULL;
}

static bool kwarg_true(const cJSON *kwargs, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(kwargs, key));
}

/* Keras Attention (dot or concat score) and AdditiveAttention: inputs [query, value(, key)]. */
int rs_keras_attention_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
{
    attention_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || qkv_inputs(n, in, 2, 3, err) < 0)
        return -1;
    bool additive = !strcmp(n->class_name, "AdditiveAttention");
    p->use_scale = cfg_bool(n, "use_scale", additive);
    p->concat_score = !strcmp(cfg_str(n, "score_mode", "dot"), "concat");
    const cJSON *kwargs = call_kwargs(n, ctx);
    /* causal: a config option up to TF 2.9, then the call argument use_causal_mask */
    p->causal = cfg_bool(n, "causal", false) || kwarg_true(kwargs, "use_causal_mask");
    p->return_attention = kwarg_true(kwargs, "return_attention_scores");
    p->dropout = cfg_num(n, "dropout", 0); /* inference: no dropout */
    int count = p->use_scale + p->concat_score;
    if (rs_expect_weight_count(n, count, err) < 0)
        return -1;
    if (additive && p->use_scale && RS_EXPECT_SHAPE(n, 0, err, in[0].dims[1]) < 0)
        return -1;
    for (int i = additive ? 1 : 0; i < count; i++)
        if (rs_expect_weight_scalar(n, i, err) < 0)
            return -1;
    return set_attention_outputs(n, p->return_attention, true,
                                 rs_shape_make(2, in[0].dims[0], in[1].dims[1]),
                                 rs_shape_make(2, in[0].dims[0], in[1].dims[0]), err);
}

/* Keras 3.10 (keras commit 2111fbca) made Softmax zero the masked weights, so a padded query
 * attends to nothing instead of evenly to everything. A file that does not say its version
 * is taken as the newest of its major. */
static bool softmax_zeroes_masked(const rs_layer_ctx *ctx)
{
    int major, minor;
    if (!ctx)
        return false;
    if (ctx->keras_version && sscanf(ctx->keras_version, "%d.%d", &major, &minor) == 2)
        return major > 3 || (major == 3 && minor >= 10);
    return ctx->keras_major >= 3;
}

static int keras_multi_head(rs_node *n, attention_params *p, const rs_shape *in,
                            const rs_layer_ctx *ctx, rs_error *err)
{
    p->softmax_zeroes_masked = softmax_zeroes_masked(ctx);
    const cJSON *kwargs = call_kwargs(n, ctx);
    p->causal = kwarg_true(kwargs, "use_causal_mask");
    p->return_attention = kwarg_true(kwargs, "return_attention_scores");
    if (cfg_size(n, "num_heads", -1, 1, RS_MAX_UNITS, &p->num_heads, err) < 0 ||
        cfg_size(n, "key_dim", -1, 1, RS_MAX_UNITS, &p->key_dim, err) < 0 ||
        cfg_size(n, "value_dim", p->key_dim, 1, RS_MAX_UNITS, &p->value_dim, err) < 0)
        return -1;
    p->use_bias = cfg_bool(n, "use_bias", true);
    /* On (batch, steps, features) the default attends over the steps: axis 1, or -2 */
    const cJSON *axes = cfg_get(n, "attention_axes");
    const cJSON *axis = cJSON_IsArray(axes) && cJSON_GetArraySize(axes) == 1
                            ? cJSON_GetArrayItem(axes, 0) : axes;
    bool steps_axis = cJSON_IsNumber(axis) && (axis->valueint == 1 || axis->valueint == -2);
    if (axes && !cJSON_IsNull(axes) && !steps_axis)
        return rs_node_unsupported(n, "MultiHeadAttention with attention_axes other than the steps");
    if (p->num_heads <= 0 || p->key_dim <= 0 || p->value_dim <= 0)
        return rs_fail(err, n->name, "MultiHeadAttention has no valid num_heads/key_dim");
    const rs_shape *q = &in[0], *v = &in[1], *k = &in[n->n_inputs == 3 ? 2 : 1];
    p->out_dim = cfg_int(n, "output_shape", q->dims[1]);
    const cJSON *out_shape = cfg_get(n, "output_shape");
    if (cJSON_IsArray(out_shape) && cJSON_GetArraySize(out_shape) != 1)
        return rs_node_unsupported(n, "MultiHeadAttention with a multi-dimensional output_shape");
    long h = p->num_heads, kd = p->key_dim, vd = p->value_dim, od = p->out_dim;
    if (rs_expect_weight_count(n, p->use_bias ? 8 : 4, err) < 0)
        return -1;
    int b = p->use_bias, i = 0;
    if (RS_EXPECT_SHAPE(n, i, err, q->dims[1], h, kd) < 0 ||
        (b && RS_EXPECT_SHAPE(n, i + 1, err, h, kd) < 0))
        return -1;
    i += 1 + b;
    if (RS_EXPECT_SHAPE(n, i, err, k->dims[1], h, kd) < 0 ||
        (b && RS_EXPECT_SHAPE(n, i + 1, err, h, kd) < 0))
        return -1;
    i += 1 + b;
    if (RS_EXPECT_SHAPE(n, i, err, v->dims[1], h, vd) < 0 ||
        (b && RS_EXPECT_SHAPE(n, i + 1, err, h, vd) < 0))
        return -1;
    i += 1 + b;
    if (RS_EXPECT_SHAPE(n, i, err, h, vd, od) < 0 || (b && RS_EXPECT_SHAPE(n, i + 1, err, od) < 0))
        return -1;
    /* return_attention_scores: (heads, query steps, key steps) */
    return set_attention_outputs(n, p->return_attention, true, rs_shape_make(2, q->dims[0], od),
                                 rs_shape_make(3, h, q->dims[0], v->dims[0]), err);
}

static int package_multi_head(rs_node *n, attention_params *p, const rs_shape *in,
                              const rs_layer_ctx *ctx, rs_error *err)
{
    p->multi_head_package = true;
    if (cfg_size(n, "head_num", -1, 1, RS_MAX_UNITS, &p->num_heads, err) < 0)
        return -1;
    p->use_bias = cfg_bool(n, "use_bias", true);
    p->history_only = cfg_bool(n, "history_only", false);
    if (cfg_activation(n, "activation", "relu", ctx, &p->activation, err) < 0 &&
        rs_node_unsupported_by(n, err) < 0)
        return -1;
    if (n->n_inputs == 2)
        return rs_fail(err, n->name, "MultiHeadAttention takes 1 or 3 inputs, not 2");
    const rs_shape *q = &in[0], *k = &in[n->n_inputs == 3 ? 1 : 0],
                   *v = &in[n->n_inputs == 3 ? 2 : 0];
    long f = v->dims[1]; /* keras-multi-head: feature_dim = the value's last dim */
    if (p->num_heads <= 0 || f <= 0 || f % p->num_heads != 0)
        return rs_fail(err, n->name, "head_num must divide the feature dim %ld", f);
    const long rows[4] = {q->dims[1], k->dims[1], v->dims[1], f};
    int b = p->use_bias;
    if (rs_expect_weight_count(n, b ? 8 : 4, err) < 0)
        return -1;
    for (int i = 0; i < 4; i++)
        if (RS_EXPECT_SHAPE(n, i * (1 + b), err, rows[i], f) < 0 ||
            (b && RS_EXPECT_SHAPE(n, i * 2 + 1, err, f) < 0))
            return -1;
    p->out_dim = f;
    return set_attention_outputs(n, false, false, rs_shape_make(2, q->dims[0], f), in[0], err);
}

int rs_multi_head_attention_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx,
                                  rs_error *err)
{
    attention_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p)
        return -1;
    if (cfg_get(n, "head_num"))
        return qkv_inputs(n, in, 1, 3, err) < 0 ? -1 : package_multi_head(n, p, in, ctx, err);
    return qkv_inputs(n, in, 2, 3, err) < 0 ? -1 : keras_multi_head(n, p, in, ctx, err);
}

/* ---------------------------------------------------------------------------------------------
 * Forward passes. Every layer works one sample at a time with buffers reused across the batch,
 * and reports progress after each sample (one sample of a long sequence can take a while). */

/* Batch, steps and features of a (B, T, D) input, checked against the batch of the first. */
typedef struct seq_dims {
    size_t batch, steps, dim;
} seq_dims;

static int input_dims(const rs_layer_io *io, int i, seq_dims *d, rs_error *err)
{
    const rs_tensor *x = io->inputs[i];
    if (x->rank != 3)
        return rs_fail(err, NULL, "input %d has rank %d, expected (batch, steps, features)", i,
                       x->rank);
    *d = (seq_dims){x->shape[0], x->shape[1], x->shape[2]};
    if (i > 0 && d->batch != io->inputs[0]->shape[0])
        return rs_fail(err, NULL, "input %d has batch %zu, input 0 has %zu", i, d->batch,
                       io->inputs[0]->shape[0]);
    return 0;
}

/* The mask of input i for sample b, or NULL. */
static const float *sample_mask(const rs_layer_io *io, int i, size_t b, size_t steps)
{
    const rs_tensor *m = io->in_masks ? io->in_masks[i] : NULL;
    return m && m->data && m->size == m->shape[0] * steps ? m->data + b * steps : NULL;
}

/* The mask of input i must be (batch, steps) when present. */
static int check_mask(const rs_layer_io *io, int i, const seq_dims *d, rs_error *err)
{
    const rs_tensor *m = io->in_masks ? io->in_masks[i] : NULL;
    if (!m || !m->data)
        return 0;
    if (m->rank != 2 || m->shape[0] != d->batch || m->shape[1] != d->steps)
        return rs_fail(err, NULL, "the mask of input %d does not match its (%zu, %zu) steps", i,
                       d->batch, d->steps);
    return 0;
}

/* Output k takes the mask of input i (a copy), as Keras passes it on. */
static int pass_mask(const rs_layer_io *io, int i, int k, rs_error *err)
{
    const rs_tensor *m = io->in_masks ? io->in_masks[i] : NULL;
    if (!m || !m->data)
        return 0;
    return rs_tensor_copy(&io->out_masks[k], m, err);
}

static int sample_done(const rs_layer_io *io, size_t b, size_t batch, rs_error *err)
{
    if (!rs_progress_report(io->progress, (double)(b + 1) / (double)batch))
        return rs_fail_cancelled(err);
    return 0;
}

/* A float buffer of n, or an error. */
static float *scratch_alloc(size_t n, rs_error *err)
{
    float *p = NULL;
    if (n > RS_MAX_ELEMS || !(p = malloc((n ? n : 1) * sizeof *p)))
        rs_fail_code(err, RS_ERR_NO_MEMORY, NULL, "out of memory for %zu floats of scratch", n);
    return p;
}

/* The attention weights of a sample go to output 1 when the layer returns them, else to a
 * buffer reused across the batch. */
static float *weights_buffer(const rs_layer_io *io, bool returned, float *scratch, size_t b,
                             size_t per_sample)
{
    return returned ? io->outputs[1].data + b * per_sample : scratch;
}

static const float *weight_data(const rs_node *n, int i)
{
    return n->weights[i].value.data;
}

/* -- SeqSelfAttention ------------------------------------------------------------------------- */

int rs_self_attention_of(const rs_node *n, const attention_params *p, size_t dim,
                         rs_self_attention *s, rs_error *err)
{
    *s = (rs_self_attention){.multiplicative = p->multiplicative, .dim = dim,
                             .units = (size_t)p->units, .activation = p->attention_activation,
                             .history_only = p->history_only};
    /* history_only without a width means causal: keras-self-attention sets the width to 1e9. */
    s->width = p->attention_width >= 0 ? p->attention_width : p->history_only ? 1000000000LL : 0;
    int k = 0;
    if (p->multiplicative) {
        if (n->weights[0].value.shape[0] != dim)
            return rs_fail(err, NULL, "input has %zu features, the weights %zu", dim,
                           n->weights[0].value.shape[0]);
        s->Wa = weight_data(n, k++);
    } else {
        if (n->weights[0].value.shape[0] != dim)
            return rs_fail(err, NULL, "input has %zu features, the weights %zu", dim,
                           n->weights[0].value.shape[0]);
        s->Wt = weight_data(n, k++);
        s->Wx = weight_data(n, k++);
        s->bh = p->use_additive_bias ? weight_data(n, k++) : NULL;
        s->Wa = weight_data(n, k++);
    }
    s->ba = p->use_attention_bias ? weight_data(n, k) : NULL;
    return 0;
}

int rs_seq_self_attention_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const attention_params *p = n->params;
    bool keep = attention_kept(n, io);
    seq_dims d;
    rs_self_attention s;
    if (input_dims(io, 0, &d, err) < 0 || check_mask(io, 0, &d, err) < 0 ||
        rs_self_attention_of(n, p, d.dim, &s, err) < 0)
        return -1;
    if (rs_tensor_alloc_dims(&io->outputs[0], err, 3, d.batch, d.steps, d.dim) < 0 ||
        (keep &&
         rs_tensor_alloc_dims(&io->outputs[1], err, 3, d.batch, d.steps, d.steps) < 0))
        return -1;
    size_t tt;
    if (rs_mul_overflows(d.steps, d.steps, &tt))
        return rs_fail(err, NULL, "%zu steps is too long for attention", d.steps);
    size_t need = rs_self_attention_scratch(&s, d.steps) + (keep ? 0 : tt);
    float *scratch = scratch_alloc(need, err);
    if (!scratch)
        return -1;
    float *own_weights = scratch + rs_self_attention_scratch(&s, d.steps);
    int rc = 0;
    for (size_t b = 0; b < d.batch && rc == 0; b++) {
        float *a = weights_buffer(io, keep, own_weights, b, tt);
        rs_self_attention_run(&s, d.steps, io->inputs[0]->data + b * d.steps * d.dim,
                              sample_mask(io, 0, b, d.steps),
                              io->outputs[0].data + b * d.steps * d.dim, a, scratch);
        rc = sample_done(io, b, d.batch, err);
    }
    free(scratch);
    /* compute_mask: [input mask, None] */
    return rc < 0 ? -1 : pass_mask(io, 0, 0, err);
}

/* -- SeqWeightedAttention --------------------------------------------------------------------- */

int rs_seq_weighted_attention_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const attention_params *p = n->params;
    bool keep = attention_kept(n, io);
    seq_dims d;
    if (input_dims(io, 0, &d, err) < 0 || check_mask(io, 0, &d, err) < 0)
        return -1;
    if (n->weights[0].value.shape[0] != d.dim)
        return rs_fail(err, NULL, "input has %zu features, the weights %zu", d.dim,
                       n->weights[0].value.shape[0]);
    if (rs_tensor_alloc_dims(&io->outputs[0], err, 2, d.batch, d.dim) < 0 ||
        (keep && rs_tensor_alloc_dims(&io->outputs[1], err, 2, d.batch, d.steps) < 0))
        return -1;
    float *scratch = scratch_alloc(d.steps, err);
    if (!scratch)
        return -1;
    const float *bias = p->use_bias ? weight_data(n, 1) : NULL;
    int rc = 0;
    for (size_t b = 0; b < d.batch && rc == 0; b++) {
        float *alpha = weights_buffer(io, keep, scratch, b, d.steps);
        rs_weighted_attention_run(d.dim, weight_data(n, 0), bias, d.steps,
                                  io->inputs[0]->data + b * d.steps * d.dim,
                                  sample_mask(io, 0, b, d.steps),
                                  io->outputs[0].data + b * d.dim, alpha);
        rc = sample_done(io, b, d.batch, err);
    }
    free(scratch);
    return rc; /* the output has no mask */
}

/* -- query / key / value layers --------------------------------------------------------------- */

/* Which inputs are the query, key and value, and their dimensions. */
typedef struct qkv {
    int q, k, v;
    seq_dims dq, dk, dv;
} qkv;

static int qkv_dims(const rs_layer_io *io, int q, int k, int v, qkv *x, rs_error *err)
{
    *x = (qkv){.q = q, .k = k, .v = v};
    if (input_dims(io, q, &x->dq, err) < 0 || input_dims(io, k, &x->dk, err) < 0 ||
        input_dims(io, v, &x->dv, err) < 0)
        return -1;
    for (int i = 0; i < io->n_inputs; i++) {
        seq_dims d;
        if (input_dims(io, i, &d, err) < 0 || check_mask(io, i, &d, err) < 0)
            return -1;
    }
    if (x->dk.steps != x->dv.steps)
        return rs_fail(err, NULL, "key has %zu steps but value has %zu", x->dk.steps, x->dv.steps);
    return 0;
}

static const float *sample_of(const rs_layer_io *io, int i, const seq_dims *d, size_t b)
{
    return io->inputs[i]->data + b * d->steps * d->dim;
}

/* y (T, out) = x (T, in) W (in, out) + bias (out) or no bias. */
void attention_project(size_t T, size_t in, const float *x, const float *W, const float *bias,
                    size_t out, float *y)
{
    rs_gemm(T, out, in, x, in, W, out, y, out, false);
    if (bias)
        for (size_t t = 0; t < T; t++)
            for (size_t o = 0; o < out; o++)
                y[t * out + o] += bias[o];
}

/* The previous scores of a ResidualScaledDotProductAttention, (batch, tq, tk). */
static int check_prev(const rs_tensor *prev, size_t batch, size_t tq, size_t tk, rs_error *err)
{
    if (prev->rank == 3 && prev->shape[0] == batch && prev->shape[1] == tq && prev->shape[2] == tk)
        return 0;
    char got[160];
    return rs_fail(err, NULL, "its previous scores have shape %s, not (%zu, %zu, %zu)",
                   rs_shape_format(prev->rank, prev->shape, got, sizeof got), batch, tq, tk);
}

/* ScaledDotProductAttention (keras-self-attention): inputs [Q, K, V] or one tensor; the
 * residual variant adds the previous scores (its last input) to the scores, returns that sum
 * (output 1, before the history and mask penalties) and softmaxes it. */
int rs_scaled_dot_attention_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const attention_params *p = n->params;
    int three = io->n_inputs - p->residual == 3;
    int at = p->residual ? 2 : 1; /* the attention weights' output or internal */
    bool keep = n->n_outputs > at || (n->n_internal >= 1 && !io->skip_internals);
    qkv x;
    if (qkv_dims(io, 0, three, 2 * three, &x, err) < 0)
        return -1;
    if (x.dq.dim != x.dk.dim)
        return rs_fail(err, NULL, "query has %zu features but key has %zu", x.dq.dim, x.dk.dim);
    size_t tq = x.dq.steps, tk = x.dk.steps, tt;
    if (rs_mul_overflows(tq, tk, &tt))
        return rs_fail(err, NULL, "%zu x %zu steps is too much for attention", tq, tk);
    const rs_tensor *prev = p->residual ? io->inputs[io->n_inputs - 1] : NULL;
    if (prev && check_prev(prev, x.dq.batch, tq, tk, err) < 0)
        return -1;
    for (int i = 0; i < (keep ? at + 1 : at); i++)
        if (i == 0 ? rs_tensor_alloc_dims(&io->outputs[0], err, 3, x.dq.batch, tq, x.dv.dim) < 0
                   : rs_tensor_alloc_dims(&io->outputs[i], err, 3, x.dq.batch, tq, tk) < 0)
            return -1;
    float *scratch = keep ? NULL : scratch_alloc(tt, err);
    if (!keep && !scratch)
        return -1;
    float scale = 1.0f / sqrtf((float)x.dq.dim);
    int rc = 0;
    for (size_t b = 0; b < x.dq.batch && rc == 0; b++) {
        float *a = keep ? io->outputs[at].data + b * tt : scratch;
        rs_dot_scores(tq, tk, x.dq.dim, sample_of(io, x.q, &x.dq, b), x.dq.dim,
                      sample_of(io, x.k, &x.dk, b), x.dk.dim, scale, a);
        if (prev) {
            float *sum = io->outputs[1].data + b * tt;
            for (size_t i = 0; i < tt; i++)
                sum[i] = a[i] += prev->data[b * tt + i];
        }
        /* call(): mask[1] of a list, i.e. the key's mask (the residual variant: mask[0] of
         * [x, prev], mask[1] of [q, k, v, prev]: the key's too) */
        rs_score_mask m = {.key_mask = sample_mask(io, x.k, b, tk), .causal = p->history_only,
                           .penalty = 1e4f, .additive = true};
        rs_masked_softmax(tq, tk, a, &m);
        rs_weighted_values(tq, tk, x.dv.dim, a, sample_of(io, x.v, &x.dv, b), x.dv.dim,
                           io->outputs[0].data + b * tq * x.dv.dim, x.dv.dim);
        rc = sample_done(io, b, x.dq.batch, err);
    }
    free(scratch);
    /* compute_mask: the query's mask (mask[0] of a list) on the values, None on the weights */
    return rc < 0 ? -1 : pass_mask(io, 0, 0, err);
}

/* Keras' Attention (dot or concat score) and AdditiveAttention scores of one sample. */
void keras_scores(const rs_node *n, const attention_params *p, const float *q,
                         const float *k, size_t tq, size_t tk, size_t dim, float *scores)
{
    float scale = p->use_scale ? weight_data(n, 0)[0] : 1.0f;
    if (!strcmp(n->class_name, "AdditiveAttention")) /* Σ scale_d tanh(q_d + k_d) */
        rs_additive_scores(tq, tk, dim, q, dim, k, dim, p->use_scale ? weight_data(n, 0) : NULL,
                           1.0f, 1.0f, scores);
    else if (p->concat_score) /* concat_score_weight Σ tanh(scale (q_d + k_d)) */
        rs_additive_scores(tq, tk, dim, q, dim, k, dim, NULL, scale,
                           weight_data(n, p->use_scale)[0], scores);
    else /* scale q·k */
        rs_dot_scores(tq, tk, dim, q, dim, k, dim, scale, scores);
}

/* Keras' Attention and AdditiveAttention: inputs [query, value(, key)], masks
 * [query_mask, value_mask]; padded values are left out (-1e9), padded queries give zeros. */
int rs_keras_attention_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const attention_params *p = n->params;
    bool keep = attention_kept(n, io);
    qkv x;
    if (qkv_dims(io, 0, io->n_inputs == 3 ? 2 : 1, 1, &x, err) < 0)
        return -1;
    if (x.dq.dim != x.dk.dim)
        return rs_fail(err, NULL, "query has %zu features but key has %zu", x.dq.dim, x.dk.dim);
    if (!strcmp(n->class_name, "AdditiveAttention") && p->use_scale &&
        n->weights[0].value.size != x.dq.dim)
        return rs_fail(err, NULL, "query has %zu features, the scale %zu", x.dq.dim,
                       n->weights[0].value.size);
    size_t tq = x.dq.steps, tk = x.dk.steps, dv = x.dv.dim, tt;
    if (rs_mul_overflows(tq, tk, &tt))
        return rs_fail(err, NULL, "%zu x %zu steps is too much for attention", tq, tk);
    if (rs_tensor_alloc_dims(&io->outputs[0], err, 3, x.dq.batch, tq, dv) < 0 ||
        (keep && rs_tensor_alloc_dims(&io->outputs[1], err, 3, x.dq.batch, tq, tk) < 0))
        return -1;
    float *scratch = keep ? NULL : scratch_alloc(tt, err);
    if (!keep && !scratch)
        return -1;
    int rc = 0;
    for (size_t b = 0; b < x.dq.batch && rc == 0; b++) {
        float *a = weights_buffer(io, keep, scratch, b, tt);
        float *out = io->outputs[0].data + b * tq * dv;
        keras_scores(n, p, sample_of(io, x.q, &x.dq, b), sample_of(io, x.k, &x.dk, b), tq, tk,
                     x.dq.dim, a);
        rs_score_mask m = {.key_mask = sample_mask(io, x.v, b, tk), .causal = p->causal,
                           .penalty = 1e9f};
        rs_masked_softmax(tq, tk, a, &m);
        rs_weighted_values(tq, tk, dv, a, sample_of(io, x.v, &x.dv, b), dv, out, dv);
        const float *qm = sample_mask(io, x.q, b, tq);
        for (size_t t = 0; qm && t < tq; t++)
            if (qm[t] == 0.0f)
                memset(out + t * dv, 0, dv * sizeof *out);
        rc = sample_done(io, b, x.dq.batch, err);
    }
    free(scratch);
    /* compute_mask: the query's mask */
    return rc < 0 ? -1 : pass_mask(io, 0, 0, err);
}

/* -- MultiHeadAttention (Keras' and keras-multi-head's) --------------------------------------- */

/* Buffers of one sample, reused across the batch. */
typedef struct heads_scratch {
    float *q, *k, *v, *o, *scores, *key_mask;
} heads_scratch;

static int heads_scratch_alloc(heads_scratch *s, size_t tq, size_t tk, size_t qk_width,
                               size_t v_width, rs_error *err)
{
    size_t sizes[6], total = 0;
    if (rs_mul_overflows(tq, qk_width, &sizes[0]) || rs_mul_overflows(tk, qk_width, &sizes[1]) ||
        rs_mul_overflows(tk, v_width, &sizes[2]) || rs_mul_overflows(tq, v_width, &sizes[3]) ||
        rs_mul_overflows(tq, tk, &sizes[4]))
        return rs_fail(err, NULL, "the attention of %zu x %zu steps is too large", tq, tk);
    sizes[5] = tk;
    for (int i = 0; i < 6; i++) {
        if (total + sizes[i] < total)
            return rs_fail(err, NULL, "the attention of %zu x %zu steps is too large", tq, tk);
        total += sizes[i];
    }
    float *base = scratch_alloc(total, err);
    if (!base)
        return -1;
    float **parts[6] = {&s->q, &s->k, &s->v, &s->o, &s->scores, &s->key_mask};
    for (int i = 0; i < 6; i++) {
        *parts[i] = base;
        base += sizes[i];
    }
    return 0;
}

/* The keys a query may see: the value's and the key's masks together (Keras MHA), or NULL. */
static const float *joint_key_mask(const rs_layer_io *io, const qkv *x, size_t b, float *buf)
{
    const float *vm = sample_mask(io, x->v, b, x->dv.steps);
    const float *km = x->k != x->v ? sample_mask(io, x->k, b, x->dk.steps) : NULL;
    if (!vm || !km)
        return vm ? vm : km;
    for (size_t t = 0; t < x->dk.steps; t++)
        buf[t] = vm[t] * km[t];
    return buf;
}

/* Keras' MultiHeadAttention(query, value, key), default attention axes. */
static int keras_multi_head_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const attention_params *p = n->params;
    bool keep = attention_kept(n, io);
    qkv x;
    if (qkv_dims(io, 0, io->n_inputs == 3 ? 2 : 1, 1, &x, err) < 0)
        return -1;
    size_t H = (size_t)p->num_heads, kd = (size_t)p->key_dim, vd = (size_t)p->value_dim;
    size_t od = (size_t)p->out_dim, tq = x.dq.steps, tk = x.dk.steps;
    if (n->weights[0].value.shape[0] != x.dq.dim || n->weights[p->use_bias ? 2 : 1].value.shape[0] != x.dk.dim ||
        n->weights[p->use_bias ? 4 : 2].value.shape[0] != x.dv.dim)
        return rs_fail(err, NULL, "the inputs' features (%zu, %zu, %zu) do not fit the weights",
                       x.dq.dim, x.dv.dim, x.dk.dim);
    if (rs_tensor_alloc_dims(&io->outputs[0], err, 3, x.dq.batch, tq, od) < 0 ||
        (keep &&
         rs_tensor_alloc_dims(&io->outputs[1], err, 4, x.dq.batch, H, tq, tk) < 0))
        return -1;
    heads_scratch s;
    if (heads_scratch_alloc(&s, tq, tk, H * kd, H * vd, err) < 0)
        return -1;
    int w = 0, bias = p->use_bias;
    const float *Wq = weight_data(n, w), *bq = bias ? weight_data(n, w + 1) : NULL;
    w += 1 + bias;
    const float *Wk = weight_data(n, w), *bk = bias ? weight_data(n, w + 1) : NULL;
    w += 1 + bias;
    const float *Wv = weight_data(n, w), *bv = bias ? weight_data(n, w + 1) : NULL;
    w += 1 + bias;
    const float *Wo = weight_data(n, w), *bo = bias ? weight_data(n, w + 1) : NULL;
    float q_scale = 1.0f / sqrtf((float)kd);
    int rc = 0;
    for (size_t b = 0; b < x.dq.batch && rc == 0; b++) {
        /* einsum "abc,cde->abde": a dense layer onto heads x width */
        attention_project(tq, x.dq.dim, sample_of(io, x.q, &x.dq, b), Wq, bq, H * kd, s.q);
        attention_project(tk, x.dk.dim, sample_of(io, x.k, &x.dk, b), Wk, bk, H * kd, s.k);
        attention_project(tk, x.dv.dim, sample_of(io, x.v, &x.dv, b), Wv, bv, H * vd, s.v);
        for (size_t i = 0; i < tq * H * kd; i++)
            s.q[i] *= q_scale; /* Keras scales the query, not the scores */
        rs_score_mask m = {.query_mask = sample_mask(io, x.q, b, tq),
                           .key_mask = joint_key_mask(io, &x, b, s.key_mask),
                           .causal = p->causal, .penalty = 1e9f,
                           .zero_masked_rows = p->softmax_zeroes_masked};
        for (size_t h = 0; h < H; h++) {
            float *a = keep ? io->outputs[1].data + (b * H + h) * tq * tk
                                           : s.scores;
            rs_dot_scores(tq, tk, kd, s.q + h * kd, H * kd, s.k + h * kd, H * kd, 1.0f, a);
            rs_masked_softmax(tq, tk, a, &m);
            rs_weighted_values(tq, tk, vd, a, s.v + h * vd, H * vd, s.o + h * vd, H * vd);
        }
        /* einsum "abcd,cde->abe": heads x value_dim onto the output */
        attention_project(tq, H * vd, s.o, Wo, bo, od, io->outputs[0].data + b * tq * od);
        rc = sample_done(io, b, x.dq.batch, err);
    }
    free(s.q);
    return rc < 0 ? -1 : pass_mask(io, 0, 0, err);
}

/* keras-multi-head's MultiHeadAttention: act(x W + b) projections, heads as column blocks,
 * keras-self-attention's ScaledDotProductAttention per head, act(y Wo + bo). */
static int package_multi_head_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const attention_params *p = n->params;
    int three = io->n_inputs == 3;
    qkv x;
    if (qkv_dims(io, 0, three, 2 * three, &x, err) < 0)
        return -1;
    size_t F = n->weights[0].value.shape[1], H = (size_t)p->num_heads, dh = F / H;
    size_t tq = x.dq.steps, tk = x.dk.steps;
    int bias = p->use_bias, stride = 1 + bias;
    const size_t rows[3] = {x.dq.dim, x.dk.dim, x.dv.dim};
    for (int i = 0; i < 3; i++)
        if (n->weights[i * stride].value.shape[0] != rows[i])
            return rs_fail(err, NULL, "input %d has %zu features, its weights %zu", i, rows[i],
                           n->weights[i * stride].value.shape[0]);
    if (rs_tensor_alloc_dims(&io->outputs[0], err, 3, x.dq.batch, tq, F) < 0)
        return -1;
    heads_scratch s;
    if (heads_scratch_alloc(&s, tq, tk, F, F, err) < 0)
        return -1;
    const float *W[4], *B[4];
    for (int i = 0; i < 4; i++) {
        W[i] = weight_data(n, i * stride);
        B[i] = bias ? weight_data(n, i * stride + 1) : NULL;
    }
    float scale = 1.0f / sqrtf((float)dh);
    int rc = 0;
    for (size_t b = 0; b < x.dq.batch && rc == 0; b++) {
        float *out = io->outputs[0].data + b * tq * F;
        attention_project(tq, x.dq.dim, sample_of(io, x.q, &x.dq, b), W[0], B[0], F, s.q);
        attention_project(tk, x.dk.dim, sample_of(io, x.k, &x.dk, b), W[1], B[1], F, s.k);
        attention_project(tk, x.dv.dim, sample_of(io, x.v, &x.dv, b), W[2], B[2], F, s.v);
        rs_activate(&p->activation, s.q, tq * F, F);
        rs_activate(&p->activation, s.k, tk * F, F);
        rs_activate(&p->activation, s.v, tk * F, F);
        /* ScaledDotProductAttention: mask[1] of the list, i.e. the key's mask */
        rs_score_mask m = {.key_mask = sample_mask(io, x.k, b, tk), .causal = p->history_only,
                           .penalty = 1e4f, .additive = true};
        for (size_t h = 0; h < H; h++) {
            rs_dot_scores(tq, tk, dh, s.q + h * dh, F, s.k + h * dh, F, scale, s.scores);
            rs_masked_softmax(tq, tk, s.scores, &m);
            rs_weighted_values(tq, tk, dh, s.scores, s.v + h * dh, F, s.o + h * dh, F);
        }
        attention_project(tq, F, s.o, W[3], B[3], F, out);
        rs_activate(&p->activation, out, tq * F, F);
        rc = sample_done(io, b, x.dq.batch, err);
    }
    free(s.q);
    /* compute_mask: the query's mask */
    return rc < 0 ? -1 : pass_mask(io, 0, 0, err);
}

/* What the forward passes above allocate besides their outputs, per sample (buffers are
 * reused across the batch): the attention weights when they are not an output, and the
 * projections. Saturating; steps of the query (input 0) and of the key/value (input 1). */
size_t rs_attention_scratch(const rs_node *n, const rs_tensor *const *inputs)
{
    const attention_params *p = n->params;
    const rs_tensor *q = inputs[0], *kv = n->n_inputs > 1 ? inputs[1] : inputs[0];
    if (!p || q->rank != 3 || kv->rank != 3)
        return 0;
    size_t tq = q->shape[1], tk = kv->shape[1], dim = q->shape[2], floats;
    size_t tt = rs_size_mul(tq, tk);
    if (!strcmp(n->class_name, "SeqWeightedAttention")) {
        floats = tq;
    } else if (!strcmp(n->class_name, "SeqSelfAttention")) {
        size_t proj = p->multiplicative ? rs_size_mul(tq, dim) : rs_size_mul(2 * tq, (size_t)p->units);
        floats = rs_size_add(p->return_attention ? 0 : tt, proj);
    } else if (!strcmp(n->class_name, "MultiHeadAttention")) {
        /* heads_scratch_alloc: q, k, v, o, one head's scores, the key mask */
        size_t wq = p->multi_head_package && n->n_weights > 0 && n->weights[0].value.rank == 2
                        ? n->weights[0].value.shape[1]
                        : rs_size_mul((size_t)p->num_heads, (size_t)p->key_dim);
        size_t wv = p->multi_head_package ? wq : rs_size_mul((size_t)p->num_heads,
                                                             (size_t)p->value_dim);
        floats = rs_size_add(rs_size_mul(rs_size_add(tq, tk), rs_size_add(wq, wv)),
                             rs_size_add(tt, tk));
    } else {
        floats = p->return_attention ? 0 : tt;
    }
    return rs_size_mul(floats, sizeof(float));
}

int rs_multi_head_attention_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const attention_params *p = n->params;
    return p->multi_head_package ? package_multi_head_forward(n, io, err)
                                 : keras_multi_head_forward(n, io, err);
}

/* ---- description (rnnscope/layer_desc.h) ---- */

/* The weights are named as stored (SeqSelfAttention's Wt Wx bh Wa ba, Keras' query/key/value
 * kernels); the attention weights and the residual scores are (query step, key step) matrices
 * of a sample. A head axis (MultiHeadAttention) stays a plain 3-D output. */
void rs_attention_describe(const rs_node *n, rs_layer_desc *d)
{
    for (int k = 0; k < d->n_outputs; k++) {
        const char *name = n->out_names ? n->out_names[k] : NULL;
        if (name && (!strcmp(name, "attention") || !strcmp(name, "residual")) &&
            n->out_shapes && n->out_shapes[k].rank == 2)
            rs_describe_attention_output(d, k);
    }
}

/* SeqSelfAttention's weights in Keras order: additive Wt, Wx, bh, Wa, ba; multiplicative Wa,
 * ba (each bias only when the config has it). */
void rs_seq_self_attention_describe(const rs_node *n, rs_layer_desc *d)
{
    const attention_params *p = n->params;
    const char *names[5];
    int k = 0;
    if (!p->multiplicative) {
        names[k++] = "Wt";
        names[k++] = "Wx";
        if (p->use_additive_bias)
            names[k++] = "bh";
    }
    names[k++] = "Wa";
    if (p->use_attention_bias)
        names[k++] = "ba";
    for (int i = 0; i < k; i++)
        rs_describe_weight(d, i, names[i][0] == 'b' ? RS_WEIGHT_BIAS : RS_WEIGHT_OTHER, names[i]);
    rs_attention_describe(n, d);
}

/* MultiHeadAttention's weights by name, whatever the file stored (Keras 3: vars/0...): Keras'
 * query, key, value and output kernels, each followed by its bias when use_bias;
 * keras-multi-head's Wq bq Wk bk Wv bv Wo bo. */
void rs_multi_head_attention_describe(const rs_node *n, rs_layer_desc *d)
{
    static const char *const keras[8] = {"query kernel", "query bias", "key kernel",
                                         "key bias", "value kernel", "value bias",
                                         "output kernel", "output bias"};
    static const char *const package[8] = {"Wq", "bq", "Wk", "bk", "Wv", "bv", "Wo", "bo"};
    const attention_params *p = n->params;
    const char *const *names = p->multi_head_package ? package : keras;
    for (int j = 0, i = 0; j < 8; j++) {
        bool bias = j % 2;
        if (bias && !p->use_bias)
            continue;
        rs_weight_role kernel = p->multi_head_package ? RS_WEIGHT_OTHER : RS_WEIGHT_KERNEL;
        rs_describe_weight(d, i++, bias ? RS_WEIGHT_BIAS : kernel, names[j]);
    }
    rs_attention_describe(n, d);
}

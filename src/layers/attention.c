/* Attention layers: keras-self-attention's SeqSelfAttention, SeqWeightedAttention and
 * ScaledDotProductAttention; Keras' Attention, AdditiveAttention and MultiHeadAttention; and
 * keras-multi-head's MultiHeadAttention (same class name, told apart by "head_num"). */
#include <string.h>

#include "layers/common.h"
#include "layers/families.h"

typedef struct attention_params {
    /* SeqSelfAttention */
    bool multiplicative;       /* attention_type */
    long units;
    long attention_width;      /* -1: none (history_only without a width saves 1e9) */
    bool history_only;
    bool use_additive_bias, use_attention_bias;
    rs_activation attention_activation;
    double attention_regularizer_weight;
    /* all */
    bool return_attention;
    bool use_bias;             /* SeqWeightedAttention, MultiHeadAttention */
    /* Keras Attention / AdditiveAttention */
    bool use_scale, concat_score, causal;
    double dropout;
    /* MultiHeadAttention */
    bool multi_head_package;   /* keras-multi-head */
    long num_heads, key_dim, value_dim, out_dim;
    rs_activation activation;  /* keras-multi-head: on q, k, v and the output */
} attention_params;

static int set_attention_outputs(rs_node *n, bool with_attention, rs_shape values,
                                 rs_shape attention, rs_error *err)
{
    if (rs_node_outputs(n, with_attention ? 2 : 1, 0, err) < 0)
        return -1;
    n->out_shapes[0] = values;
    if (!with_attention)
        return 0;
    n->out_shapes[1] = attention;
    if (rs_node_name_output(n, 0, "values", err) < 0 ||
        rs_node_name_output(n, 1, "attention", err) < 0)
        return -1;
    return 0;
}

int rs_seq_self_attention_setup(rs_node *n, const rs_shape *in, const rs_model *m,
                                rs_error *err)
{
    attention_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_expect_rank(n, &in[0], 2, err) < 0)
        return -1;
    const char *type = cfg_str(n, "attention_type", "additive");
    p->multiplicative = !strcmp(type, "multiplicative");
    if (!p->multiplicative && strcmp(type, "additive") != 0)
        return rs_fail(err, n->name, "unknown attention_type '%s'", type);
    p->units = cfg_int(n, "units", 32);
    p->attention_width = cfg_int(n, "attention_width", -1);
    p->history_only = cfg_bool(n, "history_only", false);
    p->use_additive_bias = cfg_bool(n, "use_additive_bias", true);
    p->use_attention_bias = cfg_bool(n, "use_attention_bias", true);
    p->return_attention = cfg_bool(n, "return_attention", false);
    p->attention_regularizer_weight = cfg_num(n, "attention_regularizer_weight", 0);
    if (p->units <= 0 && !p->multiplicative)
        return rs_fail(err, n->name, "SeqSelfAttention has no valid 'units'");
    long t = in[0].dims[0], d = in[0].dims[1], u = p->units;
    if (set_attention_outputs(n, p->return_attention, in[0], rs_shape_make(2, t, t), err) < 0)
        return -1;
    if (cfg_activation(n, "attention_activation", "linear", m, &p->attention_activation,
                       err) < 0)
        rs_node_unsupported(n, "%s", err->msg);
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

int rs_seq_weighted_attention_setup(rs_node *n, const rs_shape *in, const rs_model *m,
                                    rs_error *err)
{
    attention_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_expect_rank(n, &in[0], 2, err) < 0)
        return -1;
    p->use_bias = cfg_bool(n, "use_bias", true);
    p->return_attention = cfg_bool(n, "return_attention", false);
    long t = in[0].dims[0], d = in[0].dims[1];
    if (set_attention_outputs(n, p->return_attention, rs_shape_make(1, d), rs_shape_make(1, t),
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

int rs_scaled_dot_attention_setup(rs_node *n, const rs_shape *in, const rs_model *m,
                                  rs_error *err)
{
    attention_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || qkv_inputs(n, in, 1, 3, err) < 0 || rs_expect_weight_count(n, 0, err) < 0)
        return -1;
    if (n->n_inputs == 2)
        return rs_fail(err, n->name, "ScaledDotProductAttention takes 1 or 3 inputs, not 2");
    p->return_attention = cfg_bool(n, "return_attention", false);
    p->history_only = cfg_bool(n, "history_only", false);
    const rs_shape *q = &in[0], *k = &in[n->n_inputs == 3 ? 1 : 0],
                   *v = &in[n->n_inputs == 3 ? 2 : 0];
    return set_attention_outputs(n, p->return_attention, rs_shape_make(2, q->dims[0], v->dims[1]),
                                 rs_shape_make(2, q->dims[0], k->dims[0]), err);
}

/* Keras Attention (dot or concat score) and AdditiveAttention: inputs [query, value(, key)]. */
int rs_keras_attention_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
{
    attention_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || qkv_inputs(n, in, 2, 3, err) < 0)
        return -1;
    bool additive = !strcmp(n->class_name, "AdditiveAttention");
    p->use_scale = cfg_bool(n, "use_scale", additive);
    p->concat_score = !strcmp(cfg_str(n, "score_mode", "dot"), "concat");
    p->causal = cfg_bool(n, "causal", false) || cfg_bool(n, "use_causal_mask", false);
    p->dropout = cfg_num(n, "dropout", 0);
    int count = p->use_scale + p->concat_score;
    if (rs_expect_weight_count(n, count, err) < 0)
        return -1;
    if (additive && p->use_scale && RS_EXPECT_SHAPE(n, 0, err, in[0].dims[1]) < 0)
        return -1;
    for (int i = additive ? 1 : 0; i < count; i++)
        if (rs_expect_weight_scalar(n, i, err) < 0)
            return -1;
    return set_attention_outputs(n, false, rs_shape_make(2, in[0].dims[0], in[1].dims[1]),
                                 in[0], err);
}

static int keras_multi_head(rs_node *n, attention_params *p, const rs_shape *in, rs_error *err)
{
    p->num_heads = cfg_int(n, "num_heads", -1);
    p->key_dim = cfg_int(n, "key_dim", -1);
    p->value_dim = cfg_int(n, "value_dim", p->key_dim);
    p->use_bias = cfg_bool(n, "use_bias", true);
    const cJSON *axes = cfg_get(n, "attention_axes");
    if (axes && !cJSON_IsNull(axes))
        rs_node_unsupported(n, "MultiHeadAttention with attention_axes");
    if (p->num_heads <= 0 || p->key_dim <= 0 || p->value_dim <= 0)
        return rs_fail(err, n->name, "MultiHeadAttention has no valid num_heads/key_dim");
    const rs_shape *q = &in[0], *v = &in[1], *k = &in[n->n_inputs == 3 ? 2 : 1];
    p->out_dim = cfg_int(n, "output_shape", q->dims[1]);
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
    return set_attention_outputs(n, false, rs_shape_make(2, q->dims[0], od), in[0], err);
}

static int package_multi_head(rs_node *n, attention_params *p, const rs_shape *in,
                              const rs_model *m, rs_error *err)
{
    p->multi_head_package = true;
    p->num_heads = cfg_int(n, "head_num", -1);
    p->use_bias = cfg_bool(n, "use_bias", true);
    p->history_only = cfg_bool(n, "history_only", false);
    if (cfg_activation(n, "activation", "relu", m, &p->activation, err) < 0)
        rs_node_unsupported(n, "%s", err->msg);
    if (n->n_inputs == 2)
        return rs_fail(err, n->name, "MultiHeadAttention takes 1 or 3 inputs, not 2");
    const rs_shape *q = &in[0], *k = &in[n->n_inputs == 3 ? 1 : 0],
                   *v = &in[n->n_inputs == 3 ? 2 : 0];
    long f = q->dims[1];
    if (p->num_heads <= 0 || (f > 0 && f % p->num_heads != 0))
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
    return set_attention_outputs(n, false, rs_shape_make(2, q->dims[0], f), in[0], err);
}

int rs_multi_head_attention_setup(rs_node *n, const rs_shape *in, const rs_model *m,
                                  rs_error *err)
{
    attention_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p)
        return -1;
    if (cfg_get(n, "head_num"))
        return qkv_inputs(n, in, 1, 3, err) < 0 ? -1 : package_multi_head(n, p, in, m, err);
    return qkv_inputs(n, in, 2, 3, err) < 0 ? -1 : keras_multi_head(n, p, in, err);
}

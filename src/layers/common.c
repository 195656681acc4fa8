/* Helpers for the layer families' setup functions. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers/common.h"

int rs_parse_activation(const cJSON *v, int keras_major, rs_activation *out, const char *where,
                        rs_error *err)
{
    const char *name = NULL;
    if (!v || cJSON_IsNull(v))
        return rs_activation_from_name("linear", keras_major, out) ? 0 : -1;
    if (cJSON_IsString(v)) {
        name = v->valuestring;
    } else if (cJSON_IsObject(v)) {
        /* {"class_name": "relu"} or Keras 3 {"module": ..., "config": "relu"} */
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(v, "config");
        const cJSON *cn = cJSON_GetObjectItemCaseSensitive(v, "class_name");
        if (cJSON_IsString(c))
            name = c->valuestring;
        else if (cJSON_IsObject(c) && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(c, "name")))
            name = cJSON_GetObjectItemCaseSensitive(c, "name")->valuestring;
        else if (cJSON_IsString(cn))
            name = cn->valuestring;
    }
    if (!name)
        return rs_fail_code(err, RS_ERR_UNSUPPORTED, where,
                            "activation is neither a name nor a serialized function");
    const char *dot = strrchr(name, '.'); /* "keras.activations.relu" */
    if (dot)
        name = dot + 1;
    if (!rs_activation_from_name(name, keras_major, out))
        return rs_fail_code(err, RS_ERR_UNSUPPORTED, where, "activation '%s' is not supported",
                            name);
    return 0;
}

const cJSON *cfg_get(const rs_node *n, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(n->keras_config, key);
}

bool cfg_bool(const rs_node *n, const char *key, bool dflt)
{
    const cJSON *v = cfg_get(n, key);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : cJSON_IsNumber(v) ? v->valuedouble != 0 : dflt;
}

double cfg_num(const rs_node *n, const char *key, double dflt)
{
    const cJSON *v = cfg_get(n, key);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

long cfg_whole(const cJSON *v, long bad)
{
    /* NaN fails both comparisons: converting it (or infinity) to long is undefined */
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= -1e15 && v->valuedouble <= 1e15))
        return bad;
    return (long)v->valuedouble;
}

long cfg_int(const rs_node *n, const char *key, long dflt)
{
    const cJSON *v = cfg_get(n, key);
    if (cJSON_IsArray(v))
        v = cJSON_GetArrayItem(v, 0);
    return cfg_whole(v, dflt);
}

int cfg_size(const rs_node *n, const char *key, long dflt, long lo, long hi, long *out,
             rs_error *err)
{
    const cJSON *v = cfg_get(n, key);
    if (cJSON_IsArray(v))
        v = cJSON_GetArrayItem(v, 0);
    if (!v || cJSON_IsNull(v)) {
        *out = dflt;
        return 0;
    }
    if (cJSON_IsNumber(v) && v->valuedouble >= (double)lo && v->valuedouble <= (double)hi &&
        v->valuedouble == floor(v->valuedouble)) {
        *out = (long)v->valuedouble;
        return 0;
    }
    char shown[64];
    if (cJSON_IsNumber(v))
        snprintf(shown, sizeof shown, "%g", v->valuedouble);
    else
        snprintf(shown, sizeof shown, "not a number");
    return rs_fail(err, n->name, "'%s' is %s: it must be a whole number from %ld to %ld", key,
                   shown, lo, hi);
}

const char *cfg_str(const rs_node *n, const char *key, const char *dflt)
{
    const cJSON *v = cfg_get(n, key);
    return cJSON_IsString(v) ? v->valuestring : dflt;
}

bool rs_keras_at_least(const rs_layer_ctx *ctx, int major, int minor)
{
    int a = ctx ? ctx->keras_major : 2, b = 0;
    if (ctx && ctx->keras_version && sscanf(ctx->keras_version, "%d.%d", &a, &b) < 1)
        a = ctx->keras_major;
    return a > major || (a == major && b >= minor);
}

rs_writer rs_writer_of(const rs_layer_ctx *ctx)
{
    int major, minor, patch = 0;
    const char *v = ctx ? ctx->keras_version : NULL;
    if (v && strstr(v, "tfjs-layers"))
        return RS_WRITER_TFJS;
    if (!v || sscanf(v, "%d.%d.%d", &major, &minor, &patch) < 2)
        return ctx && ctx->keras_major >= 3 ? RS_WRITER_KERAS_3 : RS_WRITER_TF_KERAS;
    if (major >= 3)
        return RS_WRITER_KERAS_3;
    if (strstr(v, "-tf") || (major == 2 && minor >= 4))
        return RS_WRITER_TF_KERAS;
    return major < 2 || minor < 2 || (minor == 2 && patch <= 4) ? RS_WRITER_KERAS_224
                                                                : RS_WRITER_KERAS_23;
}

int cfg_activation_or_glu(const rs_node *n, const char *key, const char *dflt,
                          const rs_layer_ctx *ctx, rs_activation *out, rs_error *err)
{
    int major = ctx ? ctx->keras_major : 2;
    const cJSON *v = cfg_get(n, key);
    if (!v)
        rs_activation_from_name(dflt, major, out);
    else if (rs_parse_activation(v, major, out, n->name, err) < 0)
        return -1;
    /* sparsemax's threshold was fixed after 3.15 (keras PR #23469) */
    if (out->kind == RS_ACT_SPARSEMAX_K38 && rs_keras_at_least(ctx, 3, 16))
        out->kind = RS_ACT_SPARSEMAX;
    return 0;
}

int cfg_activation(const rs_node *n, const char *key, const char *dflt, const rs_layer_ctx *ctx,
                   rs_activation *out, rs_error *err)
{
    if (cfg_activation_or_glu(n, key, dflt, ctx, out, err) < 0)
        return -1;
    if (out->kind == RS_ACT_GLU)
        return rs_fail_code(err, RS_ERR_UNSUPPORTED, n->name, "activation 'glu' (it halves the "
                            "last axis) is supported in Dense and Activation layers only");
    return 0;
}

int rs_node_outputs(rs_node *n, int n_outputs, int n_internal, rs_error *err)
{
    int total = n_outputs + n_internal;
    free(n->out_shapes);
    if (n->out_names)
        for (int i = 0; i < n->n_outputs + n->n_internal; i++)
            free(n->out_names[i]);
    free(n->out_names);
    n->out_shapes = calloc((size_t)total, sizeof *n->out_shapes);
    n->out_names = calloc((size_t)total, sizeof *n->out_names);
    n->n_outputs = n->n_internal = 0;
    if (!n->out_shapes || !n->out_names)
        return rs_fail_oom(err, n->name);
    for (int i = 0; i < total; i++)
        n->out_shapes[i].rank = -1;
    n->n_outputs = n_outputs;
    n->n_internal = n_internal;
    return 0;
}

int rs_node_name_output(rs_node *n, int i, const char *name, rs_error *err)
{
    free(n->out_names[i]);
    n->out_names[i] = strdup(name);
    return n->out_names[i] ? 0 : rs_fail_oom(err, n->name);
}

rs_shape rs_shape_make(int rank, ...)
{
    rs_shape s = {.rank = rank};
    va_list ap;
    va_start(ap, rank);
    for (int i = 0; i < rank && i < RS_MAX_RANK; i++)
        s.dims[i] = va_arg(ap, long);
    va_end(ap);
    return s;
}

int rs_expect_inputs(const rs_node *n, int lo, int hi, rs_error *err)
{
    if (n->n_inputs >= lo && n->n_inputs <= hi)
        return 0;
    if (lo == hi)
        return rs_fail(err, n->name, "%s takes %d input%s, the model gives it %d",
                       n->class_name, lo, lo == 1 ? "" : "s", n->n_inputs);
    return rs_fail(err, n->name, "%s takes %d to %d inputs, the model gives it %d",
                   n->class_name, lo, hi, n->n_inputs);
}

int rs_expect_rank(const rs_node *n, const rs_shape *s, int rank, rs_error *err)
{
    if (s->rank == rank)
        return 0;
    char buf[128];
    return rs_fail(err, n->name, "%s needs an input of rank %d, got %s", n->class_name, rank + 1,
                   rs_shape_format_batch(s, buf, sizeof buf));
}

int rs_expect_weight_count(const rs_node *n, int count, rs_error *err)
{
    if (n->n_weights == count)
        return 0;
    return rs_fail(err, n->name, "%s with this config has %d weights, the file has %d",
                   n->class_name, count, n->n_weights);
}

static void format_dims(char *buf, size_t len, int rank, const long *dims)
{
    size_t used = (size_t)snprintf(buf, len, "(");
    for (int i = 0; i < rank && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, i ? ", %ld" : "%ld", dims[i]);
    if (used < len)
        snprintf(buf + used, len - used, rank == 1 ? ",)" : ")");
}

int rs_expect_weight_shape(const rs_node *n, int i, int rank, const long *dims, rs_error *err)
{
    const rs_tensor *t = &n->weights[i].value;
    bool ok = t->rank == rank;
    for (int d = 0; ok && d < rank; d++)
        ok = dims[d] < 0 || (size_t)dims[d] == t->shape[d];
    if (ok)
        return 0;
    char want[128], got[128];
    format_dims(want, sizeof want, rank, dims);
    rs_shape_format(t->rank, t->shape, got, sizeof got);
    return rs_fail(err, n->name, "weight '%s' has shape %s, the config wants %s",
                   n->weights[i].name, got, want);
}

int rs_expect_weight_scalar(const rs_node *n, int i, rs_error *err)
{
    if (n->weights[i].value.size == 1 && n->weights[i].value.rank <= 1)
        return 0;
    char got[128];
    rs_shape_format(n->weights[i].value.rank, n->weights[i].value.shape, got, sizeof got);
    return rs_fail(err, n->name, "weight '%s' has shape %s, the config wants a scalar",
                   n->weights[i].name, got);
}

int rs_node_unsupported_by(rs_node *n, const rs_error *err)
{
    return err->code == RS_ERR_UNSUPPORTED ? rs_node_unsupported(n, "%s", err->msg) : -1;
}

int rs_node_unsupported(rs_node *n, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    free(n->unsupported);
    n->unsupported = strdup(buf);
    return 0;
}

int rs_inner_node_setup(const rs_node *outer, const cJSON *inner_layer, int first_weight,
                        int n_weights, const rs_shape *in_shape, const rs_layer_ctx *ctx,
                        rs_node **out, rs_error *err)
{
    *out = NULL;
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(inner_layer, "class_name");
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(inner_layer, "config");
    if (!cJSON_IsString(cls) || !cJSON_IsObject(cfg))
        return rs_fail(err, outer->name, "%s has no valid inner layer config", outer->class_name);
    rs_node *in = calloc(1, sizeof *in);
    if (!in)
        return rs_fail_oom(err, outer->name);
    *out = in;
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(cfg, "name");
    size_t len = strlen(outer->name) + (cJSON_IsString(nm) ? strlen(nm->valuestring) : 5) + 2;
    in->name = malloc(len);
    in->class_name = strdup(cls->valuestring);
    if (!in->name || !in->class_name)
        return rs_fail_oom(err, outer->name);
    snprintf(in->name, len, "%s/%s", outer->name, cJSON_IsString(nm) ? nm->valuestring : "inner");
    in->keras_config = cfg;
    in->n_inputs = 1; /* the wrapper's input; inputs stays NULL */
    in->n_weights = n_weights;
    in->weights = n_weights > 0 ? outer->weights + first_weight : NULL;
    in->owns_weights = false;
    in->kind = rs_layer_kind_find(in->class_name);
    if (!in->kind)
        return rs_node_unsupported(in, "layer class '%s' is not supported", in->class_name);
    return in->kind->setup(in, in_shape, ctx, err);
}

void rs_inner_node_free(rs_node *in)
{
    if (!in)
        return;
    if (in->kind && in->kind->free_params)
        in->kind->free_params(in->params);
    if (in->out_names)
        for (int i = 0; i < in->n_outputs + in->n_internal; i++)
            free(in->out_names[i]);
    free(in->out_names);
    free(in->out_shapes);
    free(in->name);
    free(in->class_name);
    free(in->unsupported);
    free(in);
}

void *rs_params_alloc(const rs_node *n, size_t size, rs_error *err)
{
    void *p = calloc(1, size);
    if (!p)
        rs_fail_oom(err, n->name);
    return p;
}

void rs_params_free(void *p)
{
    free(p);
}

int rs_axis_index(long axis, int rank)
{
    long a = axis < 0 ? axis + rank + 1 : axis; /* Keras counts the batch axis */
    return a >= 1 && a <= rank ? (int)(a - 1) : -1;
}

/* The objective a gradient is taken of: one unit of a model output summed over the batch (and
 * timesteps), or a Keras loss against labels with Keras' default reduction, and the loss a
 * compiled model was saved with. The losses are Keras' (the man page's grad section lists them);
 * tests/unit/test_objective.c checks each against TensorFlow.js. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/grad.h"
#include "internal.h"

#define KERAS_EPSILON 1e-7

/* ---- loss names ---- */

typedef struct loss_name {
    const char *name;
    rs_loss_kind kind;
} loss_name;

/* Every spelling Keras 2 and 3 accept in compile(loss=...) for the losses rnnscope
 * differentiates: function names, aliases and Loss class names. */
static const loss_name LOSSES[] = {
    {"mean_squared_error", RS_LOSS_MSE}, {"mse", RS_LOSS_MSE}, {"MSE", RS_LOSS_MSE},
    {"MeanSquaredError", RS_LOSS_MSE},
    {"mean_absolute_error", RS_LOSS_MAE}, {"mae", RS_LOSS_MAE}, {"MAE", RS_LOSS_MAE},
    {"MeanAbsoluteError", RS_LOSS_MAE},
    {"binary_crossentropy", RS_LOSS_BCE}, {"bce", RS_LOSS_BCE}, {"BCE", RS_LOSS_BCE},
    {"BinaryCrossentropy", RS_LOSS_BCE},
    {"categorical_crossentropy", RS_LOSS_CCE}, {"CategoricalCrossentropy", RS_LOSS_CCE},
    {"sparse_categorical_crossentropy", RS_LOSS_SCCE},
    {"SparseCategoricalCrossentropy", RS_LOSS_SCCE},
};

/* Keras losses rnnscope does not differentiate yet (told apart from names Keras lacks). */
static const char *const OTHER_KERAS_LOSSES[] = {
    "mean_absolute_percentage_error", "mape", "MAPE", "MeanAbsolutePercentageError",
    "mean_squared_logarithmic_error", "msle", "MSLE", "MeanSquaredLogarithmicError",
    "kl_divergence", "kullback_leibler_divergence", "kld", "KLD", "KLDivergence",
    "hinge", "Hinge", "squared_hinge", "SquaredHinge", "categorical_hinge", "CategoricalHinge",
    "poisson", "Poisson", "cosine_similarity", "CosineSimilarity", "log_cosh", "logcosh",
    "LogCosh", "huber", "huber_loss", "Huber", "binary_focal_crossentropy",
    "BinaryFocalCrossentropy", "categorical_focal_crossentropy", "CategoricalFocalCrossentropy",
    "ctc", "CTC", "dice", "Dice", "tversky", "Tversky", "circle", "Circle",
};

const char *rs_loss_kind_name(rs_loss_kind kind)
{
    for (size_t i = 0; i < sizeof LOSSES / sizeof *LOSSES; i++)
        if (LOSSES[i].kind == kind) /* each kind's first spelling is its function name */
            return LOSSES[i].name;
    return "unit";
}

int rs_loss_from_name(const char *name, rs_loss *out, rs_error *err)
{
    memset(out, 0, sizeof *out);
    /* Keras 3 may prefix registered names: "keras.losses>BinaryCrossentropy" */
    const char *gt = strrchr(name, '>');
    const char *base = gt ? gt + 1 : name;
    for (size_t i = 0; i < sizeof LOSSES / sizeof *LOSSES; i++)
        if (!strcmp(LOSSES[i].name, base)) {
            out->kind = LOSSES[i].kind;
            return 0;
        }
    for (size_t i = 0; i < sizeof OTHER_KERAS_LOSSES / sizeof *OTHER_KERAS_LOSSES; i++)
        if (!strcmp(OTHER_KERAS_LOSSES[i], base))
            return rs_fail(err, name, "rnnscope does not differentiate this Keras loss yet "
                                      "(mse, mae, binary, categorical and sparse categorical "
                                      "crossentropy)");
    return rs_fail(err, name, "Keras has no loss of this name");
}

/* ---- the loss a compiled model names ---- */

static const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

/* A loss value: "name", or {"class_name": ..., "config": {from_logits, label_smoothing}}
 * (Keras 3 adds "module"/"registered_name"; a function is {"class_name": "function",
 * "config": "name"}). */
static int loss_from_json(const cJSON *v, const char *where, rs_loss *out, rs_error *err)
{
    if (cJSON_IsString(v))
        return rs_loss_from_name(v->valuestring, out, err) < 0 ? rs_error_prefix(err, where) : 0;
    const cJSON *cls = get(v, "class_name"), *cfg = get(v, "config");
    if (!cJSON_IsString(cls))
        return rs_fail(err, where, "the saved loss is neither a name nor a Keras Loss");
    const char *name = cls->valuestring;
    if (!strcmp(name, "function") && cJSON_IsString(cfg))
        name = cfg->valuestring;
    if (rs_loss_from_name(name, out, err) < 0)
        return rs_error_prefix(err, where);
    out->from_logits = cJSON_IsTrue(get(cfg, "from_logits"));
    const cJSON *s = get(cfg, "label_smoothing");
    out->label_smoothing = cJSON_IsNumber(s) ? s->valuedouble : 0.0;
    if (!(out->label_smoothing >= 0.0 && out->label_smoothing <= 1.0))
        return rs_fail(err, where, "label_smoothing %g is not in [0, 1]", out->label_smoothing);
    return 0;
}

/* The saved loss entry: the value of "loss", or for several outputs its element (a list) or
 * its member by output layer name (a dict). NULL when the file names none. */
static const cJSON *loss_entry(const rs_model *m, const cJSON *compiled, int output)
{
    const cJSON *loss = get(compiled, "loss");
    if (cJSON_IsArray(loss))
        return cJSON_GetArrayItem(loss, output);
    if (cJSON_IsObject(loss) && !get(loss, "class_name")) {
        const char *name = m->nodes[m->outputs[output].node].name;
        const cJSON *e = get(loss, name);
        return e ? e : cJSON_GetArrayItem(loss, output);
    }
    return cJSON_IsNull(loss) ? NULL : loss;
}

int rs_model_loss(const rs_model *m, int output, rs_loss *out, rs_error *err)
{
    if (output < 0 || output >= m->n_outputs)
        return rs_fail(err, m->path, "the model has no output %d", output);
    /* as Python's json.dumps wrote it: NaN and Infinity are numbers (a loss weight, a metric's
     * setting), as in the model's own config */
    cJSON *parsed = m->training_config
                        ? rs_json_parse(m->training_config, strlen(m->training_config)) : NULL;
    if (m->training_config && !parsed)
        return rs_fail(err, m->path, "its training_config is not valid JSON");
    const cJSON *compiled = parsed;                          /* Keras 2 / tf.keras .h5 */
    if (!compiled)
        compiled = get(m->config_json, "compile_config");    /* Keras 3 .keras */
    if (!compiled)
        compiled = get(get(m->config_json, "modelTopology"), "training_config"); /* TF.js */
    const cJSON *entry = loss_entry(m, compiled, output);
    int rc = entry ? loss_from_json(entry, m->path, out, err) : 1;
    cJSON_Delete(parsed);
    return rc;
}

/* ---- value and gradient ---- */

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* The last axis of y: its length, and the number of rows (everything else). */
typedef struct rows {
    size_t n, len;
} rows;

static int check_labels(const rs_objective *o, const rs_tensor *y, const char *where,
                        rs_error *err)
{
    const rs_tensor *t = o->labels;
    char a[160], b[160];
    if (!t)
        return rs_fail(err, where, "the loss needs labels (--labels)");
    bool sparse = o->loss.kind == RS_LOSS_SCCE;
    /* sparse: one class id per row, shape (..., ) or (..., 1); else y's shape (a trailing axis
     * of 1 may be left out, as Keras expands it) */
    size_t want = sparse ? y->size / y->shape[y->rank - 1] : y->size;
    bool ok = t->size == want && t->rank >= 1 && t->shape[0] == y->shape[0];
    for (int i = 0; ok && i < t->rank && i < y->rank - (sparse ? 1 : 0); i++)
        ok = t->shape[i] == y->shape[i] || (i == t->rank - 1 && t->shape[i] == 1);
    if (!ok)
        return rs_fail(err, where, "labels of shape %s do not fit the output %s%s",
                       rs_shape_format(t->rank, t->shape, a, sizeof a),
                       rs_shape_format(y->rank, y->shape, b, sizeof b),
                       sparse ? " (sparse: one class id per row)" : "");
    return 0;
}

/* sum over rows of y[..., unit]. */
static int unit_grad(const rs_objective *o, const rs_tensor *y, rows r, const char *where,
                     rs_tensor *dy, double *value, rs_error *err)
{
    if (o->unit < 0 || (size_t)o->unit >= r.len)
        return rs_fail(err, where, "--unit %ld is out of range: the output has %zu unit%s",
                       o->unit, r.len, r.len == 1 ? "" : "s");
    double sum = 0;
    for (size_t i = 0; i < r.n; i++) {
        sum += y->data[i * r.len + (size_t)o->unit];
        dy->data[i * r.len + (size_t)o->unit] = 1.0f;
    }
    *value = sum;
    return 0;
}

/* One row's loss and its gradient (per element, before the mean over rows). */
static double row_mse(const float *y, const float *t, size_t len, float *dy, bool abs_err)
{
    double l = 0;
    for (size_t j = 0; j < len; j++) {
        double d = (double)y[j] - t[j];
        l += abs_err ? fabs(d) : d * d;
        dy[j] = (float)((abs_err ? (d > 0) - (d < 0) : 2.0 * d) / (double)len);
    }
    return l / (double)len;
}

static double row_bce(const float *y, const float *t, size_t len, const rs_loss *loss, float *dy)
{
    double l = 0, s = loss->label_smoothing;
    for (size_t j = 0; j < len; j++) {
        double tj = t[j] * (1 - s) + s / 2, x = y[j];
        if (loss->from_logits) {
            l += fmax(x, 0) - x * tj + log1p(exp(-fabs(x)));
            dy[j] = (float)((1 / (1 + exp(-x)) - tj) / (double)len);
            continue;
        }
        double p = clamp(x, KERAS_EPSILON, 1 - KERAS_EPSILON);
        bool inside = x > KERAS_EPSILON && x < 1 - KERAS_EPSILON; /* clip passes no gradient */
        l -= tj * log(p) + (1 - tj) * log(1 - p);
        dy[j] = inside ? (float)((-tj / p + (1 - tj) / (1 - p)) / (double)len) : 0.0f;
    }
    return l / (double)len;
}

/* Categorical: t is a row of class probabilities (one-hot for the sparse form). */
static double row_cce(const float *y, const double *t, size_t len, const rs_loss *loss, float *dy)
{
    double l = 0, tsum = 0;
    if (loss->from_logits) {
        double max = -INFINITY, z = 0;
        for (size_t j = 0; j < len; j++)
            max = fmax(max, y[j]);
        for (size_t j = 0; j < len; j++)
            z += exp(y[j] - max);
        for (size_t j = 0; j < len; j++) {
            double logp = y[j] - max - log(z);
            l -= t[j] * logp;
            tsum += t[j];
        }
        for (size_t j = 0; j < len; j++)
            dy[j] = (float)(exp(y[j] - max) / z * tsum - t[j]);
        return l;
    }
    /* p = y / Σy, clipped: dL/dp_j = -t_j / p_j inside the clip; then through the division */
    double sum = 0, dot = 0;
    for (size_t j = 0; j < len; j++)
        sum += y[j];
    for (size_t j = 0; j < len; j++) {
        double q = y[j] / sum, p = clamp(q, KERAS_EPSILON, 1 - KERAS_EPSILON);
        bool inside = q > KERAS_EPSILON && q < 1 - KERAS_EPSILON;
        l -= t[j] * log(p);
        double g = inside ? -t[j] / p : 0.0;
        dy[j] = (float)g;
        dot += g * q;
    }
    for (size_t j = 0; j < len; j++)
        dy[j] = (float)((dy[j] - dot) / sum);
    return l;
}

static int categorical_row(const rs_objective *o, const float *y, size_t i, size_t len,
                           double *t, const char *where, rs_error *err)
{
    double s = o->loss.label_smoothing;
    if (o->loss.kind == RS_LOSS_SCCE) {
        float id = o->labels->data[i];
        if (!(id >= 0 && id < (float)len && id == floorf(id)))
            return rs_fail(err, where, "label %g (row %zu) is not a class id in 0..%zu",
                           (double)id, i, len - 1);
        for (size_t j = 0; j < len; j++)
            t[j] = j == (size_t)id;
    } else {
        for (size_t j = 0; j < len; j++)
            t[j] = o->labels->data[i * len + j];
    }
    for (size_t j = 0; j < len; j++)
        t[j] = t[j] * (1 - s) + s / (double)len;
    (void)y;
    return 0;
}

static int loss_grad(const rs_objective *o, const rs_tensor *y, rows r, const char *where,
                     rs_tensor *dy, double *value, rs_error *err)
{
    if (check_labels(o, y, where, err) < 0)
        return -1;
    double *t = malloc((r.len ? r.len : 1) * sizeof *t);
    if (!t)
        return rs_fail_oom(err, where);
    double total = 0;
    int rc = 0;
    for (size_t i = 0; i < r.n && rc == 0; i++) {
        const float *yi = y->data + i * r.len, *ti = o->labels->data + i * r.len;
        float *di = dy->data + i * r.len;
        switch (o->loss.kind) {
        case RS_LOSS_MSE:
        case RS_LOSS_MAE: total += row_mse(yi, ti, r.len, di, o->loss.kind == RS_LOSS_MAE); break;
        case RS_LOSS_BCE: total += row_bce(yi, ti, r.len, &o->loss, di); break;
        default:
            rc = categorical_row(o, yi, i, r.len, t, where, err);
            if (rc == 0)
                total += row_cce(yi, t, r.len, &o->loss, di);
        }
    }
    free(t);
    /* sum_over_batch_size: the mean of the per-row losses */
    for (size_t i = 0; i < dy->size; i++)
        dy->data[i] /= (float)r.n;
    *value = total / (double)r.n;
    return rc;
}

int rs_objective_grad(const rs_objective *o, const rs_tensor *y, const char *where,
                      rs_tensor *dy, double *value, rs_error *err)
{
    if (y->rank < 1 || y->size == 0)
        return rs_fail(err, where, "the output is empty");
    rows r = {y->rank >= 2 ? y->size / y->shape[y->rank - 1] : y->size,
              y->rank >= 2 ? y->shape[y->rank - 1] : 1};
    if (rs_tensor_alloc(dy, y->rank, y->shape, err) < 0)
        return -1;
    int rc = o->loss.kind == RS_LOSS_UNIT ? unit_grad(o, y, r, where, dy, value, err)
                                          : loss_grad(o, y, r, where, dy, value, err);
    if (rc < 0)
        rs_tensor_free(dy);
    return rc;
}

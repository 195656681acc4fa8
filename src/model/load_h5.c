/* Keras HDF5 files: full models (model.save('m.h5') by Keras 2.x, tf.keras and Keras 3's
 * legacy writer) and weights-only files (save_weights) paired with a model.to_json() file.
 * Weights are opened in the order of each layer's weight_names attribute, never by building
 * paths: their layout changed with every Keras version. */
#include <stdlib.h>
#include <string.h>

#include "rnnscope/fileio.h"
#include "model/internal.h"

typedef struct h5_ctx {
    hid_t file;
    const char *base;   /* "model_weights" or "/" */
    const char *where;  /* the weights file, for messages */
    bool keras3_layout;
} h5_ctx;

/* Read one layer group's weights into owner (or, for a nested model, its inner layers). */
static int read_layer(rs_graph *g, int owner, hid_t base, const char *layer, const char *where,
                      rs_error *err)
{
    if (!rs_h5_link_exists(base, layer)) {
        if (owner < 0)
            return 0;
        return rs_fail(err, where, "the weights of layer '%s' are missing", layer);
    }
    hid_t grp = H5Gopen2(base, layer, H5P_DEFAULT);
    if (grp < 0)
        return rs_fail(err, where, "cannot open the weights of layer '%s'", layer);
    char **names = NULL;
    int n = 0, rc = -1;
    char what[600];
    snprintf(what, sizeof what, "%s: layer '%s'", where, layer);
    if (rs_h5_read_str_list(grp, "weight_names", true, &names, &n, what, err) < 0)
        goto done;
    if (owner < 0 && n > 0) {
        rs_fail(err, where, "holds weights for layer '%s', which the model config does not have",
                layer);
        goto done;
    }
    if (n > RS_MAX_WEIGHTS_PER_LAYER) {
        rs_fail(err, what, "%d weights is too many", n);
        goto done;
    }
    for (int i = 0; i < n; i++) {
        rs_tensor t;
        if (rs_h5_read_tensor(grp, names[i], &t, what, err) < 0)
            goto done;
        char *name = names[i];
        names[i] = NULL;
        int r = g->owners[owner].is_model
                    ? rs_graph_assign_weight(g, owner, name, &t, what, err)
                    : rs_graph_add_weight(g, owner, name, &t, err);
        if (r < 0)
            goto done;
    }
    rc = 0;
done:
    rs_str_list_free(names, n);
    H5Gclose(grp);
    return rc;
}

int rs_keras2_read_weights(rs_model *m, rs_graph *g, hid_t file, const char *base,
                           const char *where, rs_error *err)
{
    (void)m;
    if (rs_h5_check_weights_fit(file, base, 0, where, err) < 0)
        return -1;
    hid_t grp = H5Gopen2(file, base, H5P_DEFAULT);
    if (grp < 0)
        return rs_fail(err, where, "group '%s' is missing", base);
    char **layers = NULL;
    int n = 0, rc = -1;
    if (rs_h5_read_str_list(grp, "layer_names", false, &layers, &n, where, err) < 0)
        goto done;
    for (int i = 0; i < n; i++)
        if (read_layer(g, rs_graph_find_owner(g, -1, layers[i]), grp, layers[i], where, err) < 0)
            goto done;
    rc = 0;
done:
    rs_str_list_free(layers, n);
    H5Gclose(grp);
    return rc;
}

static int read_weights_cb(rs_model *m, rs_graph *g, void *ctx, rs_error *err)
{
    h5_ctx *c = ctx;
    if (c->keras3_layout)
        return rs_keras3_read_weights(m, g, c->file, 0, c->where, err);
    return rs_keras2_read_weights(m, g, c->file, c->base, c->where, err);
}

/* keras_version from the root, else from model_weights; missing is allowed. */
static void read_version(rs_model *m, hid_t file)
{
    char *v = NULL;
    if (rs_h5_has_attr(file, "keras_version"))
        rs_h5_read_str_attr(file, "keras_version", &v, "", NULL);
    if (!v && rs_h5_link_exists(file, "model_weights")) {
        hid_t g = H5Gopen2(file, "model_weights", H5P_DEFAULT);
        if (g >= 0) {
            if (rs_h5_has_attr(g, "keras_version"))
                rs_h5_read_str_attr(g, "keras_version", &v, "", NULL);
            H5Gclose(g);
        }
    }
    if (v)
        rs_model_set_version(m, v);
    free(v);
}

int rs_load_h5(rs_model *m, const char *path, rs_error *err)
{
    hid_t f = rs_h5_open_path(path, err);
    if (f < 0)
        return -1;
    int rc = -1;
    char *config = NULL;
    if (!rs_h5_has_attr(f, "model_config")) {
        if (rs_h5_has_attr(f, "layer_names") || rs_h5_link_exists(f, "layers"))
            rs_fail(err, path, "holds only weights (save_weights); open the model.to_json() "
                               "file with --weights %s", path);
        else
            rs_fail(err, path, "is HDF5 but not a Keras model (no model_config attribute)");
        goto done;
    }
    if (rs_h5_read_str_attr(f, "model_config", &config, path, err) < 0)
        goto done;
    read_version(m, f);
    if (rs_h5_has_attr(f, "training_config")) /* a compiled model: its loss, for gradients */
        rs_h5_read_str_attr(f, "training_config", &m->training_config, path, NULL);
    h5_ctx ctx = {f, "model_weights", path, false};
    rc = rs_model_from_config(m, config, path, read_weights_cb, &ctx, err);
done:
    free(config);
    H5Fclose(f);
    return rc;
}

int rs_load_json_h5(rs_model *m, const char *json_path, const char *weights_path, rs_error *err)
{
    unsigned char *text;
    size_t len;
    if (rs_read_file(json_path, RS_MAX_JSON_BYTES, &text, &len, err) < 0)
        return -1;
    if (rs_json_check_fits((const char *)text, len, 0, json_path, err) < 0) {
        free(text);
        return -1;
    }
    cJSON *root = rs_json_parse((const char *)text, len);
    free(text);
    if (!root)
        return rs_fail(err, json_path, "not valid JSON");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "keras_version");
    hid_t f = rs_h5_open_path(weights_path, err);
    if (f < 0) {
        cJSON_Delete(root);
        return -1;
    }
    read_version(m, f);
    if (cJSON_IsString(v))
        rs_model_set_version(m, v->valuestring);
    else if (!*m->keras_version && cJSON_GetObjectItemCaseSensitive(root, "module"))
        m->keras_major = 3; /* Keras 3 serializes "module"; its to_json() has no version */
    h5_ctx ctx = {f, "/", weights_path, false};
    if (rs_h5_has_attr(f, "model_config") || rs_h5_link_exists(f, "model_weights"))
        ctx.base = "model_weights"; /* a full model file used for its weights */
    else if (!rs_h5_has_attr(f, "layer_names"))
        ctx.keras3_layout = rs_h5_link_exists(f, "layers");
    int rc = rs_model_from_json(m, root, root, json_path, read_weights_cb, &ctx, err);
    H5Fclose(f);
    return rc;
}

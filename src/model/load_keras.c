/* Keras 3 .keras archives: a zip (stored or deflated) of config.json, metadata.json and
 * model.weights.h5. The HDF5 is opened from memory. Its weights are not named after the
 * config: each layer's group is its snake_case class name plus a per-class counter
 * (layers/gru, layers/gru_1), its variables vars/0, vars/1, ... and those of its sub-objects
 * (cell/vars/N, forward_layer/cell/vars/N, ...). */
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <stdio.h>
#include <zip.h>

#include "rnnscope/memcap.h"
#include "model/internal.h"

#define MAX_SUBGROUPS 256

/* ---- the zip ---- */

/* Entry name inflated into *out; held: the bytes the loader holds already (the archive). */
static int read_entry(zip_t *z, const char *name, size_t limit, size_t held, unsigned char **out,
                      size_t *len, const char *where, rs_error *err)
{
    *out = NULL;
    *len = 0;
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat(z, name, 0, &st) < 0)
        return rs_fail(err, where, "the archive has no %s", name);
    if (!(st.valid & ZIP_STAT_SIZE))
        return rs_fail(err, where, "%s has no size in the archive", name);
    /* Before inflating anything: the uncompressed size must fit the memory cap (a zip bomb
     * is refused here from its declared size) and our limit. */
    char what[160];
    snprintf(what, sizeof what, "%s needs", name);
    if (rs_memcap_check(held, st.size > SIZE_MAX ? SIZE_MAX : (size_t)st.size, where, what,
                        err) < 0)
        return -1;
    if (st.size > limit)
        return rs_fail(err, where, "%s is too large (%llu bytes)", name,
                       (unsigned long long)st.size);
    /* Deflate expands at most ~1032:1 and Keras weights far less: a larger ratio is a lie or a
     * zip bomb; refuse it before allocating. */
    if ((st.valid & ZIP_STAT_COMP_SIZE) && st.size / 1100 > st.comp_size)
        return rs_fail(err, where, "%s would expand %llu bytes to %llu: a zip bomb, not Keras "
                                   "weights", name, (unsigned long long)st.comp_size,
                       (unsigned long long)st.size);
    zip_file_t *f = zip_fopen(z, name, 0);
    if (!f)
        return rs_fail(err, where, "cannot read %s from the archive: %s", name,
                       zip_strerror(z));
    unsigned char *buf = malloc((size_t)st.size + 1);
    if (!buf) {
        zip_fclose(f);
        return rs_fail_code(err, RS_ERR_NO_MEMORY, where, "out of memory reading %s", name);
    }
    zip_int64_t got = 0;
    while ((zip_uint64_t)got < st.size) {
        zip_int64_t r = zip_fread(f, buf + got, st.size - (zip_uint64_t)got);
        if (r <= 0)
            break;
        got += r;
    }
    /* one more read detects a CRC mismatch at the end of the entry */
    unsigned char extra;
    bool bad = (zip_uint64_t)got != st.size || zip_fread(f, &extra, 1) != 0;
    if (bad) {
        rs_fail(err, where, "%s in the archive is corrupt: %s", name,
                zip_file_strerror(f));
        zip_fclose(f);
        free(buf);
        return -1;
    }
    zip_fclose(f);
    buf[st.size] = '\0';
    *out = buf;
    *len = (size_t)st.size;
    return 0;
}

/* ---- the Keras 3 weights layout ---- */

typedef struct names {
    char *v[MAX_SUBGROUPS];
    int n;
} names;

static herr_t collect_name(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)g;
    (void)info;
    names *ns = data;
    if (ns->n >= MAX_SUBGROUPS)
        return 1;
    ns->v[ns->n] = strdup(name);
    if (ns->v[ns->n])
        ns->n++;
    return 0;
}

/* Sub-objects of a layer in the order their variables appear in layer.weights. */
static const char *const KNOWN_SUBOBJECTS[] = {
    "cell", "forward_layer", "backward_layer", "layer",
    "query_dense", "key_dense", "value_dense", "output_dense",
};

static bool is_known(const char *name)
{
    for (size_t i = 0; i < sizeof KNOWN_SUBOBJECTS / sizeof *KNOWN_SUBOBJECTS; i++)
        if (!strcmp(name, KNOWN_SUBOBJECTS[i]))
            return true;
    return false;
}

static int read_object(rs_graph *g, int owner, hid_t file, const char *path, int depth,
                       const char *where, rs_error *err);

static int read_vars(rs_graph *g, int owner, hid_t file, const char *path, const char *where,
                     rs_error *err)
{
    char p[1024];
    for (int i = 0; i < RS_MAX_WEIGHTS_PER_LAYER; i++) {
        snprintf(p, sizeof p, "%s/vars/%d", path, i);
        if (!rs_h5_link_exists(file, p))
            return 0;
        rs_tensor t;
        if (rs_h5_read_tensor(file, p, &t, where, err) < 0)
            return -1;
        char *name = strdup(p[0] == '/' ? p + 1 : p);
        if (!name) {
            rs_tensor_free(&t);
            return rs_fail_oom(err, where);
        }
        if (rs_graph_add_weight(g, owner, name, &t, err) < 0)
            return -1;
    }
    return rs_fail(err, where, "%s has too many variables", path);
}

/* Variables of the object at path, then of its known sub-objects in Keras order, then of
 * any other sub-objects alphabetically. */
static int read_object(rs_graph *g, int owner, hid_t file, const char *path, int depth,
                       const char *where, rs_error *err)
{
    if (depth > 8)
        return rs_fail(err, where, "%s is nested too deeply", path);
    if (read_vars(g, owner, file, path, where, err) < 0)
        return -1;
    char p[1024];
    for (size_t i = 0; i < sizeof KNOWN_SUBOBJECTS / sizeof *KNOWN_SUBOBJECTS; i++) {
        snprintf(p, sizeof p, "%s/%s", path, KNOWN_SUBOBJECTS[i]);
        if (rs_h5_link_exists(file, p) &&
            read_object(g, owner, file, p, depth + 1, where, err) < 0)
            return -1;
    }
    names ns = {.n = 0};
    hid_t grp = H5Gopen2(file, path, H5P_DEFAULT);
    if (grp < 0)
        return rs_fail(err, where, "cannot open %s", path);
    hsize_t idx = 0;
    H5Literate(grp, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_name, &ns);
    H5Gclose(grp);
    int rc = 0;
    for (int i = 0; i < ns.n && rc == 0; i++) {
        if (strcmp(ns.v[i], "vars") != 0 && !is_known(ns.v[i])) {
            snprintf(p, sizeof p, "%s/%s", path, ns.v[i]);
            H5O_info_t info;
            if (H5Oget_info_by_name(file, p, &info, H5P_DEFAULT) >= 0 && info.type == H5O_TYPE_GROUP)
                rc = read_object(g, owner, file, p, depth + 1, where, err);
        }
    }
    for (int i = 0; i < ns.n; i++)
        free(ns.v[i]);
    return rc;
}

typedef struct counter {
    char *snake;
    int count;
} counter;

/* "layers/gru" for the first GRU of a container, "layers/gru_1" for the second... */
static int group_name(counter *cs, int *n_cs, const char *class_name, char *out, size_t len)
{
    const char *gt = strrchr(class_name, '>');
    char *snake = rs_snake_case(gt ? gt + 1 : class_name);
    if (!snake)
        return -1;
    for (int i = 0; i < *n_cs; i++)
        if (!strcmp(cs[i].snake, snake)) {
            snprintf(out, len, "%s_%d", snake, ++cs[i].count);
            free(snake);
            return 0;
        }
    snprintf(out, len, "%s", snake);
    cs[*n_cs].snake = snake;
    cs[*n_cs].count = 0;
    (*n_cs)++;
    return 0;
}

static int read_container(rs_graph *g, int container, hid_t file, const char *base, int depth,
                          const char *where, rs_error *err)
{
    if (depth > 32)
        return rs_fail(err, where, "models nested too deeply");
    char layers[1024];
    snprintf(layers, sizeof layers, "%s/layers", base);
    if (!rs_h5_link_exists(file, layers))
        snprintf(layers, sizeof layers, "%s/_layer_checkpoint_dependencies", base);
    counter *cs = calloc((size_t)g->n_owners + 1, sizeof *cs);
    if (!cs)
        return rs_fail_oom(err, where);
    int n_cs = 0, rc = 0;
    for (int i = 0; i < g->n_owners && rc == 0; i++) {
        rs_owner *o = &g->owners[i];
        if (o->parent != container || !strcmp(o->class_name, "InputLayer"))
            continue;
        char group[256], path[1400];
        if (group_name(cs, &n_cs, o->class_name, group, sizeof group) < 0) {
            rc = rs_fail_oom(err, where);
            break;
        }
        snprintf(path, sizeof path, "%s/%s", layers, group);
        if (!rs_h5_link_exists(file, path))
            continue; /* a layer without variables may have no group */
        rc = o->is_model ? read_container(g, i, file, path, depth + 1, where, err)
                         : read_object(g, i, file, path, 0, where, err);
    }
    for (int i = 0; i < n_cs; i++)
        free(cs[i].snake);
    free(cs);
    return rc;
}

int rs_keras3_read_weights(rs_model *m, rs_graph *g, hid_t file, size_t held,
                           const char *where, rs_error *err)
{
    (void)m;
    if (rs_h5_check_weights_fit(file, "layers", held, where, err) < 0 ||
        rs_h5_check_weights_fit(file, "_layer_checkpoint_dependencies", held, where, err) < 0)
        return -1;
    return read_container(g, -1, file, "", 0, where, err);
}

/* ---- the archive ---- */

typedef struct zip_ctx {
    hid_t file;
    size_t held; /* the archive and libhdf5's copy of model.weights.h5 */
} zip_ctx;

static int weights_cb(rs_model *m, rs_graph *g, void *ctx, rs_error *err)
{
    const zip_ctx *c = ctx;
    return rs_keras3_read_weights(m, g, c->file, c->held, m->path, err);
}

static void read_metadata(rs_model *m, zip_t *z)
{
    unsigned char *text;
    size_t len;
    if (read_entry(z, "metadata.json", RS_MAX_JSON_BYTES, 0, &text, &len, "", NULL) < 0)
        return;
    cJSON *meta = rs_json_check_fits((const char *)text, len, 0, "", NULL) == 0
                      ? rs_json_parse((const char *)text, len)
                      : NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(meta, "keras_version");
    if (cJSON_IsString(v))
        rs_model_set_version(m, v->valuestring);
    cJSON_Delete(meta);
    free(text);
}

static int load_from_zip(rs_model *m, zip_t *z, size_t archive_len, rs_error *err)
{
    const char *path = m->path;
    if (zip_name_locate(z, "model.weights.npz", 0) >= 0 &&
        zip_name_locate(z, "model.weights.h5", 0) < 0)
        return rs_fail_code(err, RS_ERR_UNSUPPORTED, path,
                            "weights saved as .npz are not supported; save as .h5");
    unsigned char *text = NULL, *h5 = NULL;
    size_t text_len, h5_len;
    if (read_entry(z, "config.json", RS_MAX_JSON_BYTES, archive_len, &text, &text_len, path,
                   err) < 0)
        return -1;
    if (rs_json_check_fits((const char *)text, text_len, archive_len, path, err) < 0) {
        free(text);
        return -1;
    }
    cJSON *root = rs_json_parse((const char *)text, text_len);
    free(text);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return rs_fail(err, path, "config.json in the archive is not a valid JSON object");
    }
    read_metadata(m, z);
    if (read_entry(z, "model.weights.h5", RS_MAX_MODEL_BYTES, archive_len, &h5, &h5_len, path,
                   err) < 0) {
        cJSON_Delete(root);
        return -1;
    }
    /* held while the weights are read: the archive and the image (libhdf5 reads it in place) */
    zip_ctx ctx = {-1, rs_size_add(archive_len, h5_len)};
    rs_h5_image image = {h5, h5_len};
    ctx.file = rs_h5_open_image(&image, path, "model.weights.h5 in the archive", err);
    int rc = -1;
    if (ctx.file < 0) {
        cJSON_Delete(root);
    } else {
        rc = rs_model_from_json(m, root, root, path, weights_cb, &ctx, err);
        H5Fclose(ctx.file);
    }
    free(h5);
    return rc;
}

int rs_load_keras_zip(rs_model *m, const unsigned char *data, size_t len, rs_error *err)
{
    zip_error_t zerr;
    zip_error_init(&zerr);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &zerr);
    zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &zerr) : NULL;
    if (!z) {
        rs_fail(err, m->path, "not a valid zip archive: %s", zip_error_strerror(&zerr));
        if (src)
            zip_source_free(src);
        zip_error_fini(&zerr);
        return -1;
    }
    zip_error_fini(&zerr);
    int rc = load_from_zip(m, z, len, err);
    zip_discard(z); /* read-only: also frees the source */
    return rc;
}

/* rs_model: opening any supported file (the format is told by content), the common tail of the
 * loaders, and small queries. */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/fileio.h"
#include "rnnscope/layer.h"
#include "rnnscope/memcap.h"
#include "model/internal.h"

static const unsigned char HDF5_MAGIC[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

char *rs_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

char *rs_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = malloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

/* Keras' to_snake_case: drop non-word characters, "_" before an uppercase letter that starts a
 * capitalized word ("GRUCell" → "gru_cell") or follows a lowercase one, then lowercase. */
char *rs_snake_case(const char *s)
{
    size_t n = strlen(s);
    char *w = malloc(n + 1), *out = malloc(2 * n + 1);
    if (!w || !out) {
        free(w);
        free(out);
        return NULL;
    }
    size_t len = 0, k = 0;
    for (size_t i = 0; i < n; i++)
        if (isalnum((unsigned char)s[i]) || s[i] == '_')
            w[len++] = s[i];
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)w[i];
        bool starts_word = i > 0 && isupper(c) && i + 1 < len && islower((unsigned char)w[i + 1]);
        bool after_lower = i > 0 && isupper(c) && islower((unsigned char)w[i - 1]);
        if ((starts_word || after_lower) && out[k - 1] != '_')
            out[k++] = '_';
        out[k++] = (char)tolower(c);
    }
    out[k] = '\0';
    free(w);
    return out;
}

/* Bytes cJSON takes for one value: its node (64 bytes) and malloc's overhead. */
#define JSON_NODE_BYTES 80
/* The smallest block malloc gives a string or key copy. */
#define JSON_STRING_BYTES 32

int rs_json_check_fits(const char *text, size_t len, size_t held, const char *where,
                       rs_error *err)
{
    /* every value but the first follows '[', '{' or ','; every string and key has two '"' */
    size_t nodes = 1, quotes = 0;
    for (size_t i = 0; i < len; i++) {
        nodes += text[i] == ',' || text[i] == '[' || text[i] == '{';
        quotes += text[i] == '"';
    }
    size_t need = rs_size_add(rs_size_mul(2, len),
                              rs_size_add(rs_size_mul(nodes, JSON_NODE_BYTES),
                                          rs_size_mul(quotes / 2, JSON_STRING_BYTES)));
    return rs_memcap_check(held, need, where, "parsing its JSON needs", err);
}

const char *rs_format_name(rs_format f)
{
    switch (f) {
    case RS_FORMAT_H5: return "Keras HDF5";
    case RS_FORMAT_JSON_H5: return "Keras JSON + weights HDF5";
    case RS_FORMAT_KERAS_ZIP: return "Keras 3 .keras";
    case RS_FORMAT_TFJS: return "TensorFlow.js layers";
    }
    return "unknown";
}

void rs_model_set_version(rs_model *m, const char *version)
{
    free(m->keras_version);
    m->keras_version = rs_strdup(version ? version : "");
    const char *v = m->keras_version ? m->keras_version : "";
    /* "3.15.0" → 3; "2.13.1", "2.2.4-tf", "tfjs-layers 4.0" or nothing → 2 */
    m->keras_major = v[0] >= '3' && v[0] <= '9' && (v[1] == '.' || v[1] == '\0') ? 3 : 2;
}

/* Detect HDF5 by its signature at 0, 512, 1024, 2048, ... (a user block shifts it). */
static bool is_hdf5(FILE *f)
{
    unsigned char buf[8];
    for (long off = 0; off <= (1L << 30); off = off ? off * 2 : 512) {
        if (fseek(f, off, SEEK_SET) != 0 || fread(buf, 1, 8, f) != 8)
            return false;
        if (memcmp(buf, HDF5_MAGIC, 8) == 0)
            return true;
    }
    return false;
}

typedef enum kind { KIND_UNKNOWN, KIND_HDF5, KIND_ZIP, KIND_JSON, KIND_EMPTY } kind;

static kind detect(FILE *f)
{
    unsigned char head[64];
    size_t n = fread(head, 1, sizeof head, f);
    if (n == 0)
        return KIND_EMPTY;
    if (n >= 4 && memcmp(head, "PK\3\4", 4) == 0)
        return KIND_ZIP;
    size_t i = 0;
    if (n >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
        i = 3; /* a UTF-8 byte order mark */
    while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\n' || head[i] == '\r'))
        i++;
    if (i < n && head[i] == '{')
        return KIND_JSON;
    return is_hdf5(f) ? KIND_HDF5 : KIND_UNKNOWN;
}

static int load_json_file(rs_model *m, const char *path, const char *weights_path,
                          rs_error *err)
{
    unsigned char *data;
    size_t len;
    if (rs_read_file(path, RS_MAX_JSON_BYTES, &data, &len, err) < 0)
        return -1;
    if (rs_json_check_fits((const char *)data, len, 0, path, err) < 0) {
        free(data);
        return -1;
    }
    cJSON *root = rs_json_parse((const char *)data, len);
    free(data);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return rs_fail(err, path, "not valid JSON (or not a JSON object)");
    }
    if (cJSON_GetObjectItemCaseSensitive(root, "modelTopology") ||
        cJSON_GetObjectItemCaseSensitive(root, "weightsManifest")) {
        if (weights_path) {
            cJSON_Delete(root);
            return rs_fail(err, path, "a TensorFlow.js model.json takes no --weights file");
        }
        m->format = RS_FORMAT_TFJS;
        return rs_load_tfjs(m, root, err);
    }
    cJSON_Delete(root);
    if (!weights_path)
        return rs_fail(err, path, "holds only an architecture (model.to_json()); give its "
                                  "weights with --weights FILE.h5");
    m->format = RS_FORMAT_JSON_H5;
    return rs_load_json_h5(m, path, weights_path, err);
}

static int load_any(rs_model *m, const char *path, const char *weights_path, rs_error *err)
{
    FILE *f = rs_fopen_regular(path, err);
    if (!f)
        return -1;
    kind k = detect(f);
    fclose(f);
    if (k == KIND_JSON)
        return load_json_file(m, path, weights_path, err);
    if (weights_path)
        return rs_fail(err, path, "--weights goes with a model.to_json() architecture file, "
                                  "and this is not JSON");
    switch (k) {
    case KIND_HDF5:
        m->format = RS_FORMAT_H5;
        return rs_load_h5(m, path, err);
    case KIND_ZIP: {
        unsigned char *data;
        size_t len;
        if (rs_read_file(path, RS_MAX_MODEL_BYTES, &data, &len, err) < 0)
            return -1;
        m->format = RS_FORMAT_KERAS_ZIP;
        int rc = rs_load_keras_zip(m, data, len, err);
        free(data);
        return rc;
    }
    case KIND_EMPTY:
        return rs_fail(err, path, "the file is empty");
    default:
        return rs_fail(err, path, "not a Keras model (neither HDF5, .keras zip nor JSON)");
    }
}

typedef struct load_args {
    const char *path, *weights_path;
    rs_model *model; /* the loaded model; NULL on failure */
} load_args;

static int load_new(void *ctx, rs_error *err)
{
    load_args *a = ctx;
    a->model = NULL;
    rs_model *m = calloc(1, sizeof *m);
    if (!m || !(m->path = rs_strdup(a->path))) {
        free(m);
        return rs_fail_oom(err, a->path);
    }
    rs_model_set_version(m, "");
    if (load_any(m, a->path, a->weights_path, err) < 0) {
        rs_model_free(m);
        return -1;
    }
    a->model = m;
    return 0;
}

/* TF.js files never reach libhdf5; everything else may. */
static bool reads_hdf5(const char *path, const char *weights_path)
{
    if (weights_path)
        return true;
    FILE *f = rs_fopen_regular(path, NULL);
    if (!f)
        return false; /* load_any says why */
    kind k = detect(f);
    fclose(f);
    return k == KIND_HDF5 || k == KIND_ZIP;
}

/* One HDF5 load at a time in a process: the guard forks, and a child forked while another
 * thread is inside libhdf5 (which holds its global lock then) would wait on that lock forever.
 * libhdf5 serialises its calls anyway. */
static pthread_mutex_t hdf5_loads = PTHREAD_MUTEX_INITIALIZER;

static int load_guarded(load_args *a, rs_error *err)
{
    pthread_mutex_lock(&hdf5_loads);
    rs_h5_setup();
    int rc = rs_h5_guarded(load_new, a, a->path, err);
    pthread_mutex_unlock(&hdf5_loads);
    return rc;
}

int rs_model_load(const char *path, const char *weights_path, rs_model **out, rs_error *err)
{
    *out = NULL;
    load_args a = {path, weights_path, NULL};
    int rc = reads_hdf5(path, weights_path) ? load_guarded(&a, err) : load_new(&a, err);
    if (rc < 0) {
        rs_model_free(a.model);
        /* a load that failed for no more precise reason (memory, I/O, an unsupported
         * format) failed on what the file holds */
        rs_error_default_code(err, RS_ERR_BAD_FILE);
        return -1;
    }
    *out = a.model;
    return 0;
}

int rs_model_from_json(rs_model *m, cJSON *root, const cJSON *model_obj, const char *where,
                       rs_weights_fn fn, void *ctx, rs_error *err)
{
    m->config_json = root;
    if (!cJSON_IsObject(model_obj))
        return rs_fail(err, where, "the model config is not a JSON object");
    rs_graph g = {0};
    if (rs_graph_build(m, model_obj, &g, err) < 0 || (fn && fn(m, &g, ctx, err) < 0)) {
        rs_graph_free(&g);
        return -1;
    }
    rs_graph_finish(m, &g);
    return rs_model_setup_layers(m, err);
}

int rs_model_from_config(rs_model *m, const char *config_text, const char *where,
                         rs_weights_fn fn, void *ctx, rs_error *err)
{
    if (rs_json_check_fits(config_text, strlen(config_text), 0, where, err) < 0)
        return -1;
    cJSON *root = rs_json_parse(config_text, strlen(config_text));
    if (!root)
        return rs_fail(err, where, "the model config is not valid JSON");
    return rs_model_from_json(m, root, root, where, fn, ctx, err);
}

void rs_model_free(rs_model *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->n_nodes; i++) {
        rs_node *n = &m->nodes[i];
        if (n->kind && n->kind->free_params)
            n->kind->free_params(n->params);
        if (n->owns_weights) {
            for (int k = 0; k < n->n_weights; k++) {
                free(n->weights[k].name);
                rs_tensor_free(&n->weights[k].value);
            }
            free(n->weights);
        }
        if (n->out_names)
            for (int k = 0; k < n->n_outputs + n->n_internal; k++)
                free(n->out_names[k]);
        free(n->out_names);
        free(n->out_shapes);
        free(n->inputs);
        free(n->name);
        free(n->class_name);
        free(n->unsupported);
    }
    free(m->nodes);
    free(m->inputs);
    free(m->outputs);
    cJSON_Delete(m->config_json);
    cJSON_Delete(m->synth_json);
    free(m->training_config);
    free(m->path);
    free(m->keras_version);
    free(m->model_class);
    free(m->model_name);
    free(m);
}

/* "a, b, c" of the names into list (truncated to fit). */
static void join_names(char *list, size_t size, int count, const char *(*name_at)(const void *, int),
                       const void *ctx, const char *only)
{
    size_t used = 0;
    list[0] = '\0';
    for (int i = 0; i < count && used < size - 1; i++) {
        const char *n = name_at(ctx, i);
        if (!n || (only && !strstr(n, only)))
            continue;
        int w = snprintf(list + used, size - used, "%s%s", used ? ", " : "", n);
        if (w > 0)
            used = used + (size_t)w < size ? used + (size_t)w : size - 1;
    }
}

/* Index of the entry named exactly `name`, or of the only one containing it; -1 with err
 * listing the candidates ("<name>: matches 2 layers: a, b" / "no such layer; layers are: ...").
 * Entries whose name is NULL are not candidates. */
static int find_named(int count, const char *(*name_at)(const void *, int), const void *ctx,
                      const char *name, const char *what, rs_error *err)
{
    for (int i = 0; i < count; i++)
        if (name_at(ctx, i) && strcmp(name_at(ctx, i), name) == 0)
            return i;
    int found = -1, matches = 0;
    for (int i = 0; i < count; i++)
        if (name_at(ctx, i) && strstr(name_at(ctx, i), name)) {
            found = i;
            matches++;
        }
    if (matches == 1)
        return found;
    char list[RS_ERROR_MAX / 2];
    join_names(list, sizeof list, count, name_at, ctx, matches > 1 ? name : NULL);
    if (matches > 1)
        rs_fail_code(err, RS_ERR_BAD_ARGUMENT, name, "matches %d %ss: %s", matches, what, list);
    else
        rs_fail_code(err, RS_ERR_BAD_ARGUMENT, name, "no such %s; %ss are: %s", what, what, list);
    return -1;
}

static const char *node_name_at(const void *ctx, int i)
{
    return ((const rs_model *)ctx)->nodes[i].name;
}

int rs_model_find_node(const rs_model *m, const char *name, rs_error *err)
{
    return find_named(m->n_nodes, node_name_at, m, name, "layer", err);
}

/* The weights of the model as one list: entry i is weight i - first[node] of a node that owns
 * its weights. */
typedef struct weight_list {
    const rs_model *m;
    int count;
    int *node, *index;
} weight_list;

static const char *weight_name_at(const void *ctx, int i)
{
    const weight_list *l = ctx;
    return l->m->nodes[l->node[i]].weights[l->index[i]].name;
}

int rs_model_find_weight(const rs_model *m, const char *name, int *node, int *w, rs_error *err)
{
    weight_list l = {m, 0, NULL, NULL};
    size_t total = 1;
    for (int i = 0; i < m->n_nodes; i++)
        if (m->nodes[i].owns_weights)
            total += (size_t)m->nodes[i].n_weights;
    l.node = malloc(total * sizeof *l.node);
    l.index = malloc(total * sizeof *l.index);
    int found = -1;
    if (!l.node || !l.index) {
        rs_fail_oom(err, m->path);
    } else {
        for (int i = 0; i < m->n_nodes; i++)
            for (int k = 0; m->nodes[i].owns_weights && k < m->nodes[i].n_weights; k++) {
                l.node[l.count] = i;
                l.index[l.count++] = k;
            }
        if (l.count == 0)
            rs_fail_code(err, RS_ERR_BAD_ARGUMENT, name,
                         "no such weight: the model has no weights");
        else
            found = find_named(l.count, weight_name_at, &l, name, "weight", err);
        if (found >= 0) {
            *node = l.node[found];
            *w = l.index[found];
        }
    }
    free(l.node);
    free(l.index);
    return found >= 0 ? 0 : -1;
}

size_t rs_node_param_count(const rs_node *n)
{
    if (!n->owns_weights)
        return 0;
    size_t total = 0;
    for (int i = 0; i < n->n_weights; i++)
        total += n->weights[i].value.size;
    return total;
}

size_t rs_model_weight_bytes(const rs_model *m)
{
    size_t bytes = 0;
    for (int i = 0; i < m->n_nodes; i++)
        bytes = rs_size_add(bytes, rs_size_mul(rs_node_param_count(&m->nodes[i]), sizeof(float)));
    return bytes;
}

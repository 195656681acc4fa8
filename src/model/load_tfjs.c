/* TensorFlow.js layers models: model.json (modelTopology = the Keras model, or a wrapper with
 * model_config) and binary shards listed in weightsManifest. The shards of each manifest group
 * are concatenated and hold its weights back to back; weights are matched to layers by name.
 * Shard paths are confined to the directory of model.json. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rnnscope/fileio.h"
#include "rnnscope/memcap.h"
#include "model/internal.h"

#define MAX_SHARDS 100000

typedef struct tfjs_ctx {
    const cJSON *manifest;
    char *dir;       /* directory of model.json */
    char *dir_real;  /* its realpath */
} tfjs_ctx;

/* A shard path must be relative, without "..", and resolve inside the model's directory. */
static int shard_path(const tfjs_ctx *c, const char *rel, char **out, const char *where,
                      rs_error *err)
{
    *out = NULL;
    if (!*rel || rel[0] == '/' || rel[0] == '\\')
        return rs_fail(err, where, "shard path '%s' is not relative to model.json", rel);
    for (const char *p = rel; *p;) {
        size_t n = strcspn(p, "/\\");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return rs_fail(err, where, "shard path '%s' leaves the model's directory", rel);
        p += n;
        if (*p)
            p++;
    }
    size_t len = strlen(c->dir) + strlen(rel) + 2;
    char *full = malloc(len);
    if (!full)
        return rs_fail_oom(err, where);
    snprintf(full, len, "%s/%s", c->dir, rel);
    char real[PATH_MAX];
    if (!realpath(full, real)) {
        rs_fail(err, where, "weights shard '%s': %s", rel, strerror(errno));
        free(full);
        return -1;
    }
    size_t dl = strlen(c->dir_real);
    if (strncmp(real, c->dir_real, dl) != 0 || (real[dl] != '/' && strcmp(c->dir_real, "/"))) {
        free(full);
        return rs_fail(err, where, "shard path '%s' leaves the model's directory", rel);
    }
    *out = full;
    return 0;
}

/* The sum of the sizes of the shards of one group (each a regular file inside the model's
 * directory); a manifest may list one shard many times, and each listing is read. */
static int group_bytes(const tfjs_ctx *c, const cJSON *paths, size_t *bytes, const char *where,
                       rs_error *err)
{
    *bytes = 0;
    if (!cJSON_IsArray(paths) || cJSON_GetArraySize(paths) > MAX_SHARDS)
        return rs_fail(err, where, "weightsManifest group has no valid 'paths' list");
    const cJSON *p;
    cJSON_ArrayForEach(p, paths) {
        char *full;
        struct stat st;
        if (!cJSON_IsString(p))
            return rs_fail(err, where, "a shard path is not a string");
        if (shard_path(c, p->valuestring, &full, where, err) < 0)
            return -1;
        int fd = rs_open_regular(full, &st, err);
        free(full);
        if (fd < 0)
            return -1;
        close(fd);
        *bytes = rs_size_add(*bytes, (size_t)st.st_size);
    }
    return 0;
}

/* The shards of one group, concatenated into one buffer of the size group_bytes found. */
static int read_group(const tfjs_ctx *c, const cJSON *paths, unsigned char **out, size_t *len,
                      const char *where, rs_error *err)
{
    size_t total;
    *out = NULL;
    *len = 0;
    if (group_bytes(c, paths, &total, where, err) < 0)
        return -1;
    if (total > RS_MAX_MODEL_BYTES)
        return rs_fail(err, where, "weights shards are too large");
    unsigned char *buf = malloc(total + 1);
    if (!buf)
        return rs_fail_code(err, RS_ERR_NO_MEMORY, where,
                            "out of memory reading the weights shards");
    size_t used = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, paths) {
        char *full;
        size_t n;
        int rc = shard_path(c, p->valuestring, &full, where, err);
        if (rc == 0) {
            rc = rs_read_file_into(full, buf + used, total - used, &n, err);
            free(full);
        }
        if (rc < 0) {
            free(buf);
            return -1;
        }
        used += n;
    }
    *out = buf;
    *len = used;
    return 0;
}

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else { /* subnormal: renormalize */
            exp = 127 - 15 + 1;
            while (!(mant & 0x400)) {
                mant <<= 1;
                exp--;
            }
            bits = sign | (exp << 23) | ((mant & 0x3ff) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000 | (mant << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

typedef enum stored { ST_F32, ST_I32, ST_BOOL, ST_U8, ST_U16, ST_F16 } stored;

static int stored_type(const cJSON *w, stored *st, double *scale, double *min, const char *name,
                       const char *where, rs_error *err)
{
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(w, "quantization");
    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(q ? q : w, "dtype");
    const char *d = cJSON_IsString(dt) ? dt->valuestring : q ? "" : "float32";
    *scale = 1;
    *min = 0;
    if (q) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(q, "scale"),
                    *mn = cJSON_GetObjectItemCaseSensitive(q, "min");
        if (!strcmp(d, "float16")) {
            *st = ST_F16;
            return 0;
        }
        if (!cJSON_IsNumber(s) || !cJSON_IsNumber(mn))
            return rs_fail(err, where, "weight '%s': quantization without scale and min", name);
        *scale = s->valuedouble;
        *min = mn->valuedouble;
        if (!strcmp(d, "uint8"))
            *st = ST_U8;
        else if (!strcmp(d, "uint16"))
            *st = ST_U16;
        else
            return rs_fail_code(err, RS_ERR_UNSUPPORTED, where,
                                "weight '%s': quantization dtype '%s' is not supported",
                                name, d);
        return 0;
    }
    if (!strcmp(d, "float32"))
        *st = ST_F32;
    else if (!strcmp(d, "int32"))
        *st = ST_I32;
    else if (!strcmp(d, "bool"))
        *st = ST_BOOL;
    else
        return rs_fail_code(err, RS_ERR_UNSUPPORTED, where,
                            "weight '%s': dtype '%s' is not supported", name, d);
    return 0;
}

static void decode(stored st, const unsigned char *src, size_t count, double scale, double min,
                   float *dst)
{
    for (size_t i = 0; i < count; i++) {
        switch (st) {
        case ST_F32: memcpy(&dst[i], src + 4 * i, 4); break;
        case ST_I32: {
            int32_t v;
            memcpy(&v, src + 4 * i, 4);
            dst[i] = (float)v;
            break;
        }
        case ST_BOOL: dst[i] = src[i] ? 1.0f : 0.0f; break;
        case ST_U8: dst[i] = (float)(src[i] * scale + min); break;
        case ST_U16: {
            uint16_t v;
            memcpy(&v, src + 2 * i, 2);
            dst[i] = (float)(v * scale + min);
            break;
        }
        case ST_F16: {
            uint16_t v;
            memcpy(&v, src + 2 * i, 2);
            dst[i] = half_to_float(v);
            break;
        }
        }
    }
}

static int parse_shape(const cJSON *shape, int *rank, size_t *dims, const char *name,
                       const char *where, rs_error *err)
{
    if (!cJSON_IsArray(shape) || cJSON_GetArraySize(shape) > RS_MAX_RANK)
        return rs_fail(err, where, "weight '%s' has no valid shape", name);
    *rank = 0;
    const cJSON *d;
    cJSON_ArrayForEach(d, shape) {
        if (!cJSON_IsNumber(d) || !(d->valuedouble >= 0 && d->valuedouble <= 1e12) ||
            d->valuedouble != (double)(long long)d->valuedouble)
            return rs_fail(err, where, "weight '%s' has an invalid dimension", name);
        dims[(*rank)++] = (size_t)d->valuedouble;
    }
    return 0;
}

/* One weight at *offset of the group buffer. */
static int read_weight(rs_graph *g, const cJSON *w, const unsigned char *buf, size_t len,
                       size_t *offset, const char *where, rs_error *err)
{
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(w, "name");
    if (!cJSON_IsString(nm))
        return rs_fail(err, where, "a manifest weight has no name");
    const char *name = nm->valuestring;
    int rank = 0;
    size_t dims[RS_MAX_RANK], count, bytes;
    stored st = ST_F32;
    double scale, min;
    if (parse_shape(cJSON_GetObjectItemCaseSensitive(w, "shape"), &rank, dims, name, where,
                    err) < 0 ||
        stored_type(w, &st, &scale, &min, name, where, err) < 0)
        return -1;
    static const size_t SIZES[] = {4, 4, 1, 1, 2, 2};
    if (rs_shape_count(rank, dims, &count, err) < 0 || rs_mul_overflows(count, SIZES[st], &bytes))
        return rs_fail(err, where, "weight '%s' has an absurd shape", name);
    if (bytes > len - *offset)
        return rs_fail(err, where, "the shards end before weight '%s'", name);
    rs_tensor t;
    if (rs_tensor_alloc(&t, rank, dims, err) < 0)
        return rs_error_prefix(err, where);
    decode(st, buf + *offset, count, scale, min, t.data);
    *offset += bytes;
    char *copy = strdup(name);
    if (!copy) {
        rs_tensor_free(&t);
        return rs_fail_oom(err, where);
    }
    return rs_graph_assign_weight(g, -1, copy, &t, where, err);
}

/* The weights the manifest declares, as float32, must fit the memory cap before any shard is
 * read, and so must they with all the shards that will be read to fill them. Entries without a
 * valid shape are left for read_weight to report. */
static int check_manifest_fits(const tfjs_ctx *c, const char *where, rs_error *err)
{
    size_t bytes = 0, shards = 0, one_group;
    const cJSON *group, *w, *d;
    cJSON_ArrayForEach(group, c->manifest) {
        cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(group, "weights")) {
            size_t one = sizeof(float);
            cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(w, "shape")) {
                double v = cJSON_IsNumber(d) ? d->valuedouble : 0;
                one = rs_size_mul(one, v >= 0x1p63 ? SIZE_MAX : v >= 1 ? (size_t)v : 0);
            }
            bytes = rs_size_add(bytes, one);
        }
    }
    if (rs_memcap_check(0, bytes, where, "the weights need", err) < 0)
        return -1;
    cJSON_ArrayForEach(group, c->manifest) {
        if (group_bytes(c, cJSON_GetObjectItemCaseSensitive(group, "paths"), &one_group, where,
                        err) < 0)
            return -1;
        shards = rs_size_add(shards, one_group);
    }
    return rs_memcap_check(0, rs_size_add(bytes, shards), where,
                           "the weights with their shards need", err);
}

static int read_weights(rs_model *m, rs_graph *g, void *ctx, rs_error *err)
{
    tfjs_ctx *c = ctx;
    const cJSON *group;
    if (!c->manifest)
        return 0;
    if (!cJSON_IsArray(c->manifest))
        return rs_fail(err, m->path, "weightsManifest is not a list");
    if (check_manifest_fits(c, m->path, err) < 0)
        return -1;
    cJSON_ArrayForEach(group, c->manifest) {
        unsigned char *buf;
        size_t len, offset = 0;
        if (read_group(c, cJSON_GetObjectItemCaseSensitive(group, "paths"), &buf, &len, m->path,
                       err) < 0)
            return -1;
        const cJSON *weights = cJSON_GetObjectItemCaseSensitive(group, "weights"), *w;
        int rc = cJSON_IsArray(weights) ? 0 : rs_fail(err, m->path, "a manifest group has no "
                                                                    "weights list");
        cJSON_ArrayForEach(w, weights) {
            if (rc < 0)
                break;
            rc = read_weight(g, w, buf, len, &offset, m->path, err);
        }
        free(buf);
        if (rc < 0)
            return -1;
    }
    rs_graph_sort_weights(g);
    return 0;
}

/* "keras v2.2.5" → "2.2.5"; tfjs-layers' own "tfjs-layers 4.22.0" stays as is. */
static void set_version(rs_model *m, const cJSON *root, const cJSON *topo)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(topo, "keras_version");
    if (cJSON_IsString(v)) {
        rs_model_set_version(m, v->valuestring);
        return;
    }
    v = cJSON_GetObjectItemCaseSensitive(root, "generatedBy");
    if (cJSON_IsString(v)) {
        const char *s = v->valuestring;
        rs_model_set_version(m, !strncmp(s, "keras v", 7) ? s + 7 : s);
    }
}

int rs_load_tfjs(rs_model *m, cJSON *root, rs_error *err)
{
    const cJSON *topo = cJSON_GetObjectItemCaseSensitive(root, "modelTopology");
    if (!cJSON_IsObject(topo)) {
        cJSON_Delete(root);
        return rs_fail(err, m->path, "model.json has no modelTopology (a graph model? only "
                                     "layers models are supported)");
    }
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(topo, "model_config");
    set_version(m, root, topo);
    tfjs_ctx c = {cJSON_GetObjectItemCaseSensitive(root, "weightsManifest"), NULL, NULL};
    const char *slash = strrchr(m->path, '/');
    c.dir = slash ? rs_strndup(m->path, (size_t)(slash - m->path) + (slash == m->path))
                  : rs_strdup(".");
    c.dir_real = c.dir ? realpath(c.dir, NULL) : NULL;
    if (!c.dir_real) {
        free(c.dir);
        cJSON_Delete(root);
        return rs_fail(err, m->path, "cannot resolve the model's directory");
    }
    int rc = rs_model_from_json(m, root, cfg ? cfg : topo, m->path, read_weights, &c, err);
    free(c.dir);
    free(c.dir_real);
    return rc;
}

/* The timeline's cache: one file per (checkpoint, input) under $XDG_CACHE_HOME/rnnscope,
 * never in the user's directory. An entry is found by a hash of its key and holds the key
 * itself, so a collision or a stale entry is a miss, never wrong numbers. A cache file is
 * read as untrusted input: every count is checked before it is used. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rnnscope/ckpt.h"
#include "rnnscope/ckpt_stats.h"
#include "rnnscope/fileio.h"

#define MAGIC "rnnscope-timeline-1\n"
#define HEADER_BYTES 65536
#define MAX_NAME 4096
#define MAX_LAYERS 1000000

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}
#define FNV_START 14695981039346656037ULL

/* The cache directory is used only when it is a directory of ours that nobody else may
 * write to (it may be reached through a symlink of the user's): entries planted by
 * another user would otherwise be read as our numbers. */
static bool dir_is_ours(const char *dir)
{
    struct stat st;
    return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
           !(st.st_mode & (S_IWGRP | S_IWOTH));
}

/* $XDG_CACHE_HOME/rnnscope or ~/.cache/rnnscope, created (0700) when missing. */
static int cache_dir(char *dir, size_t len)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n = xdg && *xdg ? snprintf(dir, len, "%s/rnnscope", xdg)
            : home && *home ? snprintf(dir, len, "%s/.cache/rnnscope", home) : -1;
    if (n < 0 || (size_t)n >= len)
        return -1;
    char *slash = strrchr(dir, '/');
    *slash = '\0';
    mkdir(dir, 0700); /* ~/.cache may not be there yet */
    *slash = '/';
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return -1;
    return dir_is_ours(dir) ? 0 : -1;
}

static uint64_t header_hash(const char *path, rs_error *err)
{
    int fd = rs_open_regular(path, NULL, err);
    if (fd < 0)
        return 0;
    unsigned char *buf = malloc(HEADER_BYTES);
    ssize_t n = buf ? read(fd, buf, HEADER_BYTES) : -1;
    close(fd);
    uint64_t h = n > 0 ? fnv1a(FNV_START, buf, (size_t)n) : 0;
    free(buf);
    return h;
}

int rs_stats_cache_key(const char *ckpt, const rs_tensor *inputs, int n_inputs, char *key,
                       size_t key_len, rs_error *err)
{
    char real[PATH_MAX], dir[PATH_MAX];
    if (!realpath(ckpt, real))
        return rs_fail(err, ckpt, "%s", strerror(errno));
    if (cache_dir(dir, sizeof dir) < 0)
        return rs_fail(err, "the timeline cache", "no cache directory ($XDG_CACHE_HOME or $HOME)");
    rs_stamp st = rs_stamp_of(ckpt);
    uint64_t ih = FNV_START;
    for (int i = 0; i < n_inputs; i++) {
        ih = fnv1a(ih, inputs[i].shape, sizeof(size_t) * (size_t)inputs[i].rank);
        ih = fnv1a(ih, inputs[i].data, inputs[i].size * sizeof(float));
    }
    char id[PATH_MAX + 128];
    snprintf(id, sizeof id, "%s|%lld|%lld|%016llx|%016llx|%d", real, st.size, st.mtime_ns,
             (unsigned long long)header_hash(ckpt, err), (unsigned long long)ih, RS_FINE_BINS);
    int n = snprintf(key, key_len, "%s/%016llx.stats\n%s",  dir,
                     (unsigned long long)fnv1a(FNV_START, id, strlen(id)), id);
    return n > 0 && (size_t)n < key_len ? 0 : rs_fail(err, ckpt, "path too long for the cache");
}

/* An entry opened for reading: a regular file, never through a symlink, never a FIFO's
 * wait (whatever was planted under the entry's name is a miss). */
static FILE *open_entry(const char *path)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return NULL;
    FILE *f = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? fdopen(fd, "rb") : NULL;
    if (!f)
        close(fd);
    return f;
}

/* The file name is the key's first line. */
static void file_of(const char *key, char *path, size_t len)
{
    const char *nl = strchr(key, '\n');
    snprintf(path, len, "%.*s", (int)(nl ? nl - key : (long)strlen(key)), key);
}

/* The numbers of a layer after its name, in this order. */
#define N_DOUBLES (RS_STATS_MAX_GATES + 9 + RS_FINE_BINS)

static void pack(const rs_layer_stats *s, double *d)
{
    memcpy(d, s->gate_norm, sizeof s->gate_norm);
    double *p = d + RS_STATS_MAX_GATES;
    p[0] = s->n_gates;
    p[1] = s->weight_norm;
    p[2] = (double)s->n_weights;
    p[3] = s->out_mean;
    p[4] = s->out_std;
    p[5] = s->saturated;
    p[6] = s->att_entropy;
    p[7] = s->wmin;
    p[8] = s->wmax;
    memcpy(p + 9, s->fine, sizeof s->fine);
}

static bool unpack(const double *d, rs_layer_stats *s)
{
    const double *p = d + RS_STATS_MAX_GATES;
    if (!(p[0] >= 0 && p[0] <= RS_STATS_MAX_GATES) || !(p[2] >= 0 && p[2] < 1e18))
        return false;
    memcpy(s->gate_norm, d, sizeof s->gate_norm);
    s->n_gates = (int)p[0];
    s->weight_norm = p[1];
    s->n_weights = (size_t)p[2];
    s->out_mean = p[3];
    s->out_std = p[4];
    s->saturated = p[5];
    s->att_entropy = p[6];
    s->wmin = p[7];
    s->wmax = p[8];
    memcpy(s->fine, p + 9, sizeof s->fine);
    return true;
}

static bool read_layer(FILE *f, rs_layer_stats *s)
{
    uint32_t len;
    double d[N_DOUBLES];
    if (fread(&len, sizeof len, 1, f) != 1 || len == 0 || len > MAX_NAME)
        return false;
    if (!(s->name = calloc(1, len + 1)) || fread(s->name, 1, len, f) != len ||
        memchr(s->name, '\0', len))
        return false;
    return fread(d, sizeof d, 1, f) == 1 && unpack(d, s);
}

/* Whether what is left of f can hold n layers (a name of one byte and the numbers each):
 * a count is never allocated for before the file shows it has that much. */
static bool layers_fit(FILE *f, uint32_t n)
{
    struct stat st;
    long at = ftell(f);
    size_t least = sizeof(uint32_t) + 1 + N_DOUBLES * sizeof(double);
    return at >= 0 && fstat(fileno(f), &st) == 0 && st.st_size >= at &&
           (uint64_t)n <= (uint64_t)(st.st_size - at) / least;
}

int rs_stats_cache_get(const char *key, rs_ckpt_stats *out)
{
    char path[PATH_MAX + 32], magic[sizeof MAGIC - 1];
    file_of(key, path, sizeof path);
    memset(out, 0, sizeof *out);
    FILE *f = open_entry(path);
    if (!f)
        return 0;
    size_t klen = strlen(key);
    char *stored = malloc(klen + 1);
    uint32_t n = 0;
    bool ok = stored && fread(magic, 1, sizeof magic, f) == sizeof magic &&
              memcmp(magic, MAGIC, sizeof magic) == 0 && fread(stored, 1, klen + 1, f) == klen + 1 &&
              memcmp(stored, key, klen + 1) == 0 && fread(&n, sizeof n, 1, f) == 1 &&
              n <= MAX_LAYERS && layers_fit(f, n) &&
              (out->layers = calloc(n ? n : 1, sizeof *out->layers));
    for (uint32_t i = 0; ok && i < n; i++, out->n++)
        ok = read_layer(f, &out->layers[i]);
    if (ok && out->n < (int)n)
        ok = false;
    if (ok && fgetc(f) != EOF)
        ok = false; /* more than was written: not ours */
    if (!ok && out->layers) {
        out->n = (int)n; /* every entry: a half-read one's name too (the rest are NULL) */
        rs_ckpt_stats_free(out);
    }
    free(stored);
    fclose(f);
    return ok ? 1 : 0;
}

typedef struct put_ctx {
    const char *key;
    const rs_ckpt_stats *s;
} put_ctx;

static int write_entry(FILE *f, const char *name, const void *vctx, rs_error *err)
{
    const put_ctx *c = vctx;
    uint32_t n = (uint32_t)c->s->n;
    bool ok = fwrite(MAGIC, 1, sizeof MAGIC - 1, f) == sizeof MAGIC - 1 &&
              fwrite(c->key, 1, strlen(c->key) + 1, f) == strlen(c->key) + 1 &&
              fwrite(&n, sizeof n, 1, f) == 1;
    for (int i = 0; ok && i < c->s->n; i++) {
        const rs_layer_stats *s = &c->s->layers[i];
        uint32_t len = (uint32_t)strlen(s->name);
        double d[N_DOUBLES];
        pack(s, d);
        ok = len > 0 && len <= MAX_NAME && fwrite(&len, sizeof len, 1, f) == 1 &&
             fwrite(s->name, 1, len, f) == len && fwrite(d, sizeof d, 1, f) == 1;
    }
    return ok ? 0 : rs_fail(err, name, "cannot write the cache entry");
}

/* rs_write_private keeps one temporary file at a time for its signal handler to remove: the
 * timeline's workers write their entries one at a time. */
static pthread_mutex_t one_writer = PTHREAD_MUTEX_INITIALIZER;

int rs_stats_cache_put(const char *key, const rs_ckpt_stats *s, rs_error *err)
{
    char path[PATH_MAX + 32];
    file_of(key, path, sizeof path);
    put_ctx c = {key, s};
    pthread_mutex_lock(&one_writer);
    int rc = rs_write_private(path, write_entry, &c, err);
    pthread_mutex_unlock(&one_writer);
    return rc;
}

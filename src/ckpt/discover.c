/* Which files of a directory are checkpoints, in what order, and whether a file changed. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rnnscope/ckpt.h"

rs_stamp rs_stamp_of(const char *path)
{
    rs_stamp s = {0};
    struct stat st;
    if (stat(path, &st) != 0)
        return s;
    s.exists = true;
    s.dev = (unsigned long long)st.st_dev;
    s.ino = (unsigned long long)st.st_ino;
    s.size = (long long)st.st_size;
    s.mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    return s;
}

bool rs_stamp_equal(const rs_stamp *a, const rs_stamp *b)
{
    return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino &&
           a->size == b->size && a->mtime_ns == b->mtime_ns;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The number at s (digits), saturating well below LONG_MAX. */
static long digits_at(const char *s)
{
    long v = 0;
    for (; isdigit((unsigned char)*s); s++)
        v = v < 100000000000L ? v * 10 + (*s - '0') : v;
    return v;
}

long rs_ckpt_epoch_of(const char *path)
{
    /* the name without its extension: the 5 of ".h5" is no epoch */
    char name[256];
    snprintf(name, sizeof name, "%s", base_name(path));
    char *dot = strrchr(name, '.');
    if (dot && dot != name)
        *dot = '\0';
    const char *word = strcasestr(name, "epoch");
    if (word) {
        const char *p = word + 5;
        while (*p && !isdigit((unsigned char)*p) && !isalpha((unsigned char)*p))
            p++; /* "epoch_012", "epoch-3", "epoch=7" */
        if (isdigit((unsigned char)*p))
            return digits_at(p);
    }
    for (const char *p = name; *p; p++)
        if (isdigit((unsigned char)*p))
            return digits_at(p);
    return -1;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n > k && strcasecmp(s + n - k, tail) == 0;
}

bool rs_ckpt_name_ok(const char *name)
{
    if (name[0] == '.')
        return false;
    return ends_with(name, ".h5") || ends_with(name, ".hdf5") || ends_with(name, ".keras") ||
           ends_with(name, ".json");
}

static int by_epoch(const void *pa, const void *pb)
{
    const rs_ckpt *a = pa, *b = pb;
    if (a->epoch != b->epoch)
        return a->epoch < b->epoch ? -1 : 1;
    if (a->stamp.mtime_ns != b->stamp.mtime_ns)
        return a->stamp.mtime_ns < b->stamp.mtime_ns ? -1 : 1;
    return strcmp(a->path, b->path);
}

static int by_mtime(const void *pa, const void *pb)
{
    const rs_ckpt *a = pa, *b = pb;
    if (a->stamp.mtime_ns != b->stamp.mtime_ns)
        return a->stamp.mtime_ns < b->stamp.mtime_ns ? -1 : 1;
    return strcmp(a->path, b->path);
}

/* Add dir/name to l when it is a regular file (a symbolic link is not followed: counted in
 * l->links); -1 only when memory runs out. */
static int add_entry(rs_ckpt_list *l, size_t *cap, const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);
    if (!path)
        return -1;
    snprintf(path, len, "%s/%s", dir, name);
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        l->links += lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
        free(path);
        return 0;
    }
    if (l->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        rs_ckpt *items = realloc(l->items, ncap * sizeof *items);
        if (!items) {
            free(path);
            return -1;
        }
        l->items = items;
        *cap = ncap;
    }
    l->items[l->n++] = (rs_ckpt){path, rs_ckpt_epoch_of(name), rs_stamp_of(path)};
    return 0;
}

int rs_ckpt_list_dir(const char *dir, rs_ckpt_list *out, rs_error *err)
{
    memset(out, 0, sizeof *out);
    DIR *d = opendir(dir);
    if (!d)
        return rs_fail(err, dir, "cannot list the directory: %s", strerror(errno));
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (rs_ckpt_name_ok(e->d_name) && add_entry(out, &cap, dir, e->d_name) < 0) {
            closedir(d);
            rs_ckpt_list_free(out);
            return rs_fail_code(err, RS_ERR_NO_MEMORY, dir, "out of memory listing the directory");
        }
    closedir(d);
    out->by_epoch = out->n > 0;
    for (size_t i = 0; i < out->n; i++)
        if (out->items[i].epoch < 0)
            out->by_epoch = false;
    if (out->n)
        qsort(out->items, out->n, sizeof *out->items, out->by_epoch ? by_epoch : by_mtime);
    return 0;
}

void rs_ckpt_list_free(rs_ckpt_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i].path);
    free(l->items);
    memset(l, 0, sizeof *l);
}

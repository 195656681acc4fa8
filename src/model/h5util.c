/* HDF5 helpers for the loaders: string attributes in every form Keras wrote them, datasets as
 * float32, the scan for global heaps that would hang libhdf5, the weights' size. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rnnscope/fileio.h"
#include "rnnscope/memcap.h"
#include "model/internal.h"

bool rs_h5_has_attr(hid_t obj, const char *name)
{
    return H5Aexists(obj, name) > 0;
}

bool rs_h5_link_exists(hid_t loc, const char *path)
{
    /* Check each prefix: H5Lexists fails on a missing intermediate group. */
    char buf[1024];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        htri_t e = H5Lexists(loc, buf, H5P_DEFAULT);
        buf[i] = c;
        if (e <= 0)
            return false;
    }
    return true;
}

/* Read every string of an attribute (any rank) into a list of n strings. */
static int read_attr_strings(hid_t attr, char ***out, int *n_out, const char *what,
                             const char *where, rs_error *err)
{
    int rc = -1;
    hid_t type = H5Aget_type(attr), space = H5Aget_space(attr), mem = -1;
    char **list = NULL;
    void *buf = NULL;
    if (space >= 0 && H5Sget_simple_extent_npoints(space) == 0) {
        /* h5py stores an empty list as an empty float array */
        *out = calloc(1, sizeof **out);
        *n_out = 0;
        rc = *out ? 0 : rs_fail_oom(err, where);
        goto done;
    }
    if (type < 0 || space < 0 || H5Tget_class(type) != H5T_STRING) {
        rs_fail(err, where, "attribute '%s' is not a string", what);
        goto done;
    }
    hssize_t count = H5Sget_simple_extent_npoints(space);
    if (count < 0 || count > RS_MAX_LAYERS * 16) {
        rs_fail(err, where, "attribute '%s' has a bad size", what);
        goto done;
    }
    list = calloc((size_t)count + 1, sizeof *list);
    if (!list) {
        rs_fail_oom(err, where);
        goto done;
    }
    htri_t vlen = H5Tis_variable_str(type);
    mem = H5Tcopy(H5T_C_S1);
    H5Tset_cset(mem, H5Tget_cset(type)); /* libhdf5 converts no vlen string across csets */
    if (vlen > 0) {
        H5Tset_size(mem, H5T_VARIABLE);
        buf = calloc((size_t)count + 1, sizeof(char *));
        if (!buf || H5Aread(attr, mem, buf) < 0) {
            rs_fail(err, where, "cannot read attribute '%s'", what);
            goto done;
        }
        char **s = buf;
        for (hssize_t i = 0; i < count; i++)
            list[i] = rs_strdup(s[i] ? s[i] : "");
        H5Dvlen_reclaim(mem, space, H5P_DEFAULT, buf);
    } else if (vlen == 0) {
        size_t size = H5Tget_size(type);
        if (size == 0 || size > ((size_t)64 << 20) / ((size_t)count + 1)) {
            rs_fail(err, where, "attribute '%s' has a bad string size", what);
            goto done;
        }
        char need[320];
        snprintf(need, sizeof need, "attribute '%s' needs", what);
        if (rs_memcap_check(0, ((size_t)count + 1) * size, where, need, err) < 0)
            goto done;
        H5Tset_size(mem, size);
        H5Tset_strpad(mem, H5T_STR_NULLPAD);
        buf = calloc((size_t)count + 1, size);
        if (!buf || H5Aread(attr, mem, buf) < 0) {
            rs_fail(err, where, "cannot read attribute '%s'", what);
            goto done;
        }
        for (hssize_t i = 0; i < count; i++)
            list[i] = rs_strndup((char *)buf + (size_t)i * size, size);
    } else {
        rs_fail(err, where, "cannot read attribute '%s'", what);
        goto done;
    }
    for (hssize_t i = 0; i < count; i++)
        if (!list[i]) {
            rs_fail_oom(err, where);
            goto done;
        }
    *out = list;
    *n_out = (int)count;
    list = NULL;
    rc = 0;
done:
    if (list) {
        for (hssize_t i = 0; list[i]; i++)
            free(list[i]);
        free(list);
    }
    free(buf);
    if (mem >= 0)
        H5Tclose(mem);
    if (type >= 0)
        H5Tclose(type);
    if (space >= 0)
        H5Sclose(space);
    return rc;
}

static int read_named_attr(hid_t obj, const char *name, char ***out, int *n, const char *where,
                           rs_error *err)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0)
        return rs_fail(err, where, "cannot open attribute '%s'", name);
    int rc = read_attr_strings(a, out, n, name, where, err);
    H5Aclose(a);
    return rc;
}

void rs_str_list_free(char **list, int n)
{
    if (!list)
        return;
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

int rs_h5_read_str_attr(hid_t obj, const char *name, char **out, const char *where,
                        rs_error *err)
{
    char **list;
    int n;
    *out = NULL;
    if (read_named_attr(obj, name, &list, &n, where, err) < 0)
        return -1;
    if (n < 1) {
        rs_str_list_free(list, n);
        return rs_fail(err, where, "attribute '%s' is empty", name);
    }
    *out = list[0];
    list[0] = NULL;
    rs_str_list_free(list, n);
    return 0;
}

/* Append src's strings to *dst (taking them). */
static int append_list(char ***dst, int *nd, char **src, int ns, const char *where, rs_error *err)
{
    if (*nd + ns > RS_MAX_LAYERS * 16)
        return rs_fail(err, where, "too many names");
    char **grown = realloc(*dst, ((size_t)*nd + (size_t)ns + 1) * sizeof *grown);
    if (!grown)
        return rs_fail_oom(err, where);
    memcpy(grown + *nd, src, (size_t)ns * sizeof *src);
    *nd += ns;
    grown[*nd] = NULL;
    *dst = grown;
    return 0;
}

int rs_h5_read_str_list(hid_t obj, const char *name, bool optional, char ***out, int *n,
                        const char *where, rs_error *err)
{
    *out = NULL;
    *n = 0;
    if (rs_h5_has_attr(obj, name))
        return read_named_attr(obj, name, out, n, where, err);
    /* Keras splits attributes over 64 KiB into name0, name1, ... */
    char part[256];
    for (int k = 0;; k++) {
        snprintf(part, sizeof part, "%s%d", name, k);
        if (!rs_h5_has_attr(obj, part)) {
            if (k == 0 && !optional)
                return rs_fail(err, where, "attribute '%s' is missing", name);
            return 0;
        }
        char **chunk = NULL;
        int nc = 0;
        int rc = read_named_attr(obj, part, &chunk, &nc, where, err);
        if (rc == 0 && append_list(out, n, chunk, nc, where, err) < 0) {
            rs_str_list_free(chunk, nc);
            rc = -1;
        }
        if (rc < 0) {
            rs_str_list_free(*out, *n);
            *out = NULL;
            *n = 0;
            return -1;
        }
        free(chunk);
    }
}

static float bf16_to_float(unsigned short b)
{
    unsigned int u = (unsigned int)b << 16;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static bool is_bfloat16(hid_t ds)
{
    if (!rs_h5_has_attr(ds, "dtype"))
        return false;
    char *s = NULL;
    bool yes = rs_h5_read_str_attr(ds, "dtype", &s, "", NULL) == 0 && strcmp(s, "bfloat16") == 0;
    free(s);
    return yes;
}

/* How the dataset's bytes are stored; H5D_LAYOUT_ERROR when libhdf5 cannot say. */
static H5D_layout_t layout_of(hid_t ds)
{
    hid_t dcpl = H5Dget_create_plist(ds);
    if (dcpl < 0)
        return H5D_LAYOUT_ERROR;
    H5D_layout_t layout = H5Pget_layout(dcpl);
    H5Pclose(dcpl);
    return layout;
}

/* A contiguous float32 dataset is read by copying its bytes, whose extent storage_too_small
 * has checked against the file: nothing in that can crash libhdf5. The guard's child skips
 * such reads (the tensor stays zero there) and the file's weights are read once, here. */
static bool plain_copy(hid_t ds, hid_t type)
{
    return H5Tequal(type, H5T_NATIVE_FLOAT) > 0 && layout_of(ds) == H5D_CONTIGUOUS;
}

static int read_values(hid_t ds, hid_t type, rs_tensor *t, const char *where, rs_error *err)
{
    if (t->size == 0 || (rs_h5_in_guard_child() && plain_copy(ds, type)))
        return 0;
    H5T_class_t cls = H5Tget_class(type);
    if (cls != H5T_FLOAT && cls != H5T_INTEGER)
        return rs_fail(err, where, "not numeric");
    if (cls == H5T_INTEGER && H5Tget_size(type) == 2 && is_bfloat16(ds)) {
        unsigned short *raw = malloc(t->size * sizeof *raw);
        if (!raw)
            return rs_fail_oom(err, where);
        herr_t r = H5Dread(ds, H5T_NATIVE_USHORT, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw);
        for (size_t i = 0; r >= 0 && i < t->size; i++)
            t->data[i] = bf16_to_float(raw[i]);
        free(raw);
        return r < 0 ? rs_fail(err, where, "cannot read its data") : 0;
    }
    if (H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, t->data) < 0)
        return rs_fail(err, where, "cannot read its data");
    return 0;
}

/* A contiguous dataset whose stored bytes are fewer than its shape needs is corrupt (or its
 * dimensions absurd): refuse it before allocating. */
static bool storage_too_small(hid_t ds, hid_t type, int rank, const size_t *shape)
{
    size_t count, bytes;
    if (rs_shape_count(rank, shape, &count, NULL) < 0 ||
        rs_mul_overflows(count, H5Tget_size(type), &bytes))
        return true;
    H5D_layout_t layout = layout_of(ds);
    if (layout == H5D_LAYOUT_ERROR)
        return true;
    if (layout != H5D_CONTIGUOUS && layout != H5D_COMPACT)
        return count > ((size_t)1 << 32);
    return H5Dget_storage_size(ds) < bytes;
}

int rs_h5_read_tensor(hid_t loc, const char *path, rs_tensor *out, const char *where,
                      rs_error *err)
{
    memset(out, 0, sizeof *out);
    if (!rs_h5_link_exists(loc, path))
        return rs_fail(err, where, "weight '%s' is missing", path);
    hid_t ds = H5Dopen2(loc, path, H5P_DEFAULT);
    if (ds < 0)
        return rs_fail(err, where, "cannot open weight '%s'", path);
    int rc = -1;
    char what[600];
    snprintf(what, sizeof what, "%s: weight '%s'", where, path);
    where = what;
    /* the file was scanned when opened; checked again where it matters, before the read */
    const char *outside = rs_h5_outside_storage(ds);
    int filter = outside ? -1 : rs_h5_missing_filter(ds);
    if (outside || filter >= 0) {
        if (outside)
            rs_fail(err, where, "%s; rnnscope reads only what is stored inside the model file",
                    outside);
        else
            rs_fail(err, where, "is compressed with HDF5 filter %d, which rnnscope does not "
                                "decode (filter plugins are never loaded)", filter);
        H5Dclose(ds);
        return -1;
    }
    hid_t space = H5Dget_space(ds), type = H5Dget_type(ds);
    int rank = space < 0 ? -1 : H5Sget_simple_extent_ndims(space);
    if (type < 0 || rank < 0 || rank > RS_MAX_RANK) {
        rs_fail(err, where, "bad shape (rank %d)", rank);
        goto done;
    }
    hsize_t dims[RS_MAX_RANK];
    size_t shape[RS_MAX_RANK];
    H5Sget_simple_extent_dims(space, dims, NULL);
    for (int i = 0; i < rank; i++)
        shape[i] = (size_t)dims[i];
    if (storage_too_small(ds, type, rank, shape)) {
        rs_fail(err, where, "shape does not fit the data stored in the file");
        goto done;
    }
    if (rs_tensor_alloc(out, rank, shape, err) < 0) {
        rs_error_prefix(err, where);
        goto done;
    }
    if (read_values(ds, type, out, where, err) < 0) {
        rs_tensor_free(out);
        goto done;
    }
    rc = 0;
done:
    if (type >= 0)
        H5Tclose(type);
    if (space >= 0)
        H5Sclose(space);
    H5Dclose(ds);
    return rc;
}

/* libhdf5 1.10 loops forever on a corrupt global heap collection ("GCOL"): it walks the
 * objects by their sizes, and an object size of 0 (or one that wraps the arithmetic) never
 * advances (found by fuzzing). Walk each collection the way libhdf5 does and refuse the file
 * when the walk would stall or leave the collection: real files end it exactly. Assumes the
 * 8-byte lengths every Keras file uses. */
static bool heap_is_sane(const unsigned char *p, size_t avail)
{
    uint64_t size, obj;
    if (avail < 16 || p[4] != 1)
        return true; /* not a collection libhdf5 would accept */
    memcpy(&size, p + 8, 8);
    if (size > avail)
        return false; /* a collection ends inside the file (libhdf5 would allocate it all) */
    for (uint64_t off = 16; off < size;) {
        if (off + 16 > size)
            break; /* a tail too small for a header is free space */
        uint16_t idx = (uint16_t)(p[off] | p[off + 1] << 8);
        memcpy(&obj, p + off + 8, 8);
        /* idx 0 is free space, whose size counts its header; others add theirs */
        uint64_t need = idx ? 16 + ((obj + 7) & ~(uint64_t)7) : obj;
        if (need == 0 || (idx && obj > size) || need > size - off)
            return false;
        off += need;
    }
    return true;
}

/* The next "GCOL" signature from p: memchr for its first letter runs several times faster than
 * memmem over a file of weights (a 200 MB file is scanned on every load). */
static const unsigned char *next_collection(const unsigned char *p, const unsigned char *end)
{
    while (p < end && (p = memchr(p, 'G', (size_t)(end - p))) != NULL) {
        if (end - p >= 4 && memcmp(p, "GCOL", 4) == 0)
            return p;
        p++;
    }
    return NULL;
}

int rs_h5_check_image(const unsigned char *buf, size_t len, const char *where, rs_error *err)
{
    if (rs_h5_vouched_by_guard())
        return 0;
    const unsigned char *p = buf, *end = buf + len;
    while ((p = next_collection(p, end)) != NULL) {
        if (!heap_is_sane(p, (size_t)(end - p)))
            return rs_fail(err, where, "corrupt HDF5 global heap at byte %zu", (size_t)(p - buf));
        p += 4;
    }
    return 0;
}

int rs_h5_check_file(const char *path, rs_error *err)
{
    if (rs_h5_vouched_by_guard())
        return 0;
    struct stat st;
    int fd = rs_open_regular(path, &st, err);
    if (fd < 0)
        return -1;
    int rc = 0;
    if (st.st_size > 0) {
        void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            rc = rs_fail(err, path, "cannot map the file: %s", strerror(errno));
        } else {
            rc = rs_h5_check_image(map, (size_t)st.st_size, path, err);
            munmap(map, (size_t)st.st_size);
        }
    }
    close(fd);
    return rc;
}

/* Sum of the float32 bytes of every dataset under a group, from their dataspaces only. */
static herr_t add_dataset_bytes(hid_t obj, const char *name, const H5O_info_t *info, void *data)
{
    size_t *sum = data;
    if (info->type != H5O_TYPE_DATASET)
        return 0;
    hid_t ds = H5Dopen2(obj, name, H5P_DEFAULT);
    hid_t space = ds < 0 ? -1 : H5Dget_space(ds);
    int rank = space < 0 ? -1 : H5Sget_simple_extent_ndims(space);
    hsize_t dims[H5S_MAX_RANK];
    if (rank >= 0 && H5Sget_simple_extent_dims(space, dims, NULL) >= 0) {
        size_t bytes = sizeof(float);
        for (int i = 0; i < rank; i++)
            bytes = rs_size_mul(bytes, dims[i] > SIZE_MAX ? SIZE_MAX : (size_t)dims[i]);
        *sum = rs_size_add(*sum, bytes);
    }
    if (space >= 0)
        H5Sclose(space);
    if (ds >= 0)
        H5Dclose(ds);
    return 0;
}

int rs_h5_check_weights_fit(hid_t loc, const char *group, size_t held, const char *where,
                            rs_error *err)
{
    if (strcmp(group, "/") != 0 && !rs_h5_link_exists(loc, group))
        return 0;
    hid_t g = H5Oopen(loc, group, H5P_DEFAULT);
    if (g < 0)
        return 0; /* the reader reports what cannot be opened */
    size_t bytes = 0;
    H5Ovisit(g, H5_INDEX_NAME, H5_ITER_INC, add_dataset_bytes, &bytes);
    H5Oclose(g);
    return rs_memcap_check(held, bytes, where, "the weights need", err);
}

/* Opening HDF5 files for the loaders, and keeping libhdf5 inside them. libhdf5 follows
 * whatever a file points at: external links open other HDF5 files, external storage
 * (H5Pset_external) reads the raw bytes of any file (/etc/passwd, a FIFO that never answers),
 * virtual datasets map datasets of other files (and give the fill value, silently, when the
 * source is missing), filter plugins are loaded from disk. A model file is hostile: it may name
 * no other file. So every file is scanned when it is opened, before anything is read from it:
 * every link must be a hard link and every dataset must keep its bytes in the file (compact,
 * contiguous or chunked; no external storage, no virtual layout). */
#include <stdlib.h>
#include <string.h>

#include <H5PLpublic.h>

#include "rnnscope/fileio.h"
#include "model/internal.h"

void rs_h5_setup(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* errors are ours, not libhdf5's stack */
    H5PLset_loading_state(0);              /* no filter plugins: no code loaded for a file */
}

/* ---- what a dataset's storage is ---- */

const char *rs_h5_outside_storage(hid_t ds)
{
    hid_t dcpl = H5Dget_create_plist(ds);
    if (dcpl < 0)
        return "has a storage description that cannot be read";
    const char *why = NULL;
    H5D_layout_t layout = H5Pget_layout(dcpl);
    if (layout == H5D_VIRTUAL)
        why = "is a virtual dataset mapping other files";
    else if (H5Pget_external_count(dcpl) != 0)
        why = "keeps its data in other files (HDF5 external storage)";
    else if (layout != H5D_COMPACT && layout != H5D_CONTIGUOUS && layout != H5D_CHUNKED)
        why = "has a storage layout rnnscope does not know";
    H5Pclose(dcpl);
    return why;
}

int rs_h5_missing_filter(hid_t ds)
{
    hid_t dcpl = H5Dget_create_plist(ds);
    if (dcpl < 0)
        return -1;
    int missing = -1, n = H5Pget_nfilters(dcpl);
    for (int i = 0; i < n && missing < 0; i++) {
        unsigned flags = 0, config = 0;
        size_t n_values = 0;
        H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)i, &flags, &n_values, NULL, 0, NULL,
                                         &config);
        /* "optional" only lets a writer skip it: chunks written through it still need it */
        if (id >= 0 && H5Zfilter_avail(id) <= 0)
            missing = (int)id;
    }
    H5Pclose(dcpl);
    return missing;
}

/* ---- the scan of a whole file ---- */

typedef struct scan {
    const char *where;
    rs_error *err;
    bool refused;
} scan;

static herr_t refuse(scan *s, const char *name, const char *why)
{
    s->refused = true;
    rs_fail(s->err, s->where, "'%s' %s; rnnscope reads only what is stored inside the model "
                              "file", name, why);
    return -1;
}

static const char *link_kind(H5L_type_t type)
{
    switch (type) {
    case H5L_TYPE_EXTERNAL: return "is an external link to another file";
    case H5L_TYPE_SOFT: return "is a soft link (only hard links are followed)";
    default: return "is a user-defined link (only hard links are followed)";
    }
}

/* One link of the file (name: its path from the root). Objects that cannot be opened are left
 * to the loader, which cannot open them either; a dataset it reads is checked again then. */
static herr_t check_link(hid_t root, const char *name, const H5L_info_t *info, void *data)
{
    scan *s = data;
    if (info->type != H5L_TYPE_HARD)
        return refuse(s, name, link_kind(info->type));
    hid_t obj = H5Oopen(root, name, H5P_DEFAULT);
    if (obj < 0)
        return 0;
    const char *why = H5Iget_type(obj) == H5I_DATASET ? rs_h5_outside_storage(obj) : NULL;
    H5Oclose(obj);
    return why ? refuse(s, name, why) : 0;
}

static int check_inside(hid_t file, const char *where, rs_error *err)
{
    scan s = {where, err, false};
    herr_t r = H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, check_link, &s);
    if (s.refused)
        return -1;
    if (r < 0) /* a part not seen could point anywhere */
        return rs_fail(err, where, "cannot list the objects of the HDF5 file (corrupt?)");
    return 0;
}

hid_t rs_h5_open_path(const char *path, rs_error *err)
{
    if (rs_h5_check_file(path, err) < 0)
        return -1;
    /* No file lock: libhdf5 >= 1.10 flocks a file it reads, and a training run whose
     * ModelCheckpoint rewrites the file while we read it would fail to open it ("unable to
     * lock file"). We only read, and a write that lands under us is caught by the watcher
     * (the file's stamp before and after the load). */
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0)
        H5Pset_file_locking(fapl, 0, 1);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, fapl >= 0 ? fapl : H5P_DEFAULT);
    if (fapl >= 0)
        H5Pclose(fapl);
    if (f < 0) {
        rs_fail(err, path, "cannot be read as HDF5 (truncated or corrupt?)");
        return -1;
    }
    if (check_inside(f, path, err) < 0) {
        H5Fclose(f);
        return -1;
    }
    return f;
}

/* ---- images in memory, not copied ----
 * By default libhdf5 copies a file image when it is set on the property list, again when the
 * list is copied and again when the file is opened: a 1 GiB model.weights.h5 took 3 GiB more
 * than the image (and was refused as "not valid HDF5" when that did not fit). These callbacks
 * hand libhdf5 the caller's buffer instead; the file is read-only, so nothing writes to it. */

static void *image_malloc(size_t size, H5FD_file_image_op_t op, void *udata)
{
    (void)op;
    rs_h5_image *im = udata;
    return size == im->len ? im->data : NULL;
}

static void *image_memcpy(void *dest, const void *src, size_t size, H5FD_file_image_op_t op,
                          void *udata)
{
    (void)op;
    (void)udata;
    /* every "copy" is of the buffer onto itself */
    return dest == src ? dest : memmove(dest, src, size);
}

static void *image_realloc(void *ptr, size_t size, H5FD_file_image_op_t op, void *udata)
{
    (void)ptr;
    (void)size;
    (void)op;
    (void)udata;
    return NULL; /* read-only: the image never grows */
}

static herr_t image_free(void *ptr, H5FD_file_image_op_t op, void *udata)
{
    (void)ptr;
    (void)op;
    (void)udata;
    return 0; /* the caller's buffer */
}

/* The caller's description of the image outlives the file: libhdf5 shares it, never owns it. */
static void *image_udata_copy(void *udata)
{
    return udata;
}

static herr_t image_udata_free(void *udata)
{
    (void)udata;
    return 0;
}

static hid_t image_fapl(rs_h5_image *im)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0)
        return -1;
    H5FD_file_image_callbacks_t cb = {image_malloc, image_memcpy, image_realloc, image_free,
                                      image_udata_copy, image_udata_free, im};
    /* backing_store off: nothing is ever written */
    if (H5Pset_fapl_core(fapl, 64 * 1024, 0) < 0 || H5Pset_file_image_callbacks(fapl, &cb) < 0 ||
        H5Pset_file_image(fapl, im->data, im->len) < 0) {
        H5Pclose(fapl);
        return -1;
    }
    return fapl;
}

hid_t rs_h5_open_image(rs_h5_image *im, const char *where, const char *what, rs_error *err)
{
    if (rs_h5_check_image(im->data, im->len, where, err) < 0)
        return -1;
    hid_t fapl = image_fapl(im);
    hid_t f = fapl < 0 ? -1 : H5Fopen("rnnscope-image.h5", H5F_ACC_RDONLY, fapl);
    if (fapl >= 0)
        H5Pclose(fapl);
    if (f < 0) {
        rs_fail(err, where, "%s is not valid HDF5", what);
        return -1;
    }
    if (check_inside(f, where, err) < 0) {
        H5Fclose(f);
        return -1;
    }
    return f;
}

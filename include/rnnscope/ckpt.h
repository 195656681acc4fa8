/* Checkpoints of a training run: which file is the newest, whether a file is finished being
 * written, loading it again when it changes (keeping the last good model), and whether two
 * checkpoints have the same architecture.
 *
 * Keras' ModelCheckpoint writes HDF5 in place (h5py.File(path, "w")), one file rewritten or
 * one per epoch ("weights.{epoch:02d}-{val_loss:.2f}.h5", "epoch_012.keras"). A reader must
 * never take a file that is half-written for a checkpoint, and never hold anything that makes
 * the writer's next open fail: files are opened read-only, without HDF5's file lock, and
 * closed again before the loader returns. */
#ifndef RNNSCOPE_CKPT_H
#define RNNSCOPE_CKPT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "rnnscope/layer_desc.h"
#include "rnnscope/model.h"

/* What stat says about a file: a change to any of these is a new write. */
typedef struct rs_stamp {
    bool exists;
    unsigned long long dev, ino;
    long long size;
    long long mtime_ns;
} rs_stamp;

/* The stamp of path (exists false when it cannot be stat'ed). */
rs_stamp rs_stamp_of(const char *path);
bool rs_stamp_equal(const rs_stamp *a, const rs_stamp *b);

/* The epoch number in a checkpoint's file name: the digits after "epoch" when the name has
 * that word (any case), else the first run of digits ("weights.12-0.53.h5" -> 12,
 * "epoch_012.keras" -> 12, "ckpt-0003.h5" -> 3). -1 when the name has no digits. */
long rs_ckpt_epoch_of(const char *path);

typedef struct rs_ckpt {
    char *path;          /* dir + "/" + name */
    long epoch;          /* rs_ckpt_epoch_of, or -1 */
    rs_stamp stamp;
} rs_ckpt;

typedef struct rs_ckpt_list {
    size_t n;
    rs_ckpt *items;      /* oldest first */
    bool by_epoch;       /* ordered by the epoch in the names (every name has one), else by mtime */
    size_t links;        /* symbolic links with a checkpoint's name: not followed, not listed */
} rs_ckpt_list;

/* True for a name a checkpoint may have: .h5, .hdf5, .keras, .json (TF.js model.json or an
 * architecture). Hidden files and editors' temporaries (".x.h5", "x.h5~") are not. */
bool rs_ckpt_name_ok(const char *name);

/* The checkpoints of a directory, oldest first: by the epoch in their names when every name
 * has one (ties by mtime), else by modification time (ties by name). Only regular files: a
 * symbolic link is not followed (it may point anywhere; counted in links). An
 * empty directory gives n = 0, not an error. */
int rs_ckpt_list_dir(const char *dir, rs_ckpt_list *out, rs_error *err);
void rs_ckpt_list_free(rs_ckpt_list *l);

/* ---- reloading a file that changes ---- */

/* How long size and mtime must stay the same before a changed file is read (ms), and the
 * first and longest wait after a load that failed. */
#define RS_WATCH_SETTLE_MS 500
#define RS_WATCH_RETRY_MS 250
#define RS_WATCH_RETRY_MAX_MS 8000

typedef struct rs_watch {
    char *target;          /* the file or directory watched */
    bool is_dir;
    const char *weights;   /* --weights for a model.to_json() file, or NULL */
    char *shown;           /* the file of the model on screen (NULL before the first load) */
    rs_stamp shown_stamp;
    long shown_epoch;
    char *pending;         /* a changed file waiting to settle, or NULL */
    rs_stamp pending_stamp;
    double pending_since;  /* seconds (rs_watch_now) when pending_stamp was first seen */
    double next_try, retry_ms;
    rs_error error;        /* why the last load failed (msg "" when it did not) */
    int inotify_fd;        /* -1 when inotify is not there: stat on every poll instead */
    char *watched_dir;     /* the directory inotify watches, and which one it is: a */
    rs_stamp dir_stamp;    /* directory deleted or replaced is watched anew */
    /* Whether a freshly loaded model may replace the one shown (the explorer: the same
     * architecture); a refusal is handled as a failed load (error, retry with back-off).
     * NULL: every model that loads. */
    int (*accept)(void *user, const rs_model *m, rs_error *err);
    void *accept_user;
} rs_watch;

/* Seconds on a monotonic clock. */
double rs_watch_now(void);

/* Start watching path (a model file or a directory of checkpoints). Nothing is loaded yet. */
int rs_watch_init(rs_watch *w, const char *path, const char *weights, rs_error *err);
void rs_watch_free(rs_watch *w);

/* Look for a new checkpoint and load it when it has settled: 1 with *model set (the caller's)
 * when a new one was loaded; 0 when there is nothing new yet (or a load failed: w->error says
 * why, and it is retried with back-off). now is rs_watch_now(). The first call with settle
 * false loads at once (the file given on the command line). */
int rs_watch_poll(rs_watch *w, double now, bool settle, rs_model **model);

/* How many ms until rs_watch_poll has something to do: 0 now (inotify has news, or the pending
 * file has settled or is due for a retry), INT_MAX when nothing is known to be coming (without
 * inotify: poll on the caller's usual timer). A loop waiting for keys wakes up by it, so that a
 * reload is not late by a whole wait. */
int rs_watch_due_ms(const rs_watch *w, double now);

/* A descriptor that becomes readable when something in the watched place changes (inotify),
 * or -1: then poll on a timer. rs_watch_poll drains it. */
int rs_watch_fd(const rs_watch *w);

/* ---- comparing two checkpoints ---- */

/* 0 when a and b have the same layers in the same order (names, classes, weight counts and
 * shapes); else -1 with err naming the first difference. */
int rs_arch_compare(const rs_model *a, const rs_model *b, rs_error *err);

/* How one tensor differs from another of the same shape (doubles; NaN propagates). */
typedef struct rs_delta {
    double norm_a, norm_b, norm_d;  /* ||A||, ||B||, ||B - A|| */
    double rel;                     /* ||B - A|| / ||A||: 0 when both are 0, inf when only A is */
    double max_abs;                 /* max |B - A| */
    double cosine;                  /* <A, B> / (||A|| ||B||); NaN when a norm is 0 */
} rs_delta;

rs_delta rs_delta_of(const float *a, const float *b, size_t n);

/* ---- showing two checkpoints (--compare) ---- */

/* What a compared view shows: A, B or A - B. */
typedef enum rs_show { RS_SHOW_A, RS_SHOW_B, RS_SHOW_DIFF, RS_SHOW_COUNT } rs_show;

/* "a", "b", "diff" (the --show values); false for anything else. */
bool rs_show_parse(const char *text, rs_show *out);
const char *rs_show_name(rs_show s);

/* out = a - b, element by element; the shapes must be the same. */
int rs_tensor_diff(const rs_tensor *a, const rs_tensor *b, rs_tensor *out, rs_error *err);

/* The weights view of A - B for a node of two checkpoints of one architecture: a's
 * description with every weight's matrix pointing into *buf (a - b of the node's weights,
 * the caller frees it). */
int rs_weights_diff(const rs_node *a, const rs_node *b, rs_layer_desc *d, float **buf,
                    rs_error *err);

#endif

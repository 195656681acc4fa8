/* Loading a checkpoint again when it changes, never half-written: a changed file is read only
 * after its size and mtime have stayed the same for RS_WATCH_SETTLE_MS (seen the same twice, and
 * not modified for that long), and is taken only when
 * it loads cleanly and its stamp is the same after the load as before (else the writer came
 * back in the middle: wait again). A load that fails is retried with a doubling wait; the
 * model on screen stays the last good one. The loader opens read-only without a lock and
 * closes before it returns, so the writer's next open never fails because of us. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rnnscope/ckpt.h"

double rs_watch_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The directory whose entries change when the file is rewritten or replaced. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static int open_inotify(const char *dir)
{
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0)
        return -1;
    uint32_t mask = IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB | IN_MOVED_TO | IN_CREATE | IN_DELETE;
    if (inotify_add_watch(fd, dir, mask) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int rs_watch_init(rs_watch *w, const char *path, const char *weights, rs_error *err)
{
    memset(w, 0, sizeof *w);
    w->inotify_fd = -1;
    struct stat st;
    if (stat(path, &st) != 0)
        return rs_fail(err, path, "cannot watch: %s", strerror(errno));
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
        return rs_fail(err, path, "not a regular file or a directory");
    w->is_dir = S_ISDIR(st.st_mode);
    w->target = strdup(path);
    if (!w->target)
        return rs_fail_oom(err, path);
    w->weights = weights;
    w->retry_ms = RS_WATCH_RETRY_MS;
    w->shown_epoch = -1;
    w->watched_dir = w->is_dir ? strdup(path) : dir_of(path);
    if (!w->watched_dir) {
        free(w->target);
        return rs_fail_oom(err, path);
    }
    w->dir_stamp = rs_stamp_of(w->watched_dir);
    w->inotify_fd = open_inotify(w->watched_dir);
    return 0;
}

/* The watched directory deleted, or replaced by another (renamed over, recreated): its
 * inotify watch is gone with it and would never report again, so watch what is there now.
 * True when the directory changed that way (everything in it is to be looked at again). */
static bool rearm(rs_watch *w)
{
    rs_stamp now = rs_stamp_of(w->watched_dir);
    if (now.exists == w->dir_stamp.exists && now.dev == w->dir_stamp.dev &&
        now.ino == w->dir_stamp.ino)
        return false;
    w->dir_stamp = now;
    if (w->inotify_fd >= 0)
        close(w->inotify_fd);
    w->inotify_fd = now.exists ? open_inotify(w->watched_dir) : -1;
    return true;
}

void rs_watch_free(rs_watch *w)
{
    if (w->inotify_fd >= 0)
        close(w->inotify_fd);
    free(w->target);
    free(w->watched_dir);
    free(w->shown);
    free(w->pending);
    memset(w, 0, sizeof *w);
    w->inotify_fd = -1;
}

int rs_watch_fd(const rs_watch *w)
{
    return w->inotify_fd;
}

/* Read every pending inotify event; true when there was one. */
static bool drain(int fd)
{
    char buf[4096];
    bool any = false;
    if (fd >= 0)
        while (read(fd, buf, sizeof buf) > 0)
            any = true;
    return any;
}

/* The file to show: the watched file, or the newest checkpoint of the directory. */
static char *candidate(rs_watch *w)
{
    if (!w->is_dir)
        return strdup(w->target);
    rs_ckpt_list l;
    rs_error err = {0};
    if (rs_ckpt_list_dir(w->target, &l, &err) < 0) {
        w->error = err;
        return NULL;
    }
    char *newest = l.n ? strdup(l.items[l.n - 1].path) : NULL;
    rs_ckpt_list_free(&l);
    if (!newest && !w->shown)
        rs_fail(&w->error, w->target, "no checkpoint (.h5, .keras, .json) yet");
    return newest;
}

/* A new file or stamp: wait for it to settle from now on. */
static void set_pending(rs_watch *w, char *path, const rs_stamp *st, double now)
{
    if (w->pending != path) {
        free(w->pending);
        w->pending = path;
    }
    w->pending_stamp = *st;
    w->pending_since = now;
    w->next_try = 0;
    w->retry_ms = RS_WATCH_RETRY_MS;
}

static bool is_pending(const rs_watch *w, const char *path, const rs_stamp *st)
{
    return w->pending && strcmp(w->pending, path) == 0 && rs_stamp_equal(&w->pending_stamp, st);
}

static bool is_shown(const rs_watch *w, const char *path, const rs_stamp *st)
{
    return w->shown && strcmp(w->shown, path) == 0 && rs_stamp_equal(&w->shown_stamp, st);
}

/* Load the pending file; 1 when it loaded cleanly and did not change meanwhile. */
static int try_load(rs_watch *w, double now, rs_model **model)
{
    rs_error err = {0};
    rs_model *m = NULL;
    int rc = rs_model_load(w->pending, w->weights, &m, &err);
    rs_stamp after = rs_stamp_of(w->pending);
    if (!rs_stamp_equal(&after, &w->pending_stamp)) { /* written to while we read it */
        rs_model_free(m);
        set_pending(w, w->pending, &after, now);
        return 0;
    }
    if (rc == 0 && w->accept && w->accept(w->accept_user, m, &err) < 0) {
        rs_model_free(m);
        m = NULL;
        rc = -1;
    }
    if (rc < 0) {
        w->error = err;
        w->next_try = now + w->retry_ms / 1000.0;
        w->retry_ms = w->retry_ms * 2 > RS_WATCH_RETRY_MAX_MS ? RS_WATCH_RETRY_MAX_MS
                                                               : w->retry_ms * 2;
        return 0;
    }
    free(w->shown);
    w->shown = w->pending;
    w->pending = NULL;
    w->shown_stamp = after;
    w->shown_epoch = w->is_dir ? rs_ckpt_epoch_of(w->shown) : -1;
    rs_error_clear(&w->error);
    *model = m;
    return 1;
}

/* When (rs_watch_now's clock) the pending file will have been left alone for
 * RS_WATCH_SETTLE_MS: counted from its last modification (the mtime, on the wall clock) when
 * that is in the past, so that the wait does not also hold how late the change was noticed; at
 * the latest that long after the stamp was first seen. */
static double settles_at(const rs_watch *w, double now)
{
    double latest = w->pending_since + RS_WATCH_SETTLE_MS / 1000.0;
    struct timespec wall;
    if (clock_gettime(CLOCK_REALTIME, &wall) != 0)
        return latest;
    double age = (double)wall.tv_sec + wall.tv_nsec * 1e-9 - w->pending_stamp.mtime_ns * 1e-9;
    if (age < 0)
        return latest; /* a clock ahead of ours (a network file system): count ourselves */
    double from_mtime = now - age + RS_WATCH_SETTLE_MS / 1000.0;
    return from_mtime < latest ? from_mtime : latest;
}

int rs_watch_due_ms(const rs_watch *w, double now)
{
    if (w->pending) {
        double at = settles_at(w, now);
        at = at > w->next_try ? at : w->next_try;
        return at <= now ? 0 : (int)((at - now) * 1000) + 1;
    }
    struct pollfd p = {.fd = w->inotify_fd, .events = POLLIN};
    if (w->inotify_fd >= 0 && poll(&p, 1, 0) == 1)
        return 0;
    return INT_MAX;
}

int rs_watch_poll(rs_watch *w, double now, bool settle, rs_model **model)
{
    *model = NULL;
    bool changed = drain(w->inotify_fd);
    changed = rearm(w) || changed;
    /* with inotify, nothing happened in the directory: nothing to look at (a 200-checkpoint
     * directory is not listed four times a second) */
    if (w->inotify_fd >= 0 && !changed && !w->pending && w->shown)
        return 0;
    char *path = candidate(w);
    if (!path)
        return 0;
    rs_stamp st = rs_stamp_of(path);
    if (!st.exists || is_shown(w, path, &st)) {
        free(path);
        return 0;
    }
    if (!is_pending(w, path, &st)) {
        set_pending(w, path, &st, now);
        if (settle)
            return 0;
    } else {
        free(path);
    }
    if (settle && now < settles_at(w, now))
        return 0;
    if (now < w->next_try)
        return 0;
    return try_load(w, now, model);
}

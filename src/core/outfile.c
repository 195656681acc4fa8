/* Writing an output file without losing anything: what PATH is decides how it is written.
 *  - a regular file (or no file yet): written to a temporary file in its directory, then
 *    renamed over it, keeping its mode (and owner, where we may change it);
 *  - a symlink: followed; its final target is replaced that way and the link stays a link;
 *  - a device, FIFO, socket or /dev/fd/N: opened and written to directly (replacing
 *    /dev/null with a regular file broke a whole machine once).
 * The temporary file is removed on every way out, SIGINT, SIGTERM and SIGHUP included. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rnnscope/fileio.h"

#define MAX_LINK_HOPS 40

/* ---- the temporary file, for signal handlers ---- */

static char pending_tmp[PATH_MAX + 32];
static volatile sig_atomic_t pending_set, interrupted;
static const int cleanup_signals[] = {SIGINT, SIGTERM, SIGHUP};
static struct sigaction saved[3];
static bool installed[3];

void rs_write_cleanup_on_signal(void)
{
    if (pending_set) {
        pending_set = 0;
        unlink(pending_tmp); /* async-signal-safe */
    }
}

/* Remove the temporary file, then do what the signal did before (the program's own
 * handler, or the default action: the end of the process). */
static void on_signal(int sig, siginfo_t *info, void *uctx)
{
    int saved_errno = errno;
    rs_write_cleanup_on_signal();
    interrupted = 1;
    for (int i = 0; i < 3; i++) {
        if (cleanup_signals[i] != sig || !installed[i])
            continue;
        if (saved[i].sa_flags & SA_SIGINFO) {
            saved[i].sa_sigaction(sig, info, uctx);
        } else if (saved[i].sa_handler == SIG_DFL) {
            sigaction(sig, &saved[i], NULL);
            raise(sig); /* delivered when this handler returns */
        } else if (saved[i].sa_handler != SIG_IGN) {
            saved[i].sa_handler(sig);
        }
    }
    errno = saved_errno;
}

static void guard_tmp(const char *tmp)
{
    snprintf(pending_tmp, sizeof pending_tmp, "%s", tmp);
    interrupted = 0;
    pending_set = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; i++) {
        installed[i] = false;
        struct sigaction old;
        if (sigaction(cleanup_signals[i], NULL, &old) == 0 &&
            ((old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_IGN)) {
            saved[i] = old;
            installed[i] = sigaction(cleanup_signals[i], &sa, NULL) == 0;
        }
    }
}

static void unguard_tmp(void)
{
    for (int i = 0; i < 3; i++)
        if (installed[i])
            sigaction(cleanup_signals[i], &saved[i], NULL);
    pending_set = 0;
}

/* ---- what the path is ---- */

/* The process's own descriptors (/dev/fd/N, /dev/stdout: links into /proc) are written
 * through whatever they are. */
static bool is_descriptor_path(const char *p)
{
    return strncmp(p, "/proc/", 6) == 0 || strncmp(p, "/dev/fd/", 8) == 0;
}

/* The file a chain of symlinks ends at (it may not exist yet); -1 with errno on a loop. */
static int follow_links(const char *path, char *cur, size_t len)
{
    if (snprintf(cur, len, "%s", path) >= (int)len)
        return errno = ENAMETOOLONG, -1;
    for (int hop = 0; hop < MAX_LINK_HOPS; hop++) {
        char link[PATH_MAX];
        if (is_descriptor_path(cur))
            return 0;
        ssize_t n = readlink(cur, link, sizeof link - 1);
        if (n < 0)
            return errno == EINVAL || errno == ENOENT ? 0 : -1; /* not a link, or no file yet */
        link[n] = '\0';
        char next[PATH_MAX];
        const char *slash = strrchr(cur, '/');
        if (link[0] == '/' || !slash)
            n = snprintf(next, sizeof next, "%s", link);
        else
            n = snprintf(next, sizeof next, "%.*s/%s", (int)(slash - cur), cur, link);
        if (n >= (ssize_t)len)
            return errno = ENAMETOOLONG, -1;
        memcpy(cur, next, (size_t)n + 1);
    }
    return errno = ELOOP, -1;
}

/* Written through, not replaced: anything that exists and is not a regular file. */
static bool write_through(const char *target)
{
    struct stat st;
    return is_descriptor_path(target) || (stat(target, &st) == 0 && !S_ISREG(st.st_mode));
}

/* ---- writing ---- */

static int finish_stream(FILE *f, const char *name, int rc, bool sync, rs_error *err)
{
    if (rc == 0 && fflush(f) != 0)
        rc = rs_fail(err, name, "write failed: %s", strerror(errno));
    if (rc == 0 && sync && fsync(fileno(f)) != 0 && errno != EINVAL)
        rc = rs_fail(err, name, "write failed: %s", strerror(errno));
    if (fclose(f) != 0 && rc == 0)
        rc = rs_fail(err, name, "write failed: %s", strerror(errno));
    return rc;
}

/* N of "/dev/fd/N" or "/proc/self/fd/N" (where /dev/stdout leads), else -1. */
static int own_descriptor(const char *target)
{
    const char *p = !strncmp(target, "/dev/fd/", 8) ? target + 8
                    : !strncmp(target, "/proc/self/fd/", 14) ? target + 14 : NULL;
    if (!p || *p < '0' || *p > '9' || strlen(p) > 6 || strspn(p, "0123456789") != strlen(p))
        return -1;
    return atoi(p);
}

/* A descriptor of our own is written where it stands (its offset, O_APPEND: ">> log" keeps
 * the log); anything else is opened for writing. */
static int write_direct(const char *path, const char *target, rs_write_fn fn, const void *ctx,
                        rs_error *err)
{
    int own = own_descriptor(target);
    int fd = own >= 0 ? fcntl(own, F_DUPFD_CLOEXEC, 3)
                      : open(path, O_WRONLY | O_TRUNC | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return rs_fail(err, path, "%s", strerror(errno));
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        close(fd);
        return rs_fail_oom(err, path);
    }
    return finish_stream(f, path, fn(f, path, ctx, err), false, err);
}

/* The new file gets the old one's mode and owner, or the usual mode of a new file. */
static void copy_attributes(int fd, const char *target, bool private_file)
{
    struct stat st;
    if (private_file) {
        fchmod(fd, 0600); /* never the mode of whatever the name pointed at */
    } else if (stat(target, &st) == 0) {
        if (fchown(fd, st.st_uid, st.st_gid) != 0 && fchown(fd, (uid_t)-1, st.st_gid) != 0) {
            /* not ours to give away: the new file stays ours */
        }
        fchmod(fd, st.st_mode & 07777);
    } else {
        mode_t mask = umask(0);
        umask(mask);
        fchmod(fd, 0666 & ~mask);
    }
}

static int write_replacing(const char *path, const char *target, bool private_file,
                           rs_write_fn fn, const void *ctx, rs_error *err)
{
    char tmp[PATH_MAX + 16];
    if (snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", target) >= (int)sizeof tmp)
        return rs_fail(err, path, "%s", strerror(ENAMETOOLONG));
    sigset_t block, old;
    sigemptyset(&block);
    for (int i = 0; i < 3; i++)
        sigaddset(&block, cleanup_signals[i]);
    sigprocmask(SIG_BLOCK, &block, &old); /* no window between mkstemp and the guard */
    int fd = mkstemp(tmp);
    int e = errno;
    if (fd >= 0)
        guard_tmp(tmp);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (fd < 0)
        return rs_fail(err, path, "cannot create a temporary file: %s", strerror(e));
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        close(fd);
        unlink(tmp);
        unguard_tmp();
        return rs_fail(err, path, "cannot open a temporary file");
    }
    copy_attributes(fd, target, private_file);
    int rc = finish_stream(f, path, fn(f, path, ctx, err), true, err);
    if (rc == 0 && interrupted)
        rc = rs_fail(err, path, "interrupted");
    if (rc == 0 && rename(tmp, target) != 0)
        rc = rs_fail(err, path, "cannot rename the temporary file: %s", strerror(errno));
    if (rc != 0 && !interrupted)
        unlink(tmp);
    unguard_tmp();
    return rc;
}

int rs_write_atomic(const char *path, rs_write_fn fn, const void *ctx, rs_error *err)
{
    char target[PATH_MAX];
    if (follow_links(path, target, sizeof target) < 0)
        return rs_fail(err, path, "%s", strerror(errno));
    if (write_through(target))
        return write_direct(path, target, fn, ctx, err);
    return write_replacing(path, target, false, fn, ctx, err);
}

int rs_write_private(const char *path, rs_write_fn fn, const void *ctx, rs_error *err)
{
    return write_replacing(path, path, true, fn, ctx, err);
}

/* libhdf5 1.10 (Debian 12's) can crash or loop forever on corrupt files: dangling global heap
 * references make H5HG_read read through NULL, corrupt heaps stall it (found by fuzzing).
 * Such faults cannot be caught in-process, so a file that libhdf5 will read is first loaded in
 * a child process with its output discarded; only when the child survives is the file loaded
 * here. The child's verdict is only about crashing: errors are reported by the real load.
 * The guard costs little: the child skips the bulk of the data (h5util.c: plain_copy), and a
 * load here after the child's success skips the checks the child already made. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model/internal.h"
#include "rnnscope/memcap.h"

#define GUARD_TIMEOUT_MS (300 * 1000)
#define GUARD_FAILED_CLEANLY 42

static bool in_child;
static bool vouched; /* the load running here is one the child completed */

bool rs_h5_in_guard_child(void)
{
    return in_child;
}

bool rs_h5_vouched_by_guard(void)
{
    return vouched;
}

/* Room for the program itself (code, libraries, libhdf5's caches) beside the capped data. */
#define CHILD_ROOM ((size_t)512 << 20)

/* AddressSanitizer and ThreadSanitizer reserve terabytes of shadow memory. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define UNDER_SHADOW_SANITIZER 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UNDER_SHADOW_SANITIZER 1
#endif

/* libhdf5 allocates whatever corrupt metadata asks for (fuzzing found files that make it fill
 * gigabytes for tens of seconds) before rnnscope can check anything, so the child runs under an
 * address-space limit of the memory cap plus room for the program. Not under AddressSanitizer
 * or ThreadSanitizer, whose shadow memory is address space too. */
static void limit_child_memory(void)
{
#ifndef UNDER_SHADOW_SANITIZER
    size_t cap = rs_memcap_get();
    struct rlimit r;
    if (cap == RS_MEMCAP_NONE || getrlimit(RLIMIT_AS, &r) < 0)
        return;
    rlim_t want = (rlim_t)rs_size_add(cap, CHILD_ROOM);
    if (r.rlim_cur == RLIM_INFINITY || want < r.rlim_cur) {
        r.rlim_cur = want;
        setrlimit(RLIMIT_AS, &r);
    }
#endif
}

/* The child's error goes back through the pipe, so that a file which fails cleanly is not
 * loaded a second time just to say why (some corrupt files make libhdf5 churn for seconds). */
static void child_run(rs_guarded_fn fn, void *ctx, int report_fd)
{
    in_child = true;
    limit_child_memory();
    /* The child's tensors are allocated but mostly never read into (plain_copy in h5util.c).
     * Taken from the parent's freed heap, which the fork shares copy-on-write, calloc's zeroing
     * copied every page of it (a 10 MB checkpoint loaded again in a long process, as a timeline
     * does: 48 ms a load, 8 ms without the guard); mapped fresh, they are never touched. */
    mallopt(M_MMAP_THRESHOLD, 64 * 1024);
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) {
        dup2(devnull, STDOUT_FILENO);
        dup2(devnull, STDERR_FILENO);
    }
    rs_error err = {0};
    /* _exit: no atexit handlers, no sanitizer leak pass. A distinct status for "failed
     * cleanly", so that a crash turned into an exit status (by a sanitizer) is told apart. */
    if (fn(ctx, &err) == 0)
        _exit(0);
    /* the whole error, code and message, in one write (less than PIPE_BUF: atomic) */
    _exit(write(report_fd, &err, sizeof err) == (ssize_t)sizeof err ? GUARD_FAILED_CLEANLY
                                                                     : GUARD_FAILED_CLEANLY + 1);
}

/* The error the child wrote before exiting; false when there is none. */
static bool read_report(int fd, rs_error *err)
{
    rs_error got;
    if (read(fd, &got, sizeof got) != (ssize_t)sizeof got)
        return false;
    got.msg[sizeof got.msg - 1] = '\0';
    rs_fail_code(err, got.code, NULL, "%s", got.msg);
    return true;
}

/* Wait for the child: the read end of a pipe whose write end only the child holds reports
 * end-of-file the moment the child exits. -1 on timeout (the child is killed). */
static int wait_child(pid_t pid, int exit_fd, int *status)
{
    struct pollfd p = {.fd = exit_fd, .events = POLLIN};
    int r;
    do
        r = poll(&p, 1, GUARD_TIMEOUT_MS);
    while (r < 0 && errno == EINTR);
    if (r == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, status, 0);
        return -1;
    }
    while (waitpid(pid, status, 0) < 0)
        if (errno != EINTR)
            return 1; /* lost the child (reaped elsewhere): no verdict */
    return 0;
}

/* Fork the child; returns its pid (or -1 when it cannot) and the pipe's read end. */
static pid_t start_child(rs_guarded_fn fn, void *ctx, int *exit_fd)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        child_run(fn, ctx, pfd[1]);
    }
    close(pfd[1]);
    if (pid < 0)
        close(pfd[0]);
    *exit_fd = pfd[0];
    return pid;
}

/* Large blocks (tensors) are mapped when allocated and unmapped when freed, in this process
 * too. glibc's default raises its threshold as such blocks are freed, keeping later ones in
 * the heap; the guard's fork write-protects the heap, and the next load's tensors, taken from
 * it, then faulted and were copied page by page (the copy-on-write of pages the child had
 * already let go of). Set once, for the whole process, at its second guarded load: a process
 * that loads one model (dump, plot, the explorer on a file) keeps glibc's own threshold, which
 * keeps the large tensors of later forward passes in the heap instead of mapping (and faulting
 * in) fresh pages for every run. */
static atomic_uint guarded_loads;

static void map_large_blocks(void)
{
    if (atomic_fetch_add(&guarded_loads, 1) == 1)
        mallopt(M_MMAP_THRESHOLD, 1 << 20);
}

int rs_h5_guarded(rs_guarded_fn fn, void *ctx, const char *where, rs_error *err)
{
    const char *off = getenv("RNNSCOPE_NO_HDF5_GUARD");
    if (off && *off && *off != '0')
        return fn(ctx, err);
    map_large_blocks();
    int exit_fd = -1;
    pid_t pid = start_child(fn, ctx, &exit_fd);
    if (pid > 0) {
        int status = 0;
        int w = wait_child(pid, exit_fd, &status);
        bool reported = w == 0 && WIFEXITED(status) &&
                        WEXITSTATUS(status) == GUARD_FAILED_CLEANLY && read_report(exit_fd, err);
        close(exit_fd);
        if (reported)
            return -1;
        if (w < 0)
            return rs_fail_code(err, RS_ERR_BAD_FILE, where, "the HDF5 library got stuck "
                                "reading this file (it is corrupt)");
        /* A clean failure without a report (none written): the load here says why. */
        bool clean = WIFEXITED(status) && (WEXITSTATUS(status) == 0 ||
                                           WEXITSTATUS(status) == GUARD_FAILED_CLEANLY ||
                                           WEXITSTATUS(status) == GUARD_FAILED_CLEANLY + 1);
        if (w == 0 && !clean)
            return rs_fail_code(err, RS_ERR_BAD_FILE, where, "the HDF5 library crashed "
                                "reading this file (it is corrupt)");
        vouched = w == 0 && WEXITSTATUS(status) == 0;
    }
    int rc = fn(ctx, err); /* also when fork failed: load without the guard */
    vouched = false;
    return rc;
}

/* libhdf5 1.10 (Debian 12's) can crash or loop forever on corrupt files: dangling global heap
 * references make H5HG_read read through NULL, corrupt heaps stall it (found by fuzzing).
 * Such faults cannot be caught in-process, so a file that libhdf5 will read is first loaded in
 * a child process with its output discarded; only when the child survives is the file loaded
 * here. The child's verdict is only about crashing: errors are reported by the real load. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "model/internal.h"

#define GUARD_TIMEOUT_MS (300 * 1000)
#define GUARD_FAILED_CLEANLY 42

static void child_run(rs_guarded_fn fn, void *ctx)
{
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) {
        dup2(devnull, STDOUT_FILENO);
        dup2(devnull, STDERR_FILENO);
    }
    rs_error err = {{0}};
    /* _exit: no atexit handlers, no sanitizer leak pass. A distinct status for "failed
     * cleanly", so that a crash turned into an exit status (by a sanitizer) is told apart. */
    _exit(fn(ctx, &err) == 0 ? 0 : GUARD_FAILED_CLEANLY);
}

/* Wait for the child, polling with a growing sleep; -1 on timeout (the child is killed). */
static int wait_child(pid_t pid, int *status)
{
    long waited_ms = 0, step_ms = 1;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 0;
        if (r < 0)
            return 1; /* lost the child (reaped elsewhere): no verdict */
        if (waited_ms >= GUARD_TIMEOUT_MS) {
            kill(pid, SIGKILL);
            waitpid(pid, status, 0);
            return -1;
        }
        struct timespec ts = {step_ms / 1000, (step_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        waited_ms += step_ms;
        if (step_ms < 50)
            step_ms *= 2;
    }
}

int rs_h5_guarded(rs_guarded_fn fn, void *ctx, const char *where, rs_error *err)
{
    const char *off = getenv("RNNSCOPE_NO_HDF5_GUARD");
    if (off && *off && *off != '0')
        return fn(ctx, err);
    pid_t pid = fork();
    if (pid == 0)
        child_run(fn, ctx);
    if (pid > 0) {
        int status = 0;
        int w = wait_child(pid, &status);
        if (w < 0)
            return rs_fail(err, where, "the HDF5 library got stuck reading this file (it is "
                                       "corrupt)");
        bool clean = WIFEXITED(status) && (WEXITSTATUS(status) == 0 ||
                                           WEXITSTATUS(status) == GUARD_FAILED_CLEANLY);
        if (w == 0 && !clean)
            return rs_fail(err, where, "the HDF5 library crashed reading this file (it is "
                                       "corrupt)");
    }
    return fn(ctx, err); /* also when fork failed: load without the guard */
}

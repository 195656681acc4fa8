/* Output files (src/core/outfile.c): a regular file replaced whole keeping its mode, a symlink
 * followed, devices, FIFOs and /dev/fd/N written through, and no temporary file left behind on
 * any way out, signals included. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "rnnscope/fileio.h"

static char dir[4096];

static const char *in_dir(const char *name)
{
    static char buf[4][4200];
    static int slot;
    slot = (slot + 1) % 4;
    snprintf(buf[slot], sizeof buf[slot], "%s/%s", dir, name);
    return buf[slot];
}

static int write_text(FILE *f, const char *name, const void *ctx, rs_error *err)
{
    if (fputs(ctx, f) < 0)
        return rs_fail(err, name, "write failed");
    return 0;
}

static int write_then_fail(FILE *f, const char *name, const void *ctx, rs_error *err)
{
    fputs(ctx, f);
    return rs_fail(err, name, "the writer failed");
}

/* Writes half, then receives the signal given in ctx, then writes the rest. */
static int write_and_signal(FILE *f, const char *name, const void *ctx, rs_error *err)
{
    (void)name;
    (void)err;
    fputs("half", f);
    fflush(f);
    raise(*(const int *)ctx);
    fputs(" and the rest", f);
    return 0;
}

static char *slurp(const char *path)
{
    static char buf[256];
    buf[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f)
        return buf;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Files in the directory whose name contains ".tmp". */
static int temporaries(void)
{
    int n = 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));)
        n += strstr(e->d_name, ".tmp") != NULL;
    if (d)
        closedir(d);
    return n;
}

static void put(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

static void test_new_file_and_mode_kept(void)
{
    rs_error err = {0};
    mode_t mask = umask(022);
    CHECK(rs_write_atomic(in_dir("new.txt"), write_text, "new", &err) == 0);
    struct stat st;
    CHECK(stat(in_dir("new.txt"), &st) == 0 && (st.st_mode & 0777) == 0644);
    put(in_dir("private.txt"), "old", 0600);
    CHECK(rs_write_atomic(in_dir("private.txt"), write_text, "secret", &err) == 0);
    CHECK(stat(in_dir("private.txt"), &st) == 0 && (st.st_mode & 07777) == 0600);
    CHECK_STR(slurp(in_dir("private.txt")), "secret");
    put(in_dir("odd.txt"), "old", 0751);
    CHECK(rs_write_atomic(in_dir("odd.txt"), write_text, "x", &err) == 0);
    CHECK(stat(in_dir("odd.txt"), &st) == 0 && (st.st_mode & 07777) == 0751);
    /* as root, a file of another user stays theirs */
    if (geteuid() == 0) {
        put(in_dir("theirs.txt"), "old", 0640);
        CHECK(chown(in_dir("theirs.txt"), 65534, 65534) == 0);
        CHECK(rs_write_atomic(in_dir("theirs.txt"), write_text, "new", &err) == 0);
        CHECK(stat(in_dir("theirs.txt"), &st) == 0 && st.st_uid == 65534 && st.st_gid == 65534 &&
              (st.st_mode & 07777) == 0640);
    }
    umask(mask);
    CHECK(temporaries() == 0);
}

static void test_failure_keeps_old_file(void)
{
    rs_error err = {0};
    put(in_dir("keep.txt"), "old", 0644);
    CHECK(rs_write_atomic(in_dir("keep.txt"), write_then_fail, "new", &err) < 0);
    CHECK_CONTAINS(err.msg, "the writer failed");
    CHECK_STR(slurp(in_dir("keep.txt")), "old");
    CHECK(temporaries() == 0);
}

static void test_symlink_followed(void)
{
    rs_error err = {0};
    put(in_dir("target.txt"), "old", 0640);
    CHECK(symlink("target.txt", in_dir("link.txt")) == 0);
    CHECK(rs_write_atomic(in_dir("link.txt"), write_text, "through the link", &err) == 0);
    struct stat st;
    CHECK(lstat(in_dir("link.txt"), &st) == 0 && S_ISLNK(st.st_mode));
    CHECK_STR(slurp(in_dir("target.txt")), "through the link");
    CHECK(stat(in_dir("target.txt"), &st) == 0 && (st.st_mode & 07777) == 0640);
    /* a chain of links, and a link to a file not there yet: the file is made where it points */
    CHECK(symlink("link.txt", in_dir("link2.txt")) == 0);
    CHECK(rs_write_atomic(in_dir("link2.txt"), write_text, "two hops", &err) == 0);
    CHECK_STR(slurp(in_dir("target.txt")), "two hops");
    CHECK(symlink("later.txt", in_dir("dangling.txt")) == 0);
    CHECK(rs_write_atomic(in_dir("dangling.txt"), write_text, "made", &err) == 0);
    CHECK(lstat(in_dir("dangling.txt"), &st) == 0 && S_ISLNK(st.st_mode));
    CHECK_STR(slurp(in_dir("later.txt")), "made");
    /* a loop is an error, not a hang */
    CHECK(symlink("loop_b", in_dir("loop_a")) == 0 && symlink("loop_a", in_dir("loop_b")) == 0);
    CHECK(rs_write_atomic(in_dir("loop_a"), write_text, "x", &err) < 0);
    CHECK(temporaries() == 0);
}

static void test_fifo_written_through(void)
{
    rs_error err = {0};
    const char *fifo = in_dir("fifo");
    CHECK(mkfifo(fifo, 0600) == 0);
    int fds[2];
    CHECK(pipe(fds) == 0);
    pid_t reader = fork();
    if (reader == 0) { /* reads the FIFO and passes on what it got */
        close(fds[0]);
        char buf[64] = "";
        int fd = open(fifo, O_RDONLY);
        ssize_t n = read(fd, buf, sizeof buf - 1);
        (void)!write(fds[1], buf, n > 0 ? (size_t)n : 0);
        _exit(0);
    }
    close(fds[1]);
    CHECK(rs_write_atomic(fifo, write_text, "into the fifo", &err) == 0);
    char got[64] = "";
    ssize_t n = read(fds[0], got, sizeof got - 1);
    got[n > 0 ? n : 0] = '\0';
    close(fds[0]);
    waitpid(reader, NULL, 0);
    CHECK_STR(got, "into the fifo");
    struct stat st;
    CHECK(lstat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));
    CHECK(temporaries() == 0);
}

static void test_devices_and_descriptors(void)
{
    rs_error err = {0};
    struct stat st;
    /* a null device of our own where we may make one (root), so that a regression cannot
     * replace the machine's /dev/null; a user cannot replace /dev/null anyway */
    const char *null = in_dir("null");
    if (mknod(null, S_IFCHR | 0666, makedev(1, 3)) != 0)
        null = "/dev/null";
    CHECK(rs_write_atomic(null, write_text, "nothing", &err) == 0);
    CHECK(stat(null, &st) == 0 && S_ISCHR(st.st_mode));
    /* a link to it (as ~/out.npy -> /dev/null) */
    CHECK(symlink(null, in_dir("null_link")) == 0);
    CHECK(rs_write_atomic(in_dir("null_link"), write_text, "nothing", &err) == 0);
    CHECK(lstat(in_dir("null_link"), &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(stat(null, &st) == 0 && S_ISCHR(st.st_mode));
    /* /dev/fd/N of a pipe (what the shell's >(cmd) gives) */
    int fds[2];
    CHECK(pipe(fds) == 0);
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", fds[1]);
    CHECK(rs_write_atomic(path, write_text, "piped", &err) == 0);
    close(fds[1]);
    char got[64] = "";
    ssize_t n = read(fds[0], got, sizeof got - 1);
    got[n > 0 ? n : 0] = '\0';
    close(fds[0]);
    CHECK_STR(got, "piped");
    /* /dev/fd/N of a file opened for appending (">> log"): appended, nothing lost */
    put(in_dir("log.txt"), "kept;", 0644);
    int fd = open(in_dir("log.txt"), O_WRONLY | O_APPEND);
    snprintf(path, sizeof path, "/dev/fd/%d", fd);
    CHECK(rs_write_atomic(path, write_text, "appended", &err) == 0);
    close(fd);
    CHECK_STR(slurp(in_dir("log.txt")), "kept;appended");
    /* a descriptor that is not open is an error */
    CHECK(rs_write_atomic("/dev/fd/999", write_text, "x", &err) < 0);
    /* a directory is an error */
    CHECK(rs_write_atomic(dir, write_text, "x", &err) < 0);
}

/* A SIGTERM with its default action during the write: the process ends by it, and the
 * temporary file goes with it. */
static void test_signal_default_action(void)
{
    static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
    for (int i = 0; i < 3; i++) {
        put(in_dir("sig.txt"), "old", 0644);
        pid_t child = fork();
        if (child == 0) {
            signal(sigs[i], SIG_DFL);
            rs_error err;
            rs_write_atomic(in_dir("sig.txt"), write_and_signal, &sigs[i], &err);
            _exit(0);
        }
        int status = 0;
        waitpid(child, &status, 0);
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == sigs[i]);
        CHECK_STR(slurp(in_dir("sig.txt")), "old");
        CHECK(temporaries() == 0);
    }
}

static volatile sig_atomic_t handled;
static void on_term(int sig)
{
    handled = sig;
}

static void on_term_info(int sig, siginfo_t *info, void *uctx)
{
    (void)uctx;
    handled = info && info->si_signo == sig ? sig + 1000 : -1;
}

/* The program's own handler (the explorer's: a flag for its loop) still runs, the write is
 * abandoned with an error and the temporary file removed. */
static void test_signal_program_handler(void)
{
    rs_error err = {0};
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, &old);
    put(in_dir("flag.txt"), "old", 0644);
    int sig = SIGTERM;
    CHECK(rs_write_atomic(in_dir("flag.txt"), write_and_signal, &sig, &err) < 0);
    CHECK_CONTAINS(err.msg, "interrupted");
    CHECK(handled == SIGTERM);
    CHECK_STR(slurp(in_dir("flag.txt")), "old");
    CHECK(temporaries() == 0);
    struct sigaction now;
    sigaction(SIGTERM, NULL, &now);
    CHECK(now.sa_handler == on_term); /* given back as it was */
    /* a handler with SA_SIGINFO gets its siginfo */
    sa.sa_sigaction = on_term_info;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGTERM, &sa, NULL);
    handled = 0;
    CHECK(rs_write_atomic(in_dir("flag.txt"), write_and_signal, &sig, &err) < 0);
    CHECK(handled == SIGTERM + 1000);
    CHECK(temporaries() == 0);
    sigaction(SIGTERM, &old, NULL);
    /* and an ignored signal stays ignored: the write completes */
    signal(SIGHUP, SIG_IGN);
    sig = SIGHUP;
    CHECK(rs_write_atomic(in_dir("flag.txt"), write_and_signal, &sig, &err) == 0);
    CHECK_STR(slurp(in_dir("flag.txt")), "half and the rest");
    signal(SIGHUP, SIG_DFL);
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/rs-outfile-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir))
        return 1;
    run_test("new file mode from the umask; an existing file keeps its mode (and owner, as root)",
             test_new_file_and_mode_kept);
    run_test("a failed write keeps the old file and leaves no temporary",
             test_failure_keeps_old_file);
    run_test("symlinks followed: the target replaced, the link kept", test_symlink_followed);
    run_test("a FIFO is written through, not replaced", test_fifo_written_through);
    run_test("/dev/null, a link to it and /dev/fd/N are written through",
             test_devices_and_descriptors);
    run_test("SIGTERM, SIGINT, SIGHUP during a write: no temporary file left",
             test_signal_default_action);
    run_test("a program's own signal handler still runs; the write is abandoned",
             test_signal_program_handler);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 1;
    return check_finish();
}

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rnnscope/fileio.h"
#include "rnnscope/memcap.h"

int rs_open_regular(const char *path, struct stat *st, rs_error *err)
{
    struct stat own;
    if (!st)
        st = &own;
    /* O_NONBLOCK: open() of a FIFO returns at once instead of waiting for a writer */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return rs_fail_code(err, RS_ERR_IO, path, "cannot open: %s", strerror(errno));
    if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        return rs_fail(err, path, "not a regular file");
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    return fd;
}

FILE *rs_fopen_regular(const char *path, rs_error *err)
{
    int fd = rs_open_regular(path, NULL, err);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "rb");
    if (fd >= 0 && !f) {
        rs_fail_code(err, RS_ERR_IO, path, "cannot open: %s", strerror(errno));
        close(fd);
    }
    return f;
}

/* size bytes from fd; a file that ends sooner has shrunk. */
static int read_exactly(int fd, unsigned char *buf, size_t size, const char *path, rs_error *err)
{
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return rs_fail_code(err, RS_ERR_IO, path, "read failed: %s",
                                n < 0 ? strerror(errno) : "file shrank");
        got += (size_t)n;
    }
    return 0;
}

int rs_read_file(const char *path, size_t max_bytes, unsigned char **data, size_t *len,
                 rs_error *err)
{
    *data = NULL;
    *len = 0;
    struct stat st;
    int fd = rs_open_regular(path, &st, err);
    if (fd < 0)
        return -1;
    /* the whole file is held in memory: it must fit the memory cap */
    if (rs_memcap_check(0, (size_t)st.st_size, path, "the file is", err) < 0) {
        close(fd);
        return -1;
    }
    if ((unsigned long long)st.st_size > max_bytes) {
        close(fd);
        return rs_fail(err, path, "file is %lld bytes, more than the limit of %zu",
                       (long long)st.st_size, max_bytes);
    }
    size_t size = (size_t)st.st_size;
    unsigned char *buf = malloc(size + 1);
    if (!buf) {
        close(fd);
        return rs_fail_code(err, RS_ERR_NO_MEMORY, path, "out of memory reading %zu bytes", size);
    }
    int rc = read_exactly(fd, buf, size, path, err);
    close(fd);
    if (rc < 0) {
        free(buf);
        return -1;
    }
    buf[size] = '\0';
    *data = buf;
    *len = size;
    return 0;
}

int rs_read_file_into(const char *path, unsigned char *buf, size_t room, size_t *len,
                      rs_error *err)
{
    struct stat st;
    int fd = rs_open_regular(path, &st, err);
    if (fd < 0)
        return -1;
    *len = (size_t)st.st_size;
    int rc = (unsigned long long)st.st_size <= room
                 ? read_exactly(fd, buf, *len, path, err)
                 : rs_fail(err, path, "the file grew while it was being read");
    close(fd);
    return rc;
}


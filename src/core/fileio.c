#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rnnscope/fileio.h"
#include "rnnscope/memcap.h"

int rs_read_file(const char *path, size_t max_bytes, unsigned char **data, size_t *len,
                 rs_error *err)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return rs_fail(err, path, "%s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return rs_fail(err, path, "not a regular file");
    }
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
        return rs_fail(err, path, "out of memory reading %zu bytes", size);
    }
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = errno;
            free(buf);
            close(fd);
            return rs_fail(err, path, "read failed: %s", n < 0 ? strerror(e) : "file shrank");
        }
        got += (size_t)n;
    }
    close(fd);
    buf[size] = '\0';
    *data = buf;
    *len = size;
    return 0;
}

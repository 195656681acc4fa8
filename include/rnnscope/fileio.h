/* Whole-file reads with a size cap, and atomic writes through a temporary file. */
#ifndef RNNSCOPE_FILEIO_H
#define RNNSCOPE_FILEIO_H

#include <stdio.h>
#include "rnnscope/error.h"

struct stat;

/* Open path read-only when it is a regular file, its status in *st (may be NULL); else -1 with
 * "<path>: cannot open: <reason>" or "<path>: not a regular file". Never blocks: a FIFO,
 * where a model or an input should be, would block open() until a writer comes and then
 * read() forever; devices and directories have no size to trust. */
int rs_open_regular(const char *path, struct stat *st, rs_error *err);

/* The same as a stdio stream ("rb"), or NULL. */
FILE *rs_fopen_regular(const char *path, rs_error *err);

/* Read a regular file fully into a NUL-terminated buffer (caller frees). */
int rs_read_file(const char *path, size_t max_bytes, unsigned char **data, size_t *len,
                 rs_error *err);

/* Read regular file path whole into buf, which has room bytes (no allocation); its size in *len.
 * A file larger than room (it grew since its size was taken) is an error. */
int rs_read_file_into(const char *path, unsigned char *buf, size_t room, size_t *len,
                      rs_error *err);

/* Writer callback for rs_write_atomic: writes the content to f. */
typedef int (*rs_write_fn)(FILE *f, const char *name, const void *ctx, rs_error *err);

/* Write through "<path>.XXXXXX" in the same directory, fsync, then rename onto path.
 * On any failure the temporary file is removed and path is untouched. */
int rs_write_atomic(const char *path, rs_write_fn fn, const void *ctx, rs_error *err);

#endif

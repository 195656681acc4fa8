/* Whole-file reads with a size cap, and output files written without losing anything. */
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

/* Write an output file (src/core/outfile.c). A regular file (or none yet) is written to
 * "<file>.tmpXXXXXX" beside it, fsynced and renamed over it with the old file's mode (and
 * owner when we may); on any failure the temporary file is removed and the file untouched.
 * A symlink is followed and its final target replaced that way (the link stays). A device,
 * FIFO, socket or /dev/fd/N is opened and written to directly. */
int rs_write_atomic(const char *path, rs_write_fn fn, const void *ctx, rs_error *err);

/* Write a file of rnnscope's own (a cache entry): whatever PATH is now (a symlink, a FIFO,
 * a device planted there) is never followed nor written to; the new content goes to a
 * temporary file beside it, mode 0600, renamed over the name itself. */
int rs_write_private(const char *path, rs_write_fn fn, const void *ctx, rs_error *err);

/* Async-signal-safe: remove the temporary file of a write in progress, if any. While a
 * write is in progress, SIGINT, SIGTERM and SIGHUP do this themselves and then what they
 * did before; a program-wide handler installed later may call it too. */
void rs_write_cleanup_on_signal(void);

#endif

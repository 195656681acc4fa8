/* Errors returned by library code: a message naming the file or layer and the problem.
 * Library code never prints; src/cli and src/tui print "rnnscope: <msg>". */
#ifndef RNNSCOPE_ERROR_H
#define RNNSCOPE_ERROR_H

#include <stddef.h>

#define RS_ERROR_MAX 512

typedef struct rs_error {
    char msg[RS_ERROR_MAX]; /* "<where>: <what>", empty when no error */
} rs_error;

/* Fill err (may be NULL) with "<where>: <formatted>" and return -1.
 * where may be NULL or empty, then the message is just the formatted text. */
int rs_fail(rs_error *err, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix an existing message with "<where>: " (for adding context on the way up). */
int rs_error_prefix(rs_error *err, const char *where);

void rs_error_clear(rs_error *err);

#endif

/* Errors returned by library code: a message naming the file or layer and the problem, and a
 * code saying what kind of failure it is. Library code never prints; src/cli and src/tui print
 * "rnnscope: <msg>". A caller that reacts to one kind of failure (a cancel, an unsupported
 * layer) tests the code, never the message. */
#ifndef RNNSCOPE_ERROR_H
#define RNNSCOPE_ERROR_H

#include <stddef.h>

#define RS_ERROR_MAX 512

typedef enum rs_error_code {
    RS_ERR_NONE = 0,     /* no error */
    RS_ERR_FAILED,       /* a failure of no kind below */
    RS_ERR_CANCELLED,    /* the user stopped a computation (Esc: the progress callback said no) */
    RS_ERR_UNSUPPORTED,  /* valid Keras that rnnscope does not do: a layer class, an activation,
                          * a reverse pass, a weight dtype */
    RS_ERR_NO_MEMORY,    /* out of memory, or more than the memory cap (--max-memory) */
    RS_ERR_BAD_FILE,     /* a file that is not what it claims: truncated, corrupt, inconsistent */
    RS_ERR_BAD_ARGUMENT, /* what the caller asked for is wrong: a name, a shape, an index */
    RS_ERR_IO,           /* the system refused: a file that cannot be opened, read or written */
} rs_error_code;

typedef struct rs_error {
    char msg[RS_ERROR_MAX]; /* "<where>: <what>", empty when no error */
    rs_error_code code;     /* RS_ERR_NONE when no error */
} rs_error;

/* Fill err (may be NULL) with "<where>: <formatted>", code RS_ERR_FAILED, and return -1.
 * where may be NULL or empty, then the message is just the formatted text. */
int rs_fail(rs_error *err, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The same with a code. */
int rs_fail_code(rs_error *err, rs_error_code code, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "<where>: out of memory" (RS_ERR_NO_MEMORY); returns -1. */
int rs_fail_oom(rs_error *err, const char *where);

/* "cancelled" (RS_ERR_CANCELLED); returns -1. */
int rs_fail_cancelled(rs_error *err);

/* Prefix an existing message with "<where>: " (for adding context on the way up); the code
 * stays. */
int rs_error_prefix(rs_error *err, const char *where);

/* Give an error of no particular kind (RS_ERR_FAILED) the code `code`; others keep theirs.
 * For a boundary that knows what its failures are (a model file that does not load is a bad
 * file unless something more precise was said). */
void rs_error_default_code(rs_error *err, rs_error_code code);

void rs_error_clear(rs_error *err);

#endif

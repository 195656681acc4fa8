#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rnnscope/error.h"

static int fail_v(rs_error *err, rs_error_code code, const char *where, const char *fmt,
                  va_list ap)
{
    if (!err)
        return -1;
    size_t used = 0;
    if (where && *where) {
        int n = snprintf(err->msg, sizeof err->msg, "%s: ", where);
        used = n < 0 ? 0 : (size_t)n < sizeof err->msg ? (size_t)n : sizeof err->msg - 1;
    }
    vsnprintf(err->msg + used, sizeof err->msg - used, fmt, ap);
    err->code = code;
    return -1;
}

int rs_fail(rs_error *err, const char *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_v(err, RS_ERR_FAILED, where, fmt, ap);
    va_end(ap);
    return -1;
}

int rs_fail_code(rs_error *err, rs_error_code code, const char *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_v(err, code, where, fmt, ap);
    va_end(ap);
    return -1;
}

int rs_fail_oom(rs_error *err, const char *where)
{
    return rs_fail_code(err, RS_ERR_NO_MEMORY, where, "out of memory");
}

int rs_fail_cancelled(rs_error *err)
{
    return rs_fail_code(err, RS_ERR_CANCELLED, NULL, "cancelled");
}

int rs_error_prefix(rs_error *err, const char *where)
{
    if (!err || !where || !*where)
        return -1;
    char old[RS_ERROR_MAX];
    memcpy(old, err->msg, sizeof old);
    size_t n = strlen(where);
    if (n > sizeof err->msg - 3)
        n = sizeof err->msg - 3;
    memcpy(err->msg, where, n);
    memcpy(err->msg + n, ": ", 2);
    size_t room = sizeof err->msg - n - 3;
    size_t olen = strnlen(old, room);
    memcpy(err->msg + n + 2, old, olen);
    err->msg[n + 2 + olen] = '\0';
    return -1;
}

void rs_error_default_code(rs_error *err, rs_error_code code)
{
    if (err && err->code == RS_ERR_FAILED)
        err->code = code;
}

void rs_error_clear(rs_error *err)
{
    if (err) {
        err->msg[0] = '\0';
        err->code = RS_ERR_NONE;
    }
}

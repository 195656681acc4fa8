/* CSV of one sample: rows = timesteps, columns = features; numbers in the C locale.
 * Separators: comma (also semicolon or tab). The first row may be a header of names. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/cnumber.h"
#include "rnnscope/csv.h"
#include "rnnscope/fileio.h"
#include "rnnscope/memcap.h"

#define CSV_MAX_FILE ((size_t)1 << 32)

typedef struct csv_line {
    const char *start;
    size_t len;
} csv_line;

static bool is_separator(char c)
{
    return c == ',' || c == ';' || c == '\t';
}

static bool line_is_blank(csv_line l)
{
    for (size_t i = 0; i < l.len; i++)
        if (!isspace((unsigned char)l.start[i]))
            return false;
    return true;
}

static size_t count_fields(csv_line l)
{
    size_t n = 1;
    for (size_t i = 0; i < l.len; i++)
        if (is_separator(l.start[i]))
            n++;
    return n;
}

/* Parse the field [s, e) as a float; false if it is not entirely a number. */
static bool parse_number(const char *s, const char *e, float *out)
{
    while (s < e && isspace((unsigned char)*s))
        s++;
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    if (s < e && *s == '"' && e - s >= 2 && e[-1] == '"') {
        s++;
        e--;
    }
    char buf[64];
    size_t n = (size_t)(e - s);
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    double v = rs_strtod_c(buf, &end); /* "0.5" whatever the locale */
    if (*end != '\0')
        return false;
    *out = (float)v;
    return true;
}

/* Parse one row into out[0..cols). On a bad field, fill err with its line and column. */
static int parse_row(csv_line l, size_t lineno, size_t cols, float *out, const char *name,
                     rs_error *err)
{
    const char *p = l.start, *end = l.start + l.len;
    for (size_t c = 0; c < cols; c++) {
        const char *f = p;
        while (p < end && !is_separator(*p))
            p++;
        if (!parse_number(f, p, &out[c])) {
            int flen = (int)(p - f);
            if (flen > 40)
                flen = 40;
            return rs_fail(err, name, "line %zu, column %zu: '%.*s' is not a number", lineno,
                           c + 1, flen, f);
        }
        p++; /* past the separator */
    }
    return 0;
}

static bool row_is_numeric(csv_line l, size_t cols)
{
    float tmp;
    const char *p = l.start, *end = l.start + l.len;
    for (size_t c = 0; c < cols; c++) {
        const char *f = p;
        while (p < end && !is_separator(*p))
            p++;
        if (!parse_number(f, p, &tmp))
            return false;
        p++;
    }
    return true;
}

/* At most how many lines text has (the size of the line index to allocate). */
static size_t max_lines(const char *text, size_t len)
{
    size_t n = 1;
    for (const char *p = text, *end = text + len; (p = memchr(p, '\n', (size_t)(end - p)));
         p++)
        n++;
    return n;
}

/* Split text into its non-blank lines (at most cap), remembering their 1-based numbers. */
static int split_lines(const char *text, size_t len, size_t cap, csv_line **lines,
                       size_t **linenos, size_t *count)
{
    size_t n = 0, lineno = 0;
    csv_line *ls = malloc(cap * sizeof *ls);
    size_t *nos = malloc(cap * sizeof *nos);
    if (!ls || !nos)
        goto oom;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e)
            e = end;
        csv_line l = {p, (size_t)(e - p)};
        if (l.len && l.start[l.len - 1] == '\r')
            l.len--;
        lineno++;
        if (!line_is_blank(l) && n < cap) {
            ls[n] = l;
            nos[n] = lineno;
            n++;
        }
        p = e + 1;
    }
    *lines = ls;
    *linenos = nos;
    *count = n;
    return 0;
oom:
    free(ls);
    free(nos);
    return -1;
}

int rs_csv_parse(const char *text, size_t len, const char *name, rs_tensor *out, rs_error *err)
{
    memset(out, 0, sizeof *out);
    /* a UTF-8 byte-order mark (Excel writes one) is not part of the first value: with it the
     * first row would not be numbers and would be taken for a header */
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
        text += 3;
        len -= 3;
    }
    csv_line *lines;
    size_t *linenos, nlines, cap = max_lines(text, len);
    /* the text, its line index and then the values are held at once: all within the cap */
    size_t held = rs_size_add(len, rs_size_mul(cap, sizeof *lines + sizeof *linenos));
    if (rs_memcap_check(0, held, name, "reading the input needs", err) < 0)
        return -1;
    if (split_lines(text, len, cap, &lines, &linenos, &nlines) < 0)
        return rs_fail_oom(err, name);
    int rc = -1;
    if (nlines == 0) {
        rs_fail(err, name, "no data rows");
        goto done;
    }
    size_t cols = count_fields(lines[0]);
    size_t first = row_is_numeric(lines[0], cols) ? 0 : 1; /* a non-numeric first row is a header */
    size_t rows = nlines - first;
    if (rows == 0) {
        rs_fail(err, name, "no data rows after the header");
        goto done;
    }
    if (rs_memcap_check(0, rs_size_add(held, rs_size_mul(rs_size_mul(rows, cols), sizeof(float))),
                        name, "reading the input needs", err) < 0)
        goto done;
    if (rs_tensor_alloc_dims(out, err, 2, rows, cols) < 0) {
        rs_error_prefix(err, name);
        goto done;
    }
    for (size_t r = 0; r < rows; r++) {
        csv_line l = lines[first + r];
        size_t n = count_fields(l);
        if (n != cols) {
            rs_fail(err, name, "line %zu: %zu columns, expected %zu like line %zu",
                    linenos[first + r], n, cols, linenos[0]);
            goto done;
        }
        if (parse_row(l, linenos[first + r], cols, out->data + r * cols, name, err) < 0)
            goto done;
    }
    rc = 0;
done:
    if (rc < 0)
        rs_tensor_free(out);
    free(lines);
    free(linenos);
    return rc;
}

int rs_csv_read(const char *path, rs_tensor *out, rs_error *err)
{
    unsigned char *buf;
    size_t len;
    memset(out, 0, sizeof *out);
    if (rs_read_file(path, CSV_MAX_FILE, &buf, &len, err) < 0)
        return -1;
    int rc = rs_csv_parse((const char *)buf, len, path, out, err);
    free(buf);
    return rc;
}

int rs_csv_write_stream(FILE *f, const char *name, const rs_tensor *t, rs_error *err)
{
    size_t cols = t->rank ? t->shape[t->rank - 1] : 1;
    size_t rows = cols ? t->size / cols : 0;
    locale_t user = rs_c_locale_begin(); /* decimal points in a comma-separated file */
    bool ok = true;
    for (size_t r = 0; r < rows && ok; r++) {
        for (size_t c = 0; c < cols && ok; c++)
            ok = fprintf(f, c ? ",%.9g" : "%.9g", (double)t->data[r * cols + c]) >= 0;
        ok = ok && fputc('\n', f) != EOF;
    }
    rs_c_locale_end(user);
    if (!ok || ferror(f))
        return rs_fail(err, name, "write failed");
    return 0;
}

static int write_csv_cb(FILE *f, const char *name, const void *ctx, rs_error *err)
{
    return rs_csv_write_stream(f, name, ctx, err);
}

int rs_csv_write(const char *path, const rs_tensor *t, rs_error *err)
{
    return rs_write_atomic(path, write_csv_cb, t, err);
}

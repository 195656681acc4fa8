/* NumPy .npy reader and writer.
 * Format: "\x93NUMPY", major, minor, header length (u16 LE for 1.x, u32 LE for 2.x/3.x),
 * then a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/fileio.h"
#include "rnnscope/memcap.h"
#include "rnnscope/npy.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAX_FILE ((size_t)1 << 36) /* 64 GiB: refuse anything larger before reading */

typedef struct npy_header {
    char kind;       /* 'f', 'i', 'u', 'b' */
    int itemsize;    /* bytes per element */
    bool big_endian;
    bool fortran;
    int rank;
    size_t shape[RS_MAX_RANK];
} npy_header;

/* ---- a tiny scanner for the header's Python literal ---- */

typedef struct scanner {
    const char *p, *end;
} scanner;

static void skip_space(scanner *s)
{
    while (s->p < s->end && isspace((unsigned char)*s->p))
        s->p++;
}

static bool accept(scanner *s, char c)
{
    skip_space(s);
    if (s->p < s->end && *s->p == c) {
        s->p++;
        return true;
    }
    return false;
}

/* A quoted string into buf (truncated to len-1). */
static bool scan_string(scanner *s, char *buf, size_t len)
{
    skip_space(s);
    if (s->p >= s->end || (*s->p != '\'' && *s->p != '"'))
        return false;
    char quote = *s->p++;
    size_t n = 0;
    while (s->p < s->end && *s->p != quote) {
        if (n + 1 < len)
            buf[n++] = *s->p;
        s->p++;
    }
    if (s->p >= s->end)
        return false;
    s->p++;
    buf[n] = '\0';
    return true;
}

static bool scan_word(scanner *s, const char *word)
{
    skip_space(s);
    size_t n = strlen(word);
    if ((size_t)(s->end - s->p) >= n && memcmp(s->p, word, n) == 0) {
        s->p += n;
        return true;
    }
    return false;
}

static bool scan_size(scanner *s, size_t *out)
{
    skip_space(s);
    if (s->p >= s->end || !isdigit((unsigned char)*s->p))
        return false;
    size_t v = 0;
    while (s->p < s->end && isdigit((unsigned char)*s->p)) {
        if (rs_mul_overflows(v, 10, &v) || __builtin_add_overflow(v, (size_t)(*s->p - '0'), &v))
            return false;
        s->p++;
    }
    *out = v;
    if (s->p < s->end && (*s->p == 'L' || *s->p == 'l')) /* Python 2 longs */
        s->p++;
    return true;
}

static int parse_descr(const char *descr, npy_header *h, const char *name, rs_error *err)
{
    char order = descr[0];
    if (order != '<' && order != '>' && order != '|' && order != '=')
        return rs_fail_code(err, RS_ERR_UNSUPPORTED, name, "unsupported dtype '%s'", descr);
    char kind = descr[1];
    char *end;
    long size = strtol(descr + 2, &end, 10);
    if (*end != '\0' || end == descr + 2)
        return rs_fail_code(err, RS_ERR_UNSUPPORTED, name, "unsupported dtype '%s'", descr);
    if (kind == '?')
        kind = 'b';
    bool ok = (kind == 'f' && (size == 2 || size == 4 || size == 8)) ||
              ((kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8)) ||
              (kind == 'b' && size == 1);
    if (!ok)
        return rs_fail_code(err, RS_ERR_UNSUPPORTED, name,
                            "unsupported dtype '%s' (numbers only: f2 f4 f8 i1-i8 u1-u8 b1)",
                       descr);
    h->kind = kind;
    h->itemsize = (int)size;
    h->big_endian = order == '>';
    return 0;
}

static int parse_shape(scanner *s, npy_header *h, const char *name, rs_error *err)
{
    if (!accept(s, '('))
        return rs_fail(err, name, "bad header: shape is not a tuple");
    h->rank = 0;
    while (!accept(s, ')')) {
        if (h->rank == RS_MAX_RANK)
            return rs_fail(err, name, "array has more than %d dimensions", RS_MAX_RANK);
        if (!scan_size(s, &h->shape[h->rank]))
            return rs_fail(err, name, "bad header: shape holds a non-integer");
        h->rank++;
        if (!accept(s, ',')) {
            if (!accept(s, ')'))
                return rs_fail(err, name, "bad header: shape tuple is not closed");
            break;
        }
    }
    return 0;
}

static int parse_header(const char *text, size_t len, npy_header *h, const char *name,
                        rs_error *err)
{
    scanner s = {text, text + len};
    bool have_descr = false, have_order = false, have_shape = false;
    if (!accept(&s, '{'))
        return rs_fail(err, name, "bad header: not a dictionary");
    while (!accept(&s, '}')) {
        char key[32];
        if (!scan_string(&s, key, sizeof key) || !accept(&s, ':'))
            return rs_fail(err, name, "bad header: expected a key");
        if (strcmp(key, "descr") == 0) {
            char descr[16];
            if (!scan_string(&s, descr, sizeof descr))
                return rs_fail_code(err, RS_ERR_UNSUPPORTED, name,
                                    "unsupported dtype (structured arrays are not numbers)");
            if (parse_descr(descr, h, name, err) < 0)
                return -1;
            have_descr = true;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (scan_word(&s, "True"))
                h->fortran = true;
            else if (scan_word(&s, "False"))
                h->fortran = false;
            else
                return rs_fail(err, name, "bad header: fortran_order is not True or False");
            have_order = true;
        } else if (strcmp(key, "shape") == 0) {
            if (parse_shape(&s, h, name, err) < 0)
                return -1;
            have_shape = true;
        } else {
            return rs_fail(err, name, "bad header: unknown key '%s'", key);
        }
        if (!accept(&s, ',')) {
            if (!accept(&s, '}'))
                return rs_fail(err, name, "bad header: dictionary is not closed");
            break;
        }
    }
    if (!have_descr || !have_order || !have_shape)
        return rs_fail(err, name, "bad header: missing %s",
                       !have_descr ? "descr" : !have_order ? "fortran_order" : "shape");
    return 0;
}

/* ---- element conversion ---- */

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t mant = h & 0x3ff;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else { /* subnormal: normalise */
            int e = -1;
            do {
                e++;
                mant <<= 1;
            } while (!(mant & 0x400));
            bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((mant & 0x3ff) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static uint64_t load_uint(const unsigned char *p, int size, bool big_endian)
{
    uint64_t v = 0;
    for (int i = 0; i < size; i++) {
        int k = big_endian ? i : size - 1 - i;
        v = (v << 8) | p[k];
    }
    return v;
}

static float convert_element(const unsigned char *p, const npy_header *h)
{
    uint64_t bits = load_uint(p, h->itemsize, h->big_endian);
    switch (h->kind) {
    case 'b':
        return bits ? 1.0f : 0.0f;
    case 'u':
        return (float)bits;
    case 'i': {
        int shift = 64 - 8 * h->itemsize;
        int64_t v = (int64_t)(bits << shift) >> shift; /* sign-extend */
        return (float)v;
    }
    default: /* 'f' */
        if (h->itemsize == 2)
            return half_to_float((uint16_t)bits);
        if (h->itemsize == 4) {
            uint32_t b32 = (uint32_t)bits;
            float f;
            memcpy(&f, &b32, sizeof f);
            return f;
        } else {
            double d;
            memcpy(&d, &bits, sizeof d);
            return (float)d;
        }
    }
}

/* Index in a C-order array of the element stored at Fortran-order position pos. */
static size_t fortran_to_c_index(size_t pos, const npy_header *h)
{
    size_t idx[RS_MAX_RANK];
    for (int i = 0; i < h->rank; i++) { /* first axis varies fastest in Fortran order */
        idx[i] = pos % h->shape[i];
        pos /= h->shape[i];
    }
    size_t c = 0;
    for (int i = 0; i < h->rank; i++)
        c = c * h->shape[i] + idx[i];
    return c;
}

int rs_npy_parse(const unsigned char *buf, size_t len, const char *name, rs_tensor *out,
                 rs_error *err)
{
    memset(out, 0, sizeof *out);
    if (len < 10 || memcmp(buf, NPY_MAGIC, 6) != 0)
        return rs_fail(err, name, "not a NumPy .npy file (bad magic)");
    int major = buf[6];
    size_t header_len, data_start;
    if (major == 1) {
        header_len = load_uint(buf + 8, 2, false);
        data_start = 10;
    } else if (major == 2 || major == 3) {
        if (len < 12)
            return rs_fail(err, name, "truncated .npy header");
        header_len = load_uint(buf + 8, 4, false);
        data_start = 12;
    } else {
        return rs_fail_code(err, RS_ERR_UNSUPPORTED, name, "unsupported .npy format version %d.%d",
                            major, buf[7]);
    }
    if (header_len > len - data_start)
        return rs_fail(err, name, "truncated .npy header");
    npy_header h = {0};
    if (parse_header((const char *)buf + data_start, header_len, &h, name, err) < 0)
        return -1;
    data_start += header_len;

    size_t count, bytes;
    if (rs_shape_count(h.rank, h.shape, &count, err) < 0)
        return rs_error_prefix(err, name);
    /* what the header declares, as float32 beside the file's bytes, must fit the memory cap
     * before its size is believed */
    char what[RS_MAX_RANK * 24 + 48], shape[RS_MAX_RANK * 24 + 8];
    snprintf(what, sizeof what, "reading the array %s needs",
             rs_shape_format(h.rank, h.shape, shape, sizeof shape));
    if (rs_memcap_check(0, rs_size_add(len, rs_size_mul(count, sizeof(float))), name, what,
                        err) < 0)
        return -1;
    if (rs_mul_overflows(count, (size_t)h.itemsize, &bytes) || bytes > len - data_start)
        return rs_fail(err, name, "truncated data: shape needs %zu elements of %d bytes, file has %zu bytes",
                       count, h.itemsize, len - data_start);
    if (rs_tensor_alloc(out, h.rank, h.shape, err) < 0)
        return rs_error_prefix(err, name);
    const unsigned char *data = buf + data_start;
    for (size_t i = 0; i < count; i++) {
        size_t dst = h.fortran ? fortran_to_c_index(i, &h) : i;
        out->data[dst] = convert_element(data + i * (size_t)h.itemsize, &h);
    }
    return 0;
}

int rs_npy_read(const char *path, rs_tensor *out, rs_error *err)
{
    unsigned char *buf;
    size_t len;
    memset(out, 0, sizeof *out);
    if (rs_read_file(path, NPY_MAX_FILE, &buf, &len, err) < 0)
        return -1;
    int rc = rs_npy_parse(buf, len, path, out, err);
    free(buf);
    return rc;
}

/* ---- writer ---- */

static bool host_is_little_endian(void)
{
    uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

int rs_npy_write_stream(FILE *f, const char *name, const rs_tensor *t, rs_error *err)
{
    char dict[64 + RS_MAX_RANK * 24];
    char shape[RS_MAX_RANK * 24 + 8];
    rs_shape_format(t->rank, t->shape, shape, sizeof shape);
    int dict_len = snprintf(dict, sizeof dict,
                            "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }", shape);
    /* Pad with spaces so that the data starts at a multiple of 64 bytes, header ends in \n. */
    size_t total = 10 + (size_t)dict_len + 1;
    size_t padded = (total + 63) / 64 * 64;
    unsigned char preamble[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0};
    size_t header_len = padded - 10;
    preamble[8] = (unsigned char)(header_len & 0xff);
    preamble[9] = (unsigned char)(header_len >> 8);
    if (fwrite(preamble, 1, 10, f) != 10 || fwrite(dict, 1, (size_t)dict_len, f) != (size_t)dict_len)
        return rs_fail(err, name, "write failed");
    for (size_t i = total; i < padded; i++)
        if (fputc(' ', f) == EOF)
            return rs_fail(err, name, "write failed");
    if (fputc('\n', f) == EOF)
        return rs_fail(err, name, "write failed");
    if (host_is_little_endian()) {
        if (t->size && fwrite(t->data, sizeof(float), t->size, f) != t->size)
            return rs_fail(err, name, "write failed");
    } else {
        for (size_t i = 0; i < t->size; i++) {
            unsigned char b[4], le[4];
            memcpy(b, &t->data[i], 4);
            for (int k = 0; k < 4; k++)
                le[k] = b[3 - k];
            if (fwrite(le, 1, 4, f) != 4)
                return rs_fail(err, name, "write failed");
        }
    }
    if (ferror(f))
        return rs_fail(err, name, "write failed");
    return 0;
}

static int write_npy_cb(FILE *f, const char *name, const void *ctx, rs_error *err)
{
    return rs_npy_write_stream(f, name, ctx, err);
}

int rs_npy_write(const char *path, const rs_tensor *t, rs_error *err)
{
    return rs_write_atomic(path, write_npy_cb, t, err);
}

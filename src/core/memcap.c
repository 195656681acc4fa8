/* The memory cap (see rnnscope/memcap.h). */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "rnnscope/memcap.h"

static size_t cap_bytes;
static bool cap_set;
static size_t held_beside; /* rs_memcap_hold */

void rs_memcap_hold(size_t bytes)
{
    held_beside = bytes;
}

void rs_memcap_set(size_t bytes)
{
    cap_bytes = bytes;
    cap_set = true;
}

size_t rs_memcap_default(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0)
        return (size_t)4 << 30;
    return rs_size_mul((size_t)pages, (size_t)page) / 2;
}

size_t rs_memcap_get(void)
{
    if (!cap_set)
        rs_memcap_set(rs_memcap_default());
    return cap_bytes;
}

size_t rs_size_add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

size_t rs_size_mul(size_t a, size_t b)
{
    return a && b > SIZE_MAX / a ? SIZE_MAX : a * b;
}

/* The multiplier of a unit suffix, 0 when unknown. */
static double unit_factor(const char *u)
{
    static const struct {
        const char *name;
        double factor;
    } units[] = {
        {"", 1}, {"b", 1},
        {"k", 0x1p10}, {"m", 0x1p20}, {"g", 0x1p30}, {"t", 0x1p40},
        {"kib", 0x1p10}, {"mib", 0x1p20}, {"gib", 0x1p30}, {"tib", 0x1p40},
        {"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
    };
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (!strcasecmp(u, units[i].name))
            return units[i].factor;
    return 0;
}

bool rs_memcap_parse(const char *text, size_t *bytes)
{
    if (!text)
        return false;
    if (!strcasecmp(text, "none") || !strcasecmp(text, "unlimited")) {
        *bytes = RS_MEMCAP_NONE;
        return true;
    }
    /* digits, an optional fraction, an optional unit: no sign, exponent or hex (strtod's) */
    const char *p = text;
    double value = 0, scale = 1;
    if (!isdigit((unsigned char)*p))
        return false;
    for (; isdigit((unsigned char)*p); p++)
        value = value * 10 + (*p - '0');
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return false;
        for (; isdigit((unsigned char)*p); p++)
            value += (*p - '0') * (scale /= 10);
    }
    while (*p == ' ')
        p++;
    double factor = unit_factor(p);
    double total = floor(value * factor);
    if (factor == 0 || total < 1 || total >= 0x1p63)
        return false;
    *bytes = (size_t)total;
    return true;
}

char *rs_size_format(size_t bytes, char *buf, size_t len)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes == SIZE_MAX) {
        snprintf(buf, len, "more than 16 EiB");
        return buf;
    }
    if (bytes < 1024) {
        snprintf(buf, len, "%zu byte%s", bytes, bytes == 1 ? "" : "s");
        return buf;
    }
    double v = (double)bytes;
    int u = -1;
    while (v >= 1024 && u < 5) {
        v /= 1024;
        u++;
    }
    /* three significant digits, without trailing zeros: 1.6, 12.5, 512 */
    int decimals = v < 10 ? 2 : v < 100 ? 1 : 0;
    int n = snprintf(buf, len, "%.*f", decimals, v);
    if (decimals && n > 0 && (size_t)n < len) {
        while (n > 0 && buf[n - 1] == '0')
            buf[--n] = '\0';
        if (n > 0 && buf[n - 1] == '.')
            buf[--n] = '\0';
    }
    if (n >= 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, " %s", units[u]);
    return buf;
}

int rs_memcap_check(size_t held, size_t need, const char *where, const char *what, rs_error *err)
{
    size_t cap = rs_memcap_get();
    held = rs_size_add(held, held_beside);
    if (cap == RS_MEMCAP_NONE || rs_size_add(held, need) <= cap)
        return 0;
    char n[32], h[32], c[32];
    rs_size_format(need, n, sizeof n);
    rs_size_format(cap, c, sizeof c);
    if (held == 0)
        return rs_fail_code(err, RS_ERR_NO_MEMORY, where,
                            "%s %s, more than the memory cap of %s (--max-memory)", what, n, c);
    return rs_fail_code(err, RS_ERR_NO_MEMORY, where,
                        "%s %s on top of the %s held, more than the memory cap of %s "
                        "(--max-memory)",
                        what, n, rs_size_format(held, h, sizeof h), c);
}

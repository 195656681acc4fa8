/* Text from files made safe to show (see include/rnnscope/text.h). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rnnscope/text.h"

/* Length of the valid UTF-8 sequence at s and its code point, or 0 when the byte at s does not
 * start one (stray continuation bytes, overlong forms, surrogates, beyond U+10FFFF). */
static int utf8_valid(const unsigned char *s, uint32_t *cp)
{
    int n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3
          : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (n == 0)
        return 0;
    uint32_t c = n == 1 ? s[0] : n == 2 ? s[0] & 0x1fu : n == 3 ? s[0] & 0x0fu : s[0] & 0x07u;
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3fu);
    }
    static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < least[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

/* Code points a terminal acts on instead of showing. */
static bool is_control(uint32_t c)
{
    return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
           (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029;
}

size_t rs_text_sanitize(const char *in, char *out, size_t len)
{
    size_t used = 0;
    const unsigned char *p = (const unsigned char *)(in ? in : "");
    while (*p) {
        char piece[12];
        size_t n;
        uint32_t c = 0;
        int k = utf8_valid(p, &c);
        if (k == 0) {
            n = (size_t)snprintf(piece, sizeof piece, "\\x%02x", *p);
            k = 1;
        } else if (is_control(c)) {
            n = (size_t)(c < 0x80 ? snprintf(piece, sizeof piece, "\\x%02x", (unsigned)c)
                                  : snprintf(piece, sizeof piece, "\\u%04x", (unsigned)c));
        } else {
            memcpy(piece, p, (size_t)k);
            n = (size_t)k;
        }
        if (used + n + 1 > len)
            break;
        memcpy(out + used, piece, n);
        used += n;
        p += k;
    }
    out[used] = '\0';
    return used;
}

size_t rs_text_file_name(const char *in, char *out, size_t len)
{
    size_t n = rs_text_sanitize(in, out, len);
    for (size_t i = 0; i < n; i++)
        if (out[i] == '/' || out[i] == '\\' || out[i] == ' ' || out[i] == '#')
            out[i] = '_';
    for (size_t i = 0; i < n && (out[i] == '-' || out[i] == '.'); i++)
        out[i] = '_';
    if (n == 0)
        n = (size_t)snprintf(out, len, "output");
    return n < len ? n : len - 1;
}

/* The canvas: a grid of cells, and its conversion to plain or ANSI-coloured UTF-8 text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/canvas.h"
#include "rnnscope/text.h"

int rs_canvas_init(rs_canvas *c, int w, int h, rs_error *err)
{
    c->w = c->h = 0;
    c->cells = NULL;
    if (w < 0 || h < 0 || w > RS_CANVAS_MAX_SIDE || h > RS_CANVAS_MAX_SIDE)
        return rs_fail(err, "canvas", "size %dx%d is outside 0..%d", w, h, RS_CANVAS_MAX_SIDE);
    size_t n = (size_t)w * (size_t)h;
    if (n > 0) {
        c->cells = malloc(n * sizeof *c->cells);
        if (!c->cells)
            return rs_fail(err, "canvas", "out of memory for %dx%d cells", w, h);
        for (size_t i = 0; i < n; i++)
            c->cells[i] = (rs_cell){' ', RS_COLOR_DEFAULT, RS_COLOR_DEFAULT};
    }
    c->w = w;
    c->h = h;
    return 0;
}

void rs_canvas_free(rs_canvas *c)
{
    free(c->cells);
    c->cells = NULL;
    c->w = c->h = 0;
}

rs_rect rs_canvas_rect(const rs_canvas *c)
{
    return (rs_rect){0, 0, c->w, c->h};
}

rs_cell *rs_canvas_at(rs_canvas *c, int x, int y)
{
    if (x < 0 || y < 0 || x >= c->w || y >= c->h)
        return NULL;
    return &c->cells[(size_t)y * (size_t)c->w + (size_t)x];
}

const rs_cell *rs_canvas_cell(const rs_canvas *c, int x, int y)
{
    return rs_canvas_at((rs_canvas *)c, x, y);
}

void rs_canvas_set(rs_canvas *c, int x, int y, uint32_t ch, int fg, int bg)
{
    rs_cell *cell = rs_canvas_at(c, x, y);
    if (cell)
        *cell = (rs_cell){ch, (int16_t)fg, (int16_t)bg};
}

/* Decode one code point; invalid bytes decode as U+FFFD and advance by one. */
static uint32_t utf8_next(const unsigned char **p)
{
    const unsigned char *s = *p;
    int len = s[0] < 0x80 ? 1 : (s[0] >> 5) == 6 ? 2 : (s[0] >> 4) == 14 ? 3 : (s[0] >> 3) == 30 ? 4 : 0;
    uint32_t cp = len == 1 ? s[0] : len == 2 ? s[0] & 0x1f : len == 3 ? s[0] & 0x0f : s[0] & 0x07;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            len = 0;
            break;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (len == 0) {
        *p = s + 1;
        return 0xfffd;
    }
    *p = s + len;
    return cp;
}

int rs_utf8_width(const char *utf8)
{
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)utf8; *p; n++)
        utf8_next(&p);
    return n;
}

int rs_utf8_encode(uint32_t cp, char *out)
{
    int n;
    if (cp < 0x80) {
        out[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        out[0] = (char)(0xf0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    out[n] = '\0';
    return n;
}

int rs_canvas_print(rs_canvas *c, int x, int y, const char *utf8, int max_cols, int fg, int bg)
{
    /* Text may come from a file (names, paths, messages): shown, never acted on by the
     * terminal. Escapes take up to 4 bytes per byte. */
    char small[1024], *shown = small;
    size_t need = strlen(utf8) * 4 + 1;
    if (need > sizeof small && !(shown = malloc(need)))
        return 0;
    rs_text_sanitize(utf8, shown, need > sizeof small ? need : sizeof small);
    int written = 0;
    const unsigned char *p = (const unsigned char *)shown;
    while (*p && (max_cols < 0 || written < max_cols)) {
        uint32_t cp = utf8_next(&p);
        rs_canvas_set(c, x + written, y, cp, fg, bg);
        written++;
    }
    if (shown != small)
        free(shown);
    return written;
}

/* A growable output string. */
typedef struct strbuf {
    char *s;
    size_t len, cap;
    int oom;
} strbuf;

static void sb_put(strbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *ns = realloc(b->s, cap);
        if (!ns) {
            b->oom = 1;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static char *sb_finish(strbuf *b)
{
    sb_put(b, "", 0);
    if (b->oom) {
        free(b->s);
        return NULL;
    }
    return b->s;
}

/* Cells after the last one that shows something (a glyph or a background colour). */
static int row_end(const rs_canvas *c, int y, int colored)
{
    int end = c->w;
    while (end > 0) {
        const rs_cell *cell = rs_canvas_cell(c, end - 1, y);
        if (cell->ch != ' ' || (colored && cell->bg != RS_COLOR_DEFAULT))
            break;
        end--;
    }
    return end;
}

static void sb_glyph(strbuf *b, uint32_t cp)
{
    char u[5];
    int n = rs_utf8_encode(cp, u);
    sb_put(b, u, (size_t)n);
}

char *rs_canvas_text(const rs_canvas *c)
{
    strbuf b = {0};
    sb_put(&b, "", 0);
    for (int y = 0; y < c->h; y++) {
        int end = row_end(c, y, 0);
        for (int x = 0; x < end; x++)
            sb_glyph(&b, rs_canvas_cell(c, x, y)->ch);
        sb_put(&b, "\n", 1);
    }
    return sb_finish(&b);
}

/* SGR parameters selecting colour `idx` as foreground (base 30) or background (base 40). */
static void sgr_color(strbuf *b, int idx, int base, rs_color_depth depth)
{
    char tmp[24];
    int n;
    if (idx == RS_COLOR_DEFAULT)
        n = snprintf(tmp, sizeof tmp, ";%d", base + 9);
    else if (depth == RS_DEPTH_8 || idx < 8)
        n = snprintf(tmp, sizeof tmp, ";%d", base + (idx & 7));
    else
        n = snprintf(tmp, sizeof tmp, ";%d;5;%d", base + 8, idx);
    sb_put(b, tmp, (size_t)n);
}

char *rs_canvas_ansi(const rs_canvas *c, rs_color_depth depth)
{
    if (depth == RS_DEPTH_NONE)
        return rs_canvas_text(c);
    strbuf b = {0};
    sb_put(&b, "", 0);
    for (int y = 0; y < c->h; y++) {
        int end = row_end(c, y, 1);
        int fg = RS_COLOR_DEFAULT, bg = RS_COLOR_DEFAULT;
        for (int x = 0; x < end; x++) {
            const rs_cell *cell = rs_canvas_cell(c, x, y);
            if (cell->fg != fg || cell->bg != bg) {
                sb_put(&b, "\033[0", 3);
                if (cell->fg != RS_COLOR_DEFAULT)
                    sgr_color(&b, cell->fg, 30, depth);
                if (cell->bg != RS_COLOR_DEFAULT)
                    sgr_color(&b, cell->bg, 40, depth);
                sb_put(&b, "m", 1);
                fg = cell->fg;
                bg = cell->bg;
            }
            sb_glyph(&b, cell->ch);
        }
        if (fg != RS_COLOR_DEFAULT || bg != RS_COLOR_DEFAULT)
            sb_put(&b, "\033[0m", 4);
        sb_put(&b, "\n", 1);
    }
    return sb_finish(&b);
}

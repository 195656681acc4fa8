/* Terminal capability queries and the parser of their replies (terminal-graphics.md §2). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "rnnscope/term.h"

#define ESC 0x1b
#define MAX_PARAMS 16

const char *rs_term_queries(void)
{
    return "\033[?1;1;0S"  /* XTSMGRAPHICS: colour registers */
           "\033[?2;1;0S"  /* XTSMGRAPHICS: sixel geometry */
           "\033[16t"      /* cell size in pixels */
           "\033[>0q"      /* XTVERSION */
           "\033[c";       /* DA1, last: its reply ends the exchange */
}

typedef struct csi_reply {
    char prefix;          /* '?', '>' or 0 */
    int params[MAX_PARAMS];
    int n;
    char final;
} csi_reply;

/* Parse a CSI sequence starting after "ESC [". Returns bytes consumed, 0 if incomplete. */
static size_t parse_csi(const unsigned char *p, size_t len, csi_reply *r)
{
    memset(r, 0, sizeof *r);
    size_t i = 0;
    if (i < len && (p[i] == '?' || p[i] == '>' || p[i] == '=')) {
        r->prefix = (char)p[i];
        i++;
    }
    long cur = -1;
    for (; i < len; i++) {
        unsigned char c = p[i];
        if (c >= '0' && c <= '9') {
            cur = (cur < 0 ? 0 : cur) * 10 + (c - '0');
            if (cur > 1000000)
                cur = 1000000;
        } else if (c == ';' || c == ':') {
            if (r->n < MAX_PARAMS)
                r->params[r->n++] = cur < 0 ? 0 : (int)cur;
            cur = -1;
        } else if (c >= 0x20 && c <= 0x2f) {
            continue; /* intermediate bytes such as '$' */
        } else if (c >= 0x40 && c <= 0x7e) {
            if (cur >= 0 && r->n < MAX_PARAMS)
                r->params[r->n++] = (int)cur;
            r->final = (char)c;
            return i + 1;
        } else {
            return i + 1; /* not a CSI after all: skip what we saw */
        }
    }
    return 0;
}

static void apply_csi(const csi_reply *r, rs_term_caps *caps)
{
    if (r->final == 'c' && r->prefix == '?') {
        caps->answered = true;
        for (int i = 1; i < r->n; i++) /* params[0] is the terminal class */
            if (r->params[i] == 4)
                caps->sixel = true;
    } else if (r->final == 'S' && r->prefix == '?' && r->n >= 3 && r->params[1] == 0) {
        if (r->params[0] == 1)
            caps->color_registers = r->params[2];
        else if (r->params[0] == 2 && r->n >= 4) {
            caps->sixel_w = r->params[2];
            caps->sixel_h = r->params[3];
        }
    } else if (r->final == 't' && r->prefix == 0 && r->n >= 3 && r->params[0] == 6) {
        caps->cell_h = r->params[1];
        caps->cell_w = r->params[2];
    }
}

/* DCS ">|text" ST (XTVERSION). p points after "ESC P". Returns bytes consumed, 0 if incomplete. */
static size_t parse_dcs(const unsigned char *p, size_t len, rs_term_caps *caps)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (p[i] == ESC && p[i + 1] == '\\') {
            if (i >= 2 && p[0] == '>' && p[1] == '|') {
                size_t n = i - 2 < sizeof caps->version - 1 ? i - 2 : sizeof caps->version - 1;
                memcpy(caps->version, p + 2, n);
                caps->version[n] = '\0';
                for (size_t k = 0; k < n; k++) /* keep it printable */
                    if ((unsigned char)caps->version[k] < 0x20 || caps->version[k] == 0x7f)
                        caps->version[k] = '?';
            }
            return i + 2;
        }
    }
    return 0;
}

void rs_term_parse(const unsigned char *buf, size_t len, rs_term_caps *caps)
{
    memset(caps, 0, sizeof *caps);
    size_t i = 0;
    while (i + 1 < len) {
        if (buf[i] != ESC) {
            i++;
            continue;
        }
        size_t used = 0;
        if (buf[i + 1] == '[') {
            csi_reply r;
            used = parse_csi(buf + i + 2, len - i - 2, &r);
            if (used && r.final)
                apply_csi(&r, caps);
        } else if (buf[i + 1] == 'P') {
            used = parse_dcs(buf + i + 2, len - i - 2, caps);
        }
        i += used ? used + 2 : 1;
    }
    if (!caps->sixel) { /* xterm answers XTSMGRAPHICS even with sixel off: ignore it then */
        caps->color_registers = 0;
        caps->sixel_w = caps->sixel_h = 0;
    }
}

/* CSI ? params (c|S), CSI > params c, CSI 6 ; params t; buf points after "ESC [". */
static rs_term_reply match_csi_reply(const unsigned char *p, size_t len, size_t *used)
{
    if (len == 0)
        return RS_REPLY_MORE;
    char prefix = (p[0] == '?' || p[0] == '>') ? (char)p[0] : 0;
    size_t i = prefix ? 1 : 0;
    if (!prefix) { /* only the cell-size reply has no prefix: it starts "6;" */
        if (len >= 1 && p[0] != '6')
            return RS_REPLY_NO;
        if (len >= 2 && p[1] != ';')
            return RS_REPLY_NO;
    }
    for (; i < len; i++) {
        unsigned char c = p[i];
        if ((c >= '0' && c <= '9') || c == ';' || c == ':')
            continue;
        bool ours = (c == 'c' && prefix) || (c == 'S' && prefix == '?') || (c == 't' && !prefix);
        if (!ours)
            return RS_REPLY_NO;
        *used = i + 1;
        return RS_REPLY_YES;
    }
    return RS_REPLY_MORE;
}

/* DCS > | text ST; buf points after "ESC P". The text is printable, at most 256 bytes. */
static rs_term_reply match_dcs_reply(const unsigned char *p, size_t len, size_t *used)
{
    static const char head[] = ">|";
    for (size_t i = 0; i < 2 && i < len; i++)
        if (p[i] != (unsigned char)head[i])
            return RS_REPLY_NO;
    for (size_t i = 2; i < len; i++) {
        if (p[i] == ESC) {
            if (i + 1 == len)
                return RS_REPLY_MORE;
            if (p[i + 1] != '\\')
                return RS_REPLY_NO;
            *used = i + 2;
            return RS_REPLY_YES;
        }
        if (p[i] < 0x20 || i > 256)
            return RS_REPLY_NO;
    }
    return RS_REPLY_MORE;
}

rs_term_reply rs_term_reply_match(const unsigned char *buf, size_t len, size_t *used)
{
    *used = 0;
    if (len == 0 || buf[0] != ESC)
        return RS_REPLY_NO;
    if (len == 1)
        return RS_REPLY_MORE;
    rs_term_reply r = buf[1] == '[' ? match_csi_reply(buf + 2, len - 2, used)
                      : buf[1] == 'P' ? match_dcs_reply(buf + 2, len - 2, used)
                                      : RS_REPLY_NO;
    if (r == RS_REPLY_YES)
        *used += 2;
    return r;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int rs_term_probe(int fd, int timeout_ms, rs_term_caps *caps, rs_error *err)
{
    memset(caps, 0, sizeof *caps);
    struct termios saved, raw;
    if (tcgetattr(fd, &saved) < 0)
        return rs_fail(err, NULL, "the terminal cannot be queried: %s", strerror(errno));
    raw = saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    tcsetattr(fd, TCSANOW, &raw);

    const char *q = rs_term_queries();
    size_t qlen = strlen(q), off = 0;
    while (off < qlen) {
        ssize_t n = write(fd, q + off, qlen - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    unsigned char buf[4096];
    size_t len = 0;
    long deadline = now_ms() + timeout_ms;
    for (;;) {
        long left = deadline - now_ms();
        if (left <= 0 || len == sizeof buf)
            break;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int r = poll(&pfd, 1, (int)(left < 50 ? left : 50));
        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0)
            continue;
        ssize_t n = read(fd, buf + len, sizeof buf - len);
        if (n <= 0) {
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            break;
        }
        len += (size_t)n;
        rs_term_parse(buf, len, caps);
        if (caps->answered)
            break;
    }
    rs_term_parse(buf, len, caps);
    tcsetattr(fd, TCSANOW, &saved);
    return 0;
}

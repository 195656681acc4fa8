/* Choosing the graphics mode: overrides, the terminal's answers, the multiplexer, the locale. */
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>

#include "rnnscope/term.h"

#define DEFAULT_CELL_W 10
#define DEFAULT_CELL_H 20

static const char *const graphics_names[] = {"auto", "sixel", "unicode", "ascii"};

bool rs_graphics_parse(const char *name, rs_term_graphics *out)
{
    for (int i = 0; i < 4; i++)
        if (name && strcasecmp(name, graphics_names[i]) == 0) {
            *out = (rs_term_graphics)i;
            return true;
        }
    return false;
}

const char *rs_graphics_name(rs_term_graphics g)
{
    return (unsigned)g < 4 ? graphics_names[g] : "?";
}

void rs_term_env_from_process(rs_term_env *env)
{
    env->term = getenv("TERM");
    env->tmux = getenv("TMUX");
    env->sty = getenv("STY");
    env->term_program = getenv("TERM_PROGRAM");
    env->term_program_version = getenv("TERM_PROGRAM_VERSION");
    env->graphics = getenv("RNNSCOPE_GRAPHICS");
    const char *cs = nl_langinfo(CODESET);
    env->utf8 = cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

/* Digits at *p as a number clamped to 99 (no version part is larger), advancing *p. The text
 * comes from the terminal's reply: it may be any length. */
static int version_part(const char **p)
{
    int n = 0;
    for (; **p >= '0' && **p <= '9'; (*p)++)
        n = n >= 10 ? 99 : n * 10 + (**p - '0');
    return n > 99 ? 99 : n;
}

/* "3.3a" → 303, "3.4" → 304; 0 when unreadable. */
static int tmux_version(const char *v)
{
    if (!v || *v < '0' || *v > '9')
        return 0;
    int major = version_part(&v), minor = 0;
    if (*v == '.') {
        v++;
        minor = version_part(&v);
    }
    return major * 100 + minor;
}

static bool term_is_plain(const char *term)
{
    if (!term || !*term)
        return true;
    return strcmp(term, "dumb") == 0 || strncmp(term, "vt100", 5) == 0 ||
           strncmp(term, "vt52", 4) == 0 || strcmp(term, "unknown") == 0;
}

static void say(char *why, size_t len, const char *text)
{
    if (why && len)
        snprintf(why, len, "%s", text);
}

/* tmux older than 3.4 (by XTVERSION or TERM_PROGRAM_VERSION), or GNU screen. */
static bool multiplexer_blocks_sixel(const rs_term_caps *caps, const rs_term_env *env)
{
    if (env->sty && *env->sty)
        return true;
    bool in_tmux = (env->tmux && *env->tmux) || strncmp(caps->version, "tmux", 4) == 0;
    if (!in_tmux)
        return false;
    int v = 0;
    if (strncmp(caps->version, "tmux ", 5) == 0)
        v = tmux_version(caps->version + 5);
    else if (env->term_program && strcmp(env->term_program, "tmux") == 0)
        v = tmux_version(env->term_program_version);
    return v < 304;
}

rs_term_graphics rs_graphics_decide(rs_term_graphics forced, const rs_term_caps *caps,
                               const rs_term_env *env, char *why, size_t why_len)
{
    if (forced != RS_TERM_AUTO) {
        say(why, why_len, "--graphics");
        return forced;
    }
    rs_term_graphics from_env;
    if (env->graphics && rs_graphics_parse(env->graphics, &from_env) &&
        from_env != RS_TERM_AUTO) {
        say(why, why_len, "RNNSCOPE_GRAPHICS");
        return from_env;
    }
    if (!caps) { /* no terminal to ask, and TERM names another device than the output */
        say(why, why_len, "not a terminal");
        return env->utf8 ? RS_TERM_UNICODE : RS_TERM_ASCII;
    }
    if (!env->utf8 || term_is_plain(env->term)) {
        say(why, why_len, !env->utf8 ? "no UTF-8 locale" : "plain terminal");
        return RS_TERM_ASCII;
    }
    if (caps->sixel) {
        if (multiplexer_blocks_sixel(caps, env)) {
            say(why, why_len, "sixel blocked by tmux<3.4/screen");
            return RS_TERM_UNICODE;
        }
        say(why, why_len, "terminal has sixel");
        return RS_TERM_SIXEL;
    }
    say(why, why_len, caps->answered ? "no sixel" : "terminal did not answer");
    return RS_TERM_UNICODE;
}

void rs_term_cell_size(const rs_term_caps *caps, int fd, int *cell_w, int *cell_h)
{
    if (caps->cell_w > 0 && caps->cell_h > 0) {
        *cell_w = caps->cell_w;
        *cell_h = caps->cell_h;
        return;
    }
    struct winsize ws;
    if (fd >= 0 && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col && ws.ws_row) {
        if (ws.ws_xpixel && ws.ws_ypixel) {
            *cell_w = ws.ws_xpixel / ws.ws_col;
            *cell_h = ws.ws_ypixel / ws.ws_row;
            if (*cell_w > 0 && *cell_h > 0)
                return;
        }
        if (caps->sixel_w > 0 && caps->sixel_h > 0) {
            *cell_w = caps->sixel_w / ws.ws_col;
            *cell_h = caps->sixel_h / ws.ws_row;
            if (*cell_w > 0 && *cell_h > 0)
                return;
        }
    }
    *cell_w = DEFAULT_CELL_W;
    *cell_h = DEFAULT_CELL_H;
}

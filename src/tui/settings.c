/* Reading the explorer's settings file. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "rnnscope/settings.h"
#include "rnnscope/fileio.h"
#include "rnnscope/memcap.h"
#include "rnnscope/view.h"

#define CONFIG_MAX_BYTES (1 << 20)


void rs_settings_defaults(rs_settings *c)
{
    memset(c, 0, sizeof *c);
    c->cmap = RS_CMAP_BWR;
    c->graphics = RS_TERM_AUTO;
    c->view_sequence = rs_view_default(RS_FOR_SEQUENCE) + 1;
    c->view_attention = rs_view_default(RS_FOR_ATTENTION) + 1;
    c->view_vector = rs_view_default(RS_FOR_VECTOR) + 1;
    rs_keymap_defaults(&c->keys);
}

/* 1 + the view's index in the view table (rnnscope/view.h), 0 for none. */
static int view_number(const char *v)
{
    const rs_view_info *info = rs_view_by_name(v);
    return info ? (int)info->id + 1 : 0;
}

static int parse_bool(const char *v, bool *out)
{
    if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "on"))
        *out = true;
    else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "off"))
        *out = false;
    else
        return -1;
    return 0;
}

/* One "set NAME = VALUE". */
static int apply_setting(rs_settings *c, const char *name, const char *value, const char *where,
                         rs_error *err)
{
    rs_error inner;
    if (!strcmp(name, "colormap"))
        return rs_cmap_parse(value, &c->cmap, &inner) == 0 ? 0 : rs_fail(err, where, "%s", inner.msg);
    if (!strcmp(name, "max-memory")) {
        if (!strcmp(value, "auto")) {
            c->max_memory = 0; /* the default: half of the physical memory */
            return 0;
        }
        return rs_memcap_parse(value, &c->max_memory) ? 0
               : rs_fail(err, where, "max-memory is a size such as 512M, 2G or 1.5GiB, none "
                                     "or auto, not '%s'", value);
    }
    if (!strcmp(name, "mouse"))
        return parse_bool(value, &c->mouse) == 0 ? 0 : rs_fail(err, where, "mouse is yes or no, not '%s'", value);
    if (!strcmp(name, "graphics"))
        return rs_graphics_parse(value, &c->graphics) ? 0
               : rs_fail(err, where, "graphics is auto, sixel, unicode or ascii, not '%s'", value);
    int *view = !strcmp(name, "view.sequence") ? &c->view_sequence
                : !strcmp(name, "view.attention") ? &c->view_attention
                : !strcmp(name, "view.vector") ? &c->view_vector : NULL;
    if (view) {
        *view = view_number(value);
        return *view ? 0 : rs_fail(err, where, "unknown view '%s'", value);
    }
    return rs_fail(err, where, "unknown setting '%s'", name);
}

/* Split a line into up to 4 words ("set", NAME, "=", VALUE or "bind", KEY, ACTION). */
static int split_words(char *line, char **w, int max)
{
    int n = 0;
    for (char *p = line; *p && n < max;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p || *p == '#')
            break;
        w[n++] = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if (*p)
            *p++ = '\0';
    }
    return n;
}

int rs_settings_parse(rs_settings *c, const char *text, const char *name, rs_error *err)
{
    char *copy = strdup(text);
    if (!copy)
        return rs_fail(err, name, "out of memory");
    int lineno = 0, rc = 0;
    /* line by line, blank ones too (strtok would skip them and misnumber the next) */
    for (char *next, *line = copy; line && rc == 0; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        char where[512];
        snprintf(where, sizeof where, "%s:%d", name, lineno);
        char *w[5] = {0};
        int n = split_words(line, w, 5);
        if (n == 0)
            continue;
        if (!strcmp(w[0], "set") && n == 4 && !strcmp(w[2], "="))
            rc = apply_setting(c, w[1], w[3], where, err);
        else if (!strcmp(w[0], "bind") && n == 3)
            rc = rs_keymap_bind(&c->keys, w[1], w[2], err) == 0 ? 0 : rs_error_prefix(err, where);
        else
            rc = rs_fail(err, where, "expected 'set NAME = VALUE' or 'bind KEY ACTION'");
    }
    free(copy);
    return rc;
}

const char *rs_settings_path(char *buf, size_t len)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(buf, len, "%s/rnnscope/config", xdg);
    else if (home && *home)
        snprintf(buf, len, "%s/.config/rnnscope/config", home);
    else
        return NULL;
    return buf;
}

int rs_settings_load(rs_settings *c, rs_error *err)
{
    char path[4096];
    if (!rs_settings_path(path, sizeof path) || access(path, F_OK) != 0)
        return 0;
    unsigned char *text;
    size_t len;
    if (rs_read_file(path, CONFIG_MAX_BYTES, &text, &len, err) < 0)
        return -1;
    int rc = rs_settings_parse(c, (const char *)text, path, err);
    free(text);
    return rc;
}

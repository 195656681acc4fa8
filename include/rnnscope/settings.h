/* The explorer's settings file: $XDG_CONFIG_HOME/rnnscope/config (or ~/.config/rnnscope/config).
 * Lines are "set NAME = VALUE" or "bind KEY ACTION"; '#' starts a comment. The commented
 * defaults ship as share/rnnscope/config. */
#ifndef RNNSCOPE_SETTINGS_H
#define RNNSCOPE_SETTINGS_H

#include <stdbool.h>

#include "rnnscope/colormap.h"
#include "rnnscope/keymap.h"
#include "rnnscope/term.h"

typedef struct rs_settings {
    rs_cmap cmap;
    bool mouse;
    rs_term_graphics graphics;
    int view_sequence;   /* default views as keymap view numbers 1..6 */
    int view_attention;
    int view_vector;
    rs_keymap keys;
    size_t max_memory;   /* "set max-memory = SIZE" (rnnscope/memcap.h); 0: not set, or auto */
} rs_settings;

void rs_settings_defaults(rs_settings *c);

/* Apply the settings of text (name is the file named in errors: "FILE:LINE: ..."). */
int rs_settings_parse(rs_settings *c, const char *text, const char *name, rs_error *err);

/* The user's config file path into buf, or NULL when HOME and XDG_CONFIG_HOME are unset. */
const char *rs_settings_path(char *buf, size_t len);

/* Read the user's file if it exists (a missing file is not an error). */
int rs_settings_load(rs_settings *c, rs_error *err);

#endif

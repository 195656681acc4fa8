/* What the terminal can show: sixel detection by query (before ncurses starts), cell size in
 * pixels, and the choice of graphics mode from the replies, the environment and overrides. */
#ifndef RNNSCOPE_TERM_H
#define RNNSCOPE_TERM_H

#include <stdbool.h>
#include <stddef.h>

#include "rnnscope/error.h"

typedef enum rs_term_graphics {
    RS_TERM_AUTO,
    RS_TERM_SIXEL,   /* true pixels for heatmaps; text for the rest */
    RS_TERM_UNICODE, /* braille, half-blocks, 256 colours */
    RS_TERM_ASCII,   /* density ramps and plain characters */
} rs_term_graphics;

typedef struct rs_term_caps {
    bool answered;        /* a DA1 reply was seen */
    bool sixel;           /* DA1 lists attribute 4 */
    int color_registers;  /* XTSMGRAPHICS, 0 when unknown */
    int sixel_w, sixel_h; /* XTSMGRAPHICS geometry in pixels, 0 when unknown */
    int cell_w, cell_h;   /* CSI 16 t reply, 0 when unknown */
    char version[64];     /* XTVERSION reply, e.g. "XTerm(379)" or "tmux 3.3a"; "" if none */
} rs_term_caps;

/* The queries, in one string with DA1 last (every terminal answers DA1, so its reply marks
 * the end of the replies). */
const char *rs_term_queries(void);

/* Parse whatever replies are in buf (other bytes are ignored) into caps. */
void rs_term_parse(const unsigned char *buf, size_t len, rs_term_caps *caps);

/* Replies to our queries that arrive after the probe gave up (a slow link) reach the keyboard
 * reader; they have a fixed grammar and are recognised so that they are dropped, never run as
 * keys: CSI ? params c (DA1), CSI > params c (DA2), CSI ? params S (XTSMGRAPHICS),
 * CSI 6 ; H ; W t (cell size), DCS > | text ST (XTVERSION). */
typedef enum rs_term_reply {
    RS_REPLY_NO,   /* not a reply: the bytes are keys */
    RS_REPLY_MORE, /* a prefix of a reply: more bytes decide */
    RS_REPLY_YES,  /* a whole reply of *used bytes */
} rs_term_reply;

/* Match buf (which starts with ESC) against the reply grammar. */
rs_term_reply rs_term_reply_match(const unsigned char *buf, size_t len, size_t *used);

/* Query the terminal on fd (a tty) and wait at most timeout_ms for the DA1 reply.
 * The terminal modes are restored before returning. A terminal that never answers gives
 * caps->answered = false, not an error; errors are only for a fd that is not a terminal. */
int rs_term_probe(int fd, int timeout_ms, rs_term_caps *caps, rs_error *err);

/* The environment that bears on the choice (from getenv; tests fill it by hand). */
typedef struct rs_term_env {
    const char *term;           /* TERM */
    const char *tmux;           /* TMUX */
    const char *sty;            /* STY (GNU screen) */
    const char *term_program;   /* TERM_PROGRAM */
    const char *term_program_version;
    const char *graphics;       /* RNNSCOPE_GRAPHICS */
    bool utf8;                  /* the locale's codeset is UTF-8 */
} rs_term_env;

void rs_term_env_from_process(rs_term_env *env);

/* "sixel", "unicode", "ascii", "auto" → mode; false if unknown. */
bool rs_graphics_parse(const char *name, rs_term_graphics *out);
const char *rs_graphics_name(rs_term_graphics g);

/* Decide the mode, for both front ends: a forced mode (--graphics) wins, then
 * RNNSCOPE_GRAPHICS, then detection. Sixel only if DA1 says so and we are not inside GNU screen
 * or tmux older than 3.4; ASCII when the locale is not UTF-8 or TERM is dumb/vt100-like.
 * caps NULL: the output is not a terminal (a pipe, a file, the headless explorer), and the
 * locale alone decides between unicode and ascii. why (may be NULL) gets a short reason for
 * the status line. */
rs_term_graphics rs_graphics_decide(rs_term_graphics forced, const rs_term_caps *caps,
                               const rs_term_env *env, char *why, size_t why_len);

/* Cell size in pixels: CSI 16 t, else the tty's pixel size / cells, else the sixel geometry /
 * cells, else 10x20. */
void rs_term_cell_size(const rs_term_caps *caps, int fd, int *cell_w, int *cell_h);

#endif

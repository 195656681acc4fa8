/* Text from files, made safe to show. Layer, model and class names, versions, paths and keys
 * come from files, and files are hostile: an escape sequence in a layer name could set the
 * window title, clear the screen or write the clipboard (OSC 52), a newline could forge a
 * "rnnscope: ..." line. Everything printed from a file goes through rs_text_sanitize: the
 * error printer (cli_error), summary, and the canvas that the explorer and plot draw into. */
#ifndef RNNSCOPE_TEXT_H
#define RNNSCOPE_TEXT_H

#include <stddef.h>

/* Copy in to out (NUL-terminated, cut at a whole character or escape), with
 *  - C0 controls (newline, CR, ESC...) and DEL as "\x1b"-style escapes,
 *  - C1 controls (U+0080-U+009F), bidirectional overrides and isolates (U+202A-U+202E,
 *    U+2066-U+2069) and line/paragraph separators (U+2028, U+2029) as "\u009b",
 *  - each byte of invalid UTF-8 (a lone 0x9b, overlong forms, surrogates) as "\xff";
 * printable ASCII and valid UTF-8 are kept. Returns the length of out. len >= 1. */
size_t rs_text_sanitize(const char *in, char *out, size_t len);

/* A safe file name proposed from a name out of a file: rs_text_sanitize'd, with '/', '\\',
 * spaces and '#' made '_', no leading '-' or '.', never empty ("output"). */
size_t rs_text_file_name(const char *in, char *out, size_t len);

#endif

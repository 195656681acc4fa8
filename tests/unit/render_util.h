/* Helpers for the render tests: a canvas as a string that need not be freed. */
#ifndef RNNSCOPE_TESTS_RENDER_UTIL_H
#define RNNSCOPE_TESTS_RENDER_UTIL_H

#include "rnnscope/plot.h"

/* A blank w x h canvas (aborts the test program if it cannot be made). */
rs_canvas blank(int w, int h);

/* rs_canvas_text of c, kept until the next call; the canvas is freed. */
const char *text_and_free(rs_canvas *c);

/* Styles used throughout. */
extern const rs_style UNI, ASC, UNI256;

#endif

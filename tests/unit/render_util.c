#include <stdio.h>
#include <stdlib.h>

#include "render_util.h"

const rs_style UNI = {RS_GFX_UNICODE, RS_DEPTH_NONE};
const rs_style ASC = {RS_GFX_ASCII, RS_DEPTH_NONE};
const rs_style UNI256 = {RS_GFX_UNICODE, RS_DEPTH_256};

rs_canvas blank(int w, int h)
{
    rs_canvas c;
    rs_error err = {0};
    if (rs_canvas_init(&c, w, h, &err) < 0) {
        printf("Bail out! %s\n", err.msg);
        exit(1);
    }
    return c;
}

const char *text_and_free(rs_canvas *c)
{
    static char *last;
    free(last);
    last = rs_canvas_text(c);
    rs_canvas_free(c);
    return last;
}

/* The timestep importance strip: one row of cells under a sequence view, how much each step
 * of the window moves the objective (the gradient's norm over channels there). Scaled to the
 * window's largest value, so that vanishing gradients read as an empty left end and a burst
 * as one tall block. */
#include <math.h>
#include <stdint.h>

#include "rnnscope/view.h"

#define LEVELS 8

/* Level 1..8 of v in (0, max]; 0 for exactly 0 (nothing there, not just little). */
static int level_of(float v, double max)
{
    if (!(v > 0) || !(max > 0))
        return 0;
    int l = (int)ceil(v / max * LEVELS);
    return l < 1 ? 1 : l > LEVELS ? LEVELS : l;
}

/* The largest value of steps [a, b), NaN when one of them is NaN (shown as such). */
static float column_max(const float *v, size_t a, size_t b)
{
    float m = 0;
    for (size_t t = a; t < b; t++) {
        if (isnan(v[t]))
            return NAN;
        if (v[t] > m)
            m = v[t];
    }
    return m;
}

size_t rs_strip_draw(rs_canvas *c, rs_rect row, const float *v, size_t t0, size_t len,
                     rs_style st)
{
    static const char ascii[LEVELS + 2] = " .:-=+*#@"; /* levels 0..8 */
    size_t peak = SIZE_MAX;
    double max = 0;
    for (size_t t = t0; t < t0 + len; t++)
        if (v[t] > max) { /* NaN is never larger */
            max = v[t];
            peak = t;
        }
    if (row.w < 1 || len == 0)
        return peak;
    size_t w = (size_t)row.w;
    for (size_t x = 0; x < w; x++) {
        /* as the envelope's columns: column x covers [t0 + x*len/w, ...), at least one step */
        size_t a = t0 + x * len / w, b = t0 + (x + 1) * len / w;
        if (b <= a)
            b = a + 1;
        float m = column_max(v, a, b);
        int l = level_of(m, max);
        uint32_t ch = isnan(m)                      ? '?'
                      : st.graphics == RS_GFX_ASCII ? (uint32_t)ascii[l]
                      : l == 0                      ? ' '
                                                    : 0x2580u + (uint32_t)l; /* ▁..█ */
        int fg = a <= peak && peak < b && st.depth != RS_DEPTH_NONE
                     ? (st.depth == RS_DEPTH_256 ? 203 : 1) /* the peak's cell in red */
                     : RS_COLOR_DEFAULT;
        rs_canvas_set(c, row.x + (int)x, row.y, ch, fg, RS_COLOR_DEFAULT);
    }
    return peak;
}

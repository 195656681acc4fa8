/* The min/max envelope of a long series per screen column, as waveform editors draw audio:
 * one O(T) pass, then every frame reads n numbers per channel. */
#include <math.h>
#include <stdlib.h>

#include "rnnscope/plot.h"

void rs_envelope_free(rs_envelope *e)
{
    free(e->lo);
    free(e->hi);
    free(e->last);
    e->lo = e->hi = e->last = NULL;
    e->n = 0;
}

int rs_envelope_build(rs_envelope *e, const rs_matrix *m, size_t channel, size_t t0, size_t len,
                      size_t n, rs_error *err)
{
    e->n = 0;
    e->lo = e->hi = e->last = NULL;
    e->min = INFINITY;
    e->max = -INFINITY;
    if (t0 > m->rows)
        t0 = m->rows;
    if (len > m->rows - t0)
        len = m->rows - t0;
    if (n == 0 || len == 0 || channel >= m->cols)
        return 0;
    e->lo = malloc(n * sizeof *e->lo);
    e->hi = malloc(n * sizeof *e->hi);
    e->last = malloc(n * sizeof *e->last);
    if (!e->lo || !e->hi || !e->last) {
        rs_envelope_free(e);
        return rs_fail(err, "envelope", "out of memory for %zu columns", n);
    }
    e->n = n;
    const float *p = m->data + (ptrdiff_t)channel * m->cstride;
    ptrdiff_t step = m->rstride;
    for (size_t x = 0; x < n; x++) {
        /* len * n fits: len <= RS_MAX_ELEMS (2^40) and n <= a few thousand */
        size_t a = x * len / n, b = (x + 1) * len / n;
        if (b <= a)
            b = a + 1;
        float lo = INFINITY, hi = -INFINITY;
        for (size_t t = a; t < b; t++) {
            float v = p[(ptrdiff_t)(t0 + t) * step];
            if (isfinite(v)) {
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
        }
        e->lo[x] = lo <= hi ? lo : NAN;
        e->hi[x] = lo <= hi ? hi : NAN;
        e->last[x] = p[(ptrdiff_t)(t0 + b - 1) * step];
        if (lo <= hi) {
            e->min = fmin(e->min, lo);
            e->max = fmax(e->max, hi);
        }
    }
    return 0;
}

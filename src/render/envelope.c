/* The min/max envelope of a long series per screen column, as waveform editors draw audio:
 * one O(T) pass, then every frame reads n numbers per channel. Several channels are built in
 * one pass over the rows, so that row-major data is read in order. */
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

static int envelope_alloc(rs_envelope *e, size_t n, rs_error *err)
{
    e->lo = malloc(n * sizeof *e->lo);
    e->hi = malloc(n * sizeof *e->hi);
    e->last = malloc(n * sizeof *e->last);
    if (!e->lo || !e->hi || !e->last) {
        rs_envelope_free(e);
        return rs_fail(err, "envelope", "out of memory for %zu columns", n);
    }
    e->n = n;
    return 0;
}

int rs_envelope_build_many(rs_envelope *envs, const rs_matrix *m, const size_t *channels,
                           size_t k, size_t t0, size_t len, size_t n, rs_error *err)
{
    for (size_t j = 0; j < k; j++)
        envs[j] = (rs_envelope){0, NULL, NULL, NULL, INFINITY, -INFINITY};
    if (t0 > m->rows)
        t0 = m->rows;
    if (len > m->rows - t0)
        len = m->rows - t0;
    if (n == 0 || len == 0)
        return 0;
    for (size_t j = 0; j < k; j++)
        if (channels[j] < m->cols && envelope_alloc(&envs[j], n, err) < 0) {
            while (j > 0)
                rs_envelope_free(&envs[--j]);
            return -1;
        }
    for (size_t x = 0; x < n; x++) {
        /* len * n fits: len <= RS_MAX_ELEMS (2^40) and n <= a few thousand */
        size_t a = x * len / n, b = (x + 1) * len / n;
        if (b <= a)
            b = a + 1;
        for (size_t j = 0; j < k; j++)
            if (envs[j].n) {
                envs[j].lo[x] = INFINITY;
                envs[j].hi[x] = -INFINITY;
            }
        for (size_t t = a; t < b; t++) {
            const float *row = m->data + (ptrdiff_t)(t0 + t) * m->rstride;
            for (size_t j = 0; j < k; j++) {
                if (!envs[j].n)
                    continue;
                float v = row[(ptrdiff_t)channels[j] * m->cstride];
                if (isfinite(v)) {
                    envs[j].lo[x] = v < envs[j].lo[x] ? v : envs[j].lo[x];
                    envs[j].hi[x] = v > envs[j].hi[x] ? v : envs[j].hi[x];
                }
            }
        }
        const float *last = m->data + (ptrdiff_t)(t0 + b - 1) * m->rstride;
        for (size_t j = 0; j < k; j++) {
            rs_envelope *e = &envs[j];
            if (!e->n)
                continue;
            e->last[x] = last[(ptrdiff_t)channels[j] * m->cstride];
            if (e->lo[x] <= e->hi[x]) {
                e->min = fmin(e->min, e->lo[x]);
                e->max = fmax(e->max, e->hi[x]);
            } else {
                e->lo[x] = e->hi[x] = NAN;
            }
        }
    }
    return 0;
}

int rs_envelope_build(rs_envelope *e, const rs_matrix *m, size_t channel, size_t t0, size_t len,
                      size_t n, rs_error *err)
{
    return rs_envelope_build_many(e, m, &channel, 1, t0, len, n, err);
}

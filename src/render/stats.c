/* Summary numbers of a slice, and compact number formatting for labels. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rnnscope/plot.h"

void rs_stats_matrix(const rs_matrix *m, rs_stats *s)
{
    memset(s, 0, sizeof *s);
    double mean = 0, m2 = 0, lo = INFINITY, hi = -INFINITY;
    for (size_t r = 0; r < m->rows; r++)
        for (size_t c = 0; c < m->cols; c++) {
            double v = rs_matrix_at(m, r, c);
            s->count++;
            if (isnan(v)) {
                s->nan++;
                continue;
            }
            if (isinf(v)) {
                if (v > 0)
                    s->posinf++;
                else
                    s->neginf++;
                continue;
            }
            s->finite++;
            double d = v - mean; /* Welford: stable for long series */
            mean += d / (double)s->finite;
            m2 += d * (v - mean);
            lo = fmin(lo, v);
            hi = fmax(hi, v);
        }
    if (s->finite == 0) {
        s->min = s->max = s->mean = s->std = NAN;
        return;
    }
    s->min = lo;
    s->max = hi;
    s->mean = mean;
    s->std = sqrt(m2 / (double)s->finite);
}

char *rs_format_number(double v, int width, char *buf, size_t len)
{
    if (v == 0)
        v = 0; /* no "-0" */
    for (int prec = 4; prec >= 1; prec--) {
        snprintf(buf, len, "%.*g", prec, v);
        if ((int)strlen(buf) <= width)
            return buf;
    }
    return buf; /* the shortest form, even if wider */
}

void rs_stats_add_nonfinite(rs_stats *s, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        s->nan += isnan(x[i]) != 0;
        s->posinf += isinf(x[i]) && x[i] > 0;
        s->neginf += isinf(x[i]) && x[i] < 0;
    }
}

char *rs_stats_format(const rs_stats *s, int rank, const size_t *shape, char *buf, size_t len)
{
    char sh[160], a[16], b[16], c[16], d[16];
    rs_shape_format(rank, shape, sh, sizeof sh);
    if (s->finite == 0)
        snprintf(buf, len, "shape %s  no finite values  NaN %zu  Inf %zu", sh, s->nan,
                 s->posinf + s->neginf);
    else
        snprintf(buf, len, "shape %s  min %s  max %s  mean %s  std %s  NaN %zu  Inf %zu", sh,
                 rs_format_number(s->min, 10, a, sizeof a), rs_format_number(s->max, 10, b, sizeof b),
                 rs_format_number(s->mean, 10, c, sizeof c), rs_format_number(s->std, 10, d, sizeof d),
                 s->nan, s->posinf + s->neginf);
    return buf;
}

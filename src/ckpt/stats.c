/* Per-layer statistics of one checkpoint (see rnnscope/ckpt_stats.h). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/ckpt_stats.h"

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && strcmp(s + n - k, tail) == 0;
}

/* The index of the node's first output or internal named *tail ("gates", "forward_gates",
 * "attention"), or -1. */
static int output_named(const rs_node *n, const char *tail)
{
    for (int k = 0; n->out_names && k < n->n_outputs + n->n_internal; k++)
        if (n->out_names[k] && ends_with(n->out_names[k], tail))
            return k;
    return -1;
}

/* Sum of squares, range of the finite values and count of the others, of one tensor. Four
 * sums at once, in registers: one chain of additions waits for each (the statistics of a
 * 10 MB checkpoint took a quarter of a timeline's time with one). */
static void sweep(const float *d, size_t size, double *sq, double *lo, double *hi, size_t *bad)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    float l = INFINITY, h = -INFINITY, l1 = l, h1 = h;
    size_t i = 0, nonfinite = 0;
    for (; i + 4 <= size; i += 4) {
        float a = d[i], b = d[i + 1], c = d[i + 2], e = d[i + 3];
        s0 += (double)a * a;
        s1 += (double)b * b;
        s2 += (double)c * c;
        s3 += (double)e * e;
        /* an infinity may land in l or h: the range is taken again below when there is one;
         * a NaN never does (every comparison with it is false) */
        l = a < l ? a : l;
        h = a > h ? a : h;
        l1 = b < l1 ? b : l1;
        h1 = b > h1 ? b : h1;
        l = c < l ? c : l;
        h = c > h ? c : h;
        l1 = e < l1 ? e : l1;
        h1 = e > h1 ? e : h1;
        /* |x| <= FLT_MAX is false for infinities and NaN alike */
        nonfinite += !(fabsf(a) <= FLT_MAX) + !(fabsf(b) <= FLT_MAX) + !(fabsf(c) <= FLT_MAX) +
                     !(fabsf(e) <= FLT_MAX);
    }
    l = l1 < l ? l1 : l;
    h = h1 > h ? h1 : h;
    for (; i < size; i++) {
        float v = d[i];
        s0 += (double)v * v;
        nonfinite += !isfinite(v);
        l = v < l ? v : l;
        h = v > h ? v : h;
    }
    if (nonfinite) { /* the range of the finite ones only */
        l = INFINITY;
        h = -INFINITY;
        for (i = 0; i < size; i++)
            if (isfinite(d[i])) {
                l = d[i] < l ? d[i] : l;
                h = d[i] > h ? d[i] : h;
            }
    }
    *sq += (s0 + s1) + (s2 + s3);
    *lo = l < *lo ? l : *lo;
    *hi = h > *hi ? h : *hi;
    *bad += nonfinite;
}

/* Count the finite values of d into bins of width 1 / scale from lo: four counts per bin,
 * taken in turn, so that a run of values in one bin is not one chain of increments. */
static void count_bins(const float *d, size_t size, bool all_finite, double lo, double scale,
                       size_t (*count)[RS_FINE_BINS])
{
    size_t i = 0;
    if (all_finite) /* the common case: no test per value, four at a time */
        for (; i + 4 <= size; i += 4)
            for (int k = 0; k < 4; k++) {
                int b = (int)(((double)d[i + k] - lo) * scale);
                count[k][b >= RS_FINE_BINS ? RS_FINE_BINS - 1 : b]++;
            }
    for (; i < size; i++) {
        double v = d[i];
        if (!all_finite && !isfinite(v))
            continue;
        int b = (int)((v - lo) * scale);
        count[i & 3][b >= RS_FINE_BINS ? RS_FINE_BINS - 1 : b]++;
    }
}

static void weight_stats(const rs_node *n, rs_layer_stats *s)
{
    double sq = 0, lo = INFINITY, hi = -INFINITY;
    size_t bad = 0;
    s->n_weights = 0;
    for (int w = 0; w < n->n_weights; w++) {
        const rs_tensor *t = &n->weights[w].value;
        sweep(t->data, t->size, &sq, &lo, &hi, &bad);
        s->n_weights += t->size;
    }
    s->wmin = lo;
    s->wmax = hi;
    s->weight_norm = sqrt(sq);
    size_t finite = s->n_weights - bad, count[4][RS_FINE_BINS] = {{0}};
    double width = s->wmax - s->wmin, scale = width > 0 ? RS_FINE_BINS / width : 0;
    for (int w = 0; finite && w < n->n_weights; w++)
        count_bins(n->weights[w].value.data, n->weights[w].value.size, bad == 0, s->wmin, scale,
                   count);
    for (int b = 0; finite && b < RS_FINE_BINS; b++)
        s->fine[b] = (double)(count[0][b] + count[1][b] + count[2][b] + count[3][b]) /
                     (double)finite;
}

/* Sum of the squares of b[0..units), four sums at once. */
static double sum_sq(const float *b, long units)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    long j = 0;
    for (; j + 4 <= units; j += 4) {
        s0 += (double)b[j] * b[j];
        s1 += (double)b[j + 1] * b[j + 1];
        s2 += (double)b[j + 2] * b[j + 2];
        s3 += (double)b[j + 3] * b[j + 3];
    }
    for (; j < units; j++)
        s0 += (double)b[j] * b[j];
    return (s0 + s1) + (s2 + s3);
}

/* Norm of each gate's block of columns, over every weight whose last axis is gates x units. */
static void gate_norms(const rs_node *n, int gates, long units, rs_layer_stats *s)
{
    s->n_gates = gates;
    double sq[RS_STATS_MAX_GATES] = {0};
    size_t gu = (size_t)gates * (size_t)units;
    for (int w = 0; w < n->n_weights; w++) {
        const rs_tensor *t = &n->weights[w].value;
        if (t->rank < 1 || t->shape[t->rank - 1] != gu)
            continue;
        /* row by row, gate block by gate block: no division per element */
        for (const float *row = t->data; row < t->data + t->size; row += gu)
            for (int g = 0; g < gates; g++)
                sq[g] += sum_sq(row + (size_t)g * (size_t)units, units);
    }
    for (int g = 0; g < gates; g++)
        s->gate_norm[g] = sqrt(sq[g]);
}

static void mean_std(const rs_tensor *y, rs_layer_stats *s)
{
    double sum = 0, sq = 0;
    for (size_t i = 0; i < y->size; i++)
        sum += y->data[i];
    double mean = y->size ? sum / (double)y->size : NAN;
    for (size_t i = 0; i < y->size; i++)
        sq += (y->data[i] - mean) * (y->data[i] - mean);
    s->out_mean = mean;
    s->out_std = y->size ? sqrt(sq / (double)y->size) : NAN;
}

/* gates (N, T, G, u): sigmoid gates are every block but the candidate (index 2). */
static double saturated_share(const rs_tensor *g)
{
    size_t G = g->shape[2], u = g->shape[3], n = 0, sat = 0;
    for (size_t i = 0; i < g->size; i++) {
        if ((i / u) % G == 2)
            continue;
        n++;
        sat += fabs(g->data[i] - 0.5) > RS_SATURATED;
    }
    return n ? (double)sat / (double)n : NAN;
}

/* attention (..., T, T): the mean entropy (nats) of its rows. */
static double mean_entropy(const rs_tensor *a)
{
    size_t cols = a->shape[a->rank - 1], rows = cols ? a->size / cols : 0;
    double total = 0;
    for (size_t r = 0; r < rows; r++) {
        double h = 0;
        for (size_t c = 0; c < cols; c++) {
            double p = a->data[r * cols + c];
            if (p > 0)
                h -= p * log(p);
        }
        total += h;
    }
    return rows ? total / (double)rows : NAN;
}

/* What needs the forward pass: output statistics, saturation, entropy. */
static int run_stats(const rs_node *n, int node, rs_run *run, rs_layer_stats *s, rs_error *err)
{
    const rs_tensor *y, *t;
    int kg = output_named(n, "gates"), ka = output_named(n, "attention");
    /* an internal first: the layer then runs once, keeping its outputs too (asked for output 0
     * first, it would run again for the internals) */
    if (!n->unsupported && (kg >= n->n_outputs || ka >= n->n_outputs))
        rs_run_output(run, node, kg >= n->n_outputs ? kg : ka, &t, err);
    if (n->unsupported || rs_run_output(run, node, 0, &y, err) < 0)
        return 0; /* the layer cannot run: its statistics stay NaN */
    mean_std(y, s);
    if (kg >= 0 && s->n_gates >= 3 && rs_run_output(run, node, kg, &t, err) == 0 && t->rank == 4)
        s->saturated = saturated_share(t);
    if (ka >= 0 && rs_run_output(run, node, ka, &t, err) == 0 && t->rank >= 3)
        s->att_entropy = mean_entropy(t);
    return 0;
}

/* What the weights alone say; the output statistics stay NaN. */
static int layer_weight_stats(const rs_node *n, rs_layer_stats *s, rs_error *err)
{
    memset(s, 0, sizeof *s);
    s->out_mean = s->out_std = s->saturated = s->att_entropy = NAN;
    if (!(s->name = strdup(n->name)))
        return rs_fail_oom(err, n->name);
    weight_stats(n, s);
    int kg = output_named(n, "gates");
    if (kg >= 0 && n->out_shapes[kg].rank == 3) {
        long G = n->out_shapes[kg].dims[1], u = n->out_shapes[kg].dims[2];
        if (G > 0 && G <= RS_STATS_MAX_GATES && u > 0)
            gate_norms(n, (int)G, u, s);
    }
    return 0;
}

int rs_ckpt_stats_weights(const rs_model *m, rs_ckpt_stats *out, rs_error *err)
{
    memset(out, 0, sizeof *out);
    out->layers = calloc((size_t)m->n_nodes, sizeof *out->layers);
    if (!out->layers)
        return rs_fail_oom(err, m->path);
    for (int i = 0; i < m->n_nodes; i++) {
        if (m->nodes[i].n_inputs == 0)
            continue; /* an InputLayer */
        if (layer_weight_stats(&m->nodes[i], &out->layers[out->n], err) < 0) {
            rs_ckpt_stats_free(out);
            return -1;
        }
        out->n++;
    }
    return 0;
}

int rs_ckpt_stats_outputs(const rs_model *m, rs_run *run, rs_ckpt_stats *s, rs_error *err)
{
    (void)err; /* a layer that cannot run keeps NaN statistics: no error */
    int l = 0;
    for (int i = 0; i < m->n_nodes && l < s->n; i++) {
        if (m->nodes[i].n_inputs == 0)
            continue;
        rs_error ignored = {0};
        run_stats(&m->nodes[i], i, run, &s->layers[l++], &ignored);
    }
    return 0;
}

int rs_ckpt_stats_compute(const rs_model *m, rs_run *run, rs_ckpt_stats *out, rs_error *err)
{
    if (rs_ckpt_stats_weights(m, out, err) < 0)
        return -1;
    return rs_ckpt_stats_outputs(m, run, out, err);
}

void rs_ckpt_stats_free(rs_ckpt_stats *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->layers[i].name);
    free(s->layers);
    memset(s, 0, sizeof *s);
}

/* Spread the share p of [a, b] over the common bins in proportion to the overlap. */
static void spread(double a, double b, double p, double lo, double hi, int bins, double *out)
{
    double w = (hi - lo) / bins;
    if (b <= a) {
        int k = (int)((a - lo) / w);
        out[k < 0 ? 0 : k >= bins ? bins - 1 : k] += p;
        return;
    }
    for (int k = (int)((a - lo) / w); k < bins && lo + k * w < b; k++) {
        if (k < 0)
            continue;
        double x0 = fmax(a, lo + k * w), x1 = fmin(b, lo + (k + 1) * w);
        if (x1 > x0)
            out[k] += p * (x1 - x0) / (b - a);
    }
}

void rs_stats_rebin(const rs_layer_stats *const *per_ckpt, int n_ckpt, int bins, double *lo,
                    double *hi, double *shares)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int c = 0; c < n_ckpt; c++)
        if (per_ckpt[c] && per_ckpt[c]->wmin <= per_ckpt[c]->wmax) {
            *lo = fmin(*lo, per_ckpt[c]->wmin);
            *hi = fmax(*hi, per_ckpt[c]->wmax);
        }
    if (!(*lo < *hi)) { /* no weights, or all equal: one unit around them */
        double mid = *lo <= *hi ? *lo : 0;
        *lo = mid - 0.5;
        *hi = mid + 0.5;
    }
    memset(shares, 0, (size_t)n_ckpt * (size_t)bins * sizeof *shares);
    for (int c = 0; c < n_ckpt; c++) {
        const rs_layer_stats *s = per_ckpt[c];
        if (!s || s->wmin > s->wmax)
            continue;
        double fw = (s->wmax - s->wmin) / RS_FINE_BINS;
        for (int f = 0; f < RS_FINE_BINS; f++)
            if (s->fine[f] > 0)
                spread(s->wmin + f * fw, s->wmin + (f + 1) * fw, s->fine[f], *lo, *hi, bins,
                       shares + (size_t)c * bins);
    }
}

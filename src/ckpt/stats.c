/* Per-layer statistics of one checkpoint (see rnnscope/ckpt_stats.h). */
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

static void weight_stats(const rs_node *n, rs_layer_stats *s)
{
    double sq = 0, lo = INFINITY, hi = -INFINITY; /* locals: no store per element */
    s->n_weights = 0;
    for (int w = 0; w < n->n_weights; w++) {
        const rs_tensor *t = &n->weights[w].value;
        for (size_t i = 0; i < t->size; i++) {
            double v = t->data[i];
            sq += v * v;
            if (isfinite(v)) {
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
        }
        s->n_weights += t->size;
    }
    s->wmin = lo;
    s->wmax = hi;
    s->weight_norm = sqrt(sq);
    size_t finite = 0;
    double width = s->wmax - s->wmin, scale = width > 0 ? RS_FINE_BINS / width : 0;
    for (int w = 0; w < n->n_weights; w++) {
        const rs_tensor *t = &n->weights[w].value;
        for (size_t i = 0; i < t->size; i++) {
            double v = t->data[i];
            if (!isfinite(v))
                continue;
            int b = (int)((v - s->wmin) * scale);
            s->fine[b >= RS_FINE_BINS ? RS_FINE_BINS - 1 : b] += 1;
            finite++;
        }
    }
    for (int b = 0; finite && b < RS_FINE_BINS; b++)
        s->fine[b] /= (double)finite;
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
            for (int g = 0; g < gates; g++) {
                const float *b = row + (size_t)g * (size_t)units;
                double acc = 0;
                for (long j = 0; j < units; j++)
                    acc += (double)b[j] * b[j];
                sq[g] += acc;
            }
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

static int layer_stats(const rs_model *m, rs_run *run, int node, rs_layer_stats *s, rs_error *err)
{
    const rs_node *n = &m->nodes[node];
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
    rs_error ignored = {0};
    return run_stats(n, node, run, s, &ignored);
}

int rs_ckpt_stats_compute(const rs_model *m, rs_run *run, rs_ckpt_stats *out, rs_error *err)
{
    memset(out, 0, sizeof *out);
    out->layers = calloc((size_t)m->n_nodes, sizeof *out->layers);
    if (!out->layers)
        return rs_fail_oom(err, m->path);
    for (int i = 0; i < m->n_nodes; i++) {
        if (m->nodes[i].n_inputs == 0)
            continue; /* an InputLayer */
        if (layer_stats(m, run, i, &out->layers[out->n], err) < 0) {
            rs_ckpt_stats_free(out);
            return -1;
        }
        out->n++;
    }
    return 0;
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

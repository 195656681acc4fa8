/* A timeline: the statistics of every checkpoint of a directory, for `rnnscope timeline` and
 * the explorer's timeline view (see rnnscope/ckpt_stats.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/ckpt_stats.h"
#include "rnnscope/layer_desc.h"
#include "rnnscope/memcap.h"

/* One checkpoint's statistics, computed: loaded, checked against the first, run on the input.
 * -2 when it does not load, -1 on any other error. */
static int compute(const rs_ckpt *c, const rs_model *first, const char *weights,
                   const rs_tensor *inputs, rs_ckpt_stats *out, rs_error *err)
{
    rs_model *m = NULL;
    if (rs_model_load(c->path, weights, &m, err) < 0)
        return -2;
    rs_run *run = NULL;
    rs_error why = {0};
    int rc = -1;
    if (rs_arch_compare(first, m, &why) < 0)
        rs_fail(err, c->path, "not the architecture of %s: %s", first->path, why.msg);
    else if ((run = rs_run_new(m, err)) && rs_run_set_inputs(run, inputs, m->n_inputs, err) == 0 &&
             rs_ckpt_stats_compute(m, run, out, err) == 0)
        rc = 0;
    rs_run_free(run);
    rs_model_free(m);
    return rc;
}

/* Leave checkpoint i out (it did not load: why), keeping why. */
static int skip(rs_timeline *tl, size_t i, const rs_error *why)
{
    rs_error *more = realloc(tl->skipped, (tl->n_skipped + 1) * sizeof *more);
    if (!more)
        return -1;
    tl->skipped = more;
    tl->skipped[tl->n_skipped++] = *why;
    rs_ckpt_list *l = &tl->ckpts;
    free(l->items[i].path);
    memmove(&l->items[i], &l->items[i + 1], (l->n - i - 1) * sizeof *l->items);
    l->n--;
    return 0;
}

int rs_timeline_gather(rs_timeline *tl, const rs_model *first, const char *weights,
                       const rs_tensor *inputs, bool use_cache, rs_error *err)
{
    /* what the statistics will hold (a 2 KiB histogram per layer and checkpoint), on top of
     * the first model's weights, under the memory cap */
    size_t each = rs_size_mul((size_t)first->n_nodes, sizeof(rs_layer_stats));
    if (rs_memcap_check(rs_model_weight_bytes(first), rs_size_mul(each, tl->ckpts.n),
                        first->path, "the statistics of the checkpoints need", err) < 0)
        return -1;
    tl->stats = calloc(tl->ckpts.n + 1, sizeof *tl->stats);
    if (!tl->stats)
        return rs_fail(err, NULL, "out of memory");
    for (size_t i = 0; i < tl->ckpts.n; i++) {
        char key[8192];
        rs_error ignored = {0};
        const rs_ckpt *c = &tl->ckpts.items[i];
        bool cached = use_cache && rs_stats_cache_key(c->path, inputs, first->n_inputs, key,
                                                      sizeof key, &ignored) == 0;
        if (cached && rs_stats_cache_get(key, &tl->stats[i]))
            continue;
        int rc = compute(c, first, weights, inputs, &tl->stats[i], err);
        if (rc == -2 && skip(tl, i, err) == 0) {
            i--;
            continue;
        }
        if (rc < 0)
            return -1;
        if (cached)
            rs_stats_cache_put(key, &tl->stats[i], &ignored); /* a cache we cannot write: none */
    }
    return 0;
}

void rs_timeline_free(rs_timeline *tl)
{
    for (size_t i = 0; tl->stats && i < tl->ckpts.n; i++)
        rs_ckpt_stats_free(&tl->stats[i]);
    free(tl->stats);
    free(tl->skipped);
    rs_ckpt_list_free(&tl->ckpts);
    memset(tl, 0, sizeof *tl);
}

const rs_layer_stats *rs_timeline_layer(const rs_ckpt_stats *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->layers[i].name, name) == 0)
            return &s->layers[i];
    return NULL;
}

double *rs_timeline_hist(const rs_timeline *tl, const char *layer, int bins, double *lo,
                         double *hi)
{
    const rs_layer_stats **per = calloc(tl->ckpts.n + 1, sizeof *per);
    double *shares = calloc(tl->ckpts.n * (size_t)bins + 1, sizeof *shares);
    if (per && shares) {
        for (size_t i = 0; i < tl->ckpts.n; i++)
            per[i] = rs_timeline_layer(&tl->stats[i], layer);
        rs_stats_rebin(per, (int)tl->ckpts.n, bins, lo, hi, shares);
    } else {
        free(shares);
        shares = NULL;
    }
    free(per);
    return shares;
}

/* Statistic k of a layer's statistics (k < RS_TIMELINE_MAX_SERIES), named into name. */
static double statistic(const rs_layer_stats *s, int k, int gates, char *name, size_t len)
{
    const char *const *g = rs_gate_names(gates);
    if (k == 0) {
        snprintf(name, len, "|W|");
        return s && s->n_weights ? s->weight_norm : NAN;
    }
    if (k <= RS_STATS_MAX_GATES) {
        snprintf(name, len, "|W| %s", k <= gates && g ? g[k - 1] : "?");
        return s && k <= s->n_gates ? s->gate_norm[k - 1] : NAN;
    }
    static const char *const rest[] = {"out mean", "out std", "saturated", "att. entropy"};
    int r = k - RS_STATS_MAX_GATES - 1;
    snprintf(name, len, "%s", rest[r]);
    if (!s)
        return NAN;
    double v[] = {s->out_mean, s->out_std, s->saturated, s->att_entropy};
    return v[r];
}

int rs_timeline_series(const rs_timeline *tl, const char *layer, char names[][32],
                       double *series)
{
    size_t n = tl->ckpts.n;
    int gates = 0, count = 0;
    for (size_t c = 0; c < n; c++) {
        const rs_layer_stats *s = rs_timeline_layer(&tl->stats[c], layer);
        gates = s && s->n_gates > gates ? s->n_gates : gates;
    }
    for (int k = 0; k < RS_TIMELINE_MAX_SERIES; k++) {
        bool any = false;
        for (size_t c = 0; c < n; c++) {
            const rs_layer_stats *s = rs_timeline_layer(&tl->stats[c], layer);
            double v = statistic(s, k, gates, names[count], sizeof names[count]);
            series[(size_t)count * n + c] = v;
            any = any || !isnan(v);
        }
        if (any)
            count++;
    }
    return count;
}

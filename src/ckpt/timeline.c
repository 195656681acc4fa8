/* A timeline: the statistics of every checkpoint of a directory, for `rnnscope timeline` and
 * the explorer's timeline view (see rnnscope/ckpt_stats.h). */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/ckpt_stats.h"
#include "rnnscope/layer_desc.h"
#include "rnnscope/memcap.h"
#include "rnnscope/threads.h"

/* Every checkpoint's statistics are independent of the others': the checkpoints are handed
 * out in order to workers (the threads of the kernels' budget, each running its kernels on one
 * thread), and each worker writes only its checkpoint's slot. What is kept and reported is
 * decided afterwards in the list's order, so the result does not depend on the thread count. */
typedef struct gather_work {
    rs_timeline *tl;
    const rs_model *first;
    const char *weights;
    const rs_tensor *inputs;
    bool use_cache;
    const rs_timeline_observer *obs;
    int kernel_threads;   /* per worker; 0: the whole budget (one worker) */
    int *rc;              /* per checkpoint: 0 done, -1 an error (stop), -2 did not load, 1 not run */
    rs_error *why;        /* per checkpoint, when rc < 0 */
    atomic_size_t next;   /* the next checkpoint to take */
    atomic_bool stop, cancelled;
} gather_work;

static void tell(const gather_work *g, size_t i, const rs_ckpt_stats *s, bool outputs)
{
    if (g->obs && g->obs->done)
        g->obs->done(g->obs->user, i, s, outputs);
}

/* One checkpoint's statistics, computed: loaded, checked against the first, its weights'
 * statistics (told at once), then run on the input. -2 when it does not load, -1 on any other
 * error. */
static int compute(const gather_work *g, size_t i, rs_ckpt_stats *out, rs_error *err)
{
    const rs_ckpt *c = &g->tl->ckpts.items[i];
    rs_model *m = NULL;
    if (rs_model_load(c->path, g->weights, &m, err) < 0)
        return -2;
    rs_run *run = NULL;
    rs_error why = {0};
    int rc = -1;
    if (rs_arch_compare(g->first, m, &why) < 0) {
        rs_fail(err, c->path, "not the architecture of %s: %s", g->first->path, why.msg);
    } else if (rs_ckpt_stats_weights(m, out, err) == 0) {
        tell(g, i, out, false);
        if ((run = rs_run_new(m, err)) &&
            rs_run_set_inputs(run, g->inputs, m->n_inputs, err) == 0 &&
            rs_ckpt_stats_outputs(m, run, out, err) == 0)
            rc = 0;
    }
    rs_run_free(run);
    rs_model_free(m);
    return rc;
}

/* Checkpoint i: from the cache, else computed (and cached). */
static int one(const gather_work *g, size_t i, rs_error *err)
{
    char key[8192];
    rs_error ignored = {0};
    const rs_ckpt *c = &g->tl->ckpts.items[i];
    rs_ckpt_stats *out = &g->tl->stats[i];
    bool cached = g->use_cache && rs_stats_cache_key(c->path, g->inputs, g->first->n_inputs, key,
                                                     sizeof key, &ignored) == 0;
    if (cached && rs_stats_cache_get(key, out)) {
        tell(g, i, out, true);
        return 0;
    }
    int rc = compute(g, i, out, err);
    if (rc == 0) {
        tell(g, i, out, true);
        if (cached)
            rs_stats_cache_put(key, out, &ignored); /* a cache we cannot write: none */
    }
    return rc;
}

static void *worker(void *p)
{
    gather_work *g = p;
    if (g->kernel_threads > 0)
        rs_threads_limit_here(g->kernel_threads);
    while (!atomic_load(&g->stop)) {
        if (g->obs && g->obs->go_on && !g->obs->go_on(g->obs->user)) {
            atomic_store(&g->cancelled, true);
            atomic_store(&g->stop, true);
            break;
        }
        size_t i = atomic_fetch_add(&g->next, 1);
        if (i >= g->tl->ckpts.n)
            break;
        g->rc[i] = one(g, i, &g->why[i]);
        if (g->rc[i] == -1)
            atomic_store(&g->stop, true); /* the checkpoints taken before i still finish */
    }
    if (g->kernel_threads > 0)
        rs_threads_limit_here(0);
    return NULL;
}

/* How many workers: the kernels' thread budget, at most one per checkpoint, and only as many
 * as keep a model and its outputs each (counted as twice its weights) under the memory cap. */
static int worker_count(const rs_timeline *tl, const rs_model *first, size_t stats_bytes)
{
    size_t k = (size_t)rs_threads(), w = rs_model_weight_bytes(first), cap = rs_memcap_get();
    if (k > tl->ckpts.n)
        k = tl->ckpts.n;
    while (k > 1 && cap != RS_MEMCAP_NONE &&
           rs_size_add(rs_size_add(w, stats_bytes), rs_size_mul(k, rs_size_mul(w, 2))) > cap)
        k--;
    return k ? (int)k : 1;
}

/* Run the workers: this thread and k - 1 more (fewer when a thread cannot be started). */
static void run_workers(gather_work *g, int k)
{
    pthread_t *tids = calloc((size_t)k, sizeof *tids);
    int started = 0;
    if (k > 1 && tids) {
        g->kernel_threads = rs_threads() / k > 1 ? rs_threads() / k : 1;
        while (started < k - 1 && pthread_create(&tids[started], NULL, worker, g) == 0)
            started++;
    }
    if (started == 0)
        g->kernel_threads = 0; /* alone: the kernels keep the whole budget */
    worker(g);
    for (int t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    free(tids);
}

/* In the list's order, as one thread would have met them: the checkpoints that did not load
 * are kept in tl->skipped up to the first error, which stops it; without one they leave the
 * list. */
static int collect(gather_work *g, rs_error *err)
{
    rs_timeline *tl = g->tl;
    size_t n = tl->ckpts.n, kept = 0, failed = n;
    for (size_t i = 0; i < n && failed == n; i++) {
        if (g->rc[i] == -1)
            failed = i;
        else if (g->rc[i] == -2) {
            rs_error *more = realloc(tl->skipped, (tl->n_skipped + 1) * sizeof *more);
            if (!more)
                return rs_fail(err, NULL, "out of memory");
            tl->skipped = more;
            tl->skipped[tl->n_skipped++] = g->why[i];
        }
    }
    if (failed < n) {
        *err = g->why[failed];
        return -1;
    }
    if (atomic_load(&g->cancelled))
        return rs_fail_cancelled(err);
    for (size_t i = 0; i < n; i++) {
        if (g->rc[i] == -2) {
            free(tl->ckpts.items[i].path);
            continue;
        }
        tl->ckpts.items[kept] = tl->ckpts.items[i];
        tl->stats[kept++] = tl->stats[i];
    }
    tl->ckpts.n = kept;
    return 0;
}

int rs_timeline_gather_observed(rs_timeline *tl, const rs_model *first, const char *weights,
                                const rs_tensor *inputs, bool use_cache,
                                const rs_timeline_observer *obs, rs_error *err)
{
    /* what the statistics will hold (a 2 KiB histogram per layer and checkpoint), on top of
     * the first model's weights, under the memory cap */
    size_t each = rs_size_mul((size_t)first->n_nodes, sizeof(rs_layer_stats));
    size_t stats_bytes = rs_size_mul(each, tl->ckpts.n);
    if (rs_memcap_check(rs_model_weight_bytes(first), stats_bytes, first->path,
                        "the statistics of the checkpoints need", err) < 0)
        return -1;
    size_t n = tl->ckpts.n;
    tl->stats = calloc(n + 1, sizeof *tl->stats);
    gather_work g = {.tl = tl, .first = first, .weights = weights, .inputs = inputs,
                     .use_cache = use_cache, .obs = obs};
    g.rc = malloc((n + 1) * sizeof *g.rc);
    g.why = calloc(n + 1, sizeof *g.why);
    int rc = -1;
    if (!tl->stats || !g.rc || !g.why) {
        rs_fail(err, NULL, "out of memory");
    } else {
        for (size_t i = 0; i < n; i++)
            g.rc[i] = 1;
        atomic_init(&g.next, 0);
        atomic_init(&g.stop, false);
        atomic_init(&g.cancelled, false);
        run_workers(&g, worker_count(tl, first, stats_bytes));
        rc = collect(&g, err);
    }
    free(g.rc);
    free(g.why);
    return rc;
}

int rs_timeline_gather(rs_timeline *tl, const rs_model *first, const char *weights,
                       const rs_tensor *inputs, bool use_cache, rs_error *err)
{
    return rs_timeline_gather_observed(tl, first, weights, inputs, use_cache, NULL, err);
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

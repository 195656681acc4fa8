/* What one checkpoint's layers look like, for a timeline across a training run: weight norms
 * (per gate for recurrent layers), the output's mean and std on an input, the share of
 * saturated gate activations, the attention entropy, and a fine histogram of the weights.
 * Computed once per checkpoint and kept in a cache outside the user's directory
 * ($XDG_CACHE_HOME/rnnscope, else ~/.cache/rnnscope). */
#ifndef RNNSCOPE_CKPT_STATS_H
#define RNNSCOPE_CKPT_STATS_H

#include <stdint.h>

#include "rnnscope/ckpt.h"
#include "rnnscope/model.h"
#include "rnnscope/run.h"

#define RS_STATS_MAX_GATES 8
#define RS_FINE_BINS 256
/* |g - 0.5| > RS_SATURATED: a sigmoid gate counted as saturated (below 0.05 or above 0.95) */
#define RS_SATURATED 0.45

typedef struct rs_layer_stats {
    char *name;
    int n_gates;             /* gate blocks of a recurrent layer (LSTM 4: i f c o; GRU 3: z r h) */
    double gate_norm[RS_STATS_MAX_GATES]; /* sqrt of the sum of squares of the gate's columns of
                                           * every weight whose last axis is gates x units */
    double weight_norm;      /* of all the layer's weights; 0 when it has none */
    size_t n_weights;        /* how many weight values */
    double out_mean, out_std; /* of output 0 over the whole batch (std: ddof 0); NaN when the
                               * layer cannot run */
    double saturated;        /* share of sigmoid gate activations (not the candidate, index 2)
                              * with |g - 0.5| > RS_SATURATED; NaN: no gates */
    double att_entropy;      /* mean over samples, heads and query rows of -sum a ln a; NaN: no
                              * attention matrix */
    double wmin, wmax;       /* of the finite weights (wmin > wmax when there is none) */
    double fine[RS_FINE_BINS]; /* share of the finite weights in equal bins over [wmin, wmax]
                                * (the last bin holds wmax) */
} rs_layer_stats;

typedef struct rs_ckpt_stats {
    int n;
    rs_layer_stats *layers;  /* every node but the InputLayers, in model order */
} rs_ckpt_stats;

/* The statistics of every layer of m on the input the run holds. A layer that cannot run gets
 * NaN output statistics; an error only when memory runs out or the computation is cancelled. */
int rs_ckpt_stats_compute(const rs_model *m, rs_run *run, rs_ckpt_stats *out, rs_error *err);
/* The two halves of it: what the weights say (the output statistics NaN; an error only when
 * memory runs out), then the output statistics of those layers on the run's input. */
int rs_ckpt_stats_weights(const rs_model *m, rs_ckpt_stats *out, rs_error *err);
int rs_ckpt_stats_outputs(const rs_model *m, rs_run *run, rs_ckpt_stats *s, rs_error *err);
void rs_ckpt_stats_free(rs_ckpt_stats *s);

/* Histograms of several checkpoints on common bins: shares[c * bins + b] for checkpoint c of
 * the share of layer `layer`'s weights in bin b of [lo, hi] (the union of their ranges),
 * spread from each one's fine bins in proportion to the overlap. */
void rs_stats_rebin(const rs_layer_stats *const *per_ckpt, int n_ckpt, int bins, double *lo,
                    double *hi, double *shares);

/* ---- a timeline: every checkpoint of a directory ---- */

typedef struct rs_timeline {
    rs_ckpt_list ckpts;         /* oldest first */
    rs_ckpt_stats *stats;       /* one per checkpoint */
    rs_error *skipped;          /* why each checkpoint left out of ckpts did not load */
    size_t n_skipped;
} rs_timeline;

/* The statistics of every checkpoint of tl->ckpts (listed by the caller) on the inputs, from
 * the cache when use_cache, else computed (and cached); every checkpoint must have the
 * architecture of `first` (else -1 with err naming it). A checkpoint that does not load (the
 * newest being written, as --watch sees it) is left out of the list, its error kept in
 * tl->skipped. */
int rs_timeline_gather(rs_timeline *tl, const rs_model *first, const char *weights,
                       const rs_tensor *inputs, bool use_cache, rs_error *err);
/* Told about the checkpoints of a gather as their statistics are done, from the threads
 * that compute them (several at once: the callbacks must be safe for that). */
typedef struct rs_timeline_observer {
    /* Checkpoint i of tl->ckpts as the gather was given it (before any is left out) has the
     * statistics *s (valid during the call only): its weights' first when it is computed
     * (outputs false: the output statistics NaN), then all of them (outputs true). */
    void (*done)(void *user, size_t i, const rs_ckpt_stats *s, bool outputs);
    /* Asked before each checkpoint: false stops the gather (an error "cancelled"). */
    bool (*go_on)(void *user);
    void *user;
} rs_timeline_observer;

/* rs_timeline_gather, telling obs (may be NULL) about each checkpoint as it is done. The
 * checkpoints are computed on the kernels' threads at once (rs_threads: at most one each, and
 * as many as fit under the memory cap); the result does not depend on how many. */
int rs_timeline_gather_observed(rs_timeline *tl, const rs_model *first, const char *weights,
                                const rs_tensor *inputs, bool use_cache,
                                const rs_timeline_observer *obs, rs_error *err);
/* Frees the statistics and the list. */
void rs_timeline_free(rs_timeline *tl);

/* The statistics of layer `name` in one checkpoint's, or NULL. */
const rs_layer_stats *rs_timeline_layer(const rs_ckpt_stats *s, const char *name);

/* The weight histogram of `layer` in every checkpoint on common bins (rs_stats_rebin):
 * shares[c * bins + b], malloc'ed (NULL: out of memory). */
double *rs_timeline_hist(const rs_timeline *tl, const char *layer, int bins, double *lo,
                         double *hi);

/* The per-checkpoint statistics of `layer` as series, series[k * n + c] for statistic k of
 * checkpoint c of the n: "|W|", "|W| i" ... (per gate), "out mean", "out std", "saturated",
 * "att. entropy"; only those the layer has (one value not NaN). Returns how many (at most
 * RS_TIMELINE_MAX_SERIES); series holds RS_TIMELINE_MAX_SERIES * n doubles. */
#define RS_TIMELINE_MAX_SERIES (RS_STATS_MAX_GATES + 5)
int rs_timeline_series(const rs_timeline *tl, const char *layer, char names[][32],
                       double *series);

/* ---- a timeline's columns: every checkpoint of the directory, loaded or not ---- */

#define RS_NOT_LOADED ((size_t)-1)

/* The checkpoints a directory listed, in order, and which of them the timeline holds: the
 * picture gives each one a column, an empty one for a checkpoint that did not load. */
typedef struct rs_timeline_cols {
    rs_ckpt_list listed;     /* every checkpoint of the directory, oldest first */
    size_t *loaded;          /* per listed checkpoint: its index in the timeline's ckpts and
                              * stats, or RS_NOT_LOADED */
    const rs_error **why;    /* per listed checkpoint that did not load: the reason (one of the
                              * timeline's skipped), else NULL */
    size_t n_failed;
} rs_timeline_cols;

/* The columns of a timeline gathered (rs_timeline_gather) from the checkpoints `listed`, in
 * that order: cols gets a copy of the listing and, per checkpoint, its statistics' index in tl
 * or its reason for not loading. */
int rs_timeline_cols_make(const rs_ckpt_list *listed, const rs_timeline *tl,
                          rs_timeline_cols *cols, rs_error *err);
/* List dir and gather the statistics of its checkpoints (rs_timeline_gather, same
 * arguments) into tl, the listing and what became of each checkpoint into cols
 * (rs_timeline_cols_make). Fails as the listing or the gathering fails (then both are freed). */
int rs_timeline_open(const char *dir, const rs_model *first, const char *weights,
                     const rs_tensor *inputs, bool use_cache, rs_timeline *tl,
                     rs_timeline_cols *cols, rs_error *err);
void rs_timeline_cols_free(rs_timeline_cols *cols);

/* ---- the cache ---- */

/* The cache file of a checkpoint computed on an input: its name hashes the checkpoint's real
 * path, size, mtime, a hash of its first 64 KiB (the HDF5 header and superblock) and the
 * input; the key is also stored in the file and checked. 0 and *path set, or -1 (no cache
 * directory: then the statistics are computed every time). */
int rs_stats_cache_key(const char *ckpt, const rs_tensor *inputs, int n_inputs, char *key,
                       size_t key_len, rs_error *err);
/* 1 when the cache had the key (out filled), 0 when not (or the entry was unreadable). */
int rs_stats_cache_get(const char *key, rs_ckpt_stats *out);
/* Store (written to a temporary file and renamed: readers never see half an entry). */
int rs_stats_cache_put(const char *key, const rs_ckpt_stats *s, rs_error *err);

#endif

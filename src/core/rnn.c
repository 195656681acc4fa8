/* The recurrence of SimpleRNN, LSTM and GRU.
 *
 * All sequences of the batch advance in lockstep: per step, one small matrix product
 * H[batch, u] x U[u, G*u] reads the recurrent weights once for the whole batch (a matrix-vector
 * product at batch 1). The input projection x_t W + b of a chunk of timesteps is one matrix
 * product for all samples; chunks are sized so that memory stays bounded for long sequences.
 * Masked steps are computed and thrown away: the sample keeps its state (Keras' K.rnn).
 *
 * The gate arithmetic of a valid step is one pass per sample (rnnscope/rnn_cells.h: AVX2+FMA or AVX-512,
 * the usual activations) that also writes the outputs; other activations, masked steps and the
 * portable path run the generic cells below. A single small sample also computes the next
 * step's product inside that pass (pipelined_step).
 *
 * Threads (at most rs_threads()): with several samples, each thread runs its own slice of the
 * batch, independently. At batch 1 each thread owns a range of units (its columns of every gate
 * block: its slice of h U, the gates, c and h) and the threads meet at a barrier (spinning,
 * then asleep on a futex: rnnscope/barrier.h) after each step; h is double-buffered so that one
 * barrier per step suffices (two for GRU with the reset gate applied before the product, which
 * needs all of r ⊙ h). When the other threads keep the lead waiting longer than it would take to
 * do their units itself (their cores are busy with other processes: a thread that is not running
 * holds up every step), the lead carries on alone from the next chunk (split_pays). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rnnscope/aligned.h"
#include "rnnscope/barrier.h"
#include "rnnscope/rnn.h"
#include "rnnscope/rnn_cells.h"
#include "rnnscope/threads.h"
#include "rnnscope/vmath.h"

#define MAX_CHUNK_STEPS 64
/* Input projections held at once, per thread: 256 KiB stay in L2 between the chunk's product and
 * the steps that read them, and cost few fresh pages per run. Measured (bench/, LSTM 64 at batch
 * 32): 2 MiB took 7.2 ms, 256 KiB 6.2 ms; no change from 64 to 1024 units at batch 1. */
#define CHUNK_FLOATS ((size_t)1 << 16)
/* Splitting the units of a batch-1 layer pays when a step's product is large enough to hide
 * the barrier and the stalls of a thread that is not running (on virtual CPUs the host may
 * pause one for a while). Measured in bench/ on a 2-vCPU VM: LSTM 1024 units, 2 threads 0.040 s
 * against 0.055 s on one; LSTM 256 and BiLSTM 128 lost (0.003 s on one thread, 0.01-0.09 s
 * on two, varying with the host's load). */
#define SPLIT_MIN_UNITS 512
#define SPLIT_MIN_SLICE 64
/* Splitting the batch pays when a thread gets at least this many multiply-adds. */
#define BATCH_SPLIT_MIN_FLOPS ((size_t)1 << 22)
#define PIPELINE_MAX_UNITS 64
/* A batch split over threads is handed out in pieces that the threads take from a shared counter,
 * so that a thread whose core is busy with another process takes fewer of them instead of making
 * the others wait for it. Pieces of PIECE_SAMPLES (the AVX-512 micro-kernel's rows, so a piece's
 * products lose nothing against a larger one) when the recurrent weights stay in a core's L2
 * (each piece reads them at every step); larger layers get one piece per thread. */
#define PIECE_SAMPLES 8
#define PIECE_MAX_WEIGHT_BYTES ((size_t)1 << 20)
#define PACK_MAX_FLOATS ((size_t)16 << 20) /* 64 MiB of recurrent weights: LSTM up to 2048 units */

enum { START_WAIT, START_GO, START_ABORT };

typedef struct rnn_shared {
    const rs_rnn_weights *w;
    const rs_rnn_io *io;
    size_t G, u, Gu;
    float *h[2];      /* (batch, u) hidden state: step k reads h[k & 1] and writes the other */
    float *c;         /* (batch, u) LSTM cell state */
    float *out;       /* (batch, u) previous output, for masked steps */
    float *rh;        /* (batch, u) r ⊙ h (GRU reset_before) */
    /* the recurrent weights packed for the batch's products: all of them in `store`, and the
     * columns each product reads (GRU reset_before: z|r, then h) */
    rs_packed_b store, pack[2];
    bool packed;
    rs_barrier barrier;
    bool split_units; /* the parts share samples and split units: they meet at the barrier */
    size_t parts;     /* the threads of a unit split */
    atomic_bool solo; /* the lead decided to run all units alone from the next chunk */
    size_t pieces;      /* otherwise the batch in pieces, taken in turn from next_piece */
    atomic_size_t next_piece;
    bool fused;       /* valid steps run the fused cells (rnnscope/rnn_cells.h) */
    atomic_size_t done; /* sample-steps finished */
    atomic_bool cancel;
    rs_word start;      /* START_*: the threads wait until all have started */
    const rs_progress *progress;
} rnn_shared;

typedef struct rnn_part {
    rnn_shared *sh;
    size_t b0, b1;  /* samples [b0, b1): the piece it runs */
    size_t most;    /* the most samples of a piece: what the buffers hold */
    size_t a, e;    /* units [a, e) */
    bool lead;      /* reports progress; of a unit split, times the steps (split_pays) */
    long long started_ns, waited_ns; /* the lead of a unit split: when it began, time at barriers */
    size_t chunk;   /* timesteps per input projection */
    float *rec;     /* (b1-b0, Gu) h U, then the gates */
    float *rec_next; /* pipelined: (Gu) the next step's h U, computed during this step's cell */
    bool pipelined; /* see pipelines() */
    float *mem;     /* the buffers' allocation */
    float *xw;      /* (b1-b0, chunk, Gu) x W + b */
    float *xg;      /* (b1-b0, chunk, input_dim) gathered inputs */
    float *tmp;     /* (2u) scratch: new c, tanh c */
} rnn_part;

/* ---- helpers ---- */

static void activate(const rs_activation *a, float *x, size_t n)
{
    switch (a->kind) {
    case RS_ACT_SIGMOID: rs_vsigmoid(x, n); break;
    case RS_ACT_TANH: rs_vtanh(x, n); break;
    case RS_ACT_SOFTMAX:
    case RS_ACT_LOG_SOFTMAX: /* not element-wise: as a cell activation, applied per element */
        for (size_t i = 0; i < n; i++)
            x[i] = rs_apply1(a, x[i]);
        break;
    default: rs_activate(a, x, n, n); break;
    }
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The barrier of a unit split after a step; the lead counts how long it waits there. */
static void meet(rnn_part *p)
{
    if (!p->lead) {
        rs_barrier_wait(&p->sh->barrier);
        return;
    }
    long long t0 = now_ns();
    rs_barrier_wait(&p->sh->barrier);
    p->waited_ns += now_ns() - t0;
}

static void add_to(float *y, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] += x[i];
}

static size_t time_of(const rs_rnn_io *io, size_t k)
{
    return io->go_backwards ? io->steps - 1 - k : k;
}

/* C[rows, gate blocks g0..g1 of units a..e] (+)= A[rows, K] B[K, same columns]. One product
 * when the part owns all units, else one per gate block. */
static void product_cols(const rnn_part *p, size_t g0, size_t g1, size_t rows, size_t K,
                         const float *A, const float *B, float *C, bool accumulate)
{
    const rnn_shared *sh = p->sh;
    size_t u = sh->u, Gu = sh->Gu;
    if (p->a == 0 && p->e == u) {
        rs_gemm(rows, (g1 - g0) * u, K, A, K, B + g0 * u, Gu, C + g0 * u, Gu, accumulate);
        return;
    }
    for (size_t g = g0; g < g1; g++)
        rs_gemm(rows, p->e - p->a, K, A, K, B + g * u + p->a, Gu, C + g * u + p->a, Gu, accumulate);
}

/* ---- input projection of processing steps [k0, k1): rows (sample, time - tlo) of xw ---- */

static size_t chunk_first_time(const rs_rnn_io *io, size_t k0, size_t k1)
{
    return io->go_backwards ? io->steps - k1 : k0;
}

static void project_chunk(rnn_part *p, size_t k0, size_t k1)
{
    const rnn_shared *sh = p->sh;
    const rs_rnn_weights *w = sh->w;
    const rs_rnn_io *io = sh->io;
    size_t in = w->input_dim, n = k1 - k0, nb = p->b1 - p->b0, Gu = sh->Gu;
    size_t tlo = chunk_first_time(io, k0, k1);
    const float *A = io->x + (p->b0 * io->steps + tlo) * in;
    if (nb > 1) {
        /* the rows of each sample are contiguous in x: gather them into one matrix */
        for (size_t b = 0; b < nb; b++)
            memcpy(p->xg + b * n * in, io->x + ((p->b0 + b) * io->steps + tlo) * in,
                   n * in * sizeof(float));
        A = p->xg;
    }
    size_t rows = nb * n;
    if (w->bias)
        for (size_t r = 0; r < rows; r++)
            for (size_t g = 0; g < sh->G; g++)
                memcpy(p->xw + r * Gu + g * sh->u + p->a, w->bias + g * sh->u + p->a,
                       (p->e - p->a) * sizeof(float));
    product_cols(p, 0, sh->G, rows, in, A, w->kernel, p->xw, w->bias != NULL);
}

/* ---- one step of each cell for one sample, units [a, e) ----
 * z: h U for this sample (G*u, own columns), turned into the gates in place; xw: x_t W + b;
 * hp: h_{t-1}; hn: h_t (written); valid: commit the new state. */

typedef struct cell_args {
    float *z;
    const float *xw, *hp;
    float *hn, *c;
    float *out, *seq, *rh; /* the carried output; the output sequence's row or NULL; r ⊙ h */
    bool valid;
} cell_args;

/* The part's units of a sample's rows, for the fused cells. */
static rs_cell_rows rows_of(const rnn_part *p, const cell_args *s)
{
    const rs_rnn_weights *w = p->sh->w;
    size_t a = p->a;
    return (rs_cell_rows){
        .n = p->e - a,
        .u = p->sh->u,
        .z = s->z + a,
        .xw = s->xw + a,
        .rbias = w->reset_after && w->recurrent_bias ? w->recurrent_bias + a : NULL,
        .hp = s->hp + a,
        .hn = s->hn + a,
        .c = s->c ? s->c + a : NULL,
        .out = s->out + a,
        .seq = s->seq ? s->seq + a : NULL,
        .rh = s->rh + a,
    };
}

static void cell_simple(const rnn_part *p, const cell_args *s)
{
    const rs_rnn_weights *w = p->sh->w;
    size_t a = p->a, n = p->e - p->a;
    add_to(s->z + a, s->xw + a, n);
    activate(&w->act, s->z + a, n);
    memcpy(s->hn + a, s->valid ? s->z + a : s->hp + a, n * sizeof(float));
}

static void cell_lstm(const rnn_part *p, const cell_args *s)
{
    const rs_rnn_weights *w = p->sh->w;
    size_t u = p->sh->u, a = p->a, n = p->e - p->a;
    for (size_t g = 0; g < 4; g++)
        add_to(s->z + g * u + a, s->xw + g * u + a, n);
    activate(&w->ract, s->z + a, n);
    activate(&w->ract, s->z + u + a, n);
    activate(&w->act, s->z + 2 * u + a, n);
    activate(&w->ract, s->z + 3 * u + a, n);
    const float *i = s->z + a, *f = s->z + u + a, *g = s->z + 2 * u + a, *o = s->z + 3 * u + a;
    float *c = s->c + a, *cn = p->tmp, *th = p->tmp + n;
    for (size_t j = 0; j < n; j++)
        cn[j] = f[j] * c[j] + i[j] * g[j];
    memcpy(th, cn, n * sizeof(float));
    activate(&w->act, th, n);
    float *hn = s->hn + a;
    if (s->valid) {
        for (size_t j = 0; j < n; j++)
            hn[j] = o[j] * th[j];
        memcpy(c, cn, n * sizeof(float));
    } else {
        memcpy(hn, s->hp + a, n * sizeof(float));
    }
}

/* z and r from h U (+ recurrent bias when reset_after). */
static void gru_gates_zr(const rnn_part *p, const cell_args *s)
{
    const rs_rnn_weights *w = p->sh->w;
    size_t u = p->sh->u, a = p->a, n = p->e - p->a;
    for (size_t g = 0; g < 2; g++) {
        float *z = s->z + g * u + a;
        add_to(z, s->xw + g * u + a, n);
        if (w->reset_after && w->recurrent_bias)
            add_to(z, w->recurrent_bias + g * u + a, n);
        activate(&w->ract, z, n);
    }
}

/* The rest of the GRU step once z, r and the recurrent product of the candidate are known. */
static void gru_finish(const rnn_part *p, const cell_args *s)
{
    const rs_rnn_weights *w = p->sh->w;
    size_t u = p->sh->u, a = p->a, n = p->e - p->a;
    const float *zg = s->z + a, *rg = s->z + u + a, *xh = s->xw + 2 * u + a;
    float *hh = s->z + 2 * u + a;
    if (w->reset_after) {
        const float *rb = w->recurrent_bias ? w->recurrent_bias + 2 * u + a : NULL;
        for (size_t j = 0; j < n; j++)
            hh[j] = xh[j] + rg[j] * (hh[j] + (rb ? rb[j] : 0.0f));
    } else {
        add_to(hh, xh, n);
    }
    activate(&w->act, hh, n);
    const float *hp = s->hp + a;
    float *hn = s->hn + a;
    if (s->valid)
        for (size_t j = 0; j < n; j++)
            hn[j] = zg[j] * hp[j] + (1.0f - zg[j]) * hh[j];
    else
        memcpy(hn, hp, n * sizeof(float));
}

/* ---- one processing step k for the part's samples ---- */

static bool step_valid(const rs_rnn_io *io, size_t b, size_t t)
{
    return !io->mask || io->mask[b * io->steps + t] != 0.0f;
}

static cell_args args_of(const rnn_part *p, size_t b, size_t k, size_t k0, size_t k1)
{
    rnn_shared *sh = p->sh;
    const rs_rnn_io *io = sh->io;
    size_t t = time_of(io, k), n = k1 - k0, bi = b - p->b0, u = sh->u;
    cell_args s = {
        .z = p->rec + bi * sh->Gu,
        .xw = p->xw + (bi * n + t - chunk_first_time(io, k0, k1)) * sh->Gu,
        .hp = sh->h[k & 1] + b * u,
        .hn = sh->h[(k + 1) & 1] + b * u,
        .c = sh->c ? sh->c + b * u : NULL,
        .out = sh->out + b * u,
        .seq = io->seq ? io->seq + (b * io->steps + k) * u : NULL,
        .rh = sh->rh + b * u,
        .valid = step_valid(io, b, t),
    };
    return s;
}

/* The part's units of h_{t-1} U for all its samples, into rec. */
static void recurrent_product(const rnn_part *p, size_t k, size_t g1, const float *h)
{
    const rnn_shared *sh = p->sh;
    if (sh->packed) {
        rs_gemm_packed(p->b1 - p->b0, h + p->b0 * sh->u, sh->u, &sh->pack[0], p->rec, sh->Gu, false);
        return;
    }
    product_cols(p, 0, g1, p->b1 - p->b0, sh->u, h + p->b0 * sh->u, sh->w->recurrent, p->rec, false);
}

/* One sample's GRU gates: all of the step with reset_after; z, r and r ⊙ h_{t-1} without. */
static void gru_first_half(const rnn_part *p, const cell_args *s)
{
    const rs_rnn_weights *w = p->sh->w;
    size_t u = p->sh->u;
    if (p->sh->fused && s->valid) {
        rs_cell_rows r = rows_of(p, s);
        if (w->reset_after)
            rs_cell_gru_after_fused(&r, w->act.kind, w->ract.kind);
        else
            rs_cell_gru_zr_fused(&r, w->ract.kind);
        return;
    }
    gru_gates_zr(p, s);
    if (w->reset_after)
        gru_finish(p, s);
    else
        for (size_t j = p->a; j < p->e; j++)
            s->rh[j] = s->z[u + j] * s->hp[j];
}

static void gru_step(rnn_part *p, size_t k, size_t k0, size_t k1)
{
    rnn_shared *sh = p->sh;
    const rs_rnn_weights *w = sh->w;
    size_t u = sh->u, a = p->a, n = p->e - p->a;
    recurrent_product(p, k, w->reset_after ? 3 : 2, sh->h[k & 1]);
    for (size_t b = p->b0; b < p->b1; b++) {
        cell_args s = args_of(p, b, k, k0, k1);
        gru_first_half(p, &s);
    }
    if (w->reset_after)
        return;
    if (sh->split_units)
        meet(p);
    if (sh->packed)
        rs_gemm_packed(p->b1 - p->b0, sh->rh + p->b0 * u, u, &sh->pack[1], p->rec + 2 * u,
                       sh->Gu, false);
    else
        rs_gemm(p->b1 - p->b0, n, u, sh->rh + p->b0 * u, u, w->recurrent + 2 * u + a, sh->Gu,
                p->rec + 2 * u + a, sh->Gu, false);
    for (size_t b = p->b0; b < p->b1; b++) {
        cell_args s = args_of(p, b, k, k0, k1);
        if (sh->fused && s.valid) {
            rs_cell_rows r = rows_of(p, &s);
            rs_cell_gru_before_fused(&r, w->act.kind);
        } else {
            gru_finish(p, &s);
        }
    }
}

/* The gates and cell state a caller asked for (io->gates, io->cells). */
static void emit_probes(rnn_part *p, size_t b, size_t k, const cell_args *s)
{
    rnn_shared *sh = p->sh;
    const rs_rnn_io *io = sh->io;
    size_t u = sh->u, a = p->a, n = p->e - p->a, t = time_of(io, k);
    if (io->gates)
        for (size_t g = 0; g < sh->G; g++)
            memcpy(io->gates + (b * io->steps + t) * sh->Gu + g * u + a, s->z + g * u + a,
                   n * sizeof(float));
    if (io->cells && sh->c)
        memcpy(io->cells + (b * io->steps + t) * u + a, s->c + a, n * sizeof(float));
}

/* The outputs of the generic cells (the fused ones write h_t to out and seq themselves). */
static void emit_outputs(rnn_part *p, size_t b, size_t k, const cell_args *s)
{
    const rs_rnn_io *io = p->sh->io;
    size_t a = p->a, n = p->e - p->a;
    float *out = s->out + a;
    if (s->valid)
        memcpy(out, s->hn + a, n * sizeof(float));
    else if (io->zero_output_for_mask)
        memset(out, 0, n * sizeof(float));
    if (s->seq)
        memcpy(s->seq + a, out, n * sizeof(float));
    emit_probes(p, b, k, s);
}

/* A valid step of one sample on the fused cells; a GRU's only with reset_after (gru_step runs
 * the others in two halves). */
static void fused_cell(const rs_rnn_weights *w, const rs_cell_rows *r)
{
    if (w->cell == RS_CELL_LSTM)
        rs_cell_lstm_fused(r, w->act.kind, w->ract.kind);
    else if (w->cell == RS_CELL_SIMPLE)
        rs_cell_simple_fused(r, w->act.kind);
    else
        rs_cell_gru_after_fused(r, w->act.kind, w->ract.kind);
}

/* A step of a pipelined part: the fused cell also computes the next step's product, 8 units of
 * h_t at a time, so that the product's loads run while the gates' arithmetic waits on its
 * divisions and exps. The first step's product is an ordinary one. */
static void pipelined_step(rnn_part *p, size_t k, size_t k0, size_t k1)
{
    rnn_shared *sh = p->sh;
    const rs_rnn_weights *w = sh->w;
    const rs_rnn_io *io = sh->io;
    if (k == 0)
        recurrent_product(p, k, sh->G, sh->h[0]);
    cell_args s = args_of(p, p->b0, k, k0, k1);
    rs_cell_rows r = rows_of(p, &s);
    if (k + 1 < io->steps) {
        r.next = p->rec_next;
        r.U = w->recurrent;
        r.gu = sh->Gu;
    }
    fused_cell(w, &r);
    if (io->gates || (io->cells && sh->c))
        emit_probes(p, p->b0, k, &s);
    float *t = p->rec;
    p->rec = p->rec_next;
    p->rec_next = t;
}

static void run_step(rnn_part *p, size_t k, size_t k0, size_t k1)
{
    rnn_shared *sh = p->sh;
    const rs_rnn_io *io = sh->io;
    if (p->pipelined) {
        pipelined_step(p, k, k0, k1);
        return;
    }
    bool probes = io->gates || (io->cells && sh->c);
    if (sh->w->cell == RS_CELL_GRU)
        gru_step(p, k, k0, k1);
    else
        recurrent_product(p, k, sh->G, sh->h[k & 1]);
    for (size_t b = p->b0; b < p->b1; b++) {
        cell_args s = args_of(p, b, k, k0, k1);
        if (sh->fused && s.valid) {
            rs_cell_rows r = rows_of(p, &s);
            if (sh->w->cell != RS_CELL_GRU) /* a GRU's cell ran in gru_step */
                fused_cell(sh->w, &r);
            if (probes)
                emit_probes(p, b, k, &s);
            continue;
        }
        if (sh->w->cell == RS_CELL_LSTM)
            cell_lstm(p, &s);
        else if (sh->w->cell == RS_CELL_SIMPLE)
            cell_simple(p, &s);
        emit_outputs(p, b, k, &s);
    }
    if (sh->split_units)
        meet(p);
}

/* ---- a part's whole run ---- */

static atomic_bool force_solo;

void rs_rnn_set_force_solo(bool on)
{
    atomic_store(&force_solo, on);
}

bool rs_rnn_split_pays(long long wall_ns, long long waited_ns, size_t parts)
{
    return wall_ns <= (wall_ns - waited_ns) * (long long)parts;
}

/* The lead of a unit split, at a chunk boundary: whether to carry on alone. Judged on the whole
 * run so far, so that one late wake-up on a quiet machine does not end the split. */
static bool lead_goes_solo(const rnn_part *p)
{
    if (atomic_load(&force_solo))
        return true;
    return !rs_rnn_split_pays(now_ns() - p->started_ns, p->waited_ns, p->sh->parts);
}

/* After the barrier that decided it: the other parts stop, the lead takes every unit. The others'
 * last reads of split_units came before that barrier. */
static bool after_solo(rnn_part *p)
{
    if (!p->lead)
        return false;
    p->a = 0;
    p->e = p->sh->u;
    p->sh->split_units = false;
    return true;
}

/* Progress and cancellation at a chunk boundary; all parts of a unit split agree. */
static bool keep_going(rnn_part *p, size_t finished)
{
    rnn_shared *sh = p->sh;
    const rs_rnn_io *io = sh->io;
    size_t done = atomic_fetch_add(&sh->done, finished) + finished;
    if (p->lead && finished > 0 &&
        !rs_progress_report(sh->progress, (double)done / (double)(io->batch * io->steps)))
        atomic_store(&sh->cancel, true);
    if (sh->split_units) {
        if (p->lead && lead_goes_solo(p))
            atomic_store(&sh->solo, true);
        meet(p);
        if (atomic_load(&sh->solo) && !after_solo(p))
            return false;
    }
    return !atomic_load(&sh->cancel);
}

static void run_part(rnn_part *p)
{
    const rs_rnn_io *io = p->sh->io;
    size_t nb = p->b1 - p->b0, counted = p->sh->split_units ? (p->lead ? nb : 0) : nb;
    if (nb == 0)
        return; /* an empty batch */
    p->started_ns = now_ns();
    p->waited_ns = 0;
    for (size_t k0 = 0; k0 < io->steps; k0 += p->chunk) {
        size_t k1 = k0 + p->chunk < io->steps ? k0 + p->chunk : io->steps;
        project_chunk(p, k0, k1);
        for (size_t k = k0; k < k1; k++)
            run_step(p, k, k0, k1);
        if (!keep_going(p, counted * (k1 - k0)))
            return;
    }
}

static bool pipelines(const rnn_part *p);

/* Piece i of the batch, as even as the count allows. */
static void piece_samples(const rnn_shared *sh, size_t i, size_t *b0, size_t *b1)
{
    *b0 = sh->io->batch * i / sh->pieces;
    *b1 = sh->io->batch * (i + 1) / sh->pieces;
}

/* A part of a unit split runs its units of the whole batch; a part of a batch split takes pieces
 * until none is left (or the run is cancelled). */
static void run_pieces(rnn_part *p)
{
    rnn_shared *sh = p->sh;
    if (sh->split_units) {
        run_part(p);
        return;
    }
    for (;;) {
        size_t i = atomic_fetch_add(&sh->next_piece, 1);
        if (i >= sh->pieces || atomic_load(&sh->cancel))
            return;
        piece_samples(sh, i, &p->b0, &p->b1);
        p->pipelined = pipelines(p);
        run_part(p);
    }
}

static int part_alloc(rnn_part *p)
{
    const rnn_shared *sh = p->sh;
    size_t nb = p->most, per_step = nb * sh->Gu;
    size_t chunk = CHUNK_FLOATS / (per_step ? per_step : 1);
    p->chunk = chunk < 1 ? 1 : chunk > MAX_CHUNK_STEPS ? MAX_CHUNK_STEPS : chunk;
    size_t in = sh->w->input_dim;
    size_t recs = 2; /* a piece of one sample may pipeline: see pipelines() */
    float *buf = rs_calloc_aligned(
        recs * per_step + p->chunk * per_step + p->chunk * nb * in + 2 * sh->u + 1, sizeof(float));
    if (!buf)
        return -1;
    p->mem = buf;
    p->rec = buf;
    p->rec_next = buf + per_step;
    p->xw = buf + recs * per_step;
    p->xg = p->xw + p->chunk * per_step;
    p->tmp = p->xg + p->chunk * nb * in;
    return 0;
}

/* ---- planning the parts ---- */

static atomic_bool always_thread;

void rs_rnn_set_always_thread(bool on)
{
    atomic_store(&always_thread, on);
}

bool rs_rnn_always_thread(void)
{
    return atomic_load(&always_thread);
}

/* Every thread of the budget: a thread whose core is busy with another process costs the others
 * a wake-up at the barrier, not a timeslice of spinning (rnnscope/barrier.h), so no guess of the
 * machine's load (the load average, which trails by a minute) is needed. */
size_t rs_rnn_usable_threads(void)
{
    return (size_t)rs_threads();
}

size_t rs_rnn_batch_parts(const rs_rnn_weights *w, size_t batch, size_t steps,
                          size_t max_threads)
{
    bool always = atomic_load(&always_thread);
    size_t threads = rs_rnn_usable_threads();
    if (max_threads && threads > max_threads)
        threads = max_threads;
    if (threads < 2 || batch < 2)
        return 1;
    size_t flops = w->units * rs_cell_gates(w->cell) * w->units * steps;
    size_t parts = threads < batch ? threads : batch;
    while (!always && parts > 1 && flops * (batch / parts) < BATCH_SPLIT_MIN_FLOPS)
        parts--;
    return parts;
}

static size_t plan_parts(const rs_rnn_weights *w, const rs_rnn_io *io, bool *split_units)
{
    bool always = atomic_load(&always_thread);
    size_t threads = rs_rnn_usable_threads(), u = w->units;
    if (io->max_threads && threads > io->max_threads)
        threads = io->max_threads;
    *split_units = false;
    if (threads < 2 || io->batch == 0)
        return 1;
    if (io->batch >= 2)
        return rs_rnn_batch_parts(w, io->batch, io->steps, io->max_threads);
    if (!always && u < SPLIT_MIN_UNITS)
        return 1;
    size_t min_slice = always ? 8 : SPLIT_MIN_SLICE;
    size_t parts = u / min_slice < threads ? u / min_slice : threads;
    if (parts < 2)
        return 1; /* fewer units than a slice (was 0 parts below 8 units: a division by zero) */
    *split_units = true;
    return parts;
}

/* How many pieces a batch split over `parts` threads is handed out in (PIECE_SAMPLES). */
static size_t plan_pieces(const rnn_shared *sh, size_t parts)
{
    size_t batch = sh->io->batch;
    if (parts < 2 || sh->u * sh->Gu * sizeof(float) > PIECE_MAX_WEIGHT_BYTES ||
        batch < 2 * PIECE_SAMPLES)
        return parts;
    size_t pieces = (batch + PIECE_SAMPLES - 1) / PIECE_SAMPLES;
    return pieces > parts ? pieces : parts;
}

static void assign(rnn_part *p, rnn_shared *sh, size_t i, size_t parts, size_t batch)
{
    size_t u = sh->u;
    p->sh = sh;
    p->lead = i == 0;
    if (sh->split_units) {
        p->b0 = 0;
        p->b1 = p->most = batch;
        /* unit boundaries on multiples of 8 keep the vector loops whole */
        p->a = i == 0 ? 0 : (u * i / parts) / 8 * 8;
        p->e = i + 1 == parts ? u : (u * (i + 1) / parts) / 8 * 8;
    } else {
        p->b0 = p->b1 = 0; /* run_pieces sets the piece */
        p->most = (batch + sh->pieces - 1) / sh->pieces;
        p->a = 0;
        p->e = u;
    }
}

/* Whether a part pipelines its steps (pipelined_step): one sample, the whole layer, every step
 * valid and on the fused cells, with the product of rs_gemv_rows (no packed weights). Up to
 * PIPELINE_MAX_UNITS, where the gate arithmetic is a large share of a step. Measured (bench/,
 * warm runs): LSTM and GRU of 64 units 7 % faster; 128 (BiLSTM) 8 % slower, 256 no change. */
static bool pipelines(const rnn_part *p)
{
    const rnn_shared *sh = p->sh;
    const rs_rnn_weights *w = sh->w;
    return sh->fused && !sh->split_units && !sh->packed && p->b1 - p->b0 == 1 && !sh->io->mask &&
           sh->u % 8 == 0 && sh->u <= PIPELINE_MAX_UNITS &&
           (w->cell != RS_CELL_GRU || w->reset_after);
}

static void *part_thread(void *arg)
{
    rnn_part *p = arg;
    if (rs_word_wait(&p->sh->start, START_WAIT) == START_GO)
        run_pieces(p);
    return NULL;
}

/* Runs the parts, parts[0] on this thread. Returns false, having run nothing, when a thread
 * cannot be started. */
static bool run_parts(rnn_part *parts, size_t n)
{
    rnn_shared *sh = parts[0].sh;
    pthread_t tid[n > 1 ? n - 1 : 1];
    size_t started = 0;
    for (; started + 1 < n; started++)
        if (rs_thread_start(&tid[started], part_thread, &parts[started + 1]) != 0)
            break;
    bool all = started + 1 == n;
    rs_word_set(&sh->start, all ? START_GO : START_ABORT);
    if (all)
        run_pieces(&parts[0]);
    for (size_t i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    return all;
}

static void free_parts(rnn_part *parts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rs_free_aligned(parts[i].mem);
    free(parts);
}

/* Plans, allocates and runs the parts; -1 when out of memory. */
static int run_planned(rnn_shared *sh, size_t n)
{
    for (;;) {
        rnn_part *parts = calloc(n, sizeof *parts);
        if (!parts)
            return -1;
        if (!sh->split_units)
            sh->pieces = plan_pieces(sh, n);
        atomic_store(&sh->next_piece, 0);
        for (size_t i = 0; i < n; i++) {
            assign(&parts[i], sh, i, n, sh->io->batch);
            parts[i].pipelined = pipelines(&parts[i]);
            if (part_alloc(&parts[i]) < 0) {
                free_parts(parts, n);
                return -1;
            }
        }
        rs_barrier_init(&sh->barrier, (unsigned)n);
        sh->parts = n;
        atomic_store(&sh->solo, false);
        rs_word_init(&sh->start, START_WAIT);
        bool ran = run_parts(parts, n);
        free_parts(parts, n);
        if (ran)
            return 0;
        n = 1; /* no threads to be had: all on this one */
        sh->split_units = false;
    }
}

/* Copies of z|r and h of a GRU with the reset gate before the product, packed apart. */
static int pack_apart(rnn_shared *sh)
{
    size_t u = sh->u;
    if (rs_pack_b(&sh->pack[0], u, 2 * u, sh->w->recurrent, sh->Gu) < 0 ||
        rs_pack_b(&sh->pack[1], u, u, sh->w->recurrent + 2 * u, sh->Gu) < 0)
        return -1;
    sh->packed = true;
    return 0;
}

/* Packing the recurrent weights pays when each step multiplies them by several samples at once
 * (with fewer, rs_gemm streams them row by row). They are rearranged in their own memory when
 * the caller allows it, so that they are held once; otherwise copied, except for very large
 * layers, whose weights would dominate the peak memory twice over (rs_gemm packs blocks per step
 * for them). */
static int pack_recurrent(rnn_shared *sh, size_t parts)
{
    const rs_rnn_weights *w = sh->w;
    size_t u = sh->u, Gu = sh->Gu;
    if (sh->split_units || sh->io->batch / parts < 4)
        return 0;
    bool two = w->cell == RS_CELL_GRU && !w->reset_after;
    /* the product of h must start on a 16-column panel of the whole */
    bool whole = !two || (2 * u) % 16 == 0;
    int rc = 1;
    if (w->recurrent_in_place && whole)
        rc = rs_pack_b_in_place(&sh->store, u, Gu, w->recurrent_in_place);
    if (rc == 1 && u * Gu <= PACK_MAX_FLOATS) { /* in place cannot: a copy */
        if (!whole)
            return pack_apart(sh);
        rc = rs_pack_b(&sh->store, u, Gu, w->recurrent, Gu);
    }
    if (rc != 0 || !sh->store.panels)
        return rc < 0 ? -1 : 0;
    sh->pack[0] = rs_packed_b_columns(&sh->store, 0, two ? 2 * u : Gu);
    sh->pack[1] = rs_packed_b_columns(&sh->store, 2 * u, u);
    sh->packed = true;
    return 0;
}

static void init_state(rnn_shared *sh)
{
    const rs_rnn_io *io = sh->io;
    size_t bu = io->batch * sh->u;
    if (io->h0)
        memcpy(sh->h[0], io->h0, bu * sizeof(float));
    /* Keras starts the masked-output carry from zeros whatever the initial state. */
    if (io->h0 && io->masked_output_is_state)
        memcpy(sh->out, io->h0, bu * sizeof(float));
    if (io->c0 && sh->c)
        memcpy(sh->c, io->c0, bu * sizeof(float));
}

int rs_rnn_run(const rs_rnn_weights *w, const rs_rnn_io *io, const rs_progress *progress,
               rs_error *err)
{
    rnn_shared sh = {.w = w, .io = io, .G = rs_cell_gates(w->cell), .u = w->units,
                     .progress = progress};
    sh.Gu = sh.G * sh.u;
    size_t bu = io->batch * sh.u;
    float *state = calloc(5 * bu + 1, sizeof(float));
    if (!state)
        return rs_fail_code(err, RS_ERR_NO_MEMORY, NULL, "out of memory in the recurrence");
    sh.h[0] = state;
    sh.h[1] = state + bu;
    sh.out = state + 2 * bu;
    sh.rh = state + 3 * bu;
    sh.c = w->cell == RS_CELL_LSTM ? state + 4 * bu : NULL;
    sh.fused = rs_cells_fusable(&w->act, &w->ract);
    atomic_init(&sh.done, 0);
    atomic_init(&sh.cancel, false);
    rs_word_init(&sh.start, START_WAIT);
    init_state(&sh);

    size_t n = plan_parts(w, io, &sh.split_units);
    int rc = pack_recurrent(&sh, n);
    if (rc == 0)
        rc = run_planned(&sh, n);
    rs_unpack_b_in_place(&sh.store);
    rs_packed_b_free(&sh.store);
    rs_packed_b_free(&sh.pack[0]);
    rs_packed_b_free(&sh.pack[1]);
    if (rc < 0) {
        free(state);
        return rs_fail_code(err, RS_ERR_NO_MEMORY, NULL, "out of memory in the recurrence");
    }
    if (atomic_load(&sh.cancel)) {
        free(state);
        return rs_fail_cancelled(err);
    }
    const float *h = sh.h[io->steps & 1];
    if (io->last)
        memcpy(io->last, sh.out, bu * sizeof(float));
    if (io->h_last)
        memcpy(io->h_last, h, bu * sizeof(float));
    if (io->c_last && sh.c)
        memcpy(io->c_last, sh.c, bu * sizeof(float));
    free(state);
    return 0;
}

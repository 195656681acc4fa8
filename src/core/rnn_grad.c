/* Backpropagation through time (see rnnscope/rnn_grad.h).
 *
 * 1. The recurrence runs again (rs_rnn_run, all its speed) keeping every step's activated gates
 *    and LSTM cell state: the tape. From it the state before each step is rebuilt (h_{k-1},
 *    c_{k-1}), per sample in processing order, carrying it over masked steps as the forward does.
 *    When memory is short the sequence is cut into segments (√T steps: checkpointing): a first
 *    run keeps only the states at the segments' starts, and each segment's tape is computed
 *    again from its start when the sweep reaches it, last segment first.
 * 2. The sweep runs from the last processing step to the first, all samples together. A step's
 *    gate gradients (w.r.t. the pre-activations) overwrite its gates in the tape; the gradient of
 *    h_{k-1} is the element-wise part plus one product with the recurrent weights transposed.
 *    A masked step passes the state's gradient through and has zero gate gradients.
 * 3. The weights' gradients are then a few large products over a segment's steps at once: inputsᵀ ·
 *    gate gradients, states beforeᵀ · gate gradients; the input gradient gate gradients · Wᵀ.
 * Derivatives of the activations come from their outputs (the tape holds no pre-activations):
 * tanh, sigmoid, hard_sigmoid, relu, elu, softsign... (rs_activation_grad_from_output). */
#include <stdlib.h>
#include <string.h>

#include "rnnscope/grad_kernels.h"
#include "rnnscope/rnn_grad.h"
#include "rnnscope/threads.h"

#define PROGRESS_STEPS 64

typedef struct tape {
    size_t B, T, in, u, G, Gu;  /* T: the steps of the segment held */
    size_t Tall, k0;            /* the whole sequence's steps; the segment's first step */
    rs_rnn_io seg;              /* the segment as a call of its own (inputs gathered) */
    float *gates;   /* (B, T, Gu) activated gates; then the gate gradients (pre-activation) */
    float *cells;   /* (B, T, u) LSTM: c after the step */
    float *hprev;   /* (B, T, u) h before the step */
    float *cprev;   /* (B, T, u) LSTM: c before the step */
    float *third;   /* (B, T, u) GRU: d(h U_h + b) (reset_after) or r ⊙ h_{k-1} (before) */
    float *ut;      /* (Gu, u) the recurrent weights transposed */
    /* the products of every step, packed once (rs_gemm would pack its B at every call): Uᵀ's
     * direct rows (all, or a GRU's z and r), its candidate rows, and U's candidate columns */
    rs_packed_b pk_direct, pk_cand, pk_uh;
    float *dh, *dprev, *dc, *tmp; /* (B, u) each; tmp (B, Gu) */
    float *hrun, *crun;           /* (B, u): the state while the tape is rebuilt */
    float *xs, *ms, *dxs;         /* the segment's inputs (B, T, in), mask (B, T), dx (B, T, in) */
    float *ck_h, *ck_c;           /* (segments, B, u): the states at the segments' starts */
    size_t *first_valid; /* per sample: the first valid processing step (Tall: none) */
    float *mem;
} tape;

static size_t time_of(const rs_rnn_io *io, size_t k)
{
    return io->go_backwards ? io->steps - 1 - k : k;
}

static bool valid_at(const rs_rnn_io *io, size_t b, size_t t)
{
    return !io->mask || io->mask[b * io->steps + t] != 0.0f;
}

static size_t segments_of(size_t steps, size_t seg)
{
    return seg ? (steps + seg - 1) / seg : 1;
}

size_t rs_rnn_backward_floats(const rs_rnn_weights *w, size_t batch, size_t steps, size_t seg)
{
    if (seg == 0 || seg > steps)
        seg = steps;
    size_t u = w->units, Gu = rs_cell_gates(w->cell) * u, bs = batch * seg, in = w->input_dim;
    size_t per_step = Gu + u + (w->cell == RS_CELL_LSTM ? 2 * u : 0) +
                      (w->cell == RS_CELL_GRU ? u : 0) + 2 * in + 1;
    size_t checkpoints = 2 * (segments_of(steps, seg) + 1) * batch * u;
    /* split over the batch (backward_split): each part has the tape of its samples, the
     * recurrent weights' copies of its own and, after the first, its weights' gradients */
    size_t parts = rs_rnn_batch_parts(w, batch, steps, 0);
    size_t per_part = Gu * u + (in + u + 2) * Gu + (5 * u + Gu);
    return bs * per_step + parts * per_part + batch * (5 * u + Gu) + checkpoints + Gu * in + batch;
}

static int tape_alloc(tape *tp, const rs_rnn_weights *w, const rs_rnn_io *io, size_t seg,
                      rs_error *err)
{
    memset(tp, 0, sizeof *tp);
    tp->B = io->batch;
    tp->Tall = io->steps;
    tp->T = seg;
    tp->in = w->input_dim;
    tp->u = w->units;
    tp->G = rs_cell_gates(w->cell);
    tp->Gu = tp->G * tp->u;
    size_t bt = tp->B * tp->T, u = tp->u, Gu = tp->Gu, in = tp->in, B = tp->B;
    size_t nck = (segments_of(tp->Tall, seg) + 1) * B * u;
    bool lstm = w->cell == RS_CELL_LSTM, gru = w->cell == RS_CELL_GRU;
    size_t n = bt * (Gu + u + (lstm ? 2 * u : 0) + (gru ? u : 0) + 2 * in + 1) + Gu * u +
               B * (5 * u + Gu) + 2 * nck;
    tp->mem = malloc((n ? n : 1) * sizeof(float));
    tp->first_valid = calloc(B + 1, sizeof *tp->first_valid);
    if (!tp->mem || !tp->first_valid) {
        free(tp->mem);
        free(tp->first_valid);
        return rs_fail_code(err, RS_ERR_NO_MEMORY, NULL,
                            "out of memory for the reverse pass of the recurrence");
    }
    float *p = tp->mem;
    tp->gates = p, p += bt * Gu;
    tp->hprev = p, p += bt * u;
    if (lstm)
        tp->cells = p, p += bt * u, tp->cprev = p, p += bt * u;
    if (gru)
        tp->third = p, p += bt * u;
    tp->xs = p, p += bt * in;
    tp->dxs = p, p += bt * in;
    tp->ms = p, p += bt;
    tp->ut = p, p += Gu * u;
    tp->dh = p, p += B * u;
    tp->dprev = p, p += B * u;
    tp->dc = p, p += B * u;
    tp->hrun = p, p += B * u;
    tp->crun = p, p += B * u;
    tp->ck_h = p, p += nck;
    tp->ck_c = p, p += nck;
    tp->tmp = p;
    return 0;
}

/* Pack the recurrent weights for the steps' products (after ut is filled). */
static int tape_pack(tape *tp, const rs_rnn_weights *w, rs_error *err)
{
    size_t u = tp->u, Gu = tp->Gu;
    bool gru = w->cell == RS_CELL_GRU;
    if (rs_pack_b(&tp->pk_direct, gru ? 2 * u : Gu, u, tp->ut, u) < 0 ||
        (gru && rs_pack_b(&tp->pk_cand, u, u, tp->ut + 2 * u * u, u) < 0) ||
        (gru && w->reset_after && rs_pack_b(&tp->pk_uh, u, u, w->recurrent + 2 * u, Gu) < 0))
        return rs_fail_code(err, RS_ERR_NO_MEMORY, NULL,
                            "out of memory for the reverse pass of the recurrence");
    return 0;
}

static void tape_free(tape *tp)
{
    rs_packed_b_free(&tp->pk_direct);
    rs_packed_b_free(&tp->pk_cand);
    rs_packed_b_free(&tp->pk_uh);
    free(tp->mem);
    free(tp->first_valid);
}

/* The first input time of processing steps [k0, k1). */
static size_t first_time(const rs_rnn_io *io, size_t k0, size_t k1)
{
    return io->go_backwards ? io->steps - k1 : k0;
}

/* Make processing steps [k0, k1) the tape's segment: its inputs and mask gathered, starting
 * from checkpoint s. */
static void enter_segment(tape *tp, const rs_rnn_io *io, size_t s, size_t k0, size_t k1)
{
    size_t len = k1 - k0, t0 = first_time(io, k0, k1), in = tp->in, B = tp->B, u = tp->u;
    for (size_t b = 0; b < B; b++) {
        memcpy(tp->xs + b * len * in, io->x + (b * tp->Tall + t0) * in, len * in * sizeof(float));
        for (size_t j = 0; io->mask && j < len; j++)
            tp->ms[b * len + j] = io->mask[b * tp->Tall + t0 + j];
    }
    tp->k0 = k0;
    tp->T = len;
    tp->seg = *io;
    tp->seg.steps = len;
    tp->seg.x = tp->xs;
    tp->seg.mask = io->mask ? tp->ms : NULL;
    tp->seg.h0 = tp->ck_h + s * B * u;
    tp->seg.c0 = tp->cells ? tp->ck_c + s * B * u : NULL;
    tp->seg.seq = tp->seg.last = tp->seg.h_last = tp->seg.c_last = NULL;
    tp->seg.gates = tp->seg.cells = NULL;
}

/* Per sample, its first valid processing step over the whole sequence. */
static void find_first_valid(const rs_rnn_io *io, tape *tp)
{
    for (size_t b = 0; b < tp->B; b++) {
        tp->first_valid[b] = tp->Tall;
        for (size_t k = 0; k < tp->Tall && tp->first_valid[b] == tp->Tall; k++)
            if (valid_at(io, b, time_of(io, k)))
                tp->first_valid[b] = k;
    }
}

/* The states before every step of the segment, from its gates and cells, per sample in
 * processing order from the segment's checkpoint. */
static void rebuild_states(const rs_rnn_weights *w, tape *tp)
{
    const rs_rnn_io *io = &tp->seg;
    size_t u = tp->u, Gu = tp->Gu;
    for (size_t b = 0; b < tp->B; b++) {
        float *hb = tp->hrun + b * u, *cb = tp->crun + b * u;
        memcpy(hb, io->h0 + b * u, u * sizeof(float));
        for (size_t j = 0; j < u; j++)
            cb[j] = io->c0 ? io->c0[b * u + j] : 0.0f;
        for (size_t k = 0; k < tp->T; k++) {
            size_t t = time_of(io, k), row = b * tp->T + t;
            memcpy(tp->hprev + row * u, hb, u * sizeof(float));
            if (tp->cprev)
                memcpy(tp->cprev + row * u, cb, u * sizeof(float));
            if (!valid_at(io, b, t))
                continue;
            const float *g = tp->gates + row * Gu;
            if (w->cell == RS_CELL_LSTM) { /* h = o * act(c), the activation vectorized */
                memcpy(cb, tp->cells + row * u, u * sizeof(float));
                memcpy(hb, cb, u * sizeof(float));
                rs_activate(&w->act, hb, u, u);
                for (size_t j = 0; j < u; j++)
                    hb[j] *= g[3 * u + j];
                continue;
            }
            for (size_t j = 0; j < u; j++) {
                if (w->cell == RS_CELL_GRU) {
                    hb[j] = g[j] * hb[j] + (1.0f - g[j]) * g[2 * u + j];
                } else {
                    hb[j] = g[j];
                }
            }
        }
    }
}

/* The gradient of output k reaching h_k: masked steps output h_k unless they output zeros
 * (zero_output_for_mask, or later Keras before any valid step). */
static bool output_flows(const rs_rnn_io *io, const tape *tp, size_t b, size_t k, bool valid)
{
    return valid || (!io->zero_output_for_mask &&
                     (io->masked_output_is_state || tp->first_valid[b] < k));
}

static void add_output_grads(const rs_rnn_grad_io *g, tape *tp, size_t kl)
{
    const rs_rnn_io *io = &tp->seg;
    size_t u = tp->u, k = tp->k0 + kl; /* kl in the segment, k in the sequence */
    for (size_t b = 0; b < tp->B; b++) {
        if (!output_flows(io, tp, b, k, valid_at(io, b, time_of(io, kl))))
            continue;
        float *dh = tp->dh + b * u;
        if (g->d_seq)
            for (size_t j = 0; j < u; j++)
                dh[j] += g->d_seq[(b * tp->Tall + k) * u + j];
        if (g->d_last && k == tp->Tall - 1)
            for (size_t j = 0; j < u; j++)
                dh[j] += g->d_last[b * u + j];
    }
}

/* f'(pre-activation) from the outputs y, times d, in place in d. */
static void times_grad(const rs_activation *a, const float *y, float *d, float *scratch, size_t n)
{
    rs_activation_grad_from_output(a, y, scratch, n);
    for (size_t j = 0; j < n; j++)
        d[j] *= scratch[j];
}

#define BLOCK 64

/* LSTM step of sample b at tape row `row`: the gates' values become their gradients (w.r.t.
 * the pre-activations), dc becomes the gradient of c_{k-1}. */
static void lstm_step(const rs_rnn_weights *w, tape *tp, size_t b, size_t row)
{
    size_t u = tp->u;
    float *g = tp->gates + row * tp->Gu, *dh = tp->dh + b * u, *dc = tp->dc + b * u;
    const float *c = tp->cells + row * u, *cp = tp->cprev + row * u;
    float d[4][BLOCK], tc[BLOCK], dtc[BLOCK];
    for (size_t j0 = 0; j0 < u; j0 += BLOCK) {
        size_t n = u - j0 < BLOCK ? u - j0 : BLOCK;
        for (int q = 0; q < 4; q++)
            rs_activation_grad_from_output(q == 2 ? &w->act : &w->ract, g + q * u + j0, d[q], n);
        memcpy(tc, c + j0, n * sizeof(float));
        rs_activate(&w->act, tc, n, n);
        rs_activation_grad_from_output(&w->act, tc, dtc, n);
        for (size_t jj = 0; jj < n; jj++) {
            size_t j = j0 + jj;
            float i = g[j], f = g[u + j], cand = g[2 * u + j], o = g[3 * u + j];
            float dcc = dc[j] + dh[j] * o * dtc[jj];
            g[j] = dcc * cand * d[0][jj];
            g[u + j] = dcc * cp[j] * d[1][jj];
            g[2 * u + j] = dcc * i * d[2][jj];
            g[3 * u + j] = dh[j] * tc[jj] * d[3][jj];
            dc[j] = dcc * f;
        }
    }
}

/* GRU step of sample b: the gates become their gradients (reset_before: the r block holds
 * f'(r) until gru_reset_before_rest), the element-wise part of dh_{k-1} goes to dprev, and
 * `third` gets d(h U_h + b_h) (reset_after) or r ⊙ h_{k-1} (before). S (3u of scratch) keeps r.
 * hu: h_{k-1} U_h + b_h (reset_after). */
static void gru_step(const rs_rnn_weights *w, tape *tp, size_t b, size_t row, const float *hu)
{
    size_t u = tp->u;
    float *g = tp->gates + row * tp->Gu, *dh = tp->dh + b * u, *dp = tp->dprev + b * u;
    const float *hp = tp->hprev + row * u;
    float *s0 = tp->tmp + b * tp->Gu, *s1 = s0 + u, *s2 = s1 + u, *third = tp->third + row * u;
    for (size_t j = 0; j < u; j++) {
        float z = g[j], hh = g[2 * u + j];
        dp[j] = dh[j] * z;
        s0[j] = dh[j] * (hp[j] - hh);  /* d z */
        s1[j] = dh[j] * (1.0f - z);    /* d hh */
    }
    times_grad(&w->act, g + 2 * u, s1, s2, u); /* d of the candidate's pre-activation */
    times_grad(&w->ract, g, s0, s2, u);        /* d of z's pre-activation */
    memcpy(s2, g + u, u * sizeof(float));      /* r */
    rs_activation_grad_from_output(&w->ract, s2, g + u, u);
    memcpy(g, s0, u * sizeof(float));
    memcpy(g + 2 * u, s1, u * sizeof(float));
    for (size_t j = 0; j < u; j++) {
        if (w->reset_after) {
            third[j] = s1[j] * s2[j];
            g[u + j] *= s1[j] * hu[j];
        } else {
            third[j] = s2[j] * hp[j];
        }
    }
}

/* GRU reset_before, once every sample's step is done: d(r ⊙ h_{k-1}) = d cand · U_hᵀ, then
 * the r gate's gradient and the part of dh_{k-1} through r ⊙ h. drh: (B, u) of scratch. */
static void gru_reset_before_rest(const tape *tp, size_t t, const rs_rnn_io *io, float *drh)
{
    size_t u = tp->u, Gu = tp->Gu;
    rs_gemm_packed(tp->B, tp->gates + t * Gu + 2 * u, tp->T * Gu, &tp->pk_cand, drh, u, false);
    for (size_t b = 0; b < tp->B; b++) {
        if (!valid_at(io, b, t))
            continue;
        size_t row = b * tp->T + t;
        float *g = tp->gates + row * Gu, *dp = tp->dprev + b * u;
        const float *hp = tp->hprev + row * u, *r = tp->tmp + b * Gu + 2 * u;
        for (size_t j = 0; j < u; j++) {
            g[u + j] *= drh[b * u + j] * hp[j];
            dp[j] += drh[b * u + j] * r[j];
        }
    }
}

/* h_{k-1} U_h + b_h for every sample at time t (GRU reset_after), into out (B, u). */
static void gru_hu(const rs_rnn_weights *w, const tape *tp, size_t t, float *out)
{
    size_t u = tp->u;
    rs_gemm_packed(tp->B, tp->hprev + t * u, tp->T * u, &tp->pk_uh, out, u, false);
    if (w->recurrent_bias)
        for (size_t b = 0; b < tp->B; b++)
            for (size_t j = 0; j < u; j++)
                out[b * u + j] += w->recurrent_bias[2 * u + j];
}

/* One processing step backwards for all samples; then dh holds the gradient of h_{k-1}.
 * work: (B, u) of scratch. */
static void step_back(const rs_rnn_weights *w, const rs_rnn_grad_io *g, tape *tp, size_t k,
                      float *work)
{
    const rs_rnn_io *io = &tp->seg; /* k: a step of the segment */
    size_t u = tp->u, Gu = tp->Gu, t = time_of(io, k), ld = tp->T * Gu;
    add_output_grads(g, tp, k);
    if (w->cell == RS_CELL_GRU && w->reset_after)
        gru_hu(w, tp, t, work);
    for (size_t b = 0; b < tp->B; b++) {
        size_t row = b * tp->T + t;
        float *dp = tp->dprev + b * u, *gr = tp->gates + row * Gu;
        if (!valid_at(io, b, t)) { /* the state passes through; the gates had no effect */
            memset(gr, 0, Gu * sizeof(float));
            if (tp->third)
                memset(tp->third + row * u, 0, u * sizeof(float));
            memcpy(dp, tp->dh + b * u, u * sizeof(float));
        } else if (w->cell == RS_CELL_LSTM) {
            lstm_step(w, tp, b, row);
            memset(dp, 0, u * sizeof(float));
        } else if (w->cell == RS_CELL_GRU) {
            gru_step(w, tp, b, row, work + b * u);
        } else {
            times_grad(&w->act, gr, tp->dh + b * u, tp->tmp + b * Gu, u);
            memcpy(gr, tp->dh + b * u, u * sizeof(float));
            memset(dp, 0, u * sizeof(float));
        }
    }
    /* dh_{k-1} += (gate gradients) · Uᵀ; a GRU's candidate block goes through hu or r ⊙ h */
    const float *A = tp->gates + t * Gu;
    if (w->cell != RS_CELL_GRU) {
        rs_gemm_packed(tp->B, A, ld, &tp->pk_direct, tp->dprev, u, true);
    } else {
        if (w->reset_after)
            rs_gemm_packed(tp->B, tp->third + t * u, tp->T * u, &tp->pk_cand, tp->dprev, u, true);
        else
            gru_reset_before_rest(tp, t, io, work);
        rs_gemm_packed(tp->B, A, ld, &tp->pk_direct, tp->dprev, u, true);
    }
    float *swap = tp->dh;
    tp->dh = tp->dprev;
    tp->dprev = swap;
}

static void column_sums(const float *A, size_t rows, size_t cols, size_t lda, float *out)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            out[c] += A[r * lda + c];
}

/* The weights' and the input's gradients from every step's gate gradients at once. */
/* The weights' gradients from every step of the segment at once, and its inputs' gradients
 * put back in place in dx. */
static int weight_grads(const rs_rnn_weights *w, const rs_rnn_grad_io *g, const tape *tp)
{
    size_t bt = tp->B * tp->T, u = tp->u, Gu = tp->Gu, in = tp->in;
    const float *dz = tp->gates;
    if (g->dx) {
        if (rs_gemm_nt(bt, in, Gu, dz, Gu, w->kernel, Gu, tp->dxs, in, false) < 0)
            return -1;
        size_t t0 = first_time(&g->fwd, tp->k0, tp->k0 + tp->T);
        for (size_t b = 0; b < tp->B; b++)
            memcpy(g->dx + (b * tp->Tall + t0) * in, tp->dxs + b * tp->T * in,
                   tp->T * in * sizeof(float));
    }
    if (g->d_kernel && rs_gemm_tn(in, Gu, bt, tp->xs, in, dz, Gu, g->d_kernel, Gu, true) < 0)
        return -1;
    if (g->d_bias)
        column_sums(dz, bt, Gu, Gu, g->d_bias);
    if (!g->d_recurrent && !g->d_recurrent_bias)
        return 0;
    bool gru = w->cell == RS_CELL_GRU;
    size_t direct = gru ? 2 * u : Gu; /* the columns whose product is h_{k-1} · U */
    if (g->d_recurrent) {
        if (rs_gemm_tn(u, direct, bt, tp->hprev, u, dz, Gu, g->d_recurrent, Gu, true) < 0)
            return -1;
        /* GRU candidate: reset_after hu = h U_h (third = d hu); before: (r ⊙ h) U_h */
        if (gru && (w->reset_after
                        ? rs_gemm_tn(u, u, bt, tp->hprev, u, tp->third, u, g->d_recurrent + 2 * u,
                                     Gu, true)
                        : rs_gemm_tn(u, u, bt, tp->third, u, dz + 2 * u, Gu,
                                     g->d_recurrent + 2 * u, Gu, true)) < 0)
            return -1;
    }
    if (g->d_recurrent_bias && gru && w->reset_after) {
        column_sums(dz, bt, 2 * u, Gu, g->d_recurrent_bias);
        column_sums(tp->third, bt, u, u, g->d_recurrent_bias + 2 * u);
    }
    return 0;
}

/* The states at the start of every segment: the initial states, then the recurrence run
 * segment by segment (only the final states kept). */
static int checkpoints(const rs_rnn_weights *w, const rs_rnn_grad_io *g, tape *tp, size_t seg,
                       size_t n_seg, rs_error *err)
{
    size_t Bu = tp->B * tp->u;
    for (size_t i = 0; i < Bu; i++) {
        tp->ck_h[i] = g->fwd.h0 ? g->fwd.h0[i] : 0.0f;
        tp->ck_c[i] = g->fwd.c0 ? g->fwd.c0[i] : 0.0f;
    }
    for (size_t s = 0; s + 1 < n_seg; s++) {
        enter_segment(tp, &g->fwd, s, s * seg, (s + 1) * seg);
        tp->seg.h_last = tp->ck_h + (s + 1) * Bu;
        tp->seg.c_last = tp->cells ? tp->ck_c + (s + 1) * Bu : NULL;
        if (rs_rnn_run(w, &tp->seg, NULL, err) < 0)
            return -1;
    }
    return 0;
}

/* One segment backwards: its tape recomputed from its checkpoint, its steps from last to first,
 * then its share of the weights' and inputs' gradients. */
static int segment_back(const rs_rnn_weights *w, const rs_rnn_grad_io *g, tape *tp, size_t s,
                        size_t k0, size_t k1, float *work, const rs_progress *progress,
                        rs_error *err)
{
    enter_segment(tp, &g->fwd, s, k0, k1);
    tp->seg.gates = tp->gates;
    tp->seg.cells = tp->cells;
    if (rs_rnn_run(w, &tp->seg, NULL, err) < 0)
        return -1;
    rebuild_states(w, tp);
    for (size_t k = tp->T; k-- > 0;) {
        step_back(w, g, tp, k, work);
        size_t done = tp->Tall - (k0 + k);
        if (done % PROGRESS_STEPS == 0 &&
            !rs_progress_report(progress, (double)done / (double)tp->Tall))
            return rs_fail_cancelled(err);
    }
    if (weight_grads(w, g, tp) < 0)
        return rs_fail_code(err, RS_ERR_NO_MEMORY, NULL,
                            "out of memory for the reverse pass of the recurrence");
    return 0;
}

static int sweep(const rs_rnn_weights *w, const rs_rnn_grad_io *g, tape *tp, size_t seg,
                 const rs_progress *progress, rs_error *err)
{
    size_t u = tp->u, n_seg = segments_of(tp->Tall, seg);
    float *work = malloc((tp->B && u ? tp->B * u : 1) * sizeof(float));
    if (!work)
        return rs_fail_code(err, RS_ERR_NO_MEMORY, NULL,
                            "out of memory for the reverse pass of the recurrence");
    for (size_t b = 0; b < tp->B; b++)
        for (size_t j = 0; j < u; j++) {
            tp->dh[b * u + j] = g->d_h_last ? g->d_h_last[b * u + j] : 0.0f;
            tp->dc[b * u + j] = g->d_c_last && tp->cells ? g->d_c_last[b * u + j] : 0.0f;
        }
    int rc = checkpoints(w, g, tp, seg, n_seg, err);
    for (size_t s = n_seg; rc == 0 && s-- > 0;) {
        size_t k1 = (s + 1) * seg < tp->Tall ? (s + 1) * seg : tp->Tall;
        rc = segment_back(w, g, tp, s, s * seg, k1, work, progress, err);
    }
    free(work);
    return rc;
}

/* The whole reverse pass of the samples g describes, on this thread. */
static int backward_serial(const rs_rnn_weights *w, const rs_rnn_grad_io *g,
                           const rs_progress *progress, rs_error *err)
{
    size_t T = g->fwd.steps, seg = g->segment_steps && g->segment_steps < T ? g->segment_steps : T;
    tape tp;
    if (tape_alloc(&tp, w, &g->fwd, seg, err) < 0)
        return -1;
    find_first_valid(&g->fwd, &tp);
    rs_transpose(tp.u, tp.Gu, w->recurrent, tp.Gu, tp.ut);
    int rc = tape_pack(&tp, w, err);
    if (rc == 0)
        rc = sweep(w, g, &tp, seg, progress, err);
    for (size_t i = 0; rc == 0 && i < tp.B * tp.u; i++) {
        if (g->dh0)
            g->dh0[i] = tp.dh[i];
        if (g->dc0)
            g->dc0[i] = tp.cells ? tp.dc[i] : 0.0f;
    }
    tape_free(&tp);
    return rc;
}

/* ---- the batch split across threads ----
 * The samples are independent until the weights' gradients sum over them: each part of the batch
 * runs the whole reverse pass on its samples with a tape of its own, on its own thread; the
 * weights' gradients of the parts after the first go to buffers of their own, added to the
 * caller's at the end (the same sum in another order: equal to rounding). */

typedef struct part_job {
    const rs_rnn_weights *w;
    rs_rnn_grad_io g;
    const rs_progress *progress; /* the first part reports and is cancelled; the others follow */
    int rc;
    rs_error err;
} part_job;

static void *part_main(void *arg)
{
    part_job *j = arg;
    j->rc = backward_serial(j->w, &j->g, j->progress, &j->err);
    return NULL;
}

#define AT(p, off) ((p) ? (p) + (off) : NULL)

/* Part [b0, b0 + nb) of g's batch; its weights' gradients go to `own` (NULL: g's own). */
static rs_rnn_grad_io slice_of(const rs_rnn_grad_io *g, const rs_rnn_weights *w, size_t b0,
                               size_t nb, float *own)
{
    size_t T = g->fwd.steps, in = w->input_dim, u = w->units, Gu = rs_cell_gates(w->cell) * u;
    rs_rnn_grad_io p = *g;
    p.fwd.batch = nb;
    p.fwd.max_threads = 1;
    p.fwd.x = AT(g->fwd.x, b0 * T * in);
    p.fwd.mask = AT(g->fwd.mask, b0 * T);
    p.fwd.h0 = AT(g->fwd.h0, b0 * u);
    p.fwd.c0 = AT(g->fwd.c0, b0 * u);
    p.fwd.seq = p.fwd.last = p.fwd.h_last = p.fwd.c_last = p.fwd.gates = p.fwd.cells = NULL;
    p.d_seq = AT(g->d_seq, b0 * T * u);
    p.d_last = AT(g->d_last, b0 * u);
    p.d_h_last = AT(g->d_h_last, b0 * u);
    p.d_c_last = AT(g->d_c_last, b0 * u);
    p.dx = AT(g->dx, b0 * T * in);
    p.dh0 = AT(g->dh0, b0 * u);
    p.dc0 = AT(g->dc0, b0 * u);
    if (own) {
        p.d_kernel = g->d_kernel ? own : NULL;
        p.d_recurrent = g->d_recurrent ? own + in * Gu : NULL;
        p.d_bias = g->d_bias ? own + (in + u) * Gu : NULL;
        p.d_recurrent_bias = g->d_recurrent_bias ? own + (in + u + 1) * Gu : NULL;
    }
    return p;
}

/* Floats of one part's own weights' gradients. */
static size_t own_floats(const rs_rnn_weights *w)
{
    return (w->input_dim + w->units + 2) * rs_cell_gates(w->cell) * w->units;
}

static void add_own(const rs_rnn_grad_io *g, const rs_rnn_grad_io *p, const rs_rnn_weights *w)
{
    size_t Gu = rs_cell_gates(w->cell) * w->units;
    float *to[4] = {g->d_kernel, g->d_recurrent, g->d_bias, g->d_recurrent_bias};
    const float *from[4] = {p->d_kernel, p->d_recurrent, p->d_bias, p->d_recurrent_bias};
    size_t n[4] = {w->input_dim * Gu, w->units * Gu, Gu, Gu};
    for (int i = 0; i < 4; i++)
        for (size_t k = 0; to[i] && from[i] && k < n[i]; k++)
            to[i][k] += from[i][k];
}

static int backward_split(const rs_rnn_weights *w, const rs_rnn_grad_io *g, size_t parts,
                          const rs_progress *progress, rs_error *err)
{
    /* every part runs the recurrence: none may rearrange the shared weights in place */
    rs_rnn_weights shared = *w;
    shared.recurrent_in_place = NULL;
    part_job *jobs = calloc(parts, sizeof *jobs);
    pthread_t *tids = calloc(parts, sizeof *tids);
    float *own = calloc((parts - 1) * own_floats(w) + 1, sizeof *own);
    if (!jobs || !tids || !own) {
        free(jobs), free(tids), free(own);
        return rs_fail_code(err, RS_ERR_NO_MEMORY, NULL,
                            "out of memory for the reverse pass of the recurrence");
    }
    size_t B = g->fwd.batch, b0 = 0;
    for (size_t i = 0; i < parts; i++) {
        size_t nb = B / parts + (i < B % parts);
        jobs[i] = (part_job){.w = &shared, .progress = i == 0 ? progress : NULL, .err = {.code = RS_ERR_NONE},
                             .g = slice_of(g, w, b0, nb, i ? own + (i - 1) * own_floats(w) : NULL)};
        b0 += nb;
    }
    size_t started = 1;
    for (; started < parts; started++)
        if (rs_thread_start(&tids[started], part_main, &jobs[started]) != 0)
            break;
    for (size_t i = started; i < parts; i++) /* no thread for it: run it here */
        part_main(&jobs[i]);
    part_main(&jobs[0]);
    for (size_t i = 1; i < started; i++)
        pthread_join(tids[i], NULL);
    int rc = 0;
    for (size_t i = 0; i < parts && rc == 0; i++)
        if (jobs[i].rc < 0) {
            *err = jobs[i].err;
            rc = -1;
        }
    for (size_t i = 1; rc == 0 && i < parts; i++)
        add_own(g, &jobs[i].g, w);
    free(jobs), free(tids), free(own);
    return rc;
}

int rs_rnn_backward(const rs_rnn_weights *w, const rs_rnn_grad_io *g, const rs_progress *progress,
                    rs_error *err)
{
    float probe = 0.5f, d;
    if (!rs_activation_grad_from_output(&w->act, &probe, &d, 1) ||
        !rs_activation_grad_from_output(&w->ract, &probe, &d, 1))
        return rs_fail(err, NULL, "no reverse pass for its activation (the recurrence has "
                                  "tanh, sigmoid, hard_sigmoid, relu, elu, selu, softplus, "
                                  "softsign, exponential or linear ones)");
    if (g->fwd.steps == 0 || g->fwd.batch == 0)
        return 0;
    size_t parts = rs_rnn_batch_parts(w, g->fwd.batch, g->fwd.steps, g->fwd.max_threads);
    return parts > 1 ? backward_split(w, g, parts, progress, err)
                     : backward_serial(w, g, progress, err);
}

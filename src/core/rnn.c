/* The recurrence of SimpleRNN, LSTM and GRU.
 * The input projection x_t W + b of a chunk of timesteps is one matrix product; then each step
 * adds h_{t-1} U and applies the cell. Masked steps keep the state (Keras' K.rnn semantics). */
#include <stdlib.h>
#include <string.h>

#include "rnnscope/rnn.h"

#define CHUNK_STEPS 64

typedef struct rnn_state {
    const rs_rnn_weights *w;
    size_t G, u, Gu;
    float *h, *c;       /* (u) state of the current sequence */
    float *prev_out;    /* (u) previous output, for masked steps */
    float *rec;         /* (Gu) h U (+ recurrent bias) */
    float *rh;          /* (u) r ⊙ h for GRU reset_before */
    float *save_h;      /* (u) state saved across a masked step */
    float *save_c;      /* (u) */
    float *z;           /* (Gu) gate pre-activations of one step */
} rnn_state;

/* ---- one step of each cell: xw = x_t W + b (G*u), updates s->h (and s->c), fills gates ---- */

static void step_simple(rnn_state *s, const float *xw, float *gates)
{
    const rs_rnn_weights *w = s->w;
    rs_gemv_rows(s->u, s->u, s->h, w->recurrent, s->Gu, s->rec, false);
    for (size_t j = 0; j < s->u; j++)
        s->h[j] = rs_apply1(&w->act, xw[j] + s->rec[j]);
    if (gates)
        memcpy(gates, s->h, s->u * sizeof(float));
}

static void step_lstm(rnn_state *s, const float *xw, float *gates)
{
    const rs_rnn_weights *w = s->w;
    size_t u = s->u;
    rs_gemv_rows(s->Gu, u, s->h, w->recurrent, s->Gu, s->rec, false);
    float *z = s->z;
    for (size_t j = 0; j < s->Gu; j++)
        z[j] = xw[j] + s->rec[j];
    for (size_t j = 0; j < u; j++) {
        float i = rs_apply1(&w->ract, z[j]);
        float f = rs_apply1(&w->ract, z[u + j]);
        float g = rs_apply1(&w->act, z[2 * u + j]);
        float o = rs_apply1(&w->ract, z[3 * u + j]);
        s->c[j] = f * s->c[j] + i * g;
        s->h[j] = o * rs_apply1(&w->act, s->c[j]);
        if (gates) {
            gates[j] = i;
            gates[u + j] = f;
            gates[2 * u + j] = g;
            gates[3 * u + j] = o;
        }
    }
}

static void step_gru(rnn_state *s, const float *xw, float *gates)
{
    const rs_rnn_weights *w = s->w;
    size_t u = s->u, Gu = s->Gu;
    float *rec = s->rec;
    if (w->reset_after) {
        /* rec = h U + rb; candidate uses r ⊙ (h U_h + rb_h) */
        rs_gemv_rows(Gu, u, s->h, w->recurrent, Gu, rec, false);
        if (w->recurrent_bias)
            for (size_t j = 0; j < Gu; j++)
                rec[j] += w->recurrent_bias[j];
    } else {
        /* z and r from h U; the candidate from (r ⊙ h) U_h, computed below */
        rs_gemv_rows(2 * u, u, s->h, w->recurrent, Gu, rec, false);
    }
    float *zr = s->z;
    for (size_t j = 0; j < 2 * u; j++)
        zr[j] = rs_apply1(&w->ract, xw[j] + rec[j]);
    const float *zg = zr, *rg = zr + u;
    if (!w->reset_after) {
        for (size_t j = 0; j < u; j++)
            s->rh[j] = rg[j] * s->h[j];
        rs_gemv_rows(u, u, s->rh, w->recurrent + 2 * u, Gu, rec + 2 * u, false);
    }
    for (size_t j = 0; j < u; j++) {
        float hh_in = w->reset_after ? xw[2 * u + j] + rg[j] * rec[2 * u + j]
                                     : xw[2 * u + j] + rec[2 * u + j];
        float hh = rs_apply1(&w->act, hh_in);
        if (gates) {
            gates[j] = zg[j];
            gates[u + j] = rg[j];
            gates[2 * u + j] = hh;
        }
        s->h[j] = zg[j] * s->h[j] + (1.0f - zg[j]) * hh;
    }
}

static void cell_step(rnn_state *s, const float *xw, float *gates)
{
    switch (s->w->cell) {
    case RS_CELL_SIMPLE: step_simple(s, xw, gates); break;
    case RS_CELL_LSTM: step_lstm(s, xw, gates); break;
    case RS_CELL_GRU: step_gru(s, xw, gates); break;
    }
}

/* ---- the recurrence over one sequence ---- */

/* Timestep consumed at processing step k. */
static size_t time_of(const rs_rnn_io *io, size_t k)
{
    return io->go_backwards ? io->steps - 1 - k : k;
}

/* x_t W + b for the timesteps of processing steps [k0, k1) of sequence b, into xw rows k-k0. */
static void project_chunk(const rnn_state *s, const rs_rnn_io *io, size_t b, size_t k0, size_t k1,
                          float *xw)
{
    const rs_rnn_weights *w = s->w;
    size_t in = w->input_dim;
    for (size_t k = k0; k < k1; k++) {
        const float *x = io->x + (b * io->steps + time_of(io, k)) * in;
        float *row = xw + (k - k0) * s->Gu;
        if (w->bias)
            memcpy(row, w->bias, s->Gu * sizeof(float));
        rs_gemv_rows(s->Gu, in, x, w->kernel, s->Gu, row, w->bias != NULL);
    }
}

static void run_step(rnn_state *s, const rs_rnn_io *io, size_t b, size_t k, const float *xw)
{
    size_t u = s->u, t = time_of(io, k);
    bool valid = !io->mask || io->mask[b * io->steps + t] != 0.0f;
    float *gates = io->gates ? io->gates + (b * io->steps + t) * s->Gu : NULL;
    float *out = io->seq ? io->seq + (b * io->steps + k) * u : NULL;
    if (valid) {
        cell_step(s, xw, gates);
        memcpy(s->prev_out, s->h, u * sizeof(float));
    } else {
        /* Keras computes the step and throws it away: the state is carried over. */
        memcpy(s->save_h, s->h, u * sizeof(float));
        if (s->c)
            memcpy(s->save_c, s->c, u * sizeof(float));
        cell_step(s, xw, gates);
        memcpy(s->h, s->save_h, u * sizeof(float));
        if (s->c)
            memcpy(s->c, s->save_c, u * sizeof(float));
        if (io->zero_output_for_mask)
            memset(s->prev_out, 0, u * sizeof(float));
    }
    if (out)
        memcpy(out, s->prev_out, u * sizeof(float));
    if (io->cells && s->c)
        memcpy(io->cells + (b * io->steps + t) * u, s->c, u * sizeof(float));
}

int rs_rnn_run(const rs_rnn_weights *w, const rs_rnn_io *io, const rs_progress *progress,
               rs_error *err)
{
    rnn_state s = {.w = w, .G = rs_cell_gates(w->cell), .u = w->units};
    s.Gu = s.G * s.u;
    size_t u = s.u;
    float *buf = calloc(6 * u + 2 * s.Gu + (size_t)CHUNK_STEPS * s.Gu, sizeof(float));
    if (!buf)
        return rs_fail(err, NULL, "out of memory in the recurrence");
    s.h = buf;
    s.c = w->cell == RS_CELL_LSTM ? buf + u : NULL;
    s.prev_out = buf + 2 * u;
    s.rh = buf + 3 * u;
    s.save_h = buf + 4 * u;
    s.save_c = buf + 5 * u;
    s.rec = buf + 6 * u;
    s.z = s.rec + s.Gu;
    float *xw = s.z + s.Gu;

    size_t total = io->batch * io->steps, done = 0;
    for (size_t b = 0; b < io->batch; b++) {
        memset(buf, 0, 3 * u * sizeof(float)); /* h, c, prev_out = 0 */
        /* Keras starts the masked-output carry from zeros whatever the initial state. */
        if (io->h0)
            memcpy(s.h, io->h0 + b * u, u * sizeof(float));
        if (io->h0 && io->masked_output_is_state)
            memcpy(s.prev_out, io->h0 + b * u, u * sizeof(float));
        if (io->c0 && s.c)
            memcpy(s.c, io->c0 + b * u, u * sizeof(float));
        for (size_t k0 = 0; k0 < io->steps; k0 += CHUNK_STEPS) {
            size_t k1 = k0 + CHUNK_STEPS < io->steps ? k0 + CHUNK_STEPS : io->steps;
            project_chunk(&s, io, b, k0, k1, xw);
            for (size_t k = k0; k < k1; k++)
                run_step(&s, io, b, k, xw + (k - k0) * s.Gu);
            done += k1 - k0;
            if (!rs_progress_report(progress, (double)done / (double)total)) {
                free(buf);
                return rs_fail(err, NULL, "cancelled");
            }
        }
        if (io->last)
            memcpy(io->last + b * u, s.prev_out, u * sizeof(float));
        if (io->h_last)
            memcpy(io->h_last + b * u, s.h, u * sizeof(float));
        if (io->c_last && s.c)
            memcpy(io->c_last + b * u, s.c, u * sizeof(float));
    }
    free(buf);
    return 0;
}

/* Recurrent kernels: SimpleRNN, LSTM and GRU over a batch of sequences, as Keras computes them
 * (keras-formats.md §5). Gate column blocks: LSTM i|f|c|o, GRU z|r|h. */
#ifndef RNNSCOPE_RNN_H
#define RNNSCOPE_RNN_H

#include <stdbool.h>
#include <stddef.h>

#include "rnnscope/error.h"
#include "rnnscope/kernels.h"
#include "rnnscope/progress.h"

typedef enum rs_cell {
    RS_CELL_SIMPLE = 1, /* one gate block */
    RS_CELL_GRU = 3,
    RS_CELL_LSTM = 4,
} rs_cell;

/* Number of column blocks of a cell's kernels. */
static inline size_t rs_cell_gates(rs_cell c)
{
    return (size_t)c;
}

typedef struct rs_rnn_weights {
    rs_cell cell;
    size_t input_dim, units;
    rs_activation act;            /* cell activation (config "activation") */
    rs_activation ract;           /* gate activation ("recurrent_activation") */
    const float *kernel;          /* (input_dim, G*units) */
    const float *recurrent;       /* (units, G*units) */
    /* NULL, or `recurrent` itself, which rs_rnn_run may then rearrange in place for the run
     * instead of copying it (weights held once); it is put back bit for bit before rs_rnn_run
     * returns. Nothing may read the array during the run. */
    float *recurrent_in_place;
    const float *bias;            /* (G*units) input-side bias, or NULL when use_bias=False */
    const float *recurrent_bias;  /* (G*units) GRU reset_after recurrent bias, or NULL */
    bool reset_after;             /* GRU: apply the reset gate after the recurrent product */
} rs_rnn_weights;

typedef struct rs_rnn_io {
    size_t batch, steps;
    const float *x;            /* (batch, steps, input_dim) */
    const float *mask;         /* (batch, steps): nonzero = step is valid; NULL = no mask */
    bool go_backwards;         /* process t = steps-1 .. 0 */
    bool zero_output_for_mask; /* masked steps output zeros instead of the previous output */
    const float *h0;           /* (batch, units) initial hidden state, or NULL: zeros */
    const float *c0;           /* (batch, units) initial cell state (LSTM), or NULL: zeros */
    /* tfjs, standalone Keras <= 2.2.4: a masked step outputs the carried state h, so before any
     * valid step it outputs h0 (later Keras: the previous output, zeros before any valid step). */
    bool masked_output_is_state;
    size_t max_threads;        /* at most this many threads; 0: as many as rs_rnn_usable_threads */
    /* Outputs; any may be NULL. */
    float *seq;     /* (batch, steps, units): outputs in processing order, as Keras returns them */
    float *last;    /* (batch, units) output of the last processing step (Keras' last_output) */
    float *h_last;  /* (batch, units) final hidden state */
    float *c_last;  /* (batch, units) final cell state (LSTM) */
    float *gates;   /* (batch, steps, G*units) activated gates, indexed by input timestep */
    float *cells;   /* (batch, steps, units) LSTM cell state, indexed by input timestep */
} rs_rnn_io;

/* Run the recurrence. Fails only when cancelled through progress or out of memory. */
int rs_rnn_run(const rs_rnn_weights *w, const rs_rnn_io *io, const rs_progress *progress,
               rs_error *err);

/* The threads a recurrence may use: rs_threads() (a busy core costs a waiting thread a wake-up,
 * not a timeslice: rnnscope/barrier.h, so nothing is taken off for the machine's load). */
size_t rs_rnn_usable_threads(void);

/* Into how many parts of the batch a recurrence over (batch, steps) is split across threads
 * (1: not split): as many as the threads (at most max_threads, 0: no limit), fewer when a part
 * would be too small to pay for its thread. The forward and the reverse pass split alike. */
size_t rs_rnn_batch_parts(const rs_rnn_weights *w, size_t batch, size_t steps,
                          size_t max_threads);

/* Whether the threads of a batch-1 layer split by units beat the lead alone: over wall_ns of
 * steps the lead spent waited_ns at the barriers, and alone it would do `parts` times its own
 * work. When not, the lead runs the rest of the layer alone. */
bool rs_rnn_split_pays(long long wall_ns, long long waited_ns, size_t parts);

/* For tests: the lead of a unit split goes on alone after the first chunk of steps. */
void rs_rnn_set_force_solo(bool on);

/* True when rs_rnn_set_always_thread is on. */
bool rs_rnn_always_thread(void);

/* For tests: use rs_threads() threads on layers of any size (normally a small layer runs on one
 * thread, where threads would cost more than they save). */
void rs_rnn_set_always_thread(bool on);

#endif

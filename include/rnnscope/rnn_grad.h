/* Backpropagation through time for SimpleRNN, LSTM and GRU (rnnscope/rnn.h's recurrences), with
 * masks, go_backwards, initial states and Keras' masked-output rules. */
#ifndef RNNSCOPE_RNN_GRAD_H
#define RNNSCOPE_RNN_GRAD_H

#include "rnnscope/rnn.h"

typedef struct rs_rnn_grad_io {
    /* the forward call, as given to rs_rnn_run (its outputs are not needed: recomputed) */
    rs_rnn_io fwd;
    /* gradients of the outputs; any may be NULL (not used downstream) */
    const float *d_seq;     /* (batch, steps, units), in processing order as seq */
    const float *d_last;    /* (batch, units) */
    const float *d_h_last;  /* (batch, units) final hidden state */
    const float *d_c_last;  /* (batch, units) final cell state (LSTM) */
    /* gradients out, allocated by the caller; any may be NULL (not wanted) */
    float *dx;              /* (batch, steps, input_dim), written */
    float *dh0, *dc0;       /* (batch, units), written */
    float *d_kernel;        /* (input_dim, G*units), added to */
    float *d_recurrent;     /* (units, G*units), added to */
    float *d_bias;          /* (G*units), added to */
    float *d_recurrent_bias; /* (G*units) GRU reset_after, added to */
    /* Steps of tape kept at once (0: all). Fewer bound the memory (checkpointing): the states
     * at every segment's start are kept, and each segment's tape is computed again when its
     * turn comes, at the cost of one more forward pass. */
    size_t segment_steps;
} rs_rnn_grad_io;

/* Floats of scratch rs_rnn_backward allocates for this call, with segments of `segment` steps
 * (0: all). */
size_t rs_rnn_backward_floats(const rs_rnn_weights *w, size_t batch, size_t steps,
                              size_t segment);

/* The recurrence run again to keep its gates and states (per segment: see segment_steps), then
 * the sweep backwards in time.
 * Fails when the activations have no derivative rnnscope knows from their outputs, when
 * cancelled through progress, or out of memory. */
int rs_rnn_backward(const rs_rnn_weights *w, const rs_rnn_grad_io *io, const rs_progress *progress,
                    rs_error *err);

#endif

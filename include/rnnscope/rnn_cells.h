/* Fused gate arithmetic of one sample's recurrent step (internal to src/core/rnn.c).
 *
 * After the recurrent product, a step of a small layer is mostly gate arithmetic: per gate an
 * addition of x W + b, an activation, then the cell and hidden state and the output copies,
 * each a pass of its own over short rows. These functions do it all in one pass, 8 units at a
 * time with AVX2+FMA or 16 at a time with AVX-512 (whichever path is in use), using the same
 * vector exp/sigmoid/tanh as rs_vsigmoid and rs_vtanh (core/vmath_simd.h), so results agree
 * with the generic code to within rounding and NaN and Inf flow the same way. They cover the activations of nearly all recurrent layers (sigmoid,
 * tanh, hard_sigmoid of Keras 2 and 3, linear); rs_rnn_run uses them for valid (unmasked) steps
 * when rs_cells_fusable() says yes and runs its generic code otherwise. */
#ifndef RNNSCOPE_RNN_CELLS_H
#define RNNSCOPE_RNN_CELLS_H

#include <stdbool.h>
#include <stddef.h>

#include "rnnscope/kernels.h"

/* One sample's rows, all starting at the first unit of the slice computed ([a, a + n) of u). */
typedef struct rs_cell_rows {
    size_t n, u;        /* units of the slice; stride of the gate blocks in z, xw, rbias */
    float *z;           /* G blocks: h U, replaced by the activated gates */
    const float *xw;    /* G blocks: x_t W + b */
    const float *rbias; /* G blocks: GRU recurrent bias (reset_after), or NULL */
    const float *hp;    /* h_{t-1} */
    float *hn;          /* h_t, written */
    float *c;           /* LSTM cell state, updated */
    float *out;         /* the output carried for masked steps: h_t, written */
    float *seq;         /* this step's row of the output sequence, or NULL */
    float *rh;          /* GRU with the reset gate before the product: r ⊙ h_{t-1}, written */
    /* NULL, or the next step's recurrent product h_t U (G*u floats), computed here 8 units of h_t
     * at a time as they are ready, so that its loads overlap the gates' arithmetic; the sums are
     * those of rs_gemv_rows, in the same order. Only for a whole layer: n == u, u % 8 == 0. */
    float *next;
    const float *U;     /* with next: the recurrent weights (u, gu) */
    size_t gu;          /* with next: G*u */
} rs_cell_rows;

/* True when the fused cells can run this layer's activations on this CPU and vector path. */
bool rs_cells_fusable(const rs_activation *act, const rs_activation *ract);

/* SimpleRNN: h = act(z + xw). */
void rs_cell_simple_fused(const rs_cell_rows *r, rs_act_kind act);

/* LSTM (blocks i|f|c|o): c = f c + i g, h = o act(c). */
void rs_cell_lstm_fused(const rs_cell_rows *r, rs_act_kind act, rs_act_kind ract);

/* GRU with reset_after (blocks z|r|h, z holding h U + nothing else): the whole step. */
void rs_cell_gru_after_fused(const rs_cell_rows *r, rs_act_kind act, rs_act_kind ract);

/* GRU with the reset gate before the product: first z and r and rh = r ⊙ h_{t-1}; then, once
 * the third block of z holds rh U, the candidate and h. */
void rs_cell_gru_zr_fused(const rs_cell_rows *r, rs_act_kind ract);
void rs_cell_gru_before_fused(const rs_cell_rows *r, rs_act_kind act);

#endif

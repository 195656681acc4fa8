/* Reverse passes of LSTM, GRU, SimpleRNN (backpropagation through time: rnnscope/rnn_grad.h)
 * and of Bidirectional, which splits its merged gradient between its two directions. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/memcap.h"
#include "rnnscope/rnn_grad.h"
#include "layers/common.h"
#include "layers/recurrent_params.h"
#include "layers/families.h"
#include "layers/grad_common.h"

/* One recurrent node's reverse pass: a layer, or one direction of a Bidirectional. */
typedef struct rnn_back {
    const rs_tensor *x, *mask, *h0, *c0;
    bool go_backwards, zero_output_for_mask;
    const float *d_main;          /* d of output 0: the sequence (processing order) or last */
    const float *d_h, *d_c;       /* d of the final states */
    rs_tensor *dx, *dh0, *dc0;    /* allocated here (dx always; dh0/dc0 when given) */
    rs_tensor *d_w;               /* the node's weights' gradients (allocated), or NULL */
    const rs_progress *progress;
    size_t scratch_budget;        /* bytes: the whole tape when it fits, else checkpointing */
} rnn_back;

static int alloc_like(rs_tensor *t, const rs_tensor *like, rs_error *err)
{
    return like ? rs_tensor_alloc(t, like->rank, like->shape, err) : 0;
}

/* The forward call the node's run made (outputs left out). */
static rs_rnn_io forward_call(const rnn_params *p, const rnn_back *b)
{
    const rs_tensor *x = b->x;
    return (rs_rnn_io){.batch = x->shape[0], .steps = x->shape[1], .x = x->data,
                       .mask = b->mask ? b->mask->data : NULL, .go_backwards = b->go_backwards,
                       .zero_output_for_mask = b->zero_output_for_mask,
                       .masked_output_is_state = p->masked_output_is_state,
                       .h0 = b->h0 ? b->h0->data : NULL,
                       .c0 = p->cell == CELL_LSTM && b->c0 ? b->c0->data : NULL};
}

/* The node's main output again (Bidirectional's 'mul' merge needs each direction's). */
static int main_output(const rs_node *n, const rnn_back *b, rs_tensor *y, rs_error *err)
{
    const rnn_params *p = n->params;
    const rs_tensor *x = b->x;
    size_t B = x->shape[0], T = x->shape[1], u = (size_t)p->units;
    rnn_weights rw;
    if (rnn_weights_of(n, p, x->shape[2], &rw, err) < 0)
        return -1;
    rs_rnn_io io = forward_call(p, b);
    int rc = p->return_sequences ? rs_tensor_alloc_dims(y, err, 3, B, T, u)
                                 : rs_tensor_alloc_dims(y, err, 2, B, u);
    if (rc == 0) {
        *(p->return_sequences ? &io.seq : &io.last) = y->data;
        rc = rs_rnn_run(&rw.w, &io, NULL, err);
    }
    free(rw.owned);
    return rc;
}

/* Steps per segment when the whole tape does not fit: √T (rounded up), the classic balance of
 * the checkpoints' memory against the segments'. */
static size_t checkpoint_steps(size_t T)
{
    size_t s = (size_t)sqrt((double)T);
    while (s * s < T)
        s++;
    return s ? s : 1;
}

/* CuDNN weights: the kernel gradients come in the converted layout (recurrent.c's
 * cudnn_convert_kernels, a permutation of each gate block) and go back to cuDNN's; an LSTM's
 * two biases were added, a GRU's are its two rows. conv: kernel, recurrent, bias (gu) as the
 * kernel saw them. */
static void cudnn_grads_back(const rnn_params *p, size_t in, const float *conv, rs_tensor *d_w)
{
    size_t u = (size_t)p->units, gu = (size_t)p->gates * u;
    const float *dk = conv, *dr = conv + in * gu, *db = dr + u * gu;
    for (size_t g = 0; g < (size_t)p->gates; g++) {
        size_t col = g * u;
        for (size_t a = 0; a < in; a++)
            for (size_t c = 0; c < u; c++) {
                size_t v = c * in + a;
                d_w[0].data[(v / u) * gu + col + v % u] += dk[a * gu + col + c];
            }
        for (size_t a = 0; a < u; a++)
            for (size_t c = 0; c < u; c++)
                d_w[1].data[c * gu + col + a] += dr[a * gu + col + c];
    }
    for (size_t j = 0; p->use_bias && p->cell == CELL_LSTM && j < gu; j++) {
        d_w[2].data[j] += db[j];
        d_w[2].data[gu + j] += db[j];
    }
}

static int rnn_node_backward(const rs_node *n, rnn_back *b, rs_error *err)
{
    const rnn_params *p = n->params;
    const rs_tensor *x = b->x;
    if (x->rank != 3)
        return rs_fail(err, NULL, "input is not (batch, steps, features)");
    rnn_weights rw;
    if (rnn_weights_of(n, p, x->shape[2], &rw, err) < 0)
        return -1;
    rw.w.recurrent_in_place = NULL; /* the reverse pass reads them while the run is paused */
    if (alloc_like(b->dx, x, err) < 0 || (b->dh0 && alloc_like(b->dh0, b->h0, err) < 0) ||
        (b->dc0 && alloc_like(b->dc0, b->c0, err) < 0)) {
        free(rw.owned);
        return -1;
    }
    bool lstm = p->cell == CELL_LSTM;
    rs_rnn_grad_io g = {
        .fwd = forward_call(p, b),
        .d_seq = p->return_sequences ? b->d_main : NULL,
        .d_last = p->return_sequences ? NULL : b->d_main,
        .d_h_last = b->d_h,
        .d_c_last = lstm ? b->d_c : NULL,
        .dx = b->dx->data,
        .dh0 = b->dh0 && b->h0 ? b->dh0->data : NULL,
        .dc0 = b->dc0 && b->c0 && lstm ? b->dc0->data : NULL,
    };
    size_t in = x->shape[2], gu = (size_t)p->gates * (size_t)p->units;
    float *conv = NULL; /* CuDNN: the gradients in the converted layout */
    if (b->d_w && p->cudnn) {
        conv = calloc((in + (size_t)p->units + 1) * gu, sizeof *conv);
        if (!conv) {
            free(rw.owned);
            return rs_fail_oom(err, NULL);
        }
        g.d_kernel = conv;
        g.d_recurrent = conv + in * gu;
        g.d_bias = p->use_bias && p->cell == CELL_LSTM ? conv + (in + (size_t)p->units) * gu : NULL;
    } else if (b->d_w) {
        g.d_kernel = b->d_w[0].data;
        g.d_recurrent = b->d_w[1].data;
    }
    if (b->d_w && p->use_bias && !(p->cudnn && p->cell == CELL_LSTM)) {
        g.d_bias = b->d_w[2].data;
        if (p->cell == CELL_GRU && p->reset_after) /* row 1 of (2, 3u); CuDNN GRU the same */
            g.d_recurrent_bias = b->d_w[2].data + gu;
    }
    /* the whole tape when it fits in the budget, else segments of √T steps */
    size_t T = x->shape[1], B = x->shape[0];
    if (rs_size_mul(rs_rnn_backward_floats(&rw.w, B, T, 0), sizeof(float)) > b->scratch_budget)
        g.segment_steps = checkpoint_steps(T);
    int rc = rs_rnn_backward(&rw.w, &g, b->progress, err);
    if (rc == 0 && conv)
        cudnn_grads_back(p, in, conv, b->d_w);
    free(conv);
    free(rw.owned);
    return rc;
}

static const float *data_of(const rs_tensor *t)
{
    return t ? t->data : NULL;
}

int rs_rnn_backward_layer(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    const rnn_params *p = n->params;
    if (io->d_weights && rs_grad_alloc_weights(n, io, err) < 0)
        return -1;
    rnn_back b = {
        .x = io->inputs[0],
        .mask = io->in_masks ? io->in_masks[0] : NULL,
        .h0 = io->n_inputs > 1 ? io->inputs[1] : NULL,
        .c0 = io->n_inputs > 2 ? io->inputs[2] : NULL,
        .go_backwards = p->go_backwards,
        .zero_output_for_mask = p->zero_output_for_mask,
        .d_main = data_of(io->d_outputs[0]),
        .d_h = n->n_outputs > 1 ? data_of(io->d_outputs[1]) : NULL,
        .d_c = n->n_outputs > 2 ? data_of(io->d_outputs[2]) : NULL,
        .dx = &io->d_inputs[0],
        .dh0 = io->n_inputs > 1 ? &io->d_inputs[1] : NULL,
        .dc0 = io->n_inputs > 2 ? &io->d_inputs[2] : NULL,
        .d_w = io->d_weights,
        .progress = io->progress,
        .scratch_budget = io->scratch_budget,
    };
    return rnn_node_backward(n, &b, err);
}

size_t rs_rnn_backward_scratch(const rs_node *n, const rs_tensor *const *inputs)
{
    const rnn_params *p = n->params;
    const rs_tensor *x = inputs[0];
    if (!p || x->rank != 3)
        return 0;
    rs_rnn_weights w = {.cell = p->cell == CELL_LSTM  ? RS_CELL_LSTM
                                : p->cell == CELL_GRU ? RS_CELL_GRU
                                                      : RS_CELL_SIMPLE,
                        .input_dim = x->shape[2], .units = (size_t)p->units};
    size_t T = x->shape[1];
    return rs_size_mul(rs_rnn_backward_floats(&w, x->shape[0], T, checkpoint_steps(T)),
                       sizeof(float));
}

/* ---- Bidirectional ---- */

/* Reverse a (batch, steps, units) tensor along time, in place: the backward direction's
 * sequence between its processing order and input order. */
static void reverse_time(rs_tensor *t)
{
    size_t B = t->shape[0], T = t->shape[1], u = t->shape[2];
    for (size_t b = 0; b < B; b++) {
        float *seq = t->data + b * T * u;
        for (size_t i = 0, k = T ? T - 1 : 0; i < k; i++, k--)
            for (size_t j = 0; j < u; j++) {
                float v = seq[i * u + j];
                seq[i * u + j] = seq[k * u + j];
                seq[k * u + j] = v;
            }
    }
}

/* Direction d's call, as rs_bidirectional_forward makes it (gradients of the main output and
 * the input left for the caller). */
static rnn_back direction_call(const bidir_params *p, rs_layer_grad_io *io, int d)
{
    const rs_node *dir = d == 0 ? p->forward : p->backward;
    const rnn_params *dp = dir->params, *fp = p->forward->params;
    int n_states = p->forward->n_outputs - 1, per_dir = (io->n_inputs - 1) / 2;
    int n_main = p->merge == MERGE_NONE ? 2 : 1, first_state = n_main + d * n_states;
    int first_input = 1 + d * per_dir;
    return (rnn_back){
        .x = io->inputs[0],
        .mask = io->in_masks ? io->in_masks[0] : NULL,
        .h0 = per_dir >= 1 ? io->inputs[first_input] : NULL,
        .c0 = per_dir >= 2 ? io->inputs[first_input + 1] : NULL,
        .go_backwards = d == 0 ? dp->go_backwards
                               : p->backward_from_config ? dp->go_backwards : !dp->go_backwards,
        .zero_output_for_mask = p->zero_masked_outputs && fp->return_sequences,
        .d_h = n_states >= 1 ? data_of(io->d_outputs[first_state]) : NULL,
        .d_c = n_states >= 2 ? data_of(io->d_outputs[first_state + 1]) : NULL,
        .dh0 = per_dir >= 1 ? &io->d_inputs[first_input] : NULL,
        .dc0 = per_dir >= 2 ? &io->d_inputs[first_input + 1] : NULL,
        .progress = io->progress,
        .scratch_budget = io->scratch_budget, /* one direction after the other */
    };
}

/* What each direction's main output is multiplied by in the merge ('mul': the other one's
 * output, in input order), into other[d]. */
static int mul_partners(const bidir_params *p, const rnn_back *calls, rs_tensor *other,
                        rs_error *err)
{
    const rnn_params *fp = p->forward->params;
    if (main_output(p->forward, &calls[0], &other[1], err) < 0 ||
        main_output(p->backward, &calls[1], &other[0], err) < 0)
        return -1;
    if (fp->return_sequences)
        reverse_time(&other[0]);
    return 0;
}

/* Each direction's gradient of its main output, from the merged one, in input order. */
static void split_main(const bidir_params *p, const rs_layer_grad_io *io, const rs_tensor *other,
                       rs_tensor *dfw, rs_tensor *dbw)
{
    size_t u = dfw->shape[dfw->rank - 1], rows = dfw->size / u;
    const rs_tensor *d0 = io->d_outputs[0], *d1 = p->merge == MERGE_NONE ? io->d_outputs[1] : NULL;
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < u; j++) {
            size_t i = r * u + j;
            float a = 0, c = 0;
            if (p->merge == MERGE_CONCAT && d0) {
                a = d0->data[r * 2 * u + j];
                c = d0->data[r * 2 * u + u + j];
            } else if (p->merge == MERGE_NONE) {
                a = d0 ? d0->data[i] : 0;
                c = d1 ? d1->data[i] : 0;
            } else if (p->merge == MERGE_MUL && d0) {
                a = d0->data[i] * other[0].data[i];
                c = d0->data[i] * other[1].data[i];
            } else if (d0) {
                a = c = d0->data[i] * (p->merge == MERGE_AVE ? 0.5f : 1.0f);
            }
            dfw->data[i] = a;
            dbw->data[i] = c;
        }
}

int rs_bidirectional_backward(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    const bidir_params *p = n->params;
    const rnn_params *fp = p->forward->params;
    rs_tensor dfw = {0}, dbw = {0}, dx_back = {0}, other[2] = {{0}, {0}};
    const rs_tensor *y = &io->outputs[0];
    size_t shape[RS_MAX_RANK]; /* a direction's main output: the merged one, halved by concat */
    memcpy(shape, y->shape, sizeof shape);
    shape[y->rank - 1] = (size_t)fp->units;
    int half = n->n_weights / 2, rc = -1;
    rnn_back calls[2] = {direction_call(p, io, 0), direction_call(p, io, 1)};
    if ((io->d_weights && rs_grad_alloc_weights(n, io, err) < 0) ||
        rs_tensor_alloc(&dfw, y->rank, shape, err) < 0 ||
        rs_tensor_alloc(&dbw, y->rank, shape, err) < 0 ||
        (p->merge == MERGE_MUL && mul_partners(p, calls, other, err) < 0))
        goto done;
    split_main(p, io, other, &dfw, &dbw);
    if (fp->return_sequences)
        reverse_time(&dbw); /* input order → the backward direction's processing order */
    calls[0].d_main = dfw.data;
    calls[0].dx = &io->d_inputs[0];
    calls[0].d_w = io->d_weights;
    calls[1].d_main = dbw.data;
    calls[1].dx = &dx_back;
    calls[1].d_w = io->d_weights ? io->d_weights + half : NULL;
    if (rnn_node_backward(p->forward, &calls[0], err) < 0 ||
        rnn_node_backward(p->backward, &calls[1], err) < 0)
        goto done;
    for (size_t i = 0; i < dx_back.size; i++)
        io->d_inputs[0].data[i] += dx_back.data[i];
    rc = 0;
done:
    rs_tensor_free(&dfw);
    rs_tensor_free(&dbw);
    rs_tensor_free(&dx_back);
    rs_tensor_free(&other[0]);
    rs_tensor_free(&other[1]);
    return rc;
}

/* The merge's buffers (as the forward's) and one direction's tape at least. */
size_t rs_bidirectional_backward_scratch(const rs_node *n, const rs_tensor *const *inputs)
{
    const bidir_params *p = n->params;
    if (!p || !p->forward)
        return 0;
    return rs_size_add(rs_bidirectional_scratch(n, inputs),
                       rs_rnn_backward_scratch(p->forward, inputs));
}

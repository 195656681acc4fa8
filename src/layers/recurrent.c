/* Recurrent layers: LSTM, GRU, SimpleRNN, CuDNNLSTM, CuDNNGRU, and the Bidirectional wrapper.
 * Besides their Keras outputs they expose per-timestep internals for the explorer:
 * LSTM "gates" (T, 4, units) in Keras order i, f, c~, o and "cell" (T, units);
 * GRU "gates" (T, 3, units) in order z, r, h~. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rnnscope/barrier.h"
#include "rnnscope/rnn.h"
#include "rnnscope/threads.h"

#include "rnnscope/memcap.h"
#include "layers/common.h"
#include "layers/families.h"
#include "layers/recurrent_params.h"

/* Masked timesteps of a recurrent layer: the program that wrote the file (rs_writer_of) decides,
 * as each one runs its own files (the one table of these rules; README "What it reads" too):
 *
 *   writer, as the file's version says            a masked step outputs   Bidirectional halves
 *                                                                          returning sequences
 *   TensorFlow.js tfjs-layers ("tfjs-layers 4.22") the carried state h     as the layer
 *   standalone Keras 1.x-2.2.4 ("2.2.4")           the carried state h     as the layer
 *   standalone Keras 2.2.5-2.3.x ("2.3.1")         the previous output     as the layer
 *   tf.keras 2 ("2.2.4-tf", "2.4"...), Keras 3,    the previous output     zeros at masked steps
 *     a file that does not say
 *
 * "The carried state h" is h0 before any valid step (tfjs and Keras <= 2.2.4 rnn(): where(mask,
 * output, states[0])); "the previous output" is zeros there (Keras 2.2.5's while loop and the
 * tf.keras rnn() that Keras 2.3 calls), also in Keras <= 2.2.4 with unroll=True. tf.keras and
 * Keras 3 give a Bidirectional's halves zero_output_for_mask when it returns sequences. A
 * model.json converted from Keras (generatedBy "keras v2.13.1") carries that Keras' version in
 * keras_version and follows its row. Every writer keeps the states over a masked step. */
static int rnn_parse(rs_node *n, rnn_params *p, const rs_layer_ctx *ctx, rs_error *err)
{
    const char *cls = n->class_name;
    p->cudnn = !strncmp(cls, "CuDNN", 5);
    p->cell = strstr(cls, "LSTM") ? CELL_LSTM : strstr(cls, "GRU") ? CELL_GRU : CELL_SIMPLE;
    p->gates = p->cell == CELL_LSTM ? 4 : p->cell == CELL_GRU ? 3 : 1;
    p->keras_major = ctx ? ctx->keras_major : 2;
    if (cfg_size(n, "units", -1, 1, RS_MAX_UNITS, &p->units, err) < 0)
        return -1;
    if (p->units <= 0)
        return rs_fail(err, n->name, "%s has no valid 'units'", cls);
    p->use_bias = cfg_bool(n, "use_bias", true);
    p->return_sequences = cfg_bool(n, "return_sequences", false);
    p->return_state = cfg_bool(n, "return_state", false);
    p->go_backwards = cfg_bool(n, "go_backwards", false);
    p->stateful = cfg_bool(n, "stateful", false);
    /* a viewer runs the model fresh, as a newly loaded Keras model does: from the zero state */
    n->note = p->stateful ? "stateful: states start at zero" : NULL;
    p->zero_output_for_mask = cfg_bool(n, "zero_output_for_mask", false);
    rs_writer w = rs_writer_of(ctx);
    p->masked_output_is_state =
        w == RS_WRITER_TFJS || (w == RS_WRITER_KERAS_224 && !cfg_bool(n, "unroll", false));
    p->reset_after = p->cudnn || cfg_bool(n, "reset_after", false);
    if (p->cudnn) {
        rs_activation_from_name("tanh", p->keras_major, &p->activation);
        rs_activation_from_name("sigmoid", p->keras_major, &p->recurrent_activation);
        return 0;
    }
    const char *ra_default = p->keras_major >= 3 ? "sigmoid" : "hard_sigmoid";
    if (cfg_activation(n, "activation", "tanh", ctx, &p->activation, err) < 0 ||
        cfg_activation(n, "recurrent_activation", ra_default, ctx, &p->recurrent_activation, err) < 0)
        return rs_node_unsupported_by(n, err) < 0 ? -1 : 1;
    if (cfg_bool(n, "time_major", false))
        return rs_node_unsupported(n, "%s with time_major", cls), 1;
    /* the recurrence applies activations value by value: softmax, sparsemax over the units not */
    const rs_activation *whole = !rs_activation_elementwise(&p->activation) ? &p->activation
                                 : !rs_activation_elementwise(&p->recurrent_activation)
                                     ? &p->recurrent_activation
                                     : NULL;
    if (whole)
        return rs_node_unsupported(n, "%s with a %s activation", cls,
                                   whole->kind == RS_ACT_SPARSEMAX ||
                                           whole->kind == RS_ACT_SPARSEMAX_K38
                                       ? "sparsemax"
                                       : "softmax"),
               1;
    return 0;
}

static int rnn_check_weights(rs_node *n, rnn_params *p, long d, rs_error *err)
{
    long gu = p->gates * p->units;
    if (rs_expect_weight_count(n, p->use_bias ? 3 : 2, err) < 0 ||
        RS_EXPECT_SHAPE(n, 0, err, d, gu) < 0 || RS_EXPECT_SHAPE(n, 1, err, p->units, gu) < 0)
        return -1;
    if (!p->use_bias)
        return 0;
    if (p->cudnn)
        return RS_EXPECT_SHAPE(n, 2, err, 2 * gu);
    if (p->cell == CELL_GRU) {
        /* The bias shape decides: old configs lack reset_after. */
        const rs_tensor *b = &n->weights[2].value;
        p->reset_after = b->rank == 2;
        return p->reset_after ? RS_EXPECT_SHAPE(n, 2, err, 2, gu) : RS_EXPECT_SHAPE(n, 2, err, gu);
    }
    return RS_EXPECT_SHAPE(n, 2, err, gu);
}

/* Keras' initial_state arrives as extra inputs: h (and c for an LSTM), each (batch, units). */
static int check_initial_states(const rs_node *n, const rnn_params *p, const rs_shape *in,
                                rs_error *err)
{
    int want = p->cell == CELL_LSTM ? 2 : 1, given = n->n_inputs - 1;
    if (given != 0 && given != want)
        return rs_fail(err, n->name, "%s takes %d initial state%s, %d given", n->class_name, want,
                       want == 1 ? "" : "s", given);
    for (int i = 1; i <= given; i++)
        if (in[i].rank != 1 || (in[i].dims[0] >= 0 && in[i].dims[0] != p->units)) {
            char got[160];
            return rs_fail(err, n->name, "initial state %d has shape %s, the layer wants "
                           "(None, %ld)", i - 1, rs_shape_format_batch(&in[i], got, sizeof got),
                           p->units);
        }
    return 0;
}

int rs_rnn_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
{
    rnn_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 3, err) < 0 || rs_expect_rank(n, &in[0], 2, err) < 0)
        return -1;
    int parsed = rnn_parse(n, p, ctx, err);
    if (parsed < 0)
        return -1;
    if (rnn_check_weights(n, p, in[0].dims[1], err) < 0)
        return -1;
    if (check_initial_states(n, p, in, err) < 0)
        return -1;
    int n_states = p->return_state ? (p->cell == CELL_LSTM ? 2 : 1) : 0;
    int n_internal = p->cell == CELL_LSTM ? 2 : p->cell == CELL_GRU ? 1 : 0;
    if (rs_node_outputs(n, 1 + n_states, n_internal, err) < 0)
        return -1;
    long t = in[0].dims[0], u = p->units;
    n->out_shapes[0] = p->return_sequences ? rs_shape_make(2, t, u) : rs_shape_make(1, u);
    for (int i = 1; i <= n_states; i++)
        n->out_shapes[i] = rs_shape_make(1, u);
    if (n_states && (rs_node_name_output(n, 0, "output", err) < 0 ||
                     rs_node_name_output(n, 1, "h", err) < 0 ||
                     (n_states == 2 && rs_node_name_output(n, 2, "c", err) < 0)))
        return -1;
    int k = 1 + n_states;
    if (n_internal) {
        n->out_shapes[k] = rs_shape_make(3, t, (long)p->gates, u);
        if (rs_node_name_output(n, k, "gates", err) < 0)
            return -1;
    }
    if (n_internal == 2) {
        n->out_shapes[k + 1] = rs_shape_make(2, t, u);
        if (rs_node_name_output(n, k + 1, "cell", err) < 0)
            return -1;
    }
    return 0;
}

/* ---- forward of one recurrent layer ---- */

/* CuDNN input kernel, per gate block B (in, u): flatten B row-major to v, read v as (u, in)
 * row-major and transpose it. Recurrent blocks (u, u) are plainly transposed. */
static void cudnn_convert_kernels(const rnn_params *p, size_t in, const float *k, const float *r,
                                  float *k_out, float *r_out)
{
    size_t u = (size_t)p->units, gu = (size_t)p->gates * u;
    for (size_t g = 0; g < (size_t)p->gates; g++) {
        size_t col = g * u;
        for (size_t a = 0; a < in; a++)
            for (size_t b = 0; b < u; b++) {
                size_t v = b * in + a;
                k_out[a * gu + col + b] = k[(v / u) * gu + col + v % u];
            }
        for (size_t a = 0; a < u; a++)
            for (size_t b = 0; b < u; b++)
                r_out[a * gu + col + b] = r[b * gu + col + a];
    }
}

static int cudnn_weights(const rs_node *n, const rnn_params *p, size_t in, rnn_weights *rw,
                         rs_error *err)
{
    size_t u = (size_t)p->units, gu = (size_t)p->gates * u;
    size_t kn = n->weights[0].value.size, rn = n->weights[1].value.size;
    rw->owned = malloc((kn + rn + gu) * sizeof(float));
    if (!rw->owned)
        return rs_fail_code(err, RS_ERR_NO_MEMORY, NULL,
                            "out of memory converting the CuDNN weights");
    float *k = rw->owned, *r = k + kn, *b = r + rn;
    cudnn_convert_kernels(p, in, n->weights[0].value.data, n->weights[1].value.data, k, r);
    rw->w.kernel = k;
    rw->w.recurrent = r;
    rw->w.recurrent_in_place = r;
    if (!p->use_bias)
        return 0;
    const float *cb = n->weights[2].value.data;
    if (p->cell == CELL_LSTM) {
        /* LSTM: the input and recurrent biases add up. */
        for (size_t j = 0; j < gu; j++)
            b[j] = cb[j] + cb[gu + j];
        rw->w.bias = b;
    } else {
        /* GRU: becomes GRU(reset_after=True) with bias rows (input, recurrent). */
        rw->w.bias = cb;
        rw->w.recurrent_bias = cb + gu;
    }
    return 0;
}

int rnn_weights_of(const rs_node *n, const rnn_params *p, size_t in, rnn_weights *rw,
                   rs_error *err)
{
    static const rs_cell cells[] = {[CELL_SIMPLE] = RS_CELL_SIMPLE, [CELL_LSTM] = RS_CELL_LSTM,
                                    [CELL_GRU] = RS_CELL_GRU};
    memset(rw, 0, sizeof *rw);
    rw->w = (rs_rnn_weights){.cell = cells[p->cell], .input_dim = in, .units = (size_t)p->units,
                             .act = p->activation, .ract = p->recurrent_activation,
                             .reset_after = p->reset_after};
    if (n->weights[0].value.shape[0] != in)
        return rs_fail(err, NULL, "input has %zu features, the kernel expects %zu", in,
                       n->weights[0].value.shape[0]);
    if (p->cudnn)
        return cudnn_weights(n, p, in, rw, err);
    rw->w.kernel = n->weights[0].value.data;
    /* the forward pass runs alone: nothing reads the weights meanwhile */
    rw->w.recurrent = rw->w.recurrent_in_place = n->weights[1].value.data;
    if (p->use_bias) {
        const float *b = n->weights[2].value.data;
        rw->w.bias = b;
        if (p->cell == CELL_GRU && p->reset_after)
            rw->w.recurrent_bias = b + p->gates * p->units; /* row 1 of the (2, 3u) bias */
    }
    return 0;
}

/* One run of a recurrent node over a batch: what the kernel reads besides the weights. */
typedef struct rnn_call {
    const rs_tensor *x;        /* (batch, steps, features) */
    const rs_tensor *mask;     /* (batch, steps) or NULL */
    const rs_tensor *h0, *c0;  /* (batch, units) initial states or NULL */
    bool go_backwards, zero_output_for_mask;
    bool skip_internals;       /* leave the gates and cell tensors empty */
    const rs_progress *progress;
    size_t max_threads;        /* 0: the usual budget */
} rnn_call;

static int check_state_input(const rs_tensor *s, size_t batch, size_t units, const char *what,
                             rs_error *err)
{
    if (!s || (s->rank == 2 && s->shape[0] == batch && s->shape[1] == units))
        return 0;
    char got[160];
    return rs_fail(err, NULL, "initial %s has shape %s, the layer wants (%zu, %zu)", what,
                   rs_shape_format(s->rank, s->shape, got, sizeof got), batch, units);
}

static int check_call(const rnn_call *c, size_t units, rs_error *err)
{
    const rs_tensor *x = c->x, *m = c->mask;
    char got[160];
    if (x->rank != 3)
        return rs_fail(err, NULL, "input has shape %s, the layer wants (batch, steps, features)",
                       rs_shape_format(x->rank, x->shape, got, sizeof got));
    if (m && (m->rank != 2 || m->shape[0] != x->shape[0] || m->shape[1] != x->shape[1]))
        return rs_fail(err, NULL, "input mask has shape %s, the input (%zu, %zu, ...)",
                       rs_shape_format(m->rank, m->shape, got, sizeof got), x->shape[0],
                       x->shape[1]);
    if (check_state_input(c->h0, x->shape[0], units, "state h", err) < 0 ||
        check_state_input(c->c0, x->shape[0], units, "state c", err) < 0)
        return -1;
    return 0;
}

/* Allocate the node's outputs: the Keras output (sequence or last step), its states when
 * return_state, then the internals (gates (B, T, G, u), LSTM cell (B, T, u)). */
static int rnn_alloc_outputs(const rs_node *n, const rnn_params *p, size_t batch, size_t steps,
                             bool internals, rs_tensor *outs, rs_error *err)
{
    size_t u = (size_t)p->units;
    int rc = p->return_sequences ? rs_tensor_alloc_dims(&outs[0], err, 3, batch, steps, u)
                                 : rs_tensor_alloc_dims(&outs[0], err, 2, batch, u);
    for (int i = 1; rc == 0 && i < n->n_outputs; i++)
        rc = rs_tensor_alloc_dims(&outs[i], err, 2, batch, u);
    if (!internals)
        return rc;
    if (rc == 0 && n->n_internal >= 1)
        rc = rs_tensor_alloc_dims(&outs[n->n_outputs], err, 4, batch, steps,
                                  (size_t)p->gates, u);
    if (rc == 0 && n->n_internal >= 2)
        rc = rs_tensor_alloc_dims(&outs[n->n_outputs + 1], err, 3, batch, steps, u);
    return rc;
}

/* Run a recurrent node (a layer, or one direction of a Bidirectional) into outs
 * (n->n_outputs + n->n_internal tensors, allocated here). */
static int rnn_compute(const rs_node *n, const rnn_call *c, rs_tensor *outs, rs_error *err)
{
    const rnn_params *p = n->params;
    size_t u = (size_t)p->units;
    if (check_call(c, u, err) < 0)
        return -1;
    if (p->cudnn && c->mask)
        return rs_fail(err, NULL, "masking is not supported for CuDNN RNNs (Keras refuses it too)");
    size_t batch = c->x->shape[0], steps = c->x->shape[1];
    rnn_weights rw;
    if (rnn_weights_of(n, p, c->x->shape[2], &rw, err) < 0 ||
        rnn_alloc_outputs(n, p, batch, steps, !c->skip_internals, outs, err) < 0) {
        free(rw.owned);
        return -1;
    }
    bool lstm = p->cell == CELL_LSTM;
    rs_rnn_io rio = {
        .batch = batch,
        .steps = steps,
        .x = c->x->data,
        .mask = c->mask ? c->mask->data : NULL,
        .go_backwards = c->go_backwards,
        .zero_output_for_mask = c->zero_output_for_mask,
        .masked_output_is_state = p->masked_output_is_state,
        .max_threads = c->max_threads,
        .h0 = c->h0 ? c->h0->data : NULL,
        .c0 = c->c0 && lstm ? c->c0->data : NULL,
        .seq = p->return_sequences ? outs[0].data : NULL,
        .last = p->return_sequences ? NULL : outs[0].data,
        .h_last = n->n_outputs > 1 ? outs[1].data : NULL,
        .c_last = n->n_outputs > 2 ? outs[2].data : NULL,
        .gates = n->n_internal >= 1 ? outs[n->n_outputs].data : NULL, /* NULL when skipped */
        .cells = n->n_internal >= 2 ? outs[n->n_outputs + 1].data : NULL,
    };
    int rc = rs_rnn_run(&rw.w, &rio, c->progress, err);
    free(rw.owned);
    return rc;
}

/* The initial states given as extra inputs (Keras' initial_state), from input `first`. */
static void initial_states(const rs_layer_io *io, int first, int count, rnn_call *c)
{
    c->h0 = count >= 1 && io->n_inputs > first ? io->inputs[first] : NULL;
    c->c0 = count >= 2 && io->n_inputs > first + 1 ? io->inputs[first + 1] : NULL;
}

static int copy_mask(const rs_tensor *mask, rs_tensor *out, rs_error *err)
{
    return mask ? rs_tensor_copy(out, mask, err) : 0;
}

int rs_rnn_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const rnn_params *p = n->params;
    rnn_call c = {
        .x = io->inputs[0],
        .mask = io->in_masks ? io->in_masks[0] : NULL,
        .go_backwards = p->go_backwards,
        .zero_output_for_mask = p->zero_output_for_mask,
        .skip_internals = io->skip_internals,
        .progress = io->progress,
    };
    initial_states(io, 1, io->n_inputs - 1, &c);
    if (rnn_compute(n, &c, io->outputs, err) < 0)
        return -1;
    /* The sequence keeps the input's mask; a last output or a state has none. */
    return p->return_sequences ? copy_mask(c.mask, &io->out_masks[0], err) : 0;
}

/* ---- Bidirectional ---- */

void rs_bidirectional_free(void *params)
{
    bidir_params *p = params;
    if (!p)
        return;
    rs_inner_node_free(p->forward);
    rs_inner_node_free(p->backward);
    free(p);
}

static int parse_merge(rs_node *n, merge_mode *out, rs_error *err)
{
    const cJSON *v = cfg_get(n, "merge_mode");
    static const char *const names[] = {"concat", "sum", "mul", "ave"};
    if (!v) {
        *out = MERGE_CONCAT;
        return 0;
    }
    if (cJSON_IsNull(v)) {
        *out = MERGE_NONE;
        return 0;
    }
    for (int i = 0; i < 4 && cJSON_IsString(v); i++)
        if (!strcmp(v->valuestring, names[i])) {
            *out = (merge_mode)i;
            return 0;
        }
    return rs_fail(err, n->name, "unknown merge_mode");
}

/* Name the outputs: merged (or forward, backward), then forward states, backward states. */
static int bidir_names(rs_node *n, bidir_params *p, int n_states, rs_error *err)
{
    static const char *const fw[] = {"forward_h", "forward_c"}, *const bw[] = {"backward_h",
                                                                               "backward_c"};
    int k = 0;
    if (p->merge == MERGE_NONE) {
        if (rs_node_name_output(n, 0, "forward", err) < 0 ||
            rs_node_name_output(n, 1, "backward", err) < 0)
            return -1;
        k = 2;
    } else if (n_states) {
        if (rs_node_name_output(n, 0, "output", err) < 0)
            return -1;
        k = 1;
    }
    for (int i = 0; i < n_states; i++)
        if (rs_node_name_output(n, k + i, fw[i], err) < 0 ||
            rs_node_name_output(n, k + n_states + i, bw[i], err) < 0)
            return -1;
    return 0;
}

/* The inner layers must be recurrent layers of this file whose outputs line up. */
static int bidir_check_inner(rs_node *n, const bidir_params *p, const rs_shape *in, rs_error *err)
{
    const rs_node *f = p->forward, *b = p->backward;
    if (f->kind->setup != rs_rnn_setup || b->kind->setup != rs_rnn_setup)
        return rs_node_unsupported(n, "Bidirectional of %s is not supported",
                                   f->kind->setup != rs_rnn_setup ? f->class_name : b->class_name),
               1;
    bool same = f->n_outputs == b->n_outputs && f->n_internal == b->n_internal;
    for (int i = 0; same && i < f->n_outputs; i++)
        same = !memcmp(&f->out_shapes[i], &b->out_shapes[i], sizeof(rs_shape));
    if (!same)
        return rs_fail(err, n->name, "Bidirectional's forward and backward layers differ in "
                                     "their outputs (units, return_sequences or return_state)");
    const rnn_params *fp = f->params;
    int per_dir = fp->cell == CELL_LSTM ? 2 : 1, given = n->n_inputs - 1;
    if (given != 0 && given != 2 * per_dir)
        return rs_fail(err, n->name, "Bidirectional(%s) takes %d initial states, %d given",
                       f->class_name, 2 * per_dir, given);
    for (int i = 1; i <= given; i++)
        if (in[i].rank != 1 || (in[i].dims[0] >= 0 && in[i].dims[0] != fp->units))
            return rs_fail(err, n->name, "initial state %d is not (None, %ld)", i - 1, fp->units);
    return 0;
}

/* The inner layers' internals, renamed "forward_gates", "backward_cell", ... */
static int bidir_internals(rs_node *n, const bidir_params *p, int first, rs_error *err)
{
    const rs_node *dirs[2] = {p->forward, p->backward};
    static const char *const prefix[2] = {"forward", "backward"};
    int k = first;
    for (int d = 0; d < 2; d++)
        for (int i = 0; i < dirs[d]->n_internal; i++, k++) {
            int src = dirs[d]->n_outputs + i;
            char name[64];
            snprintf(name, sizeof name, "%s_%s", prefix[d], dirs[d]->out_names[src]);
            n->out_shapes[k] = dirs[d]->out_shapes[src];
            if (rs_node_name_output(n, k, name, err) < 0)
                return -1;
        }
    return 0;
}

int rs_bidirectional_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
{
    bidir_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 5, err) < 0 || parse_merge(n, &p->merge, err) < 0)
        return -1;
    if (n->n_weights % 2 != 0)
        return rs_fail(err, n->name, "Bidirectional has an odd number of weights (%d)",
                       n->n_weights);
    const cJSON *layer = cfg_get(n, "layer"), *back = cfg_get(n, "backward_layer");
    p->backward_from_config = back != NULL;
    p->zero_masked_outputs = rs_writer_of(ctx) >= RS_WRITER_TF_KERAS;
    int half = n->n_weights / 2;
    if (rs_inner_node_setup(n, layer, 0, half, &in[0], ctx, &p->forward, err) < 0 ||
        rs_inner_node_setup(n, back ? back : layer, half, half, &in[0], ctx, &p->backward, err) < 0)
        return -1;
    const rs_node *f = p->forward;
    n->note = f->note ? f->note : p->backward->note;
    if (f->unsupported || p->backward->unsupported)
        return rs_node_unsupported(n, "%s", f->unsupported ? f->unsupported
                                                           : p->backward->unsupported);
    int checked = bidir_check_inner(n, p, in, err);
    if (checked != 0)
        return checked < 0 ? -1 : 0;
    int n_states = f->n_outputs - 1;
    int n_main = p->merge == MERGE_NONE ? 2 : 1;
    if (rs_node_outputs(n, n_main + 2 * n_states, 2 * f->n_internal, err) < 0)
        return -1;
    rs_shape main = f->out_shapes[0];
    if (p->merge == MERGE_CONCAT)
        main.dims[main.rank - 1] *= 2;
    for (int i = 0; i < n_main; i++)
        n->out_shapes[i] = main;
    for (int i = 0; i < 2 * n_states; i++)
        n->out_shapes[n_main + i] = f->out_shapes[1 + i % n_states];
    if (bidir_internals(n, p, n_main + 2 * n_states, err) < 0)
        return -1;
    return bidir_names(n, p, n_states, err);
}

/* ---- Bidirectional forward ---- */

/* Progress of the two directions: each records its own fraction; only the direction on the
 * caller's thread reports to the caller (whose callback may draw on the terminal), the sum of
 * both halves, and a cancel from there stops both. */
typedef struct pair_progress {
    const rs_progress *parent;
    atomic_uint millionths[2];
    atomic_bool cancel;
    bool together; /* the directions run at once: the second only records */
} pair_progress;

typedef struct dir_progress {
    pair_progress *pair;
    int d;
} dir_progress;

static bool dir_update(void *user, double fraction)
{
    dir_progress *dp = user;
    pair_progress *pp = dp->pair;
    atomic_store(&pp->millionths[dp->d], (unsigned)(fraction * 1e6));
    if (dp->d == 0 || !pp->together) {
        double both = (atomic_load(&pp->millionths[0]) + atomic_load(&pp->millionths[1])) / 2e6;
        if (!rs_progress_report(pp->parent, both))
            atomic_store(&pp->cancel, true);
    }
    return !atomic_load(&pp->cancel);
}

/* Reverse a (batch, steps, units) tensor along time, in place. */
static void reverse_time(rs_tensor *t)
{
    size_t steps = t->shape[1], u = t->shape[2];
    for (size_t b = 0; b < t->shape[0]; b++) {
        float *seq = t->data + b * steps * u;
        for (size_t i = 0, j = steps ? steps - 1 : 0; i < j; i++, j--)
            for (size_t k = 0; k < u; k++) {
                float v = seq[i * u + k];
                seq[i * u + k] = seq[j * u + k];
                seq[j * u + k] = v;
            }
    }
}

static int merge_outputs(merge_mode mode, rs_tensor *fw, rs_tensor *bw, rs_tensor *out,
                         rs_error *err)
{
    if (mode == MERGE_NONE) {
        rs_tensor_move(&out[0], fw);
        rs_tensor_move(&out[1], bw);
        return 0;
    }
    if (mode != MERGE_CONCAT) {
        for (size_t i = 0; i < fw->size; i++)
            fw->data[i] = mode == MERGE_SUM ? fw->data[i] + bw->data[i]
                        : mode == MERGE_MUL ? fw->data[i] * bw->data[i]
                                            : (fw->data[i] + bw->data[i]) / 2;
        rs_tensor_move(&out[0], fw);
        return 0;
    }
    size_t shape[RS_MAX_RANK], u = fw->shape[fw->rank - 1];
    memcpy(shape, fw->shape, sizeof shape);
    shape[fw->rank - 1] = 2 * u;
    if (rs_tensor_alloc(&out[0], fw->rank, shape, err) < 0)
        return -1;
    for (size_t r = 0; u && r < fw->size / u; r++) {
        memcpy(out[0].data + 2 * r * u, fw->data + r * u, u * sizeof(float));
        memcpy(out[0].data + (2 * r + 1) * u, bw->data + r * u, u * sizeof(float));
    }
    return 0;
}

/* Outputs of each direction: Keras outputs (output, states) then internals. */
typedef struct bidir_run {
    rs_tensor *fw, *bw;
} bidir_run;

/* One direction's run, on a thread of its own. */
typedef struct dir_job {
    const rs_node *node;
    const rnn_call *call;
    rs_tensor *outs;
    rs_error err;
    int rc;
    rs_word done; /* 0, then 1 when the run ended */
} dir_job;

static void *dir_thread(void *arg)
{
    dir_job *j = arg;
    j->rc = rnn_compute(j->node, j->call, j->outs, &j->err);
    rs_word_set(&j->done, 1);
    return NULL;
}

/* The forward half is done and the backward one still runs on its thread (it ran slower, or
 * the machine is busy): go on reporting both halves from the caller's thread every 10 ms, so
 * that a cancel is still heard, until it ends. Woken by its end, not by the next tick (a
 * sleep of a whole tick made a Bidirectional LSTM of 2.5 ms per half take 24 ms). */
static void wait_reporting(pair_progress *pp, dir_job *back)
{
    while (rs_word_wait_for(&back->done, 0, 10 * 1000 * 1000LL) == 0) {
        double both = (atomic_load(&pp->millionths[0]) + atomic_load(&pp->millionths[1])) / 2e6;
        if (!atomic_load(&pp->cancel) && !rs_progress_report(pp->parent, both))
            atomic_store(&pp->cancel, true);
    }
}

/* The two directions are independent: with two CPUs to spare and enough work to cover starting
 * a thread, they run at once, each with half the threads (measured: a Bidirectional LSTM of
 * 128 units, T 256, batch 1: 2.8 ms instead of 4.4 ms on one thread). */
#define TOGETHER_MIN_FLOPS ((size_t)1 << 20)

static size_t threads_apart(const rnn_params *fp, const rs_tensor *x)
{
    size_t threads = rs_rnn_usable_threads(), u = (size_t)fp->units;
    if (x->rank != 3)
        return 0; /* rnn_compute says what is wrong */
    size_t flops = x->shape[0] * x->shape[1] * (size_t)fp->gates * u * (u + x->shape[2]);
    return threads >= 2 && (flops >= TOGETHER_MIN_FLOPS || rs_rnn_always_thread()) ? threads : 0;
}

static int run_directions(const bidir_params *p, rnn_call c[2], bidir_run *r, pair_progress *pp,
                          rs_error *err)
{
    size_t threads = threads_apart(p->forward->params, c[0].x);
    dir_job back = {p->backward, &c[1], r->bw, {.code = RS_ERR_NONE}, -1, {0}};
    rs_word_init(&back.done, 0);
    pthread_t tid;
    pp->together = threads > 0;
    if (pp->together) {
        c[0].max_threads = threads / 2;
        c[1].max_threads = threads - threads / 2;
        pp->together = rs_thread_start(&tid, dir_thread, &back) == 0;
    }
    int rc = rnn_compute(p->forward, &c[0], r->fw, err);
    if (pp->together) {
        if (rc < 0)
            atomic_store(&pp->cancel, true);
        else
            wait_reporting(pp, &back);
        pthread_join(tid, NULL);
        /* the backward half may have ended last, unreported; a cancel asked then is a cancel
         * (the halves may end within one tick of wait_reporting on a busy machine) */
        if (rc == 0 && back.rc == 0 && !rs_progress_report(pp->parent, 1.0))
            rc = rs_fail_cancelled(err);
    } else if (rc == 0) {
        c[1].max_threads = 0;
        dir_thread(&back);
    }
    if (rc == 0 && back.rc < 0)
        *err = back.err;
    return rc < 0 || back.rc < 0 ? -1 : 0;
}

static int bidir_directions(const bidir_params *p, rs_layer_io *io, bidir_run *r, rs_error *err)
{
    const rnn_params *fp = p->forward->params, *bp = p->backward->params;
    int per_dir = (io->n_inputs - 1) / 2;
    pair_progress pp = {.parent = io->progress};
    dir_progress dp[2] = {{&pp, 0}, {&pp, 1}};
    rs_progress prog[2] = {{dir_update, &dp[0]}, {dir_update, &dp[1]}};
    bool zero = p->zero_masked_outputs && fp->return_sequences;
    rnn_call c[2] = {
        {.x = io->inputs[0], .go_backwards = fp->go_backwards, .zero_output_for_mask = zero,
         .progress = &prog[0]},
        {.x = io->inputs[0], .go_backwards = p->backward_from_config ? bp->go_backwards
                                                                      : !bp->go_backwards,
         .zero_output_for_mask = zero, .progress = &prog[1]},
    };
    for (int d = 0; d < 2; d++) {
        c[d].mask = io->in_masks ? io->in_masks[0] : NULL;
        c[d].skip_internals = io->skip_internals;
        initial_states(io, 1 + d * per_dir, per_dir, &c[d]);
    }
    if (run_directions(p, c, r, &pp, err) < 0)
        return -1;
    if (fp->return_sequences)
        reverse_time(&r->bw[0]); /* back in input order */
    return 0;
}

/* Each direction's main output is made whole before the merge copies it: two of them. */
size_t rs_bidirectional_scratch(const rs_node *n, const rs_tensor *const *inputs)
{
    const bidir_params *p = n->params;
    const rs_tensor *x = inputs[0];
    if (!p || !p->forward || !p->forward->out_shapes || p->forward->n_outputs < 1 || x->rank < 2)
        return 0;
    const rs_shape *s = &p->forward->out_shapes[0];
    size_t bytes = rs_size_mul(x->shape[0], 2 * sizeof(float));
    for (int i = 0; i < s->rank; i++) /* an open dimension is the input's time axis */
        bytes = rs_size_mul(bytes, s->dims[i] >= 0 ? (size_t)s->dims[i] : x->shape[1]);
    return bytes;
}

int rs_bidirectional_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const bidir_params *p = n->params;
    const rs_node *f = p->forward;
    int per = f->n_outputs + f->n_internal, n_states = f->n_outputs - 1;
    int n_main = p->merge == MERGE_NONE ? 2 : 1;
    bidir_run r = {calloc((size_t)per, sizeof(rs_tensor)), calloc((size_t)per, sizeof(rs_tensor))};
    int rc = -1;
    if (!r.fw || !r.bw) {
        rs_fail_oom(err, NULL);
        goto done;
    }
    if (bidir_directions(p, io, &r, err) < 0 ||
        merge_outputs(p->merge, &r.fw[0], &r.bw[0], io->outputs, err) < 0)
        goto done;
    for (int i = 0; i < n_states; i++) {
        rs_tensor_move(&io->outputs[n_main + i], &r.fw[1 + i]);
        rs_tensor_move(&io->outputs[n_main + n_states + i], &r.bw[1 + i]);
    }
    for (int i = 0; i < f->n_internal; i++) {
        rs_tensor_move(&io->outputs[n->n_outputs + i], &r.fw[f->n_outputs + i]);
        rs_tensor_move(&io->outputs[n->n_outputs + f->n_internal + i], &r.bw[f->n_outputs + i]);
    }
    rc = 0;
    const rs_tensor *mask = io->in_masks ? io->in_masks[0] : NULL;
    const rnn_params *fp = f->params;
    for (int i = 0; i < n_main && fp->return_sequences && rc == 0; i++)
        rc = copy_mask(mask, &io->out_masks[i], err);
done:
    for (int i = 0; i < per && r.fw; i++)
        rs_tensor_free(&r.fw[i]);
    for (int i = 0; i < per && r.bw; i++)
        rs_tensor_free(&r.bw[i]);
    free(r.fw);
    free(r.bw);
    return rc;
}

/* CuDNN biases hold the input and the recurrent bias of every gate one after the other. */
static const char *const CUDNN_LSTM_BIAS[] = {"i:in", "f:in", "c:in", "o:in",
                                              "i:rec", "f:rec", "c:rec", "o:rec"};
static const char *const CUDNN_GRU_BIAS[] = {"z:in", "r:in", "h:in", "z:rec", "r:rec", "h:rec"};

/* ---- description (rnnscope/layer_desc.h) ---- */

/* Kernel, recurrent kernel and bias in gate blocks (i f c o, z r h); the gates internal is
 * (T, gates, units). */
void rs_rnn_describe(const rs_node *n, rs_layer_desc *d)
{
    const rnn_params *p = n->params;
    rs_describe_weight(d, 0, RS_WEIGHT_KERNEL, "kernel"); /* Keras order, whatever stored */
    rs_describe_weight(d, 1, RS_WEIGHT_RECURRENT, "recurrent kernel");
    rs_describe_weight(d, 2, RS_WEIGHT_BIAS, "bias");
    rs_describe_gates(d, 0, d->n_weights, p->gates);
    if (p->cudnn && d->n_weights > 2 && p->gates > 1) {
        d->weights[2].gates = 2 * p->gates;
        d->weights[2].gate_names = p->cell == CELL_LSTM ? CUDNN_LSTM_BIAS : CUDNN_GRU_BIAS;
    }
    for (int k = n->n_outputs; k < d->n_outputs; k++)
        if (n->out_names && n->out_names[k] && !strcmp(n->out_names[k], "gates")) {
            d->outputs[k].gates = p->gates;
            d->outputs[k].gate_names = rs_gate_names(p->gates);
        }
}

/* The forward direction's weights, then the backward's, each labelled; the internals are the
 * inner layers' (forward_gates, backward_gates...). */
void rs_bidirectional_describe(const rs_node *n, rs_layer_desc *d)
{
    const bidir_params *p = n->params;
    const rs_node *dirs[2] = {p->forward, p->backward};
    static const char *const label[2] = {"forward", "backward"};
    int first = 0, k = d->n_outputs - 2 * dirs[0]->n_internal;
    for (int i = 0; i < 2; i++) {
        rs_layer_desc inner;
        rs_node_describe(dirs[i], &inner);
        for (int w = 0; w < inner.n_weights && first + w < d->n_weights; w++) {
            rs_weight_desc *out = &d->weights[first + w];
            int index = out->index;
            *out = inner.weights[w];
            out->index = index;
            out->direction = label[i];
        }
        first += inner.n_weights;
        for (int j = dirs[i]->n_outputs; j < inner.n_outputs && k >= 0 && k < d->n_outputs; j++)
            d->outputs[k++] = inner.outputs[j];
    }
}

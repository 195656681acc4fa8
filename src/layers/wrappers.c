/* TimeDistributed(inner): the inner layer applied to every timestep.
 *
 * Its mask, (batch, steps, ...) over more than the steps (Masking or Embedding(mask_zero) of a
 * 4-D input: which inner steps are valid), reaches the inner layer as each writer runs it:
 * Keras 3 passes mask[:, t] to each step's call; Keras 2 and tf.keras 2 reshape it to
 * (batch * steps, ...) for the inner layer, except on their step-by-step path (a fixed batch
 * size; in tf.keras only for a stateful inner layer), which passes none; tfjs-layers 4.22 hands
 * the inner layer the whole mask and fails: rnnscope passes it, with Keras 2's output mask. The
 * output's mask: Keras 3 keeps the input's; Keras 2 takes the inner layer's output mask,
 * reshaped, else the input's reduced to (batch, steps) with any() (their compute_mask); the
 * step-by-step path keeps the input's. A (batch, steps) mask is not the inner layer's: kept. */
#include <stdlib.h>
#include <string.h>

#include "layers/common.h"
#include "layers/families.h"
#include "layers/wrappers_params.h"

static void mask_rule(time_distributed_params *p, const rs_layer_ctx *ctx)
{
    rs_writer w = rs_writer_of(ctx);
    bool stepwise = ctx && ctx->batch_fixed &&
                    (w == RS_WRITER_KERAS_224 || w == RS_WRITER_KERAS_23 ||
                     (w == RS_WRITER_TF_KERAS && cfg_bool(p->inner, "stateful", false)));
    p->pass_mask = !stepwise;
    p->keep_mask = stepwise || w == RS_WRITER_KERAS_3;
}

void rs_time_distributed_free(void *params)
{
    time_distributed_params *p = params;
    if (p)
        rs_inner_node_free(p->inner);
    free(p);
}

/* (steps, per-step shape...): a per-step shape of the inner layer with the time axis put back.
 * With the batch axis the tensor must still fit RS_MAX_RANK. */
static int with_time(const rs_node *n, long steps, const rs_shape *o, rs_shape *out,
                     rs_error *err)
{
    if (o->rank < 0 || o->rank + 2 > RS_MAX_RANK)
        return rs_fail(err, n->name, "TimeDistributed output rank is too large");
    out->rank = o->rank + 1;
    out->dims[0] = steps;
    for (int i = 0; i < o->rank; i++)
        out->dims[i + 1] = o->dims[i];
    return 0;
}

int rs_time_distributed_setup(rs_node *n, const rs_shape *in, const rs_layer_ctx *ctx, rs_error *err)
{
    time_distributed_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0)
        return -1;
    if (in[0].rank < 2)
        return rs_fail(err, n->name, "TimeDistributed needs an input of rank 3 or more");
    rs_shape step = {.rank = in[0].rank - 1};
    for (int i = 1; i < in[0].rank; i++)
        step.dims[i - 1] = in[0].dims[i];
    if (rs_inner_node_setup(n, cfg_get(n, "layer"), 0, n->n_weights, &step, ctx, &p->inner, err) <
        0)
        return -1;
    const rs_node *inner = p->inner;
    n->note = inner->note;
    mask_rule(p, ctx);
    if (inner->unsupported)
        return rs_node_unsupported(n, "%s", inner->unsupported);
    /* The inner layer's internals (an LSTM's gates and cell) per timestep, same names. */
    if (rs_node_outputs(n, 1, inner->n_internal, err) < 0 ||
        with_time(n, in[0].dims[0], &inner->out_shapes[0], &n->out_shapes[0], err) < 0)
        return -1;
    for (int i = 0; i < inner->n_internal; i++) {
        int src = inner->n_outputs + i;
        if (with_time(n, in[0].dims[0], &inner->out_shapes[src], &n->out_shapes[1 + i], err) < 0 ||
            (inner->out_names[src] &&
             rs_node_name_output(n, 1 + i, inner->out_names[src], err) < 0))
            return -1;
    }
    return 0;
}

/* ---- forward ---- */

int merge_batch_and_time(const rs_tensor *x, rs_tensor *view, rs_error *err)
{
    if (x->rank < 3) {
        char got[160];
        return rs_fail(err, NULL, "input has shape %s, TimeDistributed wants (batch, steps, ...)",
                       rs_shape_format(x->rank, x->shape, got, sizeof got));
    }
    *view = *x;
    view->rank = x->rank - 1;
    view->shape[0] = x->shape[0] * x->shape[1]; /* no overflow: both divide x->size */
    for (int i = 1; i < view->rank; i++)
        view->shape[i] = x->shape[i + 1];
    view->shape[view->rank] = 0;
    return 0;
}

/* The inner layer's output (B*T, rest...) as (B, T, rest...), moved into out. */
static int split_batch_and_time(rs_tensor *y, size_t batch, size_t steps, rs_tensor *out,
                                rs_error *err)
{
    if (y->rank < 1 || y->rank + 1 > RS_MAX_RANK || y->shape[0] != batch * steps)
        return rs_fail(err, NULL, "the wrapped layer returned an output of an unexpected shape");
    size_t shape[RS_MAX_RANK] = {batch, steps};
    for (int i = 1; i < y->rank; i++)
        shape[i + 1] = y->shape[i];
    if (rs_tensor_reshape(y, y->rank + 1, shape, err) < 0)
        return -1;
    rs_tensor_move(out, y);
    return 0;
}

int td_inner_mask(const time_distributed_params *p, const rs_tensor *mask, const rs_tensor *x,
                      rs_tensor *view, const rs_tensor **out, rs_error *err)
{
    *out = NULL;
    if (!mask || mask->rank < 3 || !p->pass_mask)
        return 0;
    if (mask->shape[0] != x->shape[0] || mask->shape[1] != x->shape[1]) {
        char got[160];
        return rs_fail(err, NULL, "input mask has shape %s, the input (%zu, %zu, ...)",
                       rs_shape_format(mask->rank, mask->shape, got, sizeof got), x->shape[0],
                       x->shape[1]);
    }
    *out = view;
    return merge_batch_and_time(mask, view, err);
}

/* The output's mask (see the top of the file). */
static int output_mask(const time_distributed_params *p, const rs_tensor *mask, rs_tensor *inner,
                       size_t batch, size_t steps, rs_tensor *out, rs_error *err)
{
    if (!mask)
        return 0;
    if (mask->rank < 3 || p->keep_mask)
        return rs_tensor_copy(out, mask, err);
    if (inner->data)
        return split_batch_and_time(inner, batch, steps, out, err);
    if (rs_tensor_alloc_dims(out, err, 2, batch, steps) < 0)
        return -1;
    size_t rest = mask->size / (batch * steps);
    for (size_t i = 0; i < batch * steps; i++) {
        float any = 0;
        for (size_t j = 0; j < rest && !any; j++)
            any = mask->data[i * rest + j] != 0 ? 1.0f : 0.0f;
        out->data[i] = any;
    }
    return 0;
}

static void free_tensors(rs_tensor *t, int n)
{
    for (int i = 0; t && i < n; i++)
        rs_tensor_free(&t[i]);
    free(t);
}

int rs_time_distributed_forward(const rs_node *n, rs_layer_io *io, rs_error *err)
{
    const time_distributed_params *p = n->params;
    const rs_node *inner = p->inner;
    if (!inner->kind || !inner->kind->forward)
        return rs_fail(err, NULL, "the forward pass of the wrapped %s is not implemented yet",
                       inner->class_name);
    const rs_tensor *x = io->inputs[0];
    /* Each timestep is a sample of its own, with the mask over its own steps. */
    const rs_tensor *mask = io->in_masks ? io->in_masks[0] : NULL;
    rs_tensor view, mask_view;
    const rs_tensor *ins[1] = {&view}, *in_masks[1];
    if (merge_batch_and_time(x, &view, err) < 0 ||
        td_inner_mask(p, mask, x, &mask_view, &in_masks[0], err) < 0)
        return -1;
    int count = inner->n_outputs + inner->n_internal;
    rs_tensor *outs = calloc((size_t)count, sizeof *outs);
    rs_tensor *masks = calloc((size_t)count, sizeof *masks);
    if (!outs || !masks) {
        free_tensors(outs, 0);
        free_tensors(masks, 0);
        return rs_fail_oom(err, NULL);
    }
    rs_layer_io sub = {.n_inputs = 1, .inputs = ins, .in_masks = in_masks, .outputs = outs,
                       .out_masks = masks, .progress = io->progress,
                       .keras_major = io->keras_major, .skip_internals = io->skip_internals};
    int rc = inner->kind->forward(inner, &sub, err);
    if (rc < 0)
        rs_error_prefix(err, inner->class_name);
    else
        rc = split_batch_and_time(&outs[0], x->shape[0], x->shape[1], &io->outputs[0], err);
    for (int i = 0; rc == 0 && !io->skip_internals && i < inner->n_internal; i++)
        rc = split_batch_and_time(&outs[inner->n_outputs + i], x->shape[0], x->shape[1],
                                  &io->outputs[1 + i], err);
    if (rc == 0)
        rc = output_mask(p, mask, &masks[0], x->shape[0], x->shape[1], &io->out_masks[0], err);
    free_tensors(outs, count);
    free_tensors(masks, count);
    return rc;
}

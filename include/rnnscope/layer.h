/* The layer registry: one entry per supported Keras class, found by class name.
 * Adding a layer type = one set of functions in src/layers/<family>.c + one line in
 * src/layers/registry.c. */
#ifndef RNNSCOPE_LAYER_H
#define RNNSCOPE_LAYER_H

#include "rnnscope/layer_desc.h"
#include "rnnscope/node.h"
#include "rnnscope/progress.h"

/* What a layer's forward pass reads and writes. Tensors have the batch axis first. */
typedef struct rs_layer_io {
    int n_inputs;
    const rs_tensor *const *inputs;
    const rs_tensor *const *in_masks; /* per input: (batch, steps) of 0/1, or NULL: no mask */
    rs_tensor *outputs;  /* n_outputs + n_internal empty tensors for the layer to allocate */
    rs_tensor *out_masks; /* per Keras output: leave empty (data NULL) for no mask */
    const rs_progress *progress;
    int keras_major;
    /* Leave the internal tensors (an RNN's gates and cell) empty: nobody asked for them, and
     * they are several times the size of the output. Layers may ignore it. */
    bool skip_internals;
} rs_layer_io;

/* What a layer's reverse pass reads and writes (rnnscope/grad.h runs it). The forward values
 * are the run's: inputs, their masks and the layer's outputs (internals not filled). */
typedef struct rs_layer_grad_io {
    int n_inputs;
    const rs_tensor *const *inputs;
    const rs_tensor *const *in_masks; /* per input, or NULL: no mask */
    const rs_tensor *outputs;         /* the node's Keras outputs, as the forward pass made them */
    /* per Keras output: d objective / d that output, same shape; NULL when nothing downstream
     * uses it (a zero gradient) */
    const rs_tensor *const *d_outputs;
    /* per input: d objective / d that input, to allocate (same shape as the input) and fill.
     * Left empty (data NULL): no gradient reaches that input (integer token ids). */
    rs_tensor *d_inputs;
    /* per weight (the node's weights, in Keras order), or NULL when the weights' gradients
     * are not wanted: to allocate (the weight's shape) and fill. */
    rs_tensor *d_weights;
    const rs_progress *progress;
    int keras_major;
    /* Bytes of scratch the reverse pass may take under the memory cap (at least its
     * backward_scratch); a layer that can trade time for memory (an RNN's checkpointing) keeps
     * more when there is room. */
    size_t scratch_budget;
} rs_layer_grad_io;

typedef struct rs_layer_kind {
    const char *class_name;

    /* Parse node->keras_config into node->params, check the node's weights against it (count and
     * shapes: a mismatch is an error naming the layer and the weight), and fill
     * node->n_outputs, n_internal, out_shapes and out_names from the input shapes.
     * ctx tells what the layer may know of the model (its Keras version...); NULL: Keras 2. */
    int (*setup)(rs_node *node, const rs_shape *in_shapes, const rs_layer_ctx *ctx,
                 rs_error *err);

    /* Compute all outputs (node->n_outputs + n_internal tensors) and output masks from the
     * inputs and their masks. NULL while the forward pass of this class is not written. */
    int (*forward)(const rs_node *node, rs_layer_io *io, rs_error *err);

    void (*free_params)(void *params);

    /* Bytes of scratch the forward pass allocates beyond its outputs for these inputs (the
     * attention matrix of a sample...); NULL when that is small. For the memory cap. */
    size_t (*scratch)(const rs_node *node, const rs_tensor *const *inputs);

    /* The reverse pass: from the gradients of the outputs, those of the inputs and (when asked)
     * of the weights. NULL: this kind has none yet, and a gradient through it is refused. */
    int (*backward)(const rs_node *node, rs_layer_grad_io *io, rs_error *err);

    /* Bytes of scratch the reverse pass needs at least beyond the gradients it returns (an
     * RNN's recomputed gates, checkpointed); NULL when that is small. For the memory cap. */
    size_t (*backward_scratch)(const rs_node *node, const rs_tensor *const *inputs);

    /* What the node holds and produces beyond what its weights' names say (gate blocks,
     * Bidirectional's directions, attention outputs), on top of the generic description in d
     * (src/layers/describe.c). NULL: the generic description is the whole truth. */
    void (*describe)(const rs_node *node, rs_layer_desc *d);
} rs_layer_kind;

/* What a node holds and produces (rnnscope/layer_desc.h), from its registry entry: the
 * weights view, the gate panels and the heatmap orientation read this, not the class name.
 * The matrices point into the node's weights. */
void rs_node_describe(const rs_node *node, rs_layer_desc *d);

/* Point d's matrices (a description of node) at values[i] instead of weight i, where values[i]
 * is not NULL and has the weight's size: gradients or differences of the weights, drawn by the
 * weights view as the weights are. */
void rs_describe_over(const rs_node *node, rs_layer_desc *d, const rs_tensor *values);

/* The entry for a Keras class name, or NULL. */
const rs_layer_kind *rs_layer_kind_find(const char *class_name);

/* Set up one node from its inputs' shapes: find its kind (an unknown class is marked
 * unsupported with a reason: the model still loads), run its setup, and check its outputs'
 * ranks and that it has the `needed` outputs its consumers use. A node already marked
 * unsupported (its input cannot run) only gets outputs of unknown shape. A supported layer
 * whose weights do not fit its config is an error. */
int rs_node_setup(rs_node *n, const rs_shape *in_shapes, int needed, const rs_layer_ctx *ctx,
                  rs_error *err);

/* Mark the node unsupported with a reason (it still loads). Returns 0. */
int rs_node_unsupported(rs_node *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Bytes running a node on these inputs (batch axis first) will allocate: its outputs (and
 * internals when asked for), whose shapes come from its setup run again on the inputs' actual
 * shapes, and its scratch. Saturates at SIZE_MAX; an output whose size cannot be told counts 0. */
size_t rs_node_need_bytes(const rs_node *n, const rs_tensor *const *inputs, bool internals,
                          const rs_layer_ctx *ctx);

#endif

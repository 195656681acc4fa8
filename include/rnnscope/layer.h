/* The layer registry: one entry per supported Keras class, found by class name.
 * Adding a layer type = one set of functions in src/layers/<family>.c + one line in
 * src/layers/registry.c. */
#ifndef RNNSCOPE_LAYER_H
#define RNNSCOPE_LAYER_H

#include "rnnscope/model.h"

struct rs_run;

typedef struct rs_layer_kind {
    const char *class_name;

    /* Parse node->config into node->params, check the node's weights against it (count and
     * shapes: a mismatch is an error naming the layer and the weight), and fill
     * node->n_outputs, n_internal, out_shapes and out_names from the input shapes.
     * The model gives context such as keras_major. */
    int (*setup)(rs_node *node, const rs_shape *in_shapes, const rs_model *model, rs_error *err);

    /* Compute all outputs (node->n_outputs + n_internal tensors, batch axis first) from the
     * inputs (batch axis first). NULL while the forward pass of this class is not written. */
    int (*forward)(const rs_node *node, const rs_tensor *const *inputs, rs_tensor *outputs,
                   struct rs_run *run, rs_error *err);

    void (*free_params)(void *params);
} rs_layer_kind;

/* The entry for a Keras class name, or NULL. */
const rs_layer_kind *rs_layer_kind_find(const char *class_name);

/* Run setup for every node in order: unknown classes and nodes downstream of them are
 * marked unsupported with a reason (the model still loads); a supported layer whose weights
 * do not fit its config is an error. */
int rs_model_setup_layers(rs_model *m, rs_error *err);

#endif

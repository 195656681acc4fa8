/* One node of a model's graph as the layers see it: one call of one Keras layer with its
 * config, weights and outputs, and what a layer is told of the model around it. The model
 * (rnnscope/model.h) holds the nodes; the layers (rnnscope/layer.h) set them up and run them
 * without seeing the model. */
#ifndef RNNSCOPE_NODE_H
#define RNNSCOPE_NODE_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "rnnscope/error.h"
#include "rnnscope/shape.h"
#include "rnnscope/tensor.h"

/* One output of one node. */
typedef struct rs_ref {
    int node;
    int output;
} rs_ref;

typedef struct rs_weight {
    char *name;       /* as stored in the file: "lstm_1/kernel:0", "layers/gru/cell/vars/0" ... */
    rs_tensor value;
} rs_weight;

struct rs_layer_kind;

typedef struct rs_node {
    char *name;               /* unique in the model: "lstm_1", "encoder/lstm_1", "dense#1" */
    char *class_name;         /* Keras class: "LSTM", "SeqSelfAttention", ... */
    const cJSON *keras_config; /* the layer's "config" object; owned by rs_model.config_json */

    int n_inputs;
    rs_ref *inputs;

    int n_weights;            /* in Keras order (layer.weights) */
    rs_weight *weights;
    bool owns_weights;        /* false for the second and later calls of a shared layer */

    /* Outputs: the first n_outputs are the layer's Keras outputs; after them come
     * n_internal read-only internals (LSTM gates, cell state...) the forward pass can expose. */
    int n_outputs;
    int n_internal;
    rs_shape *out_shapes;     /* n_outputs + n_internal */
    char **out_names;         /* "values", "attention", "gates", "cell"; may be NULL entries */

    const struct rs_layer_kind *kind; /* NULL when the class is not supported */
    char *unsupported;        /* why this node cannot run (NULL when it can) */
    const char *note;         /* a static remark for the summary ("stateful: ..."), or NULL */
    void *params;             /* parsed config, owned by kind */
} rs_node;

/* What a layer's setup may know of the model it is in, beyond its own node: the model fills
 * it once (rs_model.layer_ctx) and the strings point into the model. */
typedef struct rs_layer_ctx {
    int keras_major;            /* 2 or 3: hard_sigmoid's formula, masking rules */
    const char *keras_version;  /* "2.3.1", "3.15.0", "tfjs-layers 4.22.0"; "" or NULL: unknown */
    const cJSON *model_config;  /* the whole model config, where the keyword arguments of a
                                 * layer's calls are recorded; NULL when there is none */
    bool batch_fixed;           /* a model input has a fixed batch size (batch_input_shape) */
} rs_layer_ctx;

#endif

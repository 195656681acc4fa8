/* A loaded Keras model: the layer graph with configs and weights, whatever file it came from.
 *
 * The graph is a list of nodes in topological order. A node is one call of one Keras layer:
 * a layer shared between several calls (node_index > 0 in Keras configs) becomes several nodes
 * that share one weight list; a model nested as a layer is flattened into its nodes with names
 * prefixed "outer/inner". InputLayer nodes are included (explicit or implied by
 * batch_input_shape), so every model input is a node with no inputs. */
#ifndef RNNSCOPE_MODEL_H
#define RNNSCOPE_MODEL_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "rnnscope/error.h"
#include "rnnscope/node.h"
#include "rnnscope/tensor.h"

typedef enum rs_format {
    RS_FORMAT_H5,          /* Keras full-model HDF5 (Keras 2.x, tf.keras, Keras 3 legacy h5) */
    RS_FORMAT_JSON_H5,     /* model.to_json() architecture + save_weights HDF5 */
    RS_FORMAT_KERAS_ZIP,   /* Keras 3 .keras zip archive */
    RS_FORMAT_TFJS,        /* TensorFlow.js layers model.json + binary shards */
} rs_format;

typedef struct rs_model {
    char *path;               /* the file the user named */
    rs_format format;
    char *keras_version;      /* "2.1.3", "2.13.1", "3.15.0"; "" when the file does not say */
    int keras_major;          /* 2 or 3: selects hard_sigmoid's formula */
    char *model_class;        /* "Sequential", "Functional", "Model" */
    char *model_name;
    cJSON *config_json;       /* the parsed model config; nodes' configs point into it */
    char *training_config;    /* Keras 2 / tf.keras .h5: the training_config attribute (JSON of
                               * a compiled model: its loss...), or NULL */
    cJSON *synth_json;        /* configs rnnscope made up (InputLayers implied by
                               * batch_input_shape); some nodes' configs point into it */

    int n_nodes;
    rs_node *nodes;           /* topological order */
    int n_inputs;
    int *inputs;              /* node indices of the model's InputLayer nodes */
    int n_outputs;
    rs_ref *outputs;
    rs_layer_ctx layer_ctx;   /* what the layers are told of the model (filled at setup) */
} rs_model;

/* Open any supported model file (detected by content, never by name). weights_path is the
 * save_weights HDF5 for a model.to_json() architecture file, else NULL. */
int rs_model_load(const char *path, const char *weights_path, rs_model **out, rs_error *err);

void rs_model_free(rs_model *m);

/* Human-readable format name: "Keras HDF5", "Keras 3 .keras", ... */
const char *rs_format_name(rs_format f);

/* Node index by exact name, or by a substring matching exactly one node.
 * Returns -1 with err listing the candidates when none or several match. */
int rs_model_find_node(const rs_model *m, const char *name, rs_error *err);

/* A weight by its full Keras name ("lstm_1/recurrent_kernel:0") or a part of it that matches
 * one weight only: 0 with *node and *w set, or -1 with err listing the candidates. Shared
 * layers' later calls are not counted twice. */
int rs_model_find_weight(const rs_model *m, const char *name, int *node, int *w, rs_error *err);

/* Total number of weight values of a node (0 for shared calls after the first). */
size_t rs_node_param_count(const rs_node *n);
/* Bytes of the weights the model holds (float32), for the memory cap. */
size_t rs_model_weight_bytes(const rs_model *m);

#endif

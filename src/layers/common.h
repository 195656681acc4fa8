/* Helpers shared by the layer families' setup functions: reading a layer's config,
 * checking its weights, filling its outputs. Not a public interface. */
#ifndef RNNSCOPE_LAYERS_COMMON_H
#define RNNSCOPE_LAYERS_COMMON_H

#include <cjson/cJSON.h>
#include "rnnscope/layer.h"

#include "rnnscope/kernels.h"

/* Parse an activation from a config value (a name, null = linear, or a serialized object).
 * Returns -1 with err naming the activation when it is unknown. */
int rs_parse_activation(const cJSON *v, int keras_major, rs_activation *out, const char *where,
                        rs_error *err);

/* Config getters with Keras' defaults. */
const cJSON *cfg_get(const rs_node *n, const char *key);
bool cfg_bool(const rs_node *n, const char *key, bool dflt);
double cfg_num(const rs_node *n, const char *key, double dflt);
/* An int, or the first element of a list ("kernel_size": [3]); null/missing → dflt. */
long cfg_int(const rs_node *n, const char *key, long dflt);
/* A JSON number as a whole number (cut toward zero); bad when it is not a number, NaN,
 * infinite or beyond +-1e15 (configs may hold NaN and Infinity, as Python writes them). */
long cfg_whole(const cJSON *v, long bad);
const char *cfg_str(const rs_node *n, const char *key, const char *dflt);

/* Caps on a layer's size parameters: past them a config is hostile, not a model. Every loop
 * whose trip count comes from a config is bounded by one of these (or by the weights, whose
 * size the file pays for). */
#define RS_MAX_UNITS (1L << 24)  /* units, filters, heads, key/value dims: a weight dimension */
#define RS_MAX_WINDOW (1L << 20) /* pool_size, kernel_size, strides, dilation, UpSampling size */
#define RS_MAX_STEPS (1L << 30)  /* a time axis made by a layer: RepeatVector, padding, ... */

/* A size parameter: a whole number in [lo, hi] (a list: its first element, "kernel_size": [3]),
 * or dflt when the config has none (missing or null). Anything else fails naming the layer:
 * "'pool_size' is 1e+15: it must be a whole number from 1 to 1048576". */
int cfg_size(const rs_node *n, const char *key, long dflt, long lo, long hi, long *out,
             rs_error *err);
/* The activation under key (missing → the activation named dflt). ctx gives the Keras version
 * (NULL: 2), which selects hard_sigmoid's and sparsemax's formulas. glu, which halves the last
 * axis, is refused; cfg_activation_or_glu lets it through for the layers that handle it. */
int cfg_activation(const rs_node *n, const char *key, const char *dflt, const rs_layer_ctx *ctx,
                   rs_activation *out, rs_error *err);
int cfg_activation_or_glu(const rs_node *n, const char *key, const char *dflt,
                          const rs_layer_ctx *ctx, rs_activation *out, rs_error *err);

/* Is the model's Keras version at least major.minor? "" (unknown) counts as keras_major.0. */
bool rs_keras_at_least(const rs_layer_ctx *ctx, int major, int minor);

/* The program that wrote the file, from its version ("tfjs-layers 4.22.0", "2.2.4", "2.3.1",
 * "2.2.4-tf" or "2.13.1", "3.10.0"; "" counts as tf.keras 2 or Keras 3 by keras_major). Where
 * masks are concerned each runs its files its own way (recurrent.c, wrappers.c). */
typedef enum rs_writer {
    RS_WRITER_TFJS,          /* TensorFlow.js tfjs-layers */
    RS_WRITER_KERAS_224,     /* standalone Keras 1.x - 2.2.4 */
    RS_WRITER_KERAS_23,      /* standalone Keras 2.2.5 - 2.3.x */
    RS_WRITER_TF_KERAS,      /* tf.keras 2 ("-tf" versions, 2.4 and later) */
    RS_WRITER_KERAS_3,
} rs_writer;
rs_writer rs_writer_of(const rs_layer_ctx *ctx);

/* Allocate n_outputs + n_internal shapes (rank -1) and names (NULL) on the node. */
int rs_node_outputs(rs_node *n, int n_outputs, int n_internal, rs_error *err);
int rs_node_name_output(rs_node *n, int i, const char *name, rs_error *err);
rs_shape rs_shape_make(int rank, ...);

/* The node takes exactly want inputs (a range [lo, hi] with the _range form). */
int rs_expect_inputs(const rs_node *n, int lo, int hi, rs_error *err);
/* An input shape of the given rank (batch excluded). */
int rs_expect_rank(const rs_node *n, const rs_shape *s, int rank, rs_error *err);
/* The node has exactly count weights. */
int rs_expect_weight_count(const rs_node *n, int count, rs_error *err);
/* Weight i has this shape; a wanted dim of -1 matches anything. */
int rs_expect_weight_shape(const rs_node *n, int i, int rank, const long *dims, rs_error *err);
#define RS_EXPECT_SHAPE(n, i, err, ...) \
    rs_expect_weight_shape((n), (i), (int)(sizeof((long[]){__VA_ARGS__}) / sizeof(long)), \
                           (long[]){__VA_ARGS__}, (err))
/* Weight i is a scalar or a vector of one value. */
int rs_expect_weight_scalar(const rs_node *n, int i, rs_error *err);

/* After a failed config read (cfg_activation...): a setting rnnscope does not do
 * (RS_ERR_UNSUPPORTED) marks the node unsupported with err's message and returns 0 (the model
 * still loads); any other failure stays an error: -1. */
int rs_node_unsupported_by(rs_node *n, const rs_error *err);

/* A layer wrapped by another (Bidirectional, TimeDistributed) set up as a node of its own
 * with a slice of the wrapper's weights (not owned). */
int rs_inner_node_setup(const rs_node *outer, const cJSON *inner_layer, int first_weight,
                        int n_weights, const rs_shape *in_shape, const rs_layer_ctx *ctx,
                        rs_node **out, rs_error *err);
void rs_inner_node_free(rs_node *inner);

/* A per-family params allocation; fails with "out of memory" naming the layer. */
void *rs_params_alloc(const rs_node *n, size_t size, rs_error *err);
void rs_params_free(void *p);

/* Normalize a Keras axis (counting the batch axis as 0, negative from the end) to an index
 * into a shape of rank `rank` without the batch axis; -1 when out of range. */
int rs_axis_index(long axis, int rank);

#endif

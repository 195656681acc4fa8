/* Gradients: the objective (a unit of a model output, or a Keras loss against labels) and the
 * reverse pass over the graph, layer by layer through each kind's registry `backward` entry.
 * Definitions: the man page's grad section, share/man/rnnscope.1.in (inference mode, masks as
 * in the forward pass, the objective and the losses). */
#ifndef RNNSCOPE_GRAD_H
#define RNNSCOPE_GRAD_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "rnnscope/layer_desc.h"
#include "rnnscope/model.h"
#include "rnnscope/run.h"

typedef enum rs_loss_kind {
    RS_LOSS_UNIT,   /* no labels: the sum of one unit of the output */
    RS_LOSS_MSE,    /* mean_squared_error */
    RS_LOSS_MAE,    /* mean_absolute_error */
    RS_LOSS_BCE,    /* binary_crossentropy */
    RS_LOSS_CCE,    /* categorical_crossentropy */
    RS_LOSS_SCCE,   /* sparse_categorical_crossentropy: labels are class ids */
} rs_loss_kind;

typedef struct rs_loss {
    rs_loss_kind kind;
    bool from_logits;
    double label_smoothing;
} rs_loss;

/* A Keras loss by name, as compile() takes it: "mse", "binary_crossentropy",
 * "BinaryCrossentropy", ... Fails naming the loss when Keras has no such loss, or when
 * rnnscope does not differentiate it yet. */
int rs_loss_from_name(const char *name, rs_loss *out, rs_error *err);

/* Keras' function name of a loss kind ("binary_crossentropy"); "unit" for RS_LOSS_UNIT. */
const char *rs_loss_kind_name(rs_loss_kind kind);

/* The loss a compiled model was saved with, for its model output `output` (training_config of
 * a Keras 2 / tf.keras .h5, compile_config of a Keras 3 .keras; a string, a serialized Loss,
 * a list or a dict by output name). Returns 0 with *out filled, 1 when the file names no loss
 * (the model was saved without compiling), -1 on error. */
int rs_model_loss(const rs_model *m, int output, rs_loss *out, rs_error *err);

typedef struct rs_objective {
    int output;              /* which model output (index into m->outputs) */
    long unit;               /* RS_LOSS_UNIT: the unit J of the output's last axis */
    const rs_tensor *labels; /* the loss's labels, batch axis first; NULL for RS_LOSS_UNIT */
    rs_loss loss;
} rs_objective;

/* The objective's value for the model output y and its gradient dy (allocated, y's shape).
 * Reductions as Keras' default (sum_over_batch_size); see gradients.md. where names the
 * output in errors (labels of the wrong shape, a unit out of range). */
int rs_objective_grad(const rs_objective *o, const rs_tensor *y, const char *where,
                      rs_tensor *dy, double *value, rs_error *err);

/* What a reverse pass keeps. */
typedef struct rs_grad_request {
    int node;            /* keep d objective / d this node's Keras outputs; -1: none */
    int weights_node;    /* d objective / d this node's weights; -1: none */
    bool all_weights;    /* d objective / d the weights of every node that has some */
} rs_grad_request;

typedef struct rs_grads rs_grads;

/* Run the model on the run's inputs (as far as the objective's output needs) and sweep the
 * graph backwards from the objective, from the last node to the first (iteratively), through
 * only the nodes between it and what the request keeps. A layer on that path without a reverse
 * pass is refused by name; so is a request for the gradient of integer inputs. What the sweep
 * holds is counted against the memory cap. */
int rs_grad_compute(rs_run *r, const rs_objective *obj, const rs_grad_request *req,
                    rs_grads **out, rs_error *err);

/* d objective / d output k of the request's node (zeros when nothing used it). */
const rs_tensor *rs_grads_output(const rs_grads *g, int k);

/* d objective / d weight w of a node whose weights were asked for, or NULL. A layer shared by
 * several calls gets the sum over its calls in its first node. */
const rs_tensor *rs_grads_weight(const rs_grads *g, int node, int w);

/* The objective's value. */
double rs_grads_objective(const rs_grads *g);

void rs_grads_free(rs_grads *g);

/* One gate block of a weight's gradient (the layer registry's split: LSTM i f c o, GRU z r h,
 * a Bidirectional's forward and backward weights). */
typedef struct rs_gate_stats {
    const char *direction; /* "forward" / "backward" in a Bidirectional, else NULL */
    const char *gate;      /* the block's name; NULL: the weight is not split */
    size_t count;          /* values in the block */
    double norm;           /* L2 norm of its finite values */
    double zeros, nans, infs; /* shares of the count: exactly 0, NaN, ±Inf */
} rs_gate_stats;

#define RS_MAX_GATE_BLOCKS 8

/* The statistics of grad, d objective / d weight w of node n (its shape), by gate block along
 * the last axis: out has room for RS_MAX_GATE_BLOCKS. Returns the number of blocks, or -1
 * when the weight's last axis does not split into the layer's gate count. */
int rs_weight_grad_by_gate(const rs_node *n, int w, const rs_tensor *grad, rs_gate_stats *out,
                           rs_error *err);

/* d objective / d every weight of node (a shared layer: of its calls), each in its weight's
 * shape, zeros where no gradient reaches, into out[0..n_weights) (the caller frees them). */
int rs_node_weight_grads(rs_run *r, const rs_objective *obj, int node, rs_tensor *out,
                         rs_error *err);

/* A block's norm with `digits` significant digits; "nan" (or "inf") when the block has no
 * finite value: the norm is of the finite values, and none is not a norm of 0. */
char *rs_gate_norm_text(const rs_gate_stats *s, int digits, char *buf, size_t len);

/* The weights view's notes in gradient mode: each gate block's norm (rs_gate_norm_text, 3
 * digits) of d objective / d each weight of a node, gate[w] for weight w (NULL past the
 * blocks), to write beside the gate's name. */
typedef struct rs_gate_notes {
    char text[RS_DESC_MAX_WEIGHTS][RS_MAX_GATE_BLOCKS][16];
    const char *gate[RS_DESC_MAX_WEIGHTS][RS_MAX_GATE_BLOCKS];
} rs_gate_notes;

/* grads: n_weights tensors, each in its weight's shape. */
void rs_gate_notes_make(const rs_node *n, const rs_tensor *grads, rs_gate_notes *out);

/* "i 0.00281 f 1.61e-05 c 0.0324 o 0.00276" for n blocks of rs_weight_grad_by_gate, each
 * block's shares of zeros, NaN and Inf after its norm when not 0 ("(zeros 100%)"), a block
 * without a finite value as "nan"/"inf", "forward:"/"backward:" where the direction starts. */
char *rs_gate_stats_text(const rs_gate_stats *rows, int n, char *buf, size_t len);

#endif

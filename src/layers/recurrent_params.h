/* The parsed configs (node->params) of the recurrent layers, shared by their forward pass
 * (src/layers/recurrent.c) and their reverse pass (src/layers/recurrent_grad.c). Not a public interface. */
#ifndef RNNSCOPE_LAYERS_RECURRENT_PARAMS_H
#define RNNSCOPE_LAYERS_RECURRENT_PARAMS_H

#include "rnnscope/kernels.h"
#include "rnnscope/node.h"
#include "rnnscope/rnn.h"

typedef enum rnn_cell { CELL_SIMPLE, CELL_LSTM, CELL_GRU } rnn_cell;

typedef struct rnn_params {
    rnn_cell cell;
    int gates;              /* 1, 4 or 3 column blocks in the kernels */
    long units;
    rs_activation activation, recurrent_activation;
    int keras_major;        /* hard_sigmoid is 0.2x+0.5 in Keras <= 2, x/6+0.5 in Keras 3 */
    bool use_bias;
    bool return_sequences, return_state, go_backwards, stateful;
    bool zero_output_for_mask; /* masked steps output zeros (forced in Bidirectional) */
    bool masked_output_is_state; /* a masked step outputs the state h (rs_writer_of) */
    bool reset_after;       /* GRU: bias (2, 3u), reset gate applied after the matmul */
    bool cudnn;             /* CuDNN weights: double bias, kernels stored as cuDNN lays them */
} rnn_params;

typedef enum merge_mode { MERGE_CONCAT, MERGE_SUM, MERGE_MUL, MERGE_AVE, MERGE_NONE } merge_mode;

typedef struct bidir_params {
    merge_mode merge;
    rs_node *forward, *backward; /* inner layers; backward runs with go_backwards flipped */
    bool backward_from_config;   /* a backward_layer config was saved (else: copy of layer) */
    bool zero_masked_outputs;    /* halves returning sequences output zeros at masked steps
                                  * (rs_writer_of) */
} bidir_params;

/* The kernel's view of a node's weights. CuDNN weights are converted as Keras converts them on
 * load (keras-formats.md §1.5) into `owned`, which the caller frees. */
typedef struct rnn_weights {
    rs_rnn_weights w;
    float *owned;
} rnn_weights;

/* The weights of a recurrent node (or a direction of a Bidirectional) for input_dim `in`
 * (recurrent.c). */
int rnn_weights_of(const rs_node *n, const rnn_params *p, size_t in, rnn_weights *rw,
                   rs_error *err);

#endif

/* What a layer holds and produces, as its registry entry describes it (rs_node_describe in
 * rnnscope/layer.h): its weights with their roles, names, gate blocks and direction, and which
 * outputs are attention matrices. The front ends draw the weights view, the gate panels and the
 * heatmap orientation from this alone, never from the Keras class name. Plain data: the render
 * layer reads it without knowing about models. */
#ifndef RNNSCOPE_LAYER_DESC_H
#define RNNSCOPE_LAYER_DESC_H

#include <stdbool.h>
#include <stddef.h>

#include "rnnscope/matrix.h"

typedef enum rs_weight_role {
    RS_WEIGHT_OTHER,     /* a named matrix of its own (attention's Wt, Wx, Wa...) */
    RS_WEIGHT_KERNEL,    /* input kernel (in, gates x units) */
    RS_WEIGHT_RECURRENT, /* recurrent kernel (units, gates x units) */
    RS_WEIGHT_BIAS,      /* an additive vector (or (2, gates x units): GRU reset_after) */
    RS_WEIGHT_SCALE,     /* a norm's gamma */
} rs_weight_role;

#define RS_DESC_MAX_WEIGHTS 32
#define RS_DESC_MAX_OUTPUTS 32

typedef struct rs_weight_desc {
    int index;                 /* the node's weights[index] */
    rs_weight_role role;
    char name[32];             /* "kernel", "recurrent kernel", "bias", "Wt", "gamma" */
    const char *direction;     /* "forward" or "backward" (Bidirectional), else NULL */
    int gates;                 /* column blocks of the last axis: 4 LSTM, 3 GRU, else 1 */
    const char *const *gate_names; /* {"i","f","c","o"}, {"z","r","h"}, or NULL */
    rs_matrix m;               /* the weight as (all but the last axis, last axis) */
} rs_weight_desc;

typedef struct rs_output_desc {
    const char *name;          /* "gates", "cell", "attention"...; NULL for a layer's one output */
    bool attention;            /* rows = query step, columns = key step (T x T per sample) */
    const char *row_axis, *col_axis; /* "time" / "channel", "query" / "key" */
    int gates;                 /* a (T, gates, units) internal: its gate count, else 0 */
    const char *const *gate_names;
} rs_output_desc;

typedef struct rs_layer_desc {
    int n_weights;
    rs_weight_desc weights[RS_DESC_MAX_WEIGHTS];
    int n_outputs;             /* Keras outputs and internals, as the node's out_names */
    rs_output_desc outputs[RS_DESC_MAX_OUTPUTS];
} rs_layer_desc;

/* Gate names: {"i","f","c","o"} for 4, {"z","r","h"} for 3, NULL otherwise. */
const char *const *rs_gate_names(int gates);

/* The file name an output is exported to (the explorer's x, dump -o DIR): the layer, the
 * output by name (o->name, else "output<k>" past the first), what of it when not its values
 * (what: "grad", or NULL), the sample when one is meant (sample >= 0), then ext:
 * "lstm_1.gates.s3.npy", "lstm_1.grad.s3.npy", "dense_2.npy". Safe as a file name
 * (rs_text_file_name). */
void rs_output_file_name(const char *layer, const rs_output_desc *o, int k, const char *what,
                         long sample, const char *ext, char *buf, size_t len);

#endif

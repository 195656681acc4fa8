/* Recurrent layers: LSTM, GRU, SimpleRNN, CuDNNLSTM, CuDNNGRU, and the Bidirectional wrapper.
 * Besides their Keras outputs they expose per-timestep internals for the explorer:
 * LSTM "gates" (T, 4, units) in Keras order i, f, c~, o and "cell" (T, units);
 * GRU "gates" (T, 3, units) in order z, r, h~. */
#include <stdlib.h>
#include <string.h>

#include "layers/common.h"
#include "layers/families.h"

typedef enum rnn_cell { CELL_SIMPLE, CELL_LSTM, CELL_GRU } rnn_cell;

typedef struct rnn_params {
    rnn_cell cell;
    int gates;              /* 1, 4 or 3 column blocks in the kernels */
    long units;
    rs_activation activation, recurrent_activation;
    int keras_major;        /* hard_sigmoid is 0.2x+0.5 in Keras <= 2, x/6+0.5 in Keras 3 */
    bool use_bias;
    bool return_sequences, return_state, go_backwards, stateful;
    bool reset_after;       /* GRU: bias (2, 3u), reset gate applied after the matmul */
    bool cudnn;             /* CuDNN weights: double bias, kernels stored as cuDNN lays them */
} rnn_params;

static int rnn_parse(rs_node *n, rnn_params *p, const rs_model *m, rs_error *err)
{
    const char *cls = n->class_name;
    p->cudnn = !strncmp(cls, "CuDNN", 5);
    p->cell = strstr(cls, "LSTM") ? CELL_LSTM : strstr(cls, "GRU") ? CELL_GRU : CELL_SIMPLE;
    p->gates = p->cell == CELL_LSTM ? 4 : p->cell == CELL_GRU ? 3 : 1;
    p->keras_major = m ? m->keras_major : 2;
    p->units = cfg_int(n, "units", -1);
    if (p->units <= 0 || p->units > (1L << 24))
        return rs_fail(err, n->name, "%s has no valid 'units'", cls);
    p->use_bias = cfg_bool(n, "use_bias", true);
    p->return_sequences = cfg_bool(n, "return_sequences", false);
    p->return_state = cfg_bool(n, "return_state", false);
    p->go_backwards = cfg_bool(n, "go_backwards", false);
    p->stateful = cfg_bool(n, "stateful", false);
    p->reset_after = p->cudnn || cfg_bool(n, "reset_after", false);
    if (p->cudnn) {
        p->activation = RS_ACT_TANH;
        p->recurrent_activation = RS_ACT_SIGMOID;
        return 0;
    }
    rs_activation ra_default = p->keras_major >= 3 ? RS_ACT_SIGMOID : RS_ACT_HARD_SIGMOID;
    if (cfg_activation(n, "activation", RS_ACT_TANH, &p->activation, err) < 0 ||
        cfg_activation(n, "recurrent_activation", ra_default, &p->recurrent_activation, err) < 0)
        return 1; /* unsupported, not an error */
    if (cfg_bool(n, "time_major", false))
        return rs_node_unsupported(n, "%s with time_major", cls), 1;
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

int rs_rnn_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
{
    rnn_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 3, err) < 0 || rs_expect_rank(n, &in[0], 2, err) < 0)
        return -1;
    int parsed = rnn_parse(n, p, m, err);
    if (parsed < 0)
        return -1;
    if (parsed > 0 && !n->unsupported)
        rs_node_unsupported(n, "%s", err->msg);
    if (rnn_check_weights(n, p, in[0].dims[1], err) < 0)
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

/* ---- Bidirectional ---- */

typedef enum merge_mode { MERGE_CONCAT, MERGE_SUM, MERGE_MUL, MERGE_AVE, MERGE_NONE } merge_mode;

typedef struct bidir_params {
    merge_mode merge;
    rs_node *forward, *backward; /* inner layers; backward runs with go_backwards flipped */
    bool backward_from_config;   /* a backward_layer config was saved (else: copy of layer) */
} bidir_params;

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

int rs_bidirectional_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
{
    bidir_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 3, err) < 0 || parse_merge(n, &p->merge, err) < 0)
        return -1;
    if (n->n_weights % 2 != 0)
        return rs_fail(err, n->name, "Bidirectional has an odd number of weights (%d)",
                       n->n_weights);
    const cJSON *layer = cfg_get(n, "layer"), *back = cfg_get(n, "backward_layer");
    p->backward_from_config = back != NULL;
    int half = n->n_weights / 2;
    if (rs_inner_node_setup(n, layer, 0, half, &in[0], m, &p->forward, err) < 0 ||
        rs_inner_node_setup(n, back ? back : layer, half, half, &in[0], m, &p->backward, err) < 0)
        return -1;
    const rs_node *f = p->forward;
    if (f->unsupported || p->backward->unsupported)
        return rs_node_unsupported(n, "%s", f->unsupported ? f->unsupported
                                                           : p->backward->unsupported);
    if (f->n_outputs < 1 || f->out_shapes[0].rank < 1)
        return rs_fail(err, n->name, "Bidirectional wraps a %s, which is not a recurrent layer",
                       f->class_name);
    int n_states = f->n_outputs - 1;
    int n_main = p->merge == MERGE_NONE ? 2 : 1;
    if (rs_node_outputs(n, n_main + 2 * n_states, 0, err) < 0)
        return -1;
    rs_shape main = f->out_shapes[0];
    if (p->merge == MERGE_CONCAT)
        main.dims[main.rank - 1] *= 2;
    for (int i = 0; i < n_main; i++)
        n->out_shapes[i] = main;
    for (int i = 0; i < 2 * n_states; i++)
        n->out_shapes[n_main + i] = f->out_shapes[1 + i % n_states];
    return bidir_names(n, p, n_states, err);
}

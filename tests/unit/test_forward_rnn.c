/* The recurrent layers' forward pass in isolation, for what the model-level reference test
 * (test_forward_ref) cannot show alone:
 * - masks: each layer is fed the reference output of the layer before it (tests/ref/fixtures,
 *   computed by TF.js) and a mask this test computes by Keras' rule (Masking: some feature differs
 *   from mask_value; Embedding(mask_zero): token != 0), so masking is checked without the other
 *   families' forward passes;
 * - Keras' masking rules no fixture holds: trailing padding gives the outputs of the shorter
 *   sequence, carried over masked steps by a layer, zeros inside a Bidirectional returning
 *   sequences (tf.keras and Keras 3 force zero_output_for_mask; standalone Keras 2 does not),
 *   processing order with go_backwards;
 * - initial states given as inputs: a run split in two, the second half started from the first
 *   half's states, equals the whole run. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rnnscope/threads.h"
#include "rnnscope/rnn.h"
#include "rnnscope/layer.h"
#include "rnnscope/model.h"
#include "layers/common.h"

#define FIX "tests/ref/fixtures/"
#define TOL 1e-5

typedef struct layer_run {
    int n;
    rs_tensor *outs, *masks;
} layer_run;

static void free_run(layer_run *r)
{
    for (int i = 0; i < r->n; i++) {
        rs_tensor_free(&r->outs[i]);
        rs_tensor_free(&r->masks[i]);
    }
    free(r->outs);
    free(r->masks);
    memset(r, 0, sizeof *r);
}

/* Run node's forward on inputs (x, then initial states) with x's mask (NULL: none). */
static int run_node(const rs_node *n, const rs_tensor *const *ins, int n_ins, const rs_tensor *mask,
                    layer_run *r)
{
    r->n = n->n_outputs + n->n_internal;
    r->outs = calloc((size_t)r->n, sizeof *r->outs);
    r->masks = calloc((size_t)r->n, sizeof *r->masks);
    const rs_tensor *masks[4] = {mask};
    rs_layer_io io = {.n_inputs = n_ins, .inputs = ins, .in_masks = masks, .outputs = r->outs,
                      .out_masks = r->masks, .keras_major = 2};
    rs_error err = {0};
    int rc = n->kind->forward(n, &io, &err);
    if (rc < 0)
        printf("#   %s: %s\n", n->name, err.msg);
    CHECK(rc == 0);
    return rc;
}

static int run1(const rs_node *n, const rs_tensor *x, const rs_tensor *mask, layer_run *r)
{
    const rs_tensor *ins[1] = {x};
    return run_node(n, ins, 1, mask, r);
}

static rs_model *load(const char *rel)
{
    rs_model *m = NULL;
    rs_error err = {0};
    if (rs_model_load(test_path(rel), NULL, &m, &err) < 0)
        printf("#   %s\n", err.msg);
    CHECK(m != NULL);
    return m;
}

static const rs_node *node(const rs_model *m, const char *name)
{
    for (int i = 0; m && i < m->n_nodes; i++)
        if (strcmp(m->nodes[i].name, name) == 0 && m->nodes[i].kind && m->nodes[i].kind->forward)
            return &m->nodes[i];
    printf("#   no runnable layer %s\n", name);
    CHECK(!"the layer is in the model and runs");
    return NULL;
}

/* (B, T) mask of the steps where some feature of x (B, T, F) differs from value. */
static rs_tensor mask_not_equal(const rs_tensor *x, float value)
{
    rs_tensor m;
    rs_error err;
    size_t f = x->shape[2];
    rs_tensor_alloc_dims(&m, &err, 2, x->shape[0], x->shape[1]);
    for (size_t i = 0; i < m.size; i++)
        for (size_t k = 0; k < f; k++)
            if (x->data[i * f + k] != value)
                m.data[i] = 1;
    return m;
}

static void check_tensor(const rs_tensor *got, const rs_tensor *want, const char *what)
{
    bool same = rs_shape_equal(got, want);
    check_true(same, what, __FILE__, __LINE__);
    if (same)
        check_close(got->data, want->data, want->size, TOL, what, __FILE__, __LINE__);
}

static void check_ref(const layer_run *r, int k, const char *model, const char *file)
{
    char path[256];
    snprintf(path, sizeof path, FIX "%s/outputs/%s", model, file);
    rs_tensor want = load_npy(path);
    check_tensor(&r->outs[k], &want, file);
    rs_tensor_free(&want);
}

static const char *const MASKING_FILES[] = {"tfjs/model.json", "keras/k22.h5", "keras/tfk2.h5",
                                            "keras/k3.keras"};

/* Masking(0) → LSTM(return_sequences) and → Bidirectional(GRU) (last output), one sample
 * padded mid-sequence and at the end. */
static void test_masking_model(void)
{
    rs_tensor x = load_npy(FIX "masking/inputs/input_1.npy");
    rs_tensor masked = load_npy(FIX "masking/outputs/masking_1.0.0.npy");
    rs_tensor mask = mask_not_equal(&x, 0.0f);
    for (size_t i = 0; i < 4; i++) {
        char path[256];
        snprintf(path, sizeof path, FIX "masking/%s", MASKING_FILES[i]);
        printf("# %s\n", path);
        rs_model *m = load(path);
        const rs_node *lstm = node(m, "lstm_1"), *bidir = node(m, "bidirectional_1");
        layer_run r = {0};
        if (lstm && run1(lstm, &masked, &mask, &r) == 0) {
            check_ref(&r, 0, "masking", "lstm_1.0.0.npy");
            check_tensor(&r.masks[0], &mask, "LSTM(return_sequences) passes the mask on");
        }
        free_run(&r);
        if (bidir && run1(bidir, &masked, &mask, &r) == 0) {
            check_ref(&r, 0, "masking", "bidirectional_1.0.0.npy");
            CHECK(r.masks[0].data == NULL); /* a last output has no mask */
        }
        free_run(&r);
        rs_model_free(m);
    }
    rs_tensor_free(&x);
    rs_tensor_free(&masked);
    rs_tensor_free(&mask);
}

/* Embedding(mask_zero) → LSTM → GRU → SimpleRNN: the token mask flows through the sequences. */
static void test_embed_mask_model(void)
{
    static const char *const files[] = {"tfjs/model.json", "keras/tfk2.h5", "keras/k3_legacy.h5",
                                        "keras/k3.keras"};
    rs_tensor tokens = load_npy(FIX "embed_mask/inputs/embedding_input.npy");
    rs_tensor emb = load_npy(FIX "embed_mask/outputs/embedding.0.0.npy");
    rs_tensor lstm_out = load_npy(FIX "embed_mask/outputs/lstm.0.0.npy");
    rs_tensor gru_out = load_npy(FIX "embed_mask/outputs/gru.0.0.npy");
    rs_tensor mask;
    rs_error err;
    rs_tensor_alloc_dims(&mask, &err, 2, tokens.shape[0], tokens.shape[1]);
    for (size_t i = 0; i < mask.size; i++)
        mask.data[i] = tokens.data[i] != 0;
    for (size_t i = 0; i < 4; i++) {
        char path[256];
        snprintf(path, sizeof path, FIX "embed_mask/%s", files[i]);
        printf("# %s\n", path);
        rs_model *m = load(path);
        const rs_node *lstm = node(m, "lstm"), *gru = node(m, "gru"), *rnn = node(m, "simple_rnn");
        layer_run r = {0};
        if (lstm && run1(lstm, &emb, &mask, &r) == 0) {
            check_ref(&r, 0, "embed_mask", "lstm.0.0.npy");
            check_tensor(&r.masks[0], &mask, "lstm passes the mask on");
        }
        free_run(&r);
        if (gru && run1(gru, &lstm_out, &mask, &r) == 0)
            check_ref(&r, 0, "embed_mask", "gru.0.0.npy");
        free_run(&r);
        if (rnn && run1(rnn, &gru_out, &mask, &r) == 0) {
            check_ref(&r, 0, "embed_mask", "simple_rnn.0.0.npy");
            CHECK(r.masks[0].data == NULL);
        }
        free_run(&r);
        rs_model_free(m);
    }
    rs_tensor_free(&tokens);
    rs_tensor_free(&emb);
    rs_tensor_free(&lstm_out);
    rs_tensor_free(&gru_out);
    rs_tensor_free(&mask);
}

/* x[:, :len] */
static rs_tensor prefix_steps(const rs_tensor *x, size_t len)
{
    rs_tensor p;
    rs_error err;
    size_t b = x->shape[0], t = x->shape[1], f = x->shape[2];
    rs_tensor_alloc_dims(&p, &err, 3, b, len, f);
    for (size_t i = 0; i < b; i++)
        memcpy(p.data + i * len * f, x->data + i * t * f, len * f * sizeof(float));
    return p;
}

/* Mask valid for the first len steps of every sample. */
static rs_tensor prefix_mask(size_t batch, size_t steps, size_t len)
{
    rs_tensor m;
    rs_error err;
    rs_tensor_alloc_dims(&m, &err, 2, batch, steps);
    for (size_t b = 0; b < batch; b++)
        for (size_t t = 0; t < len; t++)
            m.data[b * steps + t] = 1;
    return m;
}

typedef enum pad_rule { PAD_CARRY, PAD_ZERO, PAD_BACKWARDS, PAD_CARRY_THEN_ZERO } pad_rule;

/* A sequence output with trailing padding after len steps, against the run on x[:, :len]:
 * PAD_CARRY: valid steps equal, padded steps repeat the last valid output (a layer);
 * PAD_ZERO: valid steps equal, padded steps are zeros (Bidirectional, zero_output_for_mask);
 * PAD_CARRY_THEN_ZERO: the forward half (first columns) carried, the backward half zeros: a
 * Bidirectional(concat) of standalone Keras 2, which has no zero_output_for_mask;
 * PAD_BACKWARDS: go_backwards order: first the padded steps (zeros, nothing seen yet),
 * then the short run's outputs. */
static bool padded_matches(const rs_tensor *full, const rs_tensor *part, size_t len, pad_rule rule)
{
    size_t batch = full->shape[0], steps = full->shape[1], u = full->shape[2], bad = 0;
    for (size_t b = 0; b < batch; b++)
        for (size_t t = 0; t < steps; t++)
            for (size_t j = 0; j < u; j++) {
                float got = full->data[(b * steps + t) * u + j], want;
                if (rule == PAD_BACKWARDS)
                    want = t < steps - len ? 0.0f
                                           : part->data[(b * len + t - (steps - len)) * u + j];
                else if (t < len)
                    want = part->data[(b * len + t) * u + j];
                else if (rule == PAD_ZERO || (rule == PAD_CARRY_THEN_ZERO && j >= u / 2))
                    want = 0.0f;
                else
                    want = part->data[(b * len + len - 1) * u + j];
                bad += !(fabsf(got - want) <= 1e-6f);
            }
    return bad == 0;
}

/* layer of model (from its file `file`) run on `input` (a file of the fixture: its input or a
 * reference output). */
static void check_padding(const char *model, const char *file, const char *layer,
                          const char *input, pad_rule rule)
{
    char path[256], in[256];
    snprintf(path, sizeof path, FIX "%s/%s", model, file);
    snprintf(in, sizeof in, FIX "%s/%s", model, input);
    rs_model *m = load(path);
    const rs_node *n = node(m, layer);
    rs_tensor x = load_npy(in);
    size_t len = x.shape[1] - 2;
    rs_tensor shorter = prefix_steps(&x, len);
    rs_tensor mask = prefix_mask(x.shape[0], x.shape[1], len);
    layer_run full = {0}, part = {0};
    if (n && run1(n, &x, &mask, &full) == 0 && run1(n, &shorter, NULL, &part) == 0) {
        printf("# %s %s %s\n", model, file, layer);
        CHECK(padded_matches(&full.outs[0], &part.outs[0], len, rule));
        check_tensor(&full.masks[0], &mask, "the sequence keeps its mask");
    }
    free_run(&full);
    free_run(&part);
    rs_tensor_free(&x);
    rs_tensor_free(&shorter);
    rs_tensor_free(&mask);
    rs_model_free(m);
}

static void test_trailing_padding(void)
{
    const char *x = "inputs/input_1.npy", *k2 = "keras/k22.h5", *tfk = "keras/tfk2.h5";
    check_padding("rnn_options", k2, "lstm_state", x, PAD_CARRY);
    check_padding("rnn_options", k2, "gru_state", x, PAD_CARRY);
    check_padding("rnn_options", tfk, "srnn_state", x, PAD_CARRY);
    check_padding("rnn_options", k2, "lstm_back", "outputs/lstm_state.0.0.npy", PAD_BACKWARDS);
    check_padding("rnn_options", tfk, "srnn_back", "outputs/srnn_state.0.0.npy", PAD_BACKWARDS);
    /* Bidirectional of LSTM (concat), GRU (sum), SimpleRNN (mul): tf.keras, Keras 3 and
     * standalone Keras 2 */
    check_padding("bidirectional", tfk, "bidirectional_1", x, PAD_ZERO);
    check_padding("bidirectional", tfk, "bidirectional_2", "outputs/bidirectional_1.0.0.npy",
                  PAD_ZERO);
    check_padding("bidirectional", "keras/k3.keras", "bidirectional_3",
                  "outputs/bidirectional_2.0.0.npy", PAD_ZERO);
    check_padding("bidirectional", k2, "bidirectional_1", x, PAD_CARRY_THEN_ZERO);
}

/* x[:, from:] */
static rs_tensor suffix_steps(const rs_tensor *x, size_t from)
{
    rs_tensor p;
    rs_error err;
    size_t b = x->shape[0], t = x->shape[1], f = x->shape[2], len = t - from;
    rs_tensor_alloc_dims(&p, &err, 3, b, len, f);
    for (size_t i = 0; i < b; i++)
        memcpy(p.data + i * len * f, x->data + (i * t + from) * f, len * f * sizeof(float));
    return p;
}

/* The whole run's outputs from step k on equal a run of x[:, k:] from the states after k steps. */
static void check_initial_state(const char *layer, int n_states)
{
    rs_model *m = load(FIX "rnn_options/keras/k22.h5");
    const rs_node *n = node(m, layer);
    rs_tensor x = load_npy(FIX "rnn_options/inputs/input_1.npy");
    size_t k = 2;
    rs_tensor head = prefix_steps(&x, k), tail = suffix_steps(&x, k);
    layer_run full = {0}, first = {0}, second = {0};
    if (n && run1(n, &x, NULL, &full) == 0 && run1(n, &head, NULL, &first) == 0) {
        const rs_tensor *ins[3] = {&tail, &first.outs[1], &first.outs[2]};
        if (run_node(n, ins, 1 + n_states, NULL, &second) == 0) {
            printf("# %s from the states after %zu steps\n", layer, k);
            rs_tensor whole_tail = suffix_steps(&full.outs[0], k);
            check_tensor(&second.outs[0], &whole_tail, "outputs after the split");
            check_tensor(&second.outs[1], &full.outs[1], "final h");
            rs_tensor_free(&whole_tail);
        }
    }
    free_run(&full);
    free_run(&first);
    free_run(&second);
    rs_tensor_free(&x);
    rs_tensor_free(&head);
    rs_tensor_free(&tail);
    rs_model_free(m);
}

static void test_initial_states(void)
{
    check_initial_state("lstm_state", 2);
    check_initial_state("gru_state", 1);
    check_initial_state("srnn_state", 1);
}

/* (B, u) zeros */
static rs_tensor zeros(size_t batch, size_t units)
{
    rs_tensor z;
    rs_error err;
    rs_tensor_alloc_dims(&z, &err, 2, batch, units);
    return z;
}

/* Columns [from, from+width) of a (B, T, C) tensor, steps [t0, t1). */
static rs_tensor slice(const rs_tensor *x, size_t t0, size_t t1, size_t from, size_t width)
{
    rs_tensor s;
    rs_error err;
    size_t b = x->shape[0], t = x->shape[1], c = x->shape[2];
    rs_tensor_alloc_dims(&s, &err, 3, b, t1 - t0, width);
    for (size_t i = 0; i < b; i++)
        for (size_t k = t0; k < t1; k++)
            memcpy(s.data + (i * (t1 - t0) + k - t0) * width, x->data + (i * t + k) * c + from,
                   width * sizeof(float));
    return s;
}

/* Bidirectional(LSTM, concat, return_state) takes [h_f, c_f, h_b, c_b]: the forward half
 * continues from the states after the head, the backward half from the states after the tail
 * (it runs from the end). Outputs: [seq, h_f, c_f, h_b, c_b]. */
static void test_bidirectional_initial_states(void)
{
    rs_model *m = load(FIX "rnn_options/keras/k22.h5");
    const rs_node *n = node(m, "bidirectional_state");
    rs_tensor x = load_npy(FIX "rnn_options/inputs/input_1.npy");
    size_t k = 2, steps = x.shape[1], u = 2;
    rs_tensor head = prefix_steps(&x, k), tail = suffix_steps(&x, k), z = zeros(x.shape[0], u);
    layer_run full = {0}, h = {0}, t = {0}, fw = {0}, bw = {0};
    if (n && run1(n, &x, NULL, &full) == 0 && run1(n, &head, NULL, &h) == 0 &&
        run1(n, &tail, NULL, &t) == 0) {
        const rs_tensor *fw_in[5] = {&tail, &h.outs[1], &h.outs[2], &z, &z};
        const rs_tensor *bw_in[5] = {&head, &z, &z, &t.outs[3], &t.outs[4]};
        if (run_node(n, fw_in, 5, NULL, &fw) == 0 && run_node(n, bw_in, 5, NULL, &bw) == 0) {
            rs_tensor want_f = slice(&full.outs[0], k, steps, 0, u);
            rs_tensor got_f = slice(&fw.outs[0], 0, steps - k, 0, u);
            rs_tensor want_b = slice(&full.outs[0], 0, k, u, u);
            rs_tensor got_b = slice(&bw.outs[0], 0, k, u, u);
            check_tensor(&got_f, &want_f, "forward half after the split");
            check_tensor(&fw.outs[1], &full.outs[1], "forward final h");
            check_tensor(&got_b, &want_b, "backward half before the split");
            check_tensor(&bw.outs[3], &full.outs[3], "backward final h");
            rs_tensor_free(&want_f);
            rs_tensor_free(&got_f);
            rs_tensor_free(&want_b);
            rs_tensor_free(&got_b);
        }
    }
    layer_run *runs[] = {&full, &h, &t, &fw, &bw};
    for (size_t i = 0; i < 5; i++)
        free_run(runs[i]);
    rs_tensor_free(&x);
    rs_tensor_free(&head);
    rs_tensor_free(&tail);
    rs_tensor_free(&z);
    rs_model_free(m);
}

/* GRU from a nonzero initial state, first step masked: standalone Keras 2 outputs the carried
 * state h0 there, tf.keras the zeros its previous-output carry starts from. */
static void check_masked_first_step(const char *file, bool outputs_h0)
{
    char path[256];
    snprintf(path, sizeof path, FIX "rnn_options/%s", file);
    rs_model *m = load(path);
    const rs_node *n = node(m, "gru_state");
    rs_tensor x = load_npy(FIX "rnn_options/inputs/input_1.npy");
    rs_tensor h0 = zeros(x.shape[0], 4), mask = prefix_mask(x.shape[0], x.shape[1], x.shape[1]);
    for (size_t i = 0; i < h0.size; i++)
        h0.data[i] = 0.1f * (float)(i + 1);
    for (size_t b = 0; b < x.shape[0]; b++)
        mask.data[b * x.shape[1]] = 0;
    const rs_tensor *ins[2] = {&x, &h0};
    layer_run r = {0};
    if (n && run_node(n, ins, 2, &mask, &r) == 0) {
        printf("# %s: first output %s\n", file, outputs_h0 ? "h0" : "zeros");
        rs_tensor first = slice(&r.outs[0], 0, 1, 0, 4), want = zeros(x.shape[0], 4);
        if (outputs_h0)
            memcpy(want.data, h0.data, h0.size * sizeof(float));
        CHECK(first.size == want.size);
        check_close(first.data, want.data, want.size, TOL, file, __FILE__, __LINE__);
        rs_tensor_free(&first);
        rs_tensor_free(&want);
    }
    free_run(&r);
    rs_tensor_free(&x);
    rs_tensor_free(&h0);
    rs_tensor_free(&mask);
    rs_model_free(m);
}

static void test_masked_first_step(void)
{
    check_masked_first_step("keras/k22.h5", true);
    check_masked_first_step("keras/tfk2.h5", false);
    check_masked_first_step("keras/k3.keras", false);
}

/* Run node on ins (n_ins of them) with mask; the error message, "" when it ran. */
static const char *forward_error(const rs_node *n, const rs_tensor *const *ins, int n_ins,
                                 const rs_tensor *mask)
{
    static rs_error err;
    rs_tensor outs[8] = {{0}}, masks[8] = {{0}};
    const rs_tensor *in_masks[4] = {mask};
    rs_layer_io io = {.n_inputs = n_ins, .inputs = ins, .in_masks = in_masks, .outputs = outs,
                      .out_masks = masks};
    memset(&err, 0, sizeof err);
    if (n && n->kind->forward(n, &io, &err) == 0)
        err.msg[0] = '\0';
    for (int i = 0; i < 8; i++) {
        rs_tensor_free(&outs[i]);
        rs_tensor_free(&masks[i]);
    }
    return err.msg;
}

/* Inputs that do not fit the layer are errors naming the problem, never numbers. */
static void test_bad_inputs(void)
{
    rs_model *m = load(FIX "rnn_options/keras/k22.h5");
    const rs_node *gru = node(m, "gru_state"), *lstm = node(m, "lstm_back");
    const rs_node *bidir = node(m, "bidirectional_state");
    rs_tensor x = load_npy(FIX "rnn_options/inputs/input_1.npy"), h0, mask;
    rs_error err;
    rs_tensor_alloc_dims(&h0, &err, 2, x.shape[0], (size_t)7);
    rs_tensor_alloc_dims(&mask, &err, 2, x.shape[0], x.shape[1] + 1);
    const rs_tensor *with_h0[2] = {&x, &h0}, *just_x[1] = {&x};
    CHECK_CONTAINS(forward_error(gru, with_h0, 2, NULL), "initial state h has shape (2, 7)");
    CHECK_CONTAINS(forward_error(lstm, just_x, 1, NULL),
                   "input has 3 features, the kernel expects 5");
    CHECK_CONTAINS(forward_error(gru, just_x, 1, &mask), "input mask has shape (2, 7)");
    CHECK_CONTAINS(forward_error(bidir, just_x, 1, &mask), "input mask has shape (2, 7)");
    CHECK_CONTAINS(forward_error(gru, (const rs_tensor *[]){&h0}, 1, NULL),
                   "input has shape (2, 7), the layer wants (batch, steps, features)");
    rs_model_free(m);

    m = load(FIX "stateful_timedistributed/keras/k22.h5");
    const rs_node *td = node(m, "time_distributed_lstm");
    CHECK_CONTAINS(forward_error(td, (const rs_tensor *[]){&h0}, 1, NULL),
                   "TimeDistributed wants (batch, steps, ...)");
    CHECK_CONTAINS(forward_error(td, just_x, 1, NULL), "LSTM: input has shape (12, 3)");
    rs_model_free(m);

    /* a mask over the inner steps that does not match the input's (batch, steps) */
    m = load(FIX "td_mask/keras/k3.keras");
    td = node(m, "td_lstm");
    rs_tensor x4 = load_npy(FIX "td_mask/inputs/input_1.npy"), mask3;
    rs_tensor_alloc_dims(&mask3, &err, 3, x4.shape[0], x4.shape[1] + 1, x4.shape[2]);
    CHECK_CONTAINS(forward_error(td, (const rs_tensor *[]){&x4}, 1, &mask3),
                   "input mask has shape (2, 4, 5), the input (2, 3, ...)");
    rs_tensor_free(&x4);
    rs_tensor_free(&mask3);
    rs_model_free(m);
    rs_tensor_free(&x);
    rs_tensor_free(&h0);
    rs_tensor_free(&mask);
}

typedef struct progress_log {
    double last;
    int calls;
    bool monotonic;
    double cancel_after; /* return false once past this fraction */
    pthread_t caller;    /* the callback may draw on the terminal: only the caller's thread */
    bool other_thread;
} progress_log;

static bool log_progress(void *user, double f)
{
    progress_log *l = user;
    l->other_thread = l->other_thread || !pthread_equal(pthread_self(), l->caller);
    l->monotonic = l->monotonic && f >= l->last && f <= 1.0;
    l->last = f;
    l->calls++;
    return f <= l->cancel_after;
}

/* Bidirectional over 1200 steps: progress runs once from 0 to 1 over both halves, always on
 * the caller's thread, and a cancel from the callback stops it with an error; with the two
 * directions one after the other, and at once on two threads. At once, the cancel may come
 * only with the last report: on a busy machine the backward half can run all its steps
 * between two reports of the caller's thread. */
static void bidirectional_progress(bool together)
{
    rs_model *m = load(FIX "bidirectional/keras/k22.h5");
    const rs_node *n = node(m, "bidirectional_1");
    rs_tensor x;
    rs_error err = {0};
    rs_tensor_alloc_dims(&x, &err, 3, (size_t)1, (size_t)1200, (size_t)3);
    for (size_t i = 0; i < x.size; i++)
        x.data[i] = (float)sin((double)i);
    rs_set_threads(together ? 2 : 1);
    rs_rnn_set_always_thread(together);
    progress_log log = {.monotonic = true, .cancel_after = 2, .caller = pthread_self()};
    rs_progress prog = {log_progress, &log};
    rs_tensor outs[8] = {{0}}, masks[8] = {{0}};
    const rs_tensor *ins[1] = {&x}, *in_masks[1] = {NULL};
    rs_layer_io io = {.n_inputs = 1, .inputs = ins, .in_masks = in_masks, .outputs = outs,
                      .out_masks = masks, .progress = &prog};
    if (n) {
        CHECK(n->kind->forward(n, &io, &err) == 0);
        CHECK(log.monotonic && log.calls > 2 && !log.other_thread);
        CHECK_NEAR(log.last, 1.0, 1e-9);
        for (int i = 0; i < 8; i++)
            rs_tensor_free(&outs[i]);
        /* at 0.3: the reported progress is the mean of both directions, and the forward one
         * alone past 0.6 brings it there, however late the backward thread runs (at 0.6 a
         * backward thread that started late let the forward one finish first, on a busy machine) */
        log = (progress_log){.monotonic = true, .cancel_after = 0.3, .caller = pthread_self()};
        CHECK(n->kind->forward(n, &io, &err) < 0);
        CHECK_CONTAINS(err.msg, "cancelled");
        CHECK((together || log.last < 0.9) && !log.other_thread);
    }
    rs_rnn_set_always_thread(false);
    rs_set_threads(0);
    for (int i = 0; i < 8; i++)
        rs_tensor_free(&outs[i]);
    rs_tensor_free(&x);
    rs_model_free(m);
}

static void test_bidirectional_progress(void)
{
    bidirectional_progress(false);
}

static void test_bidirectional_progress_together(void)
{
    bidirectional_progress(true);
}

/* The writer each version string names (README "What it reads", the masked-step table). */
static void test_writer_of_version(void)
{
    static const struct {
        const char *version;
        int major;
        rs_writer want;
    } cases[] = {
        {"tfjs-layers 4.22.0", 2, RS_WRITER_TFJS},
        {"TensorFlow.js tfjs-layers v4.22.0", 2, RS_WRITER_TFJS},
        {"1.2.2", 2, RS_WRITER_KERAS_224},
        {"2.1.6", 2, RS_WRITER_KERAS_224},
        {"2.2.4", 2, RS_WRITER_KERAS_224},
        {"2.2", 2, RS_WRITER_KERAS_224},
        {"2.2.5", 2, RS_WRITER_KERAS_23},
        {"2.3.1", 2, RS_WRITER_KERAS_23},
        {"2.2.4-tf", 2, RS_WRITER_TF_KERAS},
        {"2.3.0-tf", 2, RS_WRITER_TF_KERAS},
        {"2.4.0", 2, RS_WRITER_TF_KERAS},
        {"2.13.1", 2, RS_WRITER_TF_KERAS},
        {"3.10.0", 3, RS_WRITER_KERAS_3},
        {"", 2, RS_WRITER_TF_KERAS},
        {"", 3, RS_WRITER_KERAS_3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rs_layer_ctx ctx = {.keras_version = cases[i].version, .keras_major = cases[i].major};
        if (rs_writer_of(&ctx) != cases[i].want)
            printf("#   '%s': writer %d, want %d\n", cases[i].version, (int)rs_writer_of(&ctx),
                   (int)cases[i].want);
        CHECK(rs_writer_of(&ctx) == cases[i].want);
    }
}

int main(void)
{
    run_test("Masking → LSTM, Bidirectional(GRU) with the Masking rule's mask", test_masking_model);
    run_test("Embedding(mask_zero) mask through LSTM → GRU → SimpleRNN", test_embed_mask_model);
    run_test("trailing padding: carried, zeros in Bidirectional (not in Keras 2), go_backwards",
             test_trailing_padding);
    run_test("initial states as inputs continue a run", test_initial_states);
    run_test("Bidirectional: initial states of both halves", test_bidirectional_initial_states);
    run_test("masked first step from an initial state: h0 in Keras 2, zeros later",
             test_masked_first_step);
    run_test("inputs that do not fit are refused", test_bad_inputs);
    run_test("Bidirectional reports progress over both halves and can be cancelled",
             test_bidirectional_progress);
    run_test("the same with the two directions at once on two threads",
             test_bidirectional_progress_together);
    run_test("the writer of a file from its version string", test_writer_of_version);
    return check_finish();
}

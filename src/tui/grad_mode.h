/* The explorer's gradient mode (key d, option --grad): every view shows d objective / d the
 * output on screen instead of the output; on an InputLayer, the input's saliency (the
 * gradient, gradient × input or integrated gradients). Each gradient is computed once per
 * (sample, layer output) for the objective and kept until the objective, the saliency method,
 * the input or the model changes: keys that only move or redraw never compute again.
 * No ncurses here. */
#ifndef RNNSCOPE_TUI_GRAD_MODE_H
#define RNNSCOPE_TUI_GRAD_MODE_H

#include <stdbool.h>
#include <stddef.h>

#include "rnnscope/attribution.h"
#include "rnnscope/layer.h"
#include "rnnscope/tui.h"

struct explorer;

/* One layer output's gradient for one sample. */
typedef struct ex_grad_entry {
    bool done;            /* computed (value or err) */
    rs_tensor value;      /* the gradient, batch of one */
    rs_error err;         /* why there is none */
    bool zero;            /* every value exactly 0 */
    rs_saliency ig;       /* an InputLayer's integrated gradients: f(x), f(b), completeness
                             (values unused); completeness_error NaN otherwise */
} ex_grad_entry;

/* Every weight's gradient of one node for one sample (the weights view). */
typedef struct ex_weight_grads {
    bool done;
    rs_tensor *w;         /* n tensors (the node's weights), each in its weight's shape */
    int n;
    rs_error err;
} ex_weight_grads;

typedef struct ex_grad {
    bool on;              /* d: the views show gradients */
    bool strip_input;     /* i: the strip shows the model input's importance, not the layer's */
    rs_tui_grad opts;     /* the objective and the InputLayer's saliency method */
    int nsamples, nslots; /* slots per sample: every Keras output of every node */
    int *first_slot;      /* per node: its output 0's slot */
    ex_grad_entry *cache; /* [sample * nslots + slot] */
    int nnodes;
    ex_weight_grads *weights; /* [sample * nnodes + node] */
    rs_tensor labels;     /* the labels of the sample being differentiated */
    rs_tensor strip;      /* the strip on screen: (1, T) */
    rs_gate_notes notes;  /* the weights view on screen: each gate block's norm */
    bool reflect_half;    /* b: a Bidirectional's backward half reversed in time (values too) */
    float *reflected;     /* the reflected copy on screen (kept for a sixel image) */
    size_t strip_peak;    /* at the last draw: the strip's largest step, or SIZE_MAX */
    char strip_note[160]; /* at the last draw: why there is no strip ("" when not a sequence) */
} ex_grad;

int exg_init(ex_grad *g, const rs_model *m, int nsamples, rs_error *err);
void exg_free(ex_grad *g);

/* Forget every gradient (the objective, the input or the model changed). */
void exg_forget(ex_grad *g);

/* d objective / d output k of node for the explorer's sample (computed on first use), or NULL
 * with err. *entry (may be NULL) gets its cache entry. */
const rs_tensor *exg_gradient(struct explorer *ex, int node, int k, const ex_grad_entry **entry,
                              rs_error *err);

/* The strip under a sequence view of node's output k: the importance (gradient norm over the
 * channels at each step) of that output, or of model input 0 (strip_input); NULL when there
 * is none to show (*why says why, "" when it is simply not a sequence). steps: the view's. */
const float *exg_strip(struct explorer *ex, int node, int k, size_t steps, char *why,
                       size_t why_len);

/* "∂ binary_crossentropy(label 1) / ∂ lstm_1", "d dense_1[0] / d lstm_1" without UTF-8. */
void exg_what(struct explorer *ex, int node, int k, char *buf, size_t len);

/* The weights view in gradient mode: d (node's description) over d objective / d its weights,
 * the notes beside its gates (g->notes), and (text not NULL) the per-gate norms of each ("kernel: i 0.0028 f ..."). -1 with err when they
 * cannot be computed. */
int exg_weights(struct explorer *ex, int node, rs_layer_desc *d, char *text, size_t len,
                rs_error *err);

/* The status line's first part in gradient mode: what is differentiated, the integrated
 * gradients' completeness, a gradient that is exactly zero, the strip's peak. */
void exg_status(struct explorer *ex, char *buf, size_t len);

/* The keys: d, u (the output unit J), i (the strip's source), m (the saliency method), b
 * (reflect_half). */
void exg_toggle(struct explorer *ex);
void exg_next_unit(struct explorer *ex);
void exg_toggle_strip(struct explorer *ex);
void exg_next_method(struct explorer *ex);
void exg_toggle_reflect(struct explorer *ex);

#endif

/* rs_node_describe: what a node holds and produces (rnnscope/layer_desc.h). The generic part
 * reads the weights' stored names ("lstm_1/recurrent_kernel:0" -> "recurrent kernel"); a kind
 * that knows more (gate blocks, directions, attention outputs) adds it in its `describe`. */
#include <stdio.h>
#include <string.h>

#include "rnnscope/layer.h"
#include "rnnscope/text.h"
#include "layers/families.h"

const char *const *rs_gate_names(int gates)
{
    static const char *const lstm[] = {"i", "f", "c", "o"};
    static const char *const gru[] = {"z", "r", "h"};
    return gates == 4 ? lstm : gates == 3 ? gru : NULL;
}

/* The last component of a stored name, without ":0": "lstm_1/kernel:0" -> "kernel";
 * "layers/gru/cell/vars/0" -> "0". */
static void short_name(const char *stored, char *out, size_t len)
{
    const char *s = stored ? stored : "";
    const char *slash = strrchr(s, '/');
    if (slash && slash[1])
        s = slash + 1;
    size_t n = strcspn(s, ":");
    snprintf(out, len, "%.*s", (int)n, s);
}

static rs_weight_role role_of(const char *name, int rank)
{
    if (!strcmp(name, "kernel") || !strcmp(name, "embeddings") || !strcmp(name, "depthwise_kernel"))
        return RS_WEIGHT_KERNEL;
    if (!strcmp(name, "recurrent_kernel"))
        return RS_WEIGHT_RECURRENT;
    if (!strcmp(name, "gamma"))
        return RS_WEIGHT_SCALE;
    if (!strcmp(name, "bias") || !strcmp(name, "beta") || rank <= 1)
        return RS_WEIGHT_BIAS;
    return RS_WEIGHT_OTHER;
}

static rs_matrix as_matrix(const rs_tensor *w)
{
    size_t last = w->rank ? w->shape[w->rank - 1] : 1;
    return rs_matrix_make(w->data, last ? w->size / last : 0, last);
}

/* A weight stored without a name of its own (Keras 3: "vars/0"): a matrix is the kernel, a
 * vector the bias, as Dense and Conv1D hold them. Kinds with other weights name them. */
static bool numbered(const char *name)
{
    return name[0] >= '0' && name[0] <= '9';
}

void rs_describe_weight(rs_layer_desc *d, int i, rs_weight_role role, const char *name)
{
    if (i < 0 || i >= d->n_weights)
        return;
    d->weights[i].role = role;
    snprintf(d->weights[i].name, sizeof d->weights[i].name, "%s", name);
}

void rs_describe_generic(const rs_node *n, rs_layer_desc *d)
{
    memset(d, 0, sizeof *d);
    for (int i = 0; i < n->n_weights && d->n_weights < RS_DESC_MAX_WEIGHTS; i++) {
        rs_weight_desc *w = &d->weights[d->n_weights++];
        char raw[sizeof d->weights[0].name];
        short_name(n->weights[i].name, raw, sizeof raw);
        if (numbered(raw))
            snprintf(raw, sizeof raw, "%s", n->weights[i].value.rank >= 2 ? "kernel" : "bias");
        w->index = i;
        w->role = role_of(raw, n->weights[i].value.rank);
        snprintf(w->name, sizeof w->name, "%s",
                 w->role == RS_WEIGHT_RECURRENT ? "recurrent kernel" : raw);
        w->gates = 1;
        w->m = as_matrix(&n->weights[i].value);
    }
    d->n_outputs = n->n_outputs + n->n_internal < RS_DESC_MAX_OUTPUTS
                       ? n->n_outputs + n->n_internal : RS_DESC_MAX_OUTPUTS;
    for (int k = 0; k < d->n_outputs; k++) {
        rs_output_desc *o = &d->outputs[k];
        o->name = n->out_names ? n->out_names[k] : NULL;
        o->row_axis = "time";
        o->col_axis = "channel";
    }
}

void rs_describe_gates(rs_layer_desc *d, int first_weight, int count, int gates)
{
    for (int i = first_weight; i < first_weight + count && i < d->n_weights; i++) {
        rs_weight_desc *w = &d->weights[i];
        if (w->role == RS_WEIGHT_OTHER || w->m.cols % (size_t)gates)
            continue;
        w->gates = gates;
        w->gate_names = rs_gate_names(gates);
    }
}

void rs_describe_attention_output(rs_layer_desc *d, int k)
{
    if (k < 0 || k >= d->n_outputs)
        return;
    d->outputs[k].attention = true;
    d->outputs[k].row_axis = "query";
    d->outputs[k].col_axis = "key";
}

void rs_node_describe(const rs_node *n, rs_layer_desc *d)
{
    rs_describe_generic(n, d);
    if (n->kind && n->kind->describe && n->params && !n->unsupported)
        n->kind->describe(n, d);
}

void rs_output_file_name(const char *layer, const rs_output_desc *o, int k, const char *what,
                         long sample, const char *ext, char *buf, size_t len)
{
    char name[128], output[72] = "", kind[24] = "", which[32] = "", clean[64];
    rs_text_file_name(layer, name, sizeof name); /* no '/', no leading '-' or '.' */
    if (o && o->name) {
        rs_text_file_name(o->name, clean, sizeof clean);
        snprintf(output, sizeof output, ".%s", clean);
    } else if (k > 0) {
        snprintf(output, sizeof output, ".output%d", k);
    }
    if (what)
        snprintf(kind, sizeof kind, ".%s", what);
    if (sample >= 0)
        snprintf(which, sizeof which, ".s%ld", sample);
    snprintf(buf, len, "%s%s%s%s.%s", name, output, kind, which, ext);
}

void rs_describe_over(const rs_node *n, rs_layer_desc *d, const rs_tensor *values)
{
    for (int i = 0; i < d->n_weights; i++) {
        rs_weight_desc *w = &d->weights[i];
        const rs_tensor *from = &n->weights[w->index].value, *to = &values[w->index];
        if (!to->data || to->size != from->size)
            continue;
        w->m.data = to->data + (w->m.data - from->data); /* the same block of the same layout */
    }
}

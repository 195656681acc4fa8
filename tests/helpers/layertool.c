/* Test helper: run one layer of the registry on .npy inputs, outside any model, so that
 * tests can compare its forward pass with NumPy for configurations no reference model has.
 *   layertool CLASS CONFIG_JSON [--keras VERSION] [--weight W.npy]...
 *             (--input X.npy [--mask M.npy])... -o OUT.npy [--mask-out M.npy]
 * Exit 0; 1 with the error on stderr; 3 when setup marks the layer unsupported.
 * --mask-out writes "none" to the file when the layer gives no mask. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/layer.h"
#include "rnnscope/npy.h"

#define MAX_ARGS 8

typedef struct job {
    const char *cls, *config, *out, *mask_out;
    const char *keras_version; /* "3.14": the model's keras_version */
    int keras_major;
    int n_weights, n_inputs;
    const char *weights[MAX_ARGS], *inputs[MAX_ARGS], *masks[MAX_ARGS];
} job;

static int usage(void)
{
    fprintf(stderr, "usage: layertool CLASS CONFIG_JSON [--keras VERSION] [--weight W.npy]... "
                    "(--input X.npy [--mask M.npy])... -o OUT.npy [--mask-out M.npy]\n");
    return 2;
}

static int parse_args(int argc, char **argv, job *j)
{
    memset(j, 0, sizeof *j);
    if (argc < 3)
        return -1;
    j->cls = argv[1];
    j->config = argv[2];
    j->keras_major = 2;
    for (int i = 3; i + 1 < argc; i += 2) { /* options come in pairs: name value */
        const char *a = argv[i], *v = argv[i + 1];
        if (!strcmp(a, "--keras")) {
            j->keras_major = atoi(v);
            j->keras_version = v;
        } else if (!strcmp(a, "--weight") && j->n_weights < MAX_ARGS) {
            j->weights[j->n_weights++] = v;
        } else if (!strcmp(a, "--input") && j->n_inputs < MAX_ARGS) {
            j->inputs[j->n_inputs++] = v;
        } else if (!strcmp(a, "--mask") && j->n_inputs > 0) {
            j->masks[j->n_inputs - 1] = v;
        } else if (!strcmp(a, "-o")) {
            j->out = v;
        } else if (!strcmp(a, "--mask-out")) {
            j->mask_out = v;
        } else {
            return -1;
        }
    }
    if (argc % 2 == 0) /* an option without its value */
        return -1;
    return j->out && j->n_inputs ? 0 : -1;
}

static int write_mask(const char *path, const rs_tensor *mask, rs_error *err)
{
    if (mask->data)
        return rs_npy_write(path, mask, err);
    FILE *f = fopen(path, "w");
    if (!f)
        return rs_fail(err, path, "cannot write");
    fputs("none\n", f);
    return fclose(f) == 0 ? 0 : rs_fail(err, path, "cannot write");
}

/* Everything the run allocates, freed in one place. */
typedef struct state {
    cJSON *config;
    rs_node node;
    rs_weight weights[MAX_ARGS];
    rs_tensor inputs[MAX_ARGS], masks[MAX_ARGS];
    rs_shape shapes[MAX_ARGS];
    rs_tensor *outs, *out_masks;
} state;

static int run(const job *j, state *s, rs_error *err)
{
    rs_node *n = &s->node;
    s->config = cJSON_Parse(j->config);
    if (!s->config)
        return rs_fail(err, "layertool", "the config is not JSON");
    n->name = "layer";
    n->class_name = (char *)j->cls;
    n->keras_config = s->config;
    n->kind = rs_layer_kind_find(j->cls);
    if (!n->kind)
        return rs_fail(err, j->cls, "no such layer class");
    for (int i = 0; i < j->n_weights; i++) {
        s->weights[i].name = "w";
        if (rs_npy_read(j->weights[i], &s->weights[i].value, err) < 0)
            return -1;
    }
    n->n_weights = j->n_weights;
    n->weights = s->weights;
    n->n_inputs = j->n_inputs;
    for (int i = 0; i < j->n_inputs; i++) {
        if (rs_npy_read(j->inputs[i], &s->inputs[i], err) < 0 ||
            (j->masks[i] && rs_npy_read(j->masks[i], &s->masks[i], err) < 0))
            return -1;
        s->shapes[i].rank = s->inputs[i].rank - 1;
        for (int d = 1; d < s->inputs[i].rank; d++)
            s->shapes[i].dims[d - 1] = (long)s->inputs[i].shape[d];
    }
    rs_layer_ctx ctx = {.keras_major = j->keras_major,
                        .keras_version = j->keras_version ? j->keras_version : ""};
    if (n->kind->setup(n, s->shapes, &ctx, err) < 0)
        return -1;
    if (n->unsupported)
        return rs_fail(err, "unsupported", "%s", n->unsupported), 3;
    int total = n->n_outputs + n->n_internal;
    s->outs = calloc((size_t)total, sizeof *s->outs);
    s->out_masks = calloc((size_t)total, sizeof *s->out_masks);
    const rs_tensor *ins[MAX_ARGS], *in_masks[MAX_ARGS];
    for (int i = 0; i < j->n_inputs; i++) {
        ins[i] = &s->inputs[i];
        in_masks[i] = j->masks[i] ? &s->masks[i] : NULL;
    }
    rs_layer_io io = {.n_inputs = j->n_inputs, .inputs = ins, .in_masks = in_masks,
                      .outputs = s->outs, .out_masks = s->out_masks,
                      .keras_major = j->keras_major};
    if (!s->outs || !s->out_masks)
        return rs_fail(err, "layertool", "out of memory");
    if (n->kind->forward(n, &io, err) < 0 || rs_npy_write(j->out, &s->outs[0], err) < 0)
        return -1;
    return j->mask_out ? write_mask(j->mask_out, &s->out_masks[0], err) : 0;
}

static void state_free(state *s)
{
    int total = s->node.n_outputs + s->node.n_internal;
    for (int i = 0; i < total && s->outs; i++)
        rs_tensor_free(&s->outs[i]);
    for (int i = 0; i < total && s->out_masks; i++)
        rs_tensor_free(&s->out_masks[i]);
    free(s->outs);
    free(s->out_masks);
    for (int i = 0; i < MAX_ARGS; i++) {
        rs_tensor_free(&s->weights[i].value);
        rs_tensor_free(&s->inputs[i]);
        rs_tensor_free(&s->masks[i]);
    }
    if (s->node.kind && s->node.kind->free_params)
        s->node.kind->free_params(s->node.params);
    free(s->node.out_shapes);
    if (s->node.out_names)
        for (int i = 0; i < total; i++)
            free(s->node.out_names[i]);
    free(s->node.out_names);
    free(s->node.unsupported);
    cJSON_Delete(s->config);
}

int main(int argc, char **argv)
{
    job j;
    if (parse_args(argc, argv, &j) < 0)
        return usage();
    state s;
    memset(&s, 0, sizeof s);
    rs_error err = {0};
    int rc = run(&j, &s, &err);
    if (rc != 0)
        fprintf(stderr, "layertool: %s\n", err.msg);
    state_free(&s);
    return rc == 0 ? 0 : rc == 3 ? 3 : 1;
}

/* Setting up the layers of a loaded graph: what each node is told of the model (its
 * rs_layer_ctx), its inputs' shapes from the nodes before it, and how many outputs its
 * consumers use. The layers themselves (rnnscope/layer.h) never see the model. */
#include <stdlib.h>
#include <string.h>

#include "rnnscope/layer.h"
#include "model/internal.h"

/* Does a model input have a fixed batch size (batch_input_shape / batch_shape [2, ...])? */
static bool batch_fixed(const rs_model *m)
{
    for (int i = 0; i < m->n_nodes; i++) {
        const rs_node *n = &m->nodes[i];
        if (n->n_inputs != 0 || strcmp(n->class_name, "InputLayer") != 0 || !n->keras_config)
            continue;
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(n->keras_config, "batch_input_shape");
        if (!s)
            s = cJSON_GetObjectItemCaseSensitive(n->keras_config, "batch_shape");
        if (cJSON_IsNumber(cJSON_GetArrayItem(s, 0)))
            return true;
    }
    return false;
}

/* For every node, 1 + the largest output index any consumer or the model asks of it. */
static int *outputs_needed(const rs_model *m, rs_error *err)
{
    int *need = calloc((size_t)m->n_nodes + 1, sizeof *need);
    if (!need) {
        rs_fail_oom(err, m->path);
        return NULL;
    }
    for (int i = 0; i < m->n_nodes; i++)
        for (int k = 0; k < m->nodes[i].n_inputs; k++) {
            rs_ref r = m->nodes[i].inputs[k];
            if (r.output + 1 > need[r.node])
                need[r.node] = r.output + 1;
        }
    for (int k = 0; k < m->n_outputs; k++)
        if (m->outputs[k].output + 1 > need[m->outputs[k].node])
            need[m->outputs[k].node] = m->outputs[k].output + 1;
    return need;
}

/* Shapes of the node's inputs; an input that cannot be known marks the node unsupported. */
static int gather_inputs(const rs_model *m, rs_node *n, rs_shape *shapes, rs_error *err)
{
    for (int k = 0; k < n->n_inputs; k++) {
        const rs_node *src = &m->nodes[n->inputs[k].node];
        int out = n->inputs[k].output;
        if (src->unsupported)
            return rs_node_unsupported(n, "its input comes from '%s', which cannot run",
                                       src->name);
        if (out >= src->n_outputs)
            return rs_fail(err, n->name, "uses output %d of '%s', which has %d", out, src->name,
                           src->n_outputs);
        shapes[k] = src->out_shapes[out];
        if (shapes[k].rank < 0)
            return rs_node_unsupported(n, "the shape of its input from '%s' is unknown",
                                       src->name);
    }
    return 0;
}

static int setup_node(const rs_model *m, rs_node *n, int needed, rs_error *err)
{
    rs_shape *shapes = calloc((size_t)n->n_inputs + 1, sizeof *shapes);
    if (!shapes)
        return rs_fail_oom(err, n->name);
    int rc = gather_inputs(m, n, shapes, err);
    if (rc == 0)
        rc = rs_node_setup(n, shapes, needed, &m->layer_ctx, err);
    free(shapes);
    return rc;
}

int rs_model_setup_layers(rs_model *m, rs_error *err)
{
    m->layer_ctx = (rs_layer_ctx){.keras_major = m->keras_major,
                                  .keras_version = m->keras_version,
                                  .model_config = m->config_json,
                                  .batch_fixed = batch_fixed(m)};
    int *need = outputs_needed(m, err);
    if (!need)
        return -1;
    int rc = 0;
    for (int i = 0; i < m->n_nodes && rc == 0; i++)
        rc = setup_node(m, &m->nodes[i], need[i], err);
    free(need);
    if (rc < 0)
        rs_error_prefix(err, m->path);
    return rc;
}

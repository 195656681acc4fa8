/* Test helper: load a model with the library and print what the tests compare against
 * independent values (NumPy/h5py), one line per item.
 *   modeltool weights MODEL [WEIGHTS.h5]   "<node>:<i> <shape> <v0> <v1> ..." per owned weight
 *   modeltool graph MODEL [WEIGHTS.h5]     "<node> <class> in=<a>,<b>[k] out=<shape>;<shape>"
 *   modeltool load MODEL [WEIGHTS.h5]      exit status and the error message only */
#include <stdio.h>
#include <string.h>

#include "rnnscope/model.h"

static void print_weights(const rs_model *m)
{
    for (int i = 0; i < m->n_nodes; i++) {
        const rs_node *n = &m->nodes[i];
        if (!n->owns_weights)
            continue;
        for (int k = 0; k < n->n_weights; k++) {
            const rs_tensor *t = &n->weights[k].value;
            printf("%s:%d ", n->name, k);
            for (int d = 0; d < t->rank; d++)
                printf(d ? "x%zu" : "%zu", t->shape[d]);
            if (t->rank == 0)
                printf("scalar");
            for (size_t j = 0; j < t->size; j++)
                printf(" %.9g", t->data[j]);
            printf("\n");
        }
    }
}

static void print_graph(const rs_model *m)
{
    char buf[256];
    for (int i = 0; i < m->n_nodes; i++) {
        const rs_node *n = &m->nodes[i];
        printf("%s %s in=", n->name, n->class_name);
        for (int k = 0; k < n->n_inputs; k++)
            printf(k ? ",%s[%d]" : "%s[%d]", m->nodes[n->inputs[k].node].name,
                   n->inputs[k].output);
        printf(" out=");
        for (int k = 0; k < n->n_outputs + n->n_internal; k++)
            printf(k ? ";%s" : "%s", rs_shape_format_batch(&n->out_shapes[k], buf, sizeof buf));
        printf("%s\n", n->unsupported ? " unsupported" : "");
    }
    printf("inputs=");
    for (int k = 0; k < m->n_inputs; k++)
        printf(k ? ",%s" : "%s", m->nodes[m->inputs[k]].name);
    printf(" outputs=");
    for (int k = 0; k < m->n_outputs; k++)
        printf(k ? ",%s[%d]" : "%s[%d]", m->nodes[m->outputs[k].node].name, m->outputs[k].output);
    printf(" keras_major=%d\n", m->keras_major);
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: modeltool weights|graph|load MODEL [WEIGHTS.h5]\n");
        return 2;
    }
    rs_model *m;
    rs_error err = {0};
    if (rs_model_load(argv[2], argc == 4 ? argv[3] : NULL, &m, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    if (!strcmp(argv[1], "weights"))
        print_weights(m);
    else if (!strcmp(argv[1], "graph"))
        print_graph(m);
    rs_model_free(m);
    return 0;
}

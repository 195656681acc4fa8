/* TimeDistributed(inner): the inner layer applied to every timestep. */
#include <stdlib.h>

#include "layers/common.h"
#include "layers/families.h"

typedef struct time_distributed_params {
    rs_node *inner;  /* set up on the per-timestep shape, with all the wrapper's weights */
} time_distributed_params;

void rs_time_distributed_free(void *params)
{
    time_distributed_params *p = params;
    if (p)
        rs_inner_node_free(p->inner);
    free(p);
}

int rs_time_distributed_setup(rs_node *n, const rs_shape *in, const rs_model *m, rs_error *err)
{
    time_distributed_params *p = n->params = rs_params_alloc(n, sizeof *p, err);
    if (!p || rs_expect_inputs(n, 1, 1, err) < 0 || rs_node_outputs(n, 1, 0, err) < 0)
        return -1;
    if (in[0].rank < 2)
        return rs_fail(err, n->name, "TimeDistributed needs an input of rank 3 or more");
    rs_shape step = {.rank = in[0].rank - 1};
    for (int i = 1; i < in[0].rank; i++)
        step.dims[i - 1] = in[0].dims[i];
    if (rs_inner_node_setup(n, cfg_get(n, "layer"), 0, n->n_weights, &step, m, &p->inner, err) <
        0)
        return -1;
    if (p->inner->unsupported)
        return rs_node_unsupported(n, "%s", p->inner->unsupported);
    const rs_shape *o = &p->inner->out_shapes[0];
    if (o->rank < 0 || o->rank + 1 > RS_MAX_RANK)
        return rs_fail(err, n->name, "TimeDistributed output rank is too large");
    n->out_shapes[0].rank = o->rank + 1;
    n->out_shapes[0].dims[0] = in[0].dims[0];
    for (int i = 0; i < o->rank; i++)
        n->out_shapes[0].dims[i + 1] = o->dims[i];
    return 0;
}

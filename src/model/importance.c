/* Timestep importance: how much each step of a sequence moves the objective, as the L2 norm
 * over channels of the gradient there (the picture of vanishing gradients, and of where the
 * evidence is). */
#include <math.h>

#include "rnnscope/attribution.h"

int rs_timestep_importance(const rs_tensor *g, rs_tensor *out, rs_error *err)
{
    if (g->rank < 3) /* (N, features): a Flatten or Dense output has no time axis to show */
        return rs_fail(err, NULL, "not a sequence (shape of rank %d; importance needs (batch, "
                       "timesteps, channels...))", g->rank);
    size_t steps = g->shape[0] * g->shape[1], per = steps ? g->size / steps : 0;
    if (rs_tensor_alloc_dims(out, err, 2, g->shape[0], g->shape[1]) < 0)
        return -1;
    for (size_t t = 0; t < steps; t++) {
        double s = 0;
        for (size_t c = 0; c < per; c++) {
            double v = g->data[t * per + c];
            s += v * v;
        }
        out->data[t] = (float)sqrt(s);
    }
    return 0;
}

int rs_layer_importance(rs_run *r, const rs_objective *obj, int node, int k, rs_tensor *out,
                        rs_error *err)
{
    rs_grad_request req = {node, -1, false};
    rs_grads *g = NULL;
    if (rs_grad_compute(r, obj, &req, &g, err) < 0)
        return -1;
    const rs_tensor *d = rs_grads_output(g, k);
    const char *name = rs_run_model(r)->nodes[node].name;
    int rc = d ? rs_timestep_importance(d, out, err)
               : rs_fail(err, NULL, "no output %d (internal error)", k);
    if (rc < 0)
        rs_error_prefix(err, name);
    rs_grads_free(g);
    return rc;
}

/* Attributions built on the reverse pass: integrated gradients (Sundararajan et al. 2017) of
 * the objective with respect to a model input, from a baseline of zeros. */
#include <stdlib.h>
#include <string.h>

#include "rnnscope/grad.h"

/* The run's current inputs, copied (to put back afterwards). */
static int copy_inputs(rs_run *r, const rs_model *m, rs_tensor *copies, rs_error *err)
{
    for (int i = 0; i < m->n_inputs; i++) {
        const rs_tensor *t;
        if (rs_run_output(r, m->inputs[i], 0, &t, err) < 0 || rs_tensor_copy(&copies[i], t, err) < 0)
            return -1;
    }
    return 0;
}

/* The gradient at alpha * x (input k scaled, the others as they are), added into sum. */
static int gradient_at(rs_run *r, const rs_model *m, const rs_objective *obj, int k, double alpha,
                       const rs_tensor *orig, rs_tensor *sum, rs_error *err)
{
    rs_tensor *ins = calloc((size_t)m->n_inputs, sizeof *ins);
    rs_grads *g = NULL;
    int rc = ins ? 0 : rs_fail(err, m->path, "out of memory");
    for (int i = 0; rc == 0 && i < m->n_inputs; i++)
        rc = rs_tensor_copy(&ins[i], &orig[i], err);
    for (size_t j = 0; rc == 0 && j < ins[k].size; j++)
        ins[k].data[j] = (float)(alpha * orig[k].data[j]);
    rs_grad_request req = {m->inputs[k], -1, false};
    if (rc == 0)
        rc = rs_run_take_inputs(r, ins, m->n_inputs, err);
    if (rc == 0)
        rc = rs_grad_compute(r, obj, &req, &g, err);
    const rs_tensor *d = rc == 0 ? rs_grads_output(g, 0) : NULL;
    for (size_t j = 0; d && j < sum->size; j++)
        sum->data[j] += d->data[j];
    rs_grads_free(g);
    for (int i = 0; ins && i < m->n_inputs; i++)
        rs_tensor_free(&ins[i]);
    free(ins);
    return rc;
}

int rs_integrated_gradients(rs_run *r, const rs_objective *obj, int input, int steps,
                            rs_tensor *out, rs_error *err)
{
    const rs_model *m = rs_run_model(r);
    if (input < 0 || input >= m->n_inputs || steps < 1)
        return rs_fail(err, m->path, "no model input %d (internal error)", input);
    rs_tensor *orig = calloc((size_t)m->n_inputs, sizeof *orig);
    if (!orig)
        return rs_fail(err, m->path, "out of memory");
    int rc = copy_inputs(r, m, orig, err);
    if (rc == 0)
        rc = rs_tensor_alloc(out, orig[input].rank, orig[input].shape, err);
    for (int s = 0; rc == 0 && s < steps; s++) /* the midpoint rule along zeros → x */
        rc = gradient_at(r, m, obj, input, (s + 0.5) / steps, orig, out, err);
    for (size_t j = 0; rc == 0 && j < out->size; j++)
        out->data[j] = (float)((double)out->data[j] / steps * orig[input].data[j]);
    /* the run gets its inputs back (the caller's outputs computed from them again on demand) */
    rs_error restore = {""};
    if (rs_run_set_inputs(r, orig, m->n_inputs, &restore) < 0 && rc == 0) {
        *err = restore;
        rc = -1;
    }
    if (rc < 0)
        rs_tensor_free(out);
    for (int i = 0; i < m->n_inputs; i++)
        rs_tensor_free(&orig[i]);
    free(orig);
    return rc;
}

/* Saliency on a model input: the gradient, gradient × input, and integrated gradients
 * (Sundararajan et al. 2017) along the straight path from a baseline (zeros by default) to the
 * input, with their completeness error. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/attribution.h"

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

/* The path from the baseline to the input: input k at b + alpha (x - b), the others as they
 * are. b (NULL: zeros) has x's size or one sample's, repeated over the batch. */
typedef struct ig_path {
    const rs_tensor *orig; /* every model input, as the caller gave them */
    int k;
    const rs_tensor *baseline;
} ig_path;

static float baseline_at(const ig_path *p, size_t j)
{
    return p->baseline ? p->baseline->data[j % p->baseline->size] : 0.0f;
}

/* The objective at the path's point alpha, and when sum is not NULL its gradient with respect
 * to input k added into sum. */
static int evaluate_at(rs_run *r, const rs_objective *obj, const ig_path *p, double alpha,
                       rs_tensor *sum, double *f, rs_error *err)
{
    const rs_model *m = rs_run_model(r);
    rs_tensor *ins = calloc((size_t)m->n_inputs, sizeof *ins);
    rs_grads *g = NULL;
    int rc = ins ? 0 : rs_fail_oom(err, m->path);
    for (int i = 0; rc == 0 && i < m->n_inputs; i++)
        rc = rs_tensor_copy(&ins[i], &p->orig[i], err);
    const rs_tensor *x = &p->orig[p->k];
    for (size_t j = 0; rc == 0 && j < x->size; j++) {
        double b = baseline_at(p, j); /* the path's end is the input itself, whatever b is */
        ins[p->k].data[j] = alpha == 1.0 ? x->data[j] : (float)(b + alpha * ((double)x->data[j] - b));
    }
    rs_grad_request req = {sum ? m->inputs[p->k] : -1, -1, false};
    if (rc == 0)
        rc = rs_run_take_inputs(r, ins, m->n_inputs, err);
    if (rc == 0)
        rc = rs_grad_compute(r, obj, &req, &g, err);
    if (rc == 0)
        *f = rs_grads_objective(g);
    const rs_tensor *d = rc == 0 && sum ? rs_grads_output(g, 0) : NULL;
    for (size_t j = 0; d && j < sum->size; j++)
        sum->data[j] += d->data[j];
    rs_grads_free(g);
    for (int i = 0; ins && i < m->n_inputs; i++)
        rs_tensor_free(&ins[i]);
    free(ins);
    return rc;
}

/* (x - b) ⊙ the mean gradient over the midpoints, and the completeness figures. */
static int integrate(rs_run *r, const rs_objective *obj, const ig_path *p, int steps,
                     rs_saliency *out, rs_error *err)
{
    const rs_tensor *x = &p->orig[p->k];
    double f;
    if (rs_tensor_alloc(&out->values, x->rank, x->shape, err) < 0)
        return -1;
    for (int s = 0; s < steps; s++)
        if (evaluate_at(r, obj, p, (s + 0.5) / steps, &out->values, &f, err) < 0)
            return -1;
    if (evaluate_at(r, obj, p, 0.0, NULL, &out->f_baseline, err) < 0 ||
        evaluate_at(r, obj, p, 1.0, NULL, &out->f_input, err) < 0)
        return -1;
    double total = 0;
    for (size_t j = 0; j < x->size; j++) {
        double a = (double)out->values.data[j] / steps * ((double)x->data[j] - baseline_at(p, j));
        out->values.data[j] = (float)a;
        total += a;
    }
    double want = out->f_input - out->f_baseline, miss = fabs(total - want);
    out->sum = total;
    out->completeness_error = want != 0 ? miss / fabs(want) : miss;
    return 0;
}

/* The gradient at the run's inputs, times the input for input_x_grad. */
static int plain_gradient(rs_run *r, const rs_objective *obj, int input, bool times_input,
                          rs_saliency *out, rs_error *err)
{
    const rs_model *m = rs_run_model(r);
    rs_grad_request req = {m->inputs[input], -1, false};
    rs_grads *g = NULL;
    const rs_tensor *x;
    if (rs_grad_compute(r, obj, &req, &g, err) < 0)
        return -1;
    int rc = rs_tensor_copy(&out->values, rs_grads_output(g, 0), err);
    rs_grads_free(g);
    if (rc == 0 && times_input && (rc = rs_run_output(r, m->inputs[input], 0, &x, err)) == 0)
        for (size_t j = 0; j < out->values.size; j++)
            out->values.data[j] *= x->data[j];
    return rc;
}

static int check_baseline(const rs_tensor *x, const rs_tensor *b, const char *name, rs_error *err)
{
    if (!b || rs_shape_equal(b, x))
        return 0;
    if (x->rank >= 1 && b->rank == x->rank - 1 && b->size * x->shape[0] == x->size) {
        bool same = true;
        for (int i = 0; i < b->rank; i++)
            same = same && b->shape[i] == x->shape[i + 1];
        if (same)
            return 0;
    }
    return rs_fail(err, name ? name : "the baseline",
                   "its shape does not fit the input (the input's shape, or one sample's)");
}

static int integrated(rs_run *r, const rs_objective *obj, int input, const rs_saliency_opts *o,
                      const char *baseline_name, rs_saliency *out, rs_error *err)
{
    const rs_model *m = rs_run_model(r);
    rs_tensor *orig = calloc((size_t)m->n_inputs, sizeof *orig);
    if (!orig)
        return rs_fail_oom(err, m->path);
    int rc = copy_inputs(r, m, orig, err);
    if (rc == 0)
        rc = check_baseline(&orig[input], o->baseline, baseline_name, err);
    ig_path p = {orig, input, o->baseline};
    if (rc == 0)
        rc = integrate(r, obj, &p, o->ig_steps > 0 ? o->ig_steps : RS_IG_STEPS_DEFAULT, out, err);
    /* the run gets its inputs back (the caller's outputs computed from them again on demand) */
    rs_error restore = {0};
    if (rs_run_set_inputs(r, orig, m->n_inputs, &restore) < 0 && rc == 0) {
        *err = restore;
        rc = -1;
    }
    for (int i = 0; i < m->n_inputs; i++)
        rs_tensor_free(&orig[i]);
    free(orig);
    return rc;
}

int rs_saliency_compute(rs_run *r, const rs_objective *obj, int input, const rs_saliency_opts *o,
                        const char *baseline_name, rs_saliency *out, rs_error *err)
{
    const rs_model *m = rs_run_model(r);
    memset(out, 0, sizeof *out);
    out->f_input = out->f_baseline = out->sum = out->completeness_error = NAN;
    if (input < 0 || input >= m->n_inputs || o->ig_steps < 0)
        return rs_fail(err, m->path, "no model input %d (internal error)", input);
    int rc = o->method == RS_SALIENCY_IG
                 ? integrated(r, obj, input, o, baseline_name, out, err)
                 : plain_gradient(r, obj, input, o->method == RS_SALIENCY_INPUT_X_GRAD, out, err);
    if (rc < 0)
        rs_saliency_free(out);
    return rc;
}

void rs_saliency_free(rs_saliency *s)
{
    rs_tensor_free(&s->values);
}

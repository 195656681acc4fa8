/* Every reverse pass against central finite differences of rnnscope's own forward pass, in
 * float64 arithmetic around the float32 layers: for every model of tests/ref (the NumPy-made
 * ones too: GRU reset_after, CuDNN, Softmax, Conv1D groups, Keras 3 hard_sigmoid) in its first
 * file format, the objective "sum of the model output's unit 0", a few input values and a few
 * values of every weight are nudged by ±h and the change of the objective compared with the
 * gradient; where the differences with h and h/3 disagree the objective is not smooth there (a
 * kink, a mask switching) and the value is passed over, saying so. A model with a layer kind that has no reverse pass yet is listed as skipped.
 * Tolerance: |fd - grad| <= 2e-3 * max(1, max|grad| of that tensor) (float32 forward: the
 * objective carries ~1e-7 relative rounding, divided by 2h). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rnnscope/grad.h"
#include "rnnscope/run.h"

#define FIXTURES "tests/ref/fixtures"
#define STEP 3e-3
#define TOL 2e-3
#define PROBES 4 /* values nudged per tensor */

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static const char *fixture(const char *model, const char *file)
{
    static char buf[4][1024];
    static int slot;
    slot = (slot + 1) % 4;
    snprintf(buf[slot], sizeof buf[slot], FIXTURES "/%s/%s", model, file);
    return buf[slot];
}

/* The objective: sum over the output's rows of unit 0, in double. */
static double objective(rs_run *run, const rs_model *m)
{
    const rs_tensor *y;
    rs_error err = {""};
    rs_run_clear(run);
    if (rs_run_output(run, m->outputs[0].node, m->outputs[0].output, &y, &err) < 0)
        return NAN;
    size_t row = y->shape[y->rank - 1];
    double sum = 0;
    for (size_t i = 0; i < y->size; i += row)
        sum += y->data[i];
    return sum;
}

/* The values probed in a tensor of n: spread over it, deterministic. */
static size_t probe_at(size_t n, int k)
{
    return (size_t)(((unsigned long long)k * 2654435761u + 12345u) % n);
}

/* Central difference of the objective in value *v with step h. */
static double central(rs_run *run, const rs_model *m, float *v, double h)
{
    float keep = *v;
    *v = keep + (float)h;
    double up = objective(run, m);
    *v = keep - (float)h;
    double down = objective(run, m);
    *v = keep;
    return (up - down) / ((double)(keep + (float)h) - (double)(keep - (float)h));
}

/* Is value i of the input in a step a Masking layer masks (every feature = mask_value)? There
 * the gradient is 0 by definition, and a nudge would unmask the step. */
static bool masked_step(const rs_model *m, const rs_tensor *x, size_t i)
{
    for (int n = 0; n < m->n_nodes; n++) {
        if (strcmp(m->nodes[n].class_name, "Masking") != 0)
            continue;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(m->nodes[n].config, "mask_value");
        float mv = cJSON_IsNumber(v) ? (float)v->valuedouble : 0.0f;
        size_t row = x->shape[x->rank - 1], start = i - i % row;
        bool all = true;
        for (size_t c = 0; c < row && all; c++)
            all = x->data[start + c] == mv;
        if (all)
            return true;
    }
    return false;
}

/* Compare PROBES values of grad with finite differences through *values (the tensor the
 * run reads; x: the model input when probing it, to pass over masked steps). Returns
 * failures. */
static int probe_tensor(rs_run *run, const rs_model *m, const rs_tensor *grad, float *values,
                        const rs_tensor *x, const char *what)
{
    double scale = 1;
    for (size_t i = 0; i < grad->size; i++)
        scale = fmax(scale, fabs(grad->data[i]));
    int failed = 0;
    for (int k = 0; k < PROBES; k++) {
        size_t i = probe_at(grad->size, k);
        if (x && masked_step(m, x, i)) {
            if (grad->data[i] != 0.0f) {
                printf("#   %s[%zu]: a masked step's gradient is %g, not 0\n", what, i,
                       (double)grad->data[i]);
                failed++;
            }
            continue;
        }
        double fd = central(run, m, values + i, STEP), fd3 = central(run, m, values + i, STEP / 3);
        if (!(fabs(fd - fd3) <= TOL * scale)) {
            /* not smooth within the step: a relu's or a max's kink, or a Masking layer's mask
             * switching on (a masked step's gradient is 0 by definition) */
            printf("#   %s[%zu]: not differentiable here (finite differences %.6g, %.6g)\n",
                   what, i, fd, fd3);
            continue;
        }
        if (!(fabs(fd - grad->data[i]) <= TOL * scale)) {
            printf("#   %s[%zu]: grad %.6g, finite difference %.6g\n", what, i,
                   (double)grad->data[i], fd);
            failed++;
        }
    }
    return failed;
}

/* The run's own copy of model input k, to nudge (the run holds it from rs_run_take_inputs). */
static const rs_tensor *run_input(rs_run *run, const rs_model *m, int k)
{
    const rs_tensor *t;
    rs_error err = {""};
    return rs_run_output(run, m->inputs[k], 0, &t, &err) == 0 ? t : NULL;
}

static void check_model(const cJSON *model)
{
    const char *name = str(model, "name");
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(model, "formats")->child;
    const char *arch = str(fmt, "architecture");
    char case_name[256];
    snprintf(case_name, sizeof case_name, "finite differences: %s (%s)", name, fmt->string);
    rs_error err = {""};
    rs_model *m = NULL;
    rs_run *run = NULL;
    rs_grads *g = NULL;
    rs_tensor inputs[8] = {0};
    int n = 0, failed = 0;
    const cJSON *e;
    int rc = arch[0] ? rs_model_load(test_path(fixture(name, arch)),
                                     test_path(fixture(name, str(fmt, "file"))), &m, &err)
                     : rs_model_load(test_path(fixture(name, str(fmt, "file"))), NULL, &m, &err);
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(model, "inputs"))
        if (n < 8)
            inputs[n++] = load_npy(fixture(name, str(e, "file")));
    rs_objective obj = {0};
    rs_grad_request req = {m && m->n_inputs ? m->inputs[0] : -1, -1, true};
    if (rc < 0 || n != m->n_inputs || !(run = rs_run_new(m, &err)) ||
        rs_run_take_inputs(run, inputs, n, &err) < 0) {
        printf("#   %s\n", err.msg);
        failed = 1;
    } else if (!strcmp(str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(model, "inputs"), 0),
                           "dtype"), "int32")) {
        req.node = -1; /* token ids: the weights only */
    }
    if (!failed && rs_grad_compute(run, &obj, &req, &g, &err) < 0) {
        if (strstr(err.msg, "no reverse pass")) {
            skip_test(case_name, err.msg);
            goto done;
        }
        printf("#   %s\n", err.msg);
        failed = 1;
    }
    const rs_tensor *x = failed ? NULL : run_input(run, m, 0);
    if (!failed && req.node >= 0)
        failed += probe_tensor(run, m, rs_grads_output(g, 0), x->data, x, "d/d input 0");
    for (int i = 0; !failed && i < m->n_nodes; i++)
        for (int w = 0; m->nodes[i].owns_weights && w < m->nodes[i].n_weights; w++) {
            const rs_tensor *gw = rs_grads_weight(g, i, w);
            if (gw)
                failed += probe_tensor(run, m, gw, m->nodes[i].weights[w].value.data, NULL,
                                       m->nodes[i].weights[w].name);
        }
    run_test_result(case_name, failed == 0);
done:
    rs_grads_free(g);
    rs_run_free(run);
    for (int i = 0; i < 8; i++)
        rs_tensor_free(&inputs[i]);
    rs_model_free(m);
}

int main(void)
{
    cJSON *manifest = load_json(FIXTURES "/manifest.json");
    const char *only = getenv("RS_REF_MODEL");
    const cJSON *model;
    cJSON_ArrayForEach(model, cJSON_GetObjectItemCaseSensitive(manifest, "models"))
        if (!only || !strcmp(only, str(model, "name")))
            check_model(model);
    cJSON_Delete(manifest);
    return check_finish();
}

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
#include "rnnscope/input.h"
#include "rnnscope/layer.h"
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

static int out_k; /* the model output the objective is taken of */

/* The objective: sum over the output's rows of unit 0, in double. */
static double objective(rs_run *run, const rs_model *m)
{
    const rs_tensor *y;
    rs_error err = {0};
    rs_run_clear(run);
    if (rs_run_output(run, m->outputs[out_k].node, m->outputs[out_k].output, &y, &err) < 0)
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
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(m->nodes[n].keras_config, "mask_value");
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
    rs_error err = {0};
    return rs_run_output(run, m->inputs[k], 0, &t, &err) == 0 ? t : NULL;
}

/* The gradients of output k against finite differences; returns failures, or -1 when a
 * layer kind on the way has no reverse pass (err says which). */
static int check_output(rs_run *run, const rs_model *m, int k, bool token_ids, rs_error *err)
{
    rs_grads *g = NULL;
    rs_objective obj = {.output = k};
    rs_grad_request req = {token_ids || m->n_inputs == 0 ? -1 : m->inputs[0], -1, true};
    out_k = k;
    if (rs_grad_compute(run, &obj, &req, &g, err) < 0)
        return strstr(err->msg, "no reverse pass") ? -1 : (printf("#   %s\n", err->msg), 1);
    int failed = 0;
    /* a copy: the run's cache entry holding it is freed at each rs_run_clear of the probes
     * (the data, the run's own input, stays) */
    const rs_tensor *in = run_input(run, m, 0);
    rs_tensor x = in ? *in : (rs_tensor){0};
    if (req.node >= 0 && in)
        failed += probe_tensor(run, m, rs_grads_output(g, 0), x.data, &x, "d/d input 0");
    for (int i = 0; i < m->n_nodes; i++)
        for (int w = 0; m->nodes[i].owns_weights && w < m->nodes[i].n_weights; w++) {
            const rs_tensor *gw = rs_grads_weight(g, i, w);
            if (gw)
                failed += probe_tensor(run, m, gw, m->nodes[i].weights[w].value.data, NULL,
                                       m->nodes[i].weights[w].name);
        }
    rs_grads_free(g);
    return failed;
}

/* A loaded model on its inputs (taken): every model output. */
static void check_run(rs_model *m, rs_tensor *inputs, int n, bool token_ids,
                      const char *case_name)
{
    rs_error err = {0};
    rs_run *run = NULL;
    int failed = 0, refused = 0;
    if (n != m->n_inputs || !(run = rs_run_new(m, &err)) ||
        rs_run_take_inputs(run, inputs, n, &err) < 0) {
        printf("#   %s\n", err.msg);
        failed = 1;
    }
    for (int k = 0; !failed && k < m->n_outputs; k++) {
        int rc = check_output(run, m, k, token_ids, &err);
        if (rc < 0)
            refused++;
        else
            failed += rc;
    }
    if (refused == m->n_outputs && !failed)
        skip_test(case_name, err.msg);
    else
        run_test_result(case_name, failed == 0);
    rs_run_free(run);
    for (int i = 0; i < n; i++)
        rs_tensor_free(&inputs[i]);
}

static void check_model(const cJSON *model)
{
    const char *name = str(model, "name");
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(model, "formats")->child;
    const char *arch = str(fmt, "architecture");
    char case_name[256];
    snprintf(case_name, sizeof case_name, "finite differences: %s (%s)", name, fmt->string);
    rs_error err = {0};
    rs_model *m = NULL;
    rs_tensor inputs[8] = {0};
    int n = 0;
    const cJSON *e, *ins = cJSON_GetObjectItemCaseSensitive(model, "inputs");
    int rc = arch[0] ? rs_model_load(test_path(fixture(name, arch)),
                                     test_path(fixture(name, str(fmt, "file"))), &m, &err)
                     : rs_model_load(test_path(fixture(name, str(fmt, "file"))), NULL, &m, &err);
    cJSON_ArrayForEach(e, ins)
        if (n < 8)
            inputs[n++] = load_npy(fixture(name, str(e, "file")));
    if (rc < 0) {
        printf("#   %s\n", err.msg);
        run_test_result(case_name, false);
    } else {
        check_run(m, inputs, n, !strcmp(str(cJSON_GetArrayItem(ins, 0), "dtype"), "int32"),
                  case_name);
    }
    for (int i = 0; i < 8; i++)
        rs_tensor_free(&inputs[i]);
    rs_model_free(m);
}

/* A model file on random inputs (batch 2), every output: the loaders' zoo of nearly every
 * layer class, real Keras files. */
static void check_file(const char *path, const char *label)
{
    char case_name[512];
    snprintf(case_name, sizeof case_name, "finite differences: %s", label);
    rs_error err = {0};
    rs_model *m = NULL;
    rs_tensor inputs[8] = {0};
    bool token_ids = false;
    if (rs_model_load(path, NULL, &m, &err) < 0 || m->n_inputs > 8) {
        printf("#   %s\n", err.msg);
        run_test_result(case_name, false);
        rs_model_free(m);
        return;
    }
    for (int i = 0; i < m->n_inputs; i++) {
        rs_random_input(m, i, 7, 2, &inputs[i], &err);
        for (int k = 0; k < m->n_nodes; k++) /* an input feeding an Embedding: token ids */
            for (int j = 0; j < m->nodes[k].n_inputs; j++)
                token_ids = token_ids || (m->nodes[k].inputs[j].node == m->inputs[0] &&
                                          !strcmp(m->nodes[k].class_name, "Embedding"));
    }
    check_run(m, inputs, m->n_inputs, token_ids, case_name);
    rs_model_free(m);
}

static bool cancel_now(void *user, double fraction)
{
    (void)fraction;
    ++*(int *)user;
    return false;
}

/* The reverse pass reports progress through the run's and stops when told to. */
static void check_cancel(void)
{
    rs_error err = {0};
    rs_model *m = NULL;
    rs_run *run = NULL;
    rs_grads *g = NULL;
    rs_tensor x = load_npy(fixture("seed_selfattention", "inputs/input_1.npy"));
    const rs_tensor *y;
    int calls = 0;
    bool ok = rs_model_load(test_path(fixture("seed_selfattention", "keras/k22.h5")), NULL, &m,
                            &err) == 0 &&
              (run = rs_run_new(m, &err)) && rs_run_set_inputs(run, &x, 1, &err) == 0 &&
              rs_run_output(run, m->outputs[0].node, 0, &y, &err) == 0; /* forward done */
    if (ok) {
        rs_progress p = {cancel_now, &calls};
        rs_run_set_progress(run, &p);
        rs_objective obj = {0};
        rs_grad_request req = {m->inputs[0], -1, true};
        ok = rs_grad_compute(run, &obj, &req, &g, &err) < 0 && strstr(err.msg, "cancelled") &&
             calls == 1;
        printf("#   %s (%d progress calls)\n", err.msg, calls);
    }
    run_test_result("the reverse pass reports progress and can be cancelled", ok);
    rs_grads_free(g);
    rs_run_free(run);
    rs_tensor_free(&x);
    rs_model_free(m);
}

/* PReLU (no reference model has one): its reverse pass on a node of its own. */
static void check_prelu(void)
{
    rs_weight alpha = {"alpha", {0}};
    rs_tensor x = {0}, y = {0}, dy = {0}, dx = {0}, dw = {0}, masks[1] = {{0}};
    rs_error err = {0};
    rs_tensor_alloc_dims(&alpha.value, &err, 2, (size_t)1, (size_t)3); /* shared over steps */
    rs_tensor_alloc_dims(&x, &err, 3, (size_t)2, (size_t)4, (size_t)3);
    rs_tensor_alloc_dims(&dy, &err, 3, (size_t)2, (size_t)4, (size_t)3);
    for (size_t i = 0; i < x.size; i++) {
        x.data[i] = (float)sin(1.7 * (double)i + 0.5); /* no value at the kink */
        dy.data[i] = (float)cos(0.9 * (double)i);
    }
    for (size_t i = 0; i < 3; i++)
        alpha.value.data[i] = 0.1f + 0.2f * (float)i;
    const rs_layer_kind *kind = rs_layer_kind_find("PReLU");
    rs_node n = {.name = "prelu", .class_name = "PReLU", .n_inputs = 1, .n_weights = 1,
                 .weights = &alpha, .owns_weights = true, .kind = kind};
    const rs_tensor *ins[1] = {&x}, *in_masks[1] = {NULL}, *d_outs[1] = {&dy};
    rs_layer_io fio = {.n_inputs = 1, .inputs = ins, .in_masks = in_masks, .outputs = &y,
                       .out_masks = masks};
    rs_layer_grad_io bio = {.n_inputs = 1, .inputs = ins, .in_masks = in_masks, .outputs = &y,
                            .d_outputs = d_outs, .d_inputs = &dx, .d_weights = &dw};
    bool ok = kind->forward(&n, &fio, &err) == 0 && kind->backward(&n, &bio, &err) == 0;
    /* f = Σ dy ⊙ prelu(x): its differences in x and alpha, in double */
    for (size_t i = 0; ok && i < x.size + 3; i++) {
        float *v = i < x.size ? &x.data[i] : &alpha.value.data[i - x.size], keep = *v;
        double f[2];
        for (int s = 0; s < 2; s++) {
            *v = keep + (s ? -1e-3f : 1e-3f);
            f[s] = 0;
            for (size_t j = 0; j < x.size; j++) {
                double a = alpha.value.data[j % 3], xv = x.data[j];
                f[s] += dy.data[j] * (xv > 0 ? xv : a * xv);
            }
        }
        *v = keep;
        double fd = (f[0] - f[1]) / 2e-3, g = i < x.size ? dx.data[i] : dw.data[i - x.size];
        ok = fabs(fd - g) <= 1e-3;
        if (!ok)
            printf("#   value %zu: grad %g, finite difference %g\n", i, g, fd);
    }
    run_test_result("PReLU's reverse pass (shared axis) against finite differences", ok);
    rs_tensor_free(&alpha.value);
    rs_tensor_free(&x);
    rs_tensor_free(&y);
    rs_tensor_free(&dy);
    rs_tensor_free(&dx);
    rs_tensor_free(&dw);
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
    if (only)
        return check_finish();
    check_file(test_path("tests/data/models/zoo.k2.h5"), "the loaders' zoo (zoo.k2.h5)");
    check_file(test_path("tests/data/models/zoo.keras"), "the loaders' zoo (zoo.keras)");
    static const char *const wild[] = {
        "k2.1.3_seq_lstm_hardsigmoid.h5", "k2.1.3_seq_simplernn.h5",
        "k2.3.1_func_conv1d_bilstm_seqselfattention.h5", "k2.3.1_seq_lstm_fixedlen_attrs.h5",
        "k3.10_legacy_h5_gru_reset_after.h5", "k3.15_zip_2gru_name_mismatch.keras",
        "tfk2.10_seq_bilstm_hdf5_named_dot_keras.keras", "tfk2.13_seq_3lstm_relu.h5",
    };
    const char *shared = getenv("RNNSCOPE_SHARED");
    for (size_t i = 0; i < sizeof wild / sizeof *wild; i++) {
        char path[1024], label[300];
        snprintf(path, sizeof path, "%s/fixtures-wild/%s", shared ? shared : test_path("../shared"),
                 wild[i]);
        snprintf(label, sizeof label, "real Keras file %s", wild[i]);
        FILE *f = fopen(path, "rb");
        if (!f) {
            skip_test(label, "../shared/fixtures-wild is not here");
            continue;
        }
        fclose(f);
        check_file(path, label);
    }
    check_prelu();
    check_cancel();
    return check_finish();
}

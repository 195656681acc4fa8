/* Whole-model gradients against TensorFlow.js autodiff (tests/ref/grad_refs.mjs): for every
 * model of tests/ref with a grads/ directory, in every file format, d objective / d every float
 * input and d objective / d every weight, for the objectives "unit0" (the sum of the output's
 * unit 0), "unit0_out1" (the same of the second model output) and "bce" (binary cross-entropy against grads/labels.npy). Then the compiled copies
 * (grads/compiled, tests/ref/grad_compiled.py) must name their loss, and give the same.
 * And PyTorch autograd of the recurrent models of tests/data/grad_torch (GRU reset_after, which
 * tfjs lacks; 1200 steps). Tolerance: max|ours - ref| <= 1e-4 * max(1, max|ref|).
 * RS_REF_MODEL=name runs one model. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "rnnscope/grad.h"
#include "rnnscope/npy.h"
#include "rnnscope/run.h"

#define FIXTURES "tests/ref/fixtures"
#define REL_TOL 1e-4

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

static bool exists(const char *rel)
{
    struct stat st;
    return stat(test_path(rel), &st) == 0;
}

/* max |got - want| within tolerance; prints the case on failure. Returns 1 on failure. */
static int compare(const rs_tensor *got, const char *rel, const char *what)
{
    rs_tensor want = load_npy(rel);
    int failed = 0;
    if (!got || got->size != want.size) {
        printf("#   %s: %s, reference has %zu values\n", what, got ? "size differs" : "missing",
               want.size);
        failed = 1;
    } else {
        double scale = 1, worst = 0;
        for (size_t i = 0; i < want.size; i++)
            scale = fmax(scale, fabs(want.data[i]));
        for (size_t i = 0; i < want.size; i++) {
            double d = fabs((double)got->data[i] - want.data[i]);
            worst = isnan(d) ? INFINITY : fmax(worst, d);
        }
        if (!(worst <= REL_TOL * scale)) {
            printf("#   %s: max |diff| %.3g > %.3g\n", what, worst, REL_TOL * scale);
            failed = 1;
        }
    }
    rs_tensor_free(&want);
    return failed;
}

static int load_inputs(const cJSON *model, rs_tensor *in, int max)
{
    const cJSON *e;
    int n = 0;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(model, "inputs"))
    {
        if (n == max)
            return -1;
        in[n++] = load_npy(fixture(str(model, "name"), str(e, "file")));
    }
    return n;
}

/* Every weight's gradient against <dir>/<node name, '/' → '_'>.<w>.npy. */
static int compare_weights(const rs_model *m, const rs_grads *g, const char *dir)
{
    int failed = 0;
    for (int i = 0; i < m->n_nodes; i++) {
        const rs_node *n = &m->nodes[i];
        for (int w = 0; n->owns_weights && w < n->n_weights; w++) {
            char file[1024], what[512];
            snprintf(file, sizeof file, "%s/%s.%d.npy", dir, n->name, w);
            for (char *p = file + strlen(dir) + 1; *p; p++)
                *p = *p == '/' ? '_' : *p;
            snprintf(what, sizeof what, "d/d %s", n->weights[w].name);
            if (!exists(file)) {
                printf("#   %s: no reference %s\n", what, file);
                failed++;
                continue;
            }
            const rs_tensor *got = rs_grads_weight(g, i, w);
            rs_tensor zero = {0};
            if (!got) { /* nothing reached it: zeros */
                rs_tensor_alloc(&zero, n->weights[w].value.rank, n->weights[w].value.shape, NULL);
                got = &zero;
            }
            failed += compare(got, file, what);
            rs_tensor_free(&zero);
        }
    }
    return failed;
}

/* One objective on a loaded model against the references in dir: every float input's
 * gradient, then every weight's. */
static int check_in_dir(rs_run *run, const rs_model *m, const char *dir, const char *kind,
                        const rs_objective *obj)
{
    int failed = 0;
    for (int k = 0; k < m->n_inputs; k++) {
        char file[600], what[256];
        snprintf(file, sizeof file, "%s/input.%d.npy", dir, k);
        if (!exists(file))
            continue; /* integer token ids */
        rs_grad_request req = {m->inputs[k], -1, k == 0};
        rs_grads *g = NULL;
        rs_error err = {0};
        snprintf(what, sizeof what, "%s: d/d input %d", kind, k);
        if (rs_grad_compute(run, obj, &req, &g, &err) < 0) {
            printf("#   %s: %s\n", what, err.msg);
            failed++;
            continue;
        }
        failed += compare(rs_grads_output(g, 0), file, what);
        if (k == 0)
            failed += compare_weights(m, g, dir);
        rs_grads_free(g);
    }
    return failed;
}

static int check_objective(rs_run *run, const rs_model *m, const char *name, const char *kind,
                           const rs_objective *obj)
{
    char dir[512];
    snprintf(dir, sizeof dir, FIXTURES "/%s/grads/%s", name, kind);
    return check_in_dir(run, m, dir, kind, obj);
}

/* PyTorch autograd of recurrent models (tests/data/make_grad_torch.py): the objective unit0 of
 * the model's Keras 2.2 file. */
static void check_torch(const cJSON *model)
{
    const char *name = str(model, "name");
    char dir[512], case_name[256];
    snprintf(dir, sizeof dir, "tests/data/grad_torch/%s", name);
    if (!exists(dir))
        return;
    snprintf(case_name, sizeof case_name, "gradients of %s against PyTorch autograd", name);
    rs_error err = {0};
    rs_model *m = NULL;
    rs_tensor inputs[8] = {0};
    rs_run *run = NULL;
    rs_objective unit = {0};
    int failed = 0;
    if (rs_model_load(test_path(fixture(name, "keras/k22.h5")), NULL, &m, &err) < 0 ||
        load_inputs(model, inputs, 8) != m->n_inputs || !(run = rs_run_new(m, &err)) ||
        rs_run_set_inputs(run, inputs, m->n_inputs, &err) < 0) {
        printf("#   %s\n", err.msg);
        failed = 1;
    } else {
        failed = check_in_dir(run, m, dir, "torch", &unit);
    }
    run_test_result(case_name, failed == 0);
    rs_run_free(run);
    for (int i = 0; i < 8; i++)
        rs_tensor_free(&inputs[i]);
    rs_model_free(m);
}

static rs_model *load_format(const char *name, const cJSON *fmt, rs_error *err)
{
    rs_model *m = NULL;
    const char *arch = str(fmt, "architecture");
    int rc = arch[0] ? rs_model_load(test_path(fixture(name, arch)),
                                     test_path(fixture(name, str(fmt, "file"))), &m, err)
                     : rs_model_load(test_path(fixture(name, str(fmt, "file"))), NULL, &m, err);
    return rc < 0 ? NULL : m;
}

static void check_format(const cJSON *model, const char *fmt_name, const cJSON *fmt)
{
    const char *name = str(model, "name");
    char case_name[256];
    snprintf(case_name, sizeof case_name, "gradients of %s in %s", name, fmt_name);
    rs_error err = {0};
    rs_model *m = load_format(name, fmt, &err);
    rs_tensor inputs[8] = {0}, labels = {0};
    rs_run *run = NULL;
    int failed = 0;
    if (!m || load_inputs(model, inputs, 8) != m->n_inputs || !(run = rs_run_new(m, &err)) ||
        rs_run_set_inputs(run, inputs, m->n_inputs, &err) < 0) {
        printf("#   %s\n", err.msg);
        failed = 1;
    } else {
        rs_objective unit = {0}, second = {.output = 1};
        failed += check_objective(run, m, name, "unit0", &unit);
        if (exists(fixture(name, "grads/unit0_out1")))
            failed += check_objective(run, m, name, "unit0_out1", &second);
        if (exists(fixture(name, "grads/bce"))) {
            labels = load_npy(fixture(name, "grads/labels.npy"));
            rs_objective bce = {.labels = &labels, .loss = {RS_LOSS_BCE, false, 0}};
            failed += check_objective(run, m, name, "bce", &bce);
        }
    }
    run_test_result(case_name, failed == 0);
    rs_run_free(run);
    for (int i = 0; i < 8; i++)
        rs_tensor_free(&inputs[i]);
    rs_tensor_free(&labels);
    rs_model_free(m);
}

/* The compiled copies: the loss comes from the file. */
static void check_compiled(const cJSON *model)
{
    const char *name = str(model, "name");
    static const char *const files[] = {"k22.h5", "k3.keras"};
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        char rel[512], case_name[256];
        snprintf(rel, sizeof rel, "grads/compiled/%s", files[f]);
        if (!exists(fixture(name, rel)))
            continue;
        snprintf(case_name, sizeof case_name, "%s's compiled %s: binary cross-entropy read from "
                 "the file", name, files[f]);
        rs_error err = {0};
        rs_model *m = NULL;
        rs_tensor inputs[8] = {0}, labels = load_npy(fixture(name, "grads/labels.npy"));
        rs_run *run = NULL;
        rs_objective obj = {.labels = &labels};
        int failed = 0;
        if (rs_model_load(test_path(fixture(name, rel)), NULL, &m, &err) < 0 ||
            rs_model_loss(m, 0, &obj.loss, &err) != 0 || obj.loss.kind != RS_LOSS_BCE ||
            load_inputs(model, inputs, 8) != m->n_inputs || !(run = rs_run_new(m, &err)) ||
            rs_run_set_inputs(run, inputs, m->n_inputs, &err) < 0) {
            printf("#   %s (loss kind %d)\n", err.msg, obj.loss.kind);
            failed = 1;
        } else {
            failed = check_objective(run, m, name, "bce", &obj);
        }
        run_test_result(case_name, failed == 0);
        rs_run_free(run);
        for (int i = 0; i < 8; i++)
            rs_tensor_free(&inputs[i]);
        rs_tensor_free(&labels);
        rs_model_free(m);
    }
}

int main(void)
{
    cJSON *manifest = load_json(FIXTURES "/manifest.json");
    const char *only = getenv("RS_REF_MODEL");
    const cJSON *model;
    cJSON_ArrayForEach(model, cJSON_GetObjectItemCaseSensitive(manifest, "models"))
    {
        const char *name = str(model, "name");
        if (only && strcmp(only, name) != 0)
            continue;
        check_torch(model);
        if (!exists(fixture(name, "grads/unit0")))
            continue;
        const cJSON *fmt;
        cJSON_ArrayForEach(fmt, cJSON_GetObjectItemCaseSensitive(model, "formats"))
            check_format(model, fmt->string, fmt);
        check_compiled(model);
    }
    cJSON_Delete(manifest);
    return check_finish();
}

/* The forward pass against the reference outputs of tests/ref (TF.js and NumPy): every model of
 * the manifest, in every file format, every output of every layer whose forward pass exists.
 * One TAP case per model and format. Layers without a forward pass yet are listed as skipped.
 * RS_REF_MODEL=name runs one model only. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rnnscope/threads.h"
#include "rnnscope/rnn.h"
#include "rnnscope/layer.h"
#include "rnnscope/npy.h"
#include "rnnscope/run.h"

#define FIXTURES "tests/ref/fixtures"
#define REL_TOL 1e-5

static const cJSON *item(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = item(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static int num(const cJSON *o, const char *key)
{
    const cJSON *v = item(o, key);
    return cJSON_IsNumber(v) ? v->valueint : 0;
}

static const char *fixture(const char *model, const char *file)
{
    static char buf[4][1024];
    static int slot;
    slot = (slot + 1) % 4;
    snprintf(buf[slot], sizeof buf[slot], FIXTURES "/%s/%s", model, file);
    return buf[slot];
}

/* Our node for a manifest output: "name" for call 0, "name#k" for call k. Inside a nested model
 * (and for its own outputs) Keras 2 numbers calls from 1: its call 1 is our call 0. */
static int find_node(const rs_model *m, const cJSON *layer, int node_index)
{
    int call = node_index;
    if (item(layer, "nested_in") && call > 0)
        call--;
    char name[512];
    if (call > 0)
        snprintf(name, sizeof name, "%s#%d", str(layer, "name"), call);
    else
        snprintf(name, sizeof name, "%s", str(layer, "name"));
    for (int i = 0; i < m->n_nodes; i++)
        if (strcmp(m->nodes[i].name, name) == 0)
            return i;
    return -1;
}

typedef struct tally {
    int compared, failed, skipped;
    char skipped_list[512];
} tally;

static void note_skip(tally *t, const char *what)
{
    t->skipped++;
    if (!strstr(t->skipped_list, what) && strlen(t->skipped_list) + strlen(what) + 3 < sizeof t->skipped_list) {
        if (t->skipped_list[0])
            strcat(t->skipped_list, ", ");
        strcat(t->skipped_list, what);
    }
}

static void compare_output(rs_run *run, const rs_model *m, const char *model, const cJSON *layer,
                           const cJSON *out, tally *t)
{
    int idx = find_node(m, layer, num(out, "node"));
    if (idx < 0) {
        if (!cJSON_IsArray(item(layer, "weights")) || !item(layer, "nested_in"))
            note_skip(t, str(layer, "name")); /* e.g. a nested model's own output */
        return;
    }
    const rs_node *n = &m->nodes[idx];
    if (!n->kind || !n->kind->forward) {
        note_skip(t, n->class_name);
        return;
    }
    rs_error err = {0};
    const rs_tensor *got;
    rs_tensor want = load_npy(fixture(model, str(out, "file")));
    if (rs_run_output(run, idx, num(out, "tensor"), &got, &err) < 0) {
        if (strstr(err.msg, "its forward pass is not implemented yet")) {
            note_skip(t, "what needs a layer without a forward pass"); /* upstream of it */
        } else {
            printf("#   %s[%d]: %s\n", n->name, num(out, "tensor"), err.msg);
            t->failed++;
        }
    } else if (!rs_shape_equal(got, &want)) {
        char a[128], b[128];
        printf("#   %s[%d]: shape %s, reference %s\n", n->name, num(out, "tensor"),
               rs_shape_format(got->rank, got->shape, a, sizeof a),
               rs_shape_format(want.rank, want.shape, b, sizeof b));
        t->failed++;
    } else {
        double scale = 1, worst = 0;
        for (size_t i = 0; i < want.size; i++)
            scale = fmax(scale, fabs(want.data[i]));
        for (size_t i = 0; i < want.size; i++) {
            double d = fabs((double)got->data[i] - want.data[i]);
            if (isnan(d) && !(isnan(got->data[i]) && isnan(want.data[i])))
                d = INFINITY;
            worst = fmax(worst, d);
        }
        t->compared++;
        if (!(worst <= REL_TOL * scale)) {
            printf("#   %s[%d] (%s): max |diff| %.3g > %.3g\n", n->name, num(out, "tensor"),
                   n->class_name, worst, REL_TOL * scale);
            t->failed++;
        }
    }
    rs_tensor_free(&want);
}

static int load_inputs(const rs_model *m, const cJSON *model, rs_tensor *in, int max)
{
    const cJSON *inputs = item(model, "inputs"), *e;
    int n = 0;
    cJSON_ArrayForEach(e, inputs)
    {
        if (n == max)
            return -1;
        in[n++] = load_npy(fixture(str(model, "name"), str(e, "file")));
    }
    return n == m->n_inputs ? n : -1;
}

/* A copy of every weight, to check that the forward pass leaves them as loaded (the recurrent
 * kernels are rearranged in place while a batch runs). */
typedef struct weights_copy {
    float **data;
    int n;
} weights_copy;

static weights_copy copy_weights(const rs_model *m)
{
    weights_copy c = {0};
    for (int i = 0; i < m->n_nodes; i++)
        c.n += m->nodes[i].n_weights;
    c.data = calloc((size_t)c.n + 1, sizeof *c.data);
    int k = 0;
    for (int i = 0; i < m->n_nodes; i++)
        for (int j = 0; j < m->nodes[i].n_weights; j++, k++) {
            const rs_tensor *w = &m->nodes[i].weights[j].value;
            c.data[k] = malloc(w->size * sizeof(float) + 1);
            memcpy(c.data[k], w->data, w->size * sizeof(float));
        }
    return c;
}

/* The weights that differ from the copy, counted and named; frees the copy. */
static int weights_changed(const rs_model *m, weights_copy *c)
{
    int changed = 0, k = 0;
    for (int i = 0; i < m->n_nodes; i++)
        for (int j = 0; j < m->nodes[i].n_weights; j++, k++) {
            const rs_tensor *w = &m->nodes[i].weights[j].value;
            if (memcmp(c->data[k], w->data, w->size * sizeof(float)) != 0) {
                printf("#   %s changed in the forward pass\n", m->nodes[i].weights[j].name);
                changed++;
            }
            free(c->data[k]);
        }
    free(c->data);
    return changed;
}

static const char *pass_name = ""; /* the second pass says so in its case names */

static void check_format(const cJSON *model, const char *fmt_name, const cJSON *fmt)
{
    const char *name = str(model, "name");
    char case_name[256];
    snprintf(case_name, sizeof case_name, "%s in %s%s", name, fmt_name, pass_name);
    rs_error err = {0};
    rs_model *m = NULL;
    const char *arch = str(fmt, "architecture");
    int rc = arch[0] ? rs_model_load(test_path(fixture(name, arch)),
                                     test_path(fixture(name, str(fmt, "file"))), &m, &err)
                     : rs_model_load(test_path(fixture(name, str(fmt, "file"))), NULL, &m, &err);
    tally t = {0};
    rs_tensor inputs[8] = {0};
    rs_run *run = NULL;
    int n_in = 0;
    printf("# %s\n", case_name);
    if (rc < 0) {
        printf("#   load: %s\n", err.msg);
        t.failed++;
        goto done;
    }
    n_in = load_inputs(m, model, inputs, 8);
    if (n_in < 0 || !(run = rs_run_new(m, &err)) || rs_run_set_inputs(run, inputs, n_in, &err) < 0) {
        printf("#   inputs: %s\n", n_in < 0 ? "do not match the model's inputs" : err.msg);
        t.failed++;
        goto done;
    }
    const cJSON *layer, *out;
    weights_copy loaded = copy_weights(m);
    cJSON_ArrayForEach(layer, item(model, "layers"))
        cJSON_ArrayForEach(out, item(layer, "outputs"))
            compare_output(run, m, name, layer, out, &t);
    t.failed += weights_changed(m, &loaded);
done:
    rs_run_free(run);
    for (int i = 0; i < 8; i++)
        rs_tensor_free(&inputs[i]);
    rs_model_free(m);
    if (t.failed == 0 && t.compared == 0) {
        char reason[600];
        snprintf(reason, sizeof reason, "no forward pass yet for %s", t.skipped_list);
        skip_test(case_name, reason);
        return;
    }
    printf("#   %d outputs compared, %d failed, %d skipped%s%s\n", t.compared, t.failed, t.skipped,
           t.skipped ? ": " : "", t.skipped_list);
    run_test_result(case_name, t.failed == 0);
}

/* Every format of every model (or of RS_REF_MODEL alone). */
static void check_models(const cJSON *manifest, bool first_format_only)
{
    const char *only = getenv("RS_REF_MODEL");
    const cJSON *model, *fmt;
    cJSON_ArrayForEach(model, item(manifest, "models"))
    {
        if (only && *only && strcmp(only, str(model, "name")) != 0)
            continue;
        cJSON_ArrayForEach(fmt, item(model, "formats"))
        {
            check_format(model, fmt->string, fmt);
            if (first_format_only)
                break;
        }
    }
}

int main(void)
{
    cJSON *manifest = load_json(FIXTURES "/manifest.json");
    if (!manifest)
        return 1;
    check_models(manifest, false);
    /* Again with every recurrence threaded however small: batch and unit slices on 2 threads,
     * Bidirectional's directions at once. */
    rs_set_threads(2);
    rs_rnn_set_always_thread(true);
    pass_name = ", 2 threads always";
    check_models(manifest, true);
    rs_rnn_set_always_thread(false);
    rs_set_threads(0);
    cJSON_Delete(manifest);
    return check_finish();
}

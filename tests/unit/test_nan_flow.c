/* NaN and Inf in the inputs flow through every layer kind of the reference models without a
 * crash or a sanitizer report: each output is computed (NaN propagating as IEEE arithmetic has
 * it), or refused with a message (an Embedding cannot look up a NaN token id). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rnnscope/run.h"

#define FIXTURES "tests/ref/fixtures"

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* Poison a float input: a NaN at one step, +Inf and -Inf at others. Token ids stay. */
static void poison(rs_tensor *t, const cJSON *input)
{
    if (strcmp(str(input, "dtype"), "float32") != 0 || t->size < 3)
        return;
    t->data[t->size / 3] = NAN;
    t->data[t->size / 2] = INFINITY;
    t->data[t->size - 1] = -INFINITY;
}

static void check_model(const cJSON *model)
{
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(model, "formats"), "tfjs");
    if (!fmt)
        fmt = cJSON_GetObjectItemCaseSensitive(model, "formats")->child;
    char path[1024], name[256];
    snprintf(name, sizeof name, "%s with NaN and Inf inputs", str(model, "name"));
    rs_error err = {0};
    rs_model *m = NULL;
    const char *arch = str(fmt, "architecture");
    char weights[1024];
    snprintf(path, sizeof path, "%s/%s/%s", FIXTURES, str(model, "name"), arch[0] ? arch : str(fmt, "file"));
    snprintf(weights, sizeof weights, "%s/%s/%s", FIXTURES, str(model, "name"), str(fmt, "file"));
    bool ok = rs_model_load(test_path(path), arch[0] ? test_path(weights) : NULL, &m, &err) == 0;
    rs_tensor in[8] = {0};
    int n = 0, computed = 0, refused = 0;
    const cJSON *input;
    cJSON_ArrayForEach(input, cJSON_GetObjectItemCaseSensitive(model, "inputs"))
    {
        if (n == 8)
            break;
        snprintf(path, sizeof path, "%s/%s/%s", FIXTURES, str(model, "name"), str(input, "file"));
        in[n] = load_npy(path);
        poison(&in[n], input);
        n++;
    }
    rs_run *run = ok ? rs_run_new(m, &err) : NULL;
    if (run && rs_run_set_inputs(run, in, n, &err) == 0) {
        for (int i = 0; i < m->n_nodes; i++) {
            const rs_node *node = &m->nodes[i];
            for (int k = 0; k < node->n_outputs + node->n_internal; k++) {
                const rs_tensor *t;
                if (rs_run_output(run, i, k, &t, &err) == 0)
                    computed++;
                else if (err.msg[0])
                    refused++;
                else
                    ok = false; /* an error without a message */
            }
        }
    } else {
        ok = false;
    }
    printf("# %s: %d outputs computed, %d refused with a message%s%s\n", str(model, "name"),
           computed, refused, ok ? "" : ": ", ok ? "" : err.msg);
    run_test_result(name, ok && computed > 0);
    rs_run_free(run);
    for (int i = 0; i < n; i++)
        rs_tensor_free(&in[i]);
    rs_model_free(m);
}

int main(void)
{
    cJSON *manifest = load_json(FIXTURES "/manifest.json");
    if (!manifest)
        return 1;
    const cJSON *model;
    cJSON_ArrayForEach(model, cJSON_GetObjectItemCaseSensitive(manifest, "models"))
        check_model(model);
    cJSON_Delete(manifest);
    return check_finish();
}

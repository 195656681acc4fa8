/* Attention layers in the cases the tests/ref models leave out (masks on Keras' attention
 * layers, causal masks, history_only's 1e9 width, multi-head masks) against NumPy
 * (tests/unit/attention_cases.py → tests/unit/data/attention_cases.json), and their errors.
 * Each case is one layer built from its config and weights, set up and run alone. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rnnscope/fileio.h"
#include "rnnscope/layer.h"

#define TOL 1e-5

/* The numbers of a nested JSON array in order into t->data; counts them in *k. */
static void json_leaves(const cJSON *a, rs_tensor *t, size_t *k)
{
    if (cJSON_IsNumber(a)) {
        if (*k < t->size)
            t->data[*k] = (float)a->valuedouble;
        ++*k;
        return;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, a)
        json_leaves(e, t, k);
}

/* A nested JSON array of numbers → tensor (shape from the nesting). */
static int json_tensor(const cJSON *a, rs_tensor *t, rs_error *err)
{
    size_t shape[RS_MAX_RANK];
    int rank = 0;
    for (const cJSON *p = a; cJSON_IsArray(p); p = cJSON_GetArrayItem(p, 0)) {
        if (rank == RS_MAX_RANK)
            return rs_fail(err, NULL, "array too deep");
        shape[rank++] = (size_t)cJSON_GetArraySize(p);
    }
    if (rs_tensor_alloc(t, rank, shape, err) < 0)
        return -1;
    size_t k = 0;
    json_leaves(a, t, &k);
    if (k != t->size)
        return rs_fail(err, NULL, "ragged array: %zu of %zu values", k, t->size);
    return 0;
}

typedef struct layer_case {
    rs_node node;
    rs_weight weights[8];
    rs_tensor ins[3], masks[3], outs[4], out_masks[4];
    const rs_tensor *in_ptrs[3], *mask_ptrs[3];
    rs_shape shapes[3];
    rs_layer_ctx ctx;     /* what setup reads of the model: the Keras version, the call's kwargs */
    cJSON *model_config;
} layer_case;

static void case_free(layer_case *c)
{
    if (c->node.kind && c->node.params)
        c->node.kind->free_params(c->node.params);
    for (int i = 0; i < c->node.n_outputs + c->node.n_internal && c->node.out_names; i++)
        free(c->node.out_names[i]);
    free(c->node.out_names);
    free(c->node.out_shapes);
    free(c->node.unsupported);
    cJSON_Delete(c->model_config);
    for (int i = 0; i < 8; i++)
        rs_tensor_free(&c->weights[i].value);
    for (int i = 0; i < 3; i++) {
        rs_tensor_free(&c->ins[i]);
        rs_tensor_free(&c->masks[i]);
    }
    for (int i = 0; i < 4; i++) {
        rs_tensor_free(&c->outs[i]);
        rs_tensor_free(&c->out_masks[i]);
    }
}

/* Build the layer of a case (config, weights, inputs with masks) and run its setup. */
static int case_setup(const cJSON *js, layer_case *c, rs_error *err)
{
    memset(c, 0, sizeof *c);
    rs_node *n = &c->node;
    n->name = "case";
    n->class_name = cJSON_GetObjectItem(js, "class_name")->valuestring;
    n->keras_config = cJSON_GetObjectItem(js, "config");
    const cJSON *inbound = cJSON_GetObjectItem(js, "inbound_nodes");
    if (inbound) { /* a functional model config of this one layer, for its call kwargs */
        cJSON *layer = cJSON_CreateObject();
        cJSON *layers = cJSON_CreateArray();
        c->model_config = cJSON_CreateObject();
        cJSON_AddItemToObject(layer, "config", cJSON_Duplicate(n->keras_config, true));
        cJSON_AddItemToObject(layer, "inbound_nodes", cJSON_Duplicate(inbound, true));
        cJSON_AddItemToArray(layers, layer);
        cJSON_AddItemToObject(c->model_config, "layers", layers);
        n->keras_config = cJSON_GetObjectItem(layer, "config");
    }
    const cJSON *km = cJSON_GetObjectItem(js, "keras_major");
    const cJSON *kv = cJSON_GetObjectItem(js, "keras_version");
    c->ctx = (rs_layer_ctx){.keras_major = cJSON_IsNumber(km) ? km->valueint : 2,
                            .keras_version = cJSON_IsString(kv) ? kv->valuestring : "2.3.1",
                            .model_config = c->model_config};
    const cJSON *w, *in, *mask;
    cJSON_ArrayForEach(w, cJSON_GetObjectItem(js, "weights"))
        if (n->n_weights >= 8 || json_tensor(w, &c->weights[n->n_weights++].value, err) < 0)
            return -1;
    n->weights = c->weights;
    int i = 0;
    cJSON_ArrayForEach(in, cJSON_GetObjectItem(js, "inputs")) {
        if (i >= 3 || json_tensor(in, &c->ins[i], err) < 0)
            return -1;
        c->in_ptrs[i] = &c->ins[i];
        c->shapes[i] = (rs_shape){2, {(long)c->ins[i].shape[1], (long)c->ins[i].shape[2]}};
        i++;
    }
    n->n_inputs = i;
    i = 0;
    cJSON_ArrayForEach(mask, cJSON_GetObjectItem(js, "masks")) {
        if (!cJSON_IsNull(mask) && json_tensor(mask, &c->masks[i], err) < 0)
            return -1;
        c->mask_ptrs[i] = c->masks[i].data ? &c->masks[i] : NULL;
        i++;
    }
    n->kind = rs_layer_kind_find(n->class_name);
    if (!n->kind)
        return rs_fail(err, NULL, "no layer %s", n->class_name);
    return n->kind->setup(n, c->shapes, &c->ctx, err);
}

static int case_run(layer_case *c, rs_error *err)
{
    rs_layer_io io = {.n_inputs = c->node.n_inputs, .inputs = c->in_ptrs,
                      .in_masks = c->mask_ptrs, .outputs = c->outs, .out_masks = c->out_masks,
                      .keras_major = c->ctx.keras_major};
    return c->node.kind->forward(&c->node, &io, err);
}

static cJSON *cases;
static const cJSON *cur;

static void test_case(void)
{
    layer_case c;
    rs_error err = {0};
    if (case_setup(cur, &c, &err) < 0 || case_run(&c, &err) < 0) {
        CHECK_STR(err.msg, "");
        case_free(&c);
        return;
    }
    CHECK(c.node.unsupported == NULL);
    int k = 0;
    const cJSON *o;
    cJSON_ArrayForEach(o, cJSON_GetObjectItem(cur, "outputs")) {
        rs_tensor want;
        CHECK(k < c.node.n_outputs);
        if (k < c.node.n_outputs && json_tensor(o, &want, &err) == 0) {
            CHECK(rs_shape_equal(&c.outs[k], &want));
            if (rs_shape_equal(&c.outs[k], &want))
                CHECK_CLOSE(c.outs[k].data, want.data, want.size, TOL);
            rs_tensor_free(&want);
        }
        k++;
    }
    CHECK(k == c.node.n_outputs);
    k = 0;
    cJSON_ArrayForEach(o, cJSON_GetObjectItem(cur, "out_masks")) {
        rs_tensor want = {0};
        if (!cJSON_IsNull(o) && json_tensor(o, &want, &err) < 0)
            CHECK_STR(err.msg, "");
        CHECK((c.out_masks[k].data != NULL) == (want.data != NULL));
        if (want.data && c.out_masks[k].data && rs_shape_equal(&c.out_masks[k], &want))
            CHECK_CLOSE(c.out_masks[k].data, want.data, want.size, 0);
        rs_tensor_free(&want);
        k++;
    }
    case_free(&c);
}

/* The first case of a class, with one change applied to its JSON, set up and run: the error. */
static const char *run_changed(const char *cls, void (*change)(cJSON *), rs_error *err)
{
    const cJSON *js;
    cJSON_ArrayForEach(js, cJSON_GetObjectItem(cases, "cases"))
        if (!strcmp(cJSON_GetObjectItem(js, "class_name")->valuestring, cls))
            break;
    if (!js)
        return "no case";
    cJSON *copy = cJSON_Duplicate(js, true);
    change(copy);
    layer_case c;
    err->msg[0] = '\0';
    int rc = case_setup(copy, &c, err);
    if (rc == 0 && c.node.unsupported)
        rs_fail(err, NULL, "unsupported: %s", c.node.unsupported);
    else if (rc == 0 && case_run(&c, err) == 0)
        rs_fail(err, NULL, "ran");
    case_free(&c);
    cJSON_Delete(copy);
    return err->msg;
}

static void drop_last_weight(cJSON *js)
{
    cJSON *w = cJSON_GetObjectItem(js, "weights");
    cJSON_DeleteItemFromArray(w, cJSON_GetArraySize(w) - 1);
}

static void key_of_other_width(cJSON *js)
{
    /* the key (input 1) loses its last feature: query and key no longer fit */
    cJSON *key = cJSON_GetArrayItem(cJSON_GetObjectItem(js, "inputs"), 1);
    cJSON *sample;
    cJSON_ArrayForEach(sample, key) {
        cJSON *step;
        cJSON_ArrayForEach(step, sample)
            cJSON_DeleteItemFromArray(step, cJSON_GetArraySize(step) - 1);
    }
}

static void unknown_type(cJSON *js)
{
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(js, "config"), "attention_type",
                              cJSON_CreateString("cosine"));
}

static void odd_heads(cJSON *js)
{
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(js, "config"), "head_num", cJSON_CreateNumber(3));
}

static void attention_axes(cJSON *js)
{
    cJSON *axes = cJSON_CreateArray();
    cJSON_AddItemToArray(axes, cJSON_CreateNumber(2));
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(js, "config"), "attention_axes", axes);
}

static void output_shape_2d(cJSON *js)
{
    cJSON *shape = cJSON_CreateArray();
    cJSON_AddItemToArray(shape, cJSON_CreateNumber(2));
    cJSON_AddItemToArray(shape, cJSON_CreateNumber(2));
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(js, "config"), "output_shape", shape);
}

/* The first Keras MultiHeadAttention case with a change: its setup marks it unsupported. */
static void check_keras_mha_unsupported(void (*change)(cJSON *), const char *why)
{
    const cJSON *js;
    cJSON_ArrayForEach(js, cJSON_GetObjectItem(cases, "cases")) {
        if (!cJSON_GetObjectItem(cJSON_GetObjectItem(js, "config"), "num_heads"))
            continue;
        cJSON *copy = cJSON_Duplicate(js, true);
        change(copy);
        layer_case c;
        rs_error e = {0};
        CHECK(case_setup(copy, &c, &e) == 0);
        CHECK(c.node.unsupported && strstr(c.node.unsupported, why));
        case_free(&c);
        cJSON_Delete(copy);
        return;
    }
    CHECK(!"no Keras MultiHeadAttention case");
}

static void test_errors(void)
{
    rs_error err;
    CHECK_CONTAINS(run_changed("SeqSelfAttention", drop_last_weight, &err), "weights");
    CHECK_CONTAINS(run_changed("SeqSelfAttention", unknown_type, &err), "cosine");
    CHECK_CONTAINS(run_changed("ScaledDotProductAttention", key_of_other_width, &err),
                   "query has 3 features but key has 2");
    CHECK_CONTAINS(run_changed("MultiHeadAttention", odd_heads, &err), "head_num");
    check_keras_mha_unsupported(attention_axes, "attention_axes");
    check_keras_mha_unsupported(output_shape_2d, "output_shape");
}

/* Cancelling through the progress callback stops the layer with "cancelled". */
static bool cancel_at_once(void *user, double fraction)
{
    (void)fraction;
    ++*(int *)user;
    return false;
}

static void test_cancel(void)
{
    const cJSON *js = cJSON_GetArrayItem(cJSON_GetObjectItem(cases, "cases"), 0);
    layer_case c;
    rs_error err = {0};
    int calls = 0;
    rs_progress p = {cancel_at_once, &calls};
    CHECK(case_setup(js, &c, &err) == 0);
    rs_layer_io io = {.n_inputs = c.node.n_inputs, .inputs = c.in_ptrs, .in_masks = c.mask_ptrs,
                      .outputs = c.outs, .out_masks = c.out_masks, .progress = &p};
    CHECK(c.node.kind->forward(&c.node, &io, &err) < 0);
    CHECK_CONTAINS(err.msg, "cancelled");
    CHECK(calls == 1);
    case_free(&c);
}

int main(void)
{
    unsigned char *text = NULL;
    size_t len = 0;
    rs_error err = {0};
    if (rs_read_file(test_path("tests/unit/data/attention_cases.json"), 1 << 24, &text, &len,
                     &err) < 0 ||
        !(cases = cJSON_ParseWithLength((const char *)text, len))) {
        printf("Bail out! cannot read the attention cases: %s\n", err.msg);
        free(text);
        return 1;
    }
    free(text);
    cJSON_ArrayForEach(cur, cJSON_GetObjectItem(cases, "cases"))
        run_test(cJSON_GetObjectItem(cur, "name")->valuestring, test_case);
    run_test("bad weights, options and inputs give errors", test_errors);
    run_test("progress cancels", test_cancel);
    cJSON_Delete(cases);
    return check_finish();
}

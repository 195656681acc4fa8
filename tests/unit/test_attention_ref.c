/* The attention layers' forward passes, each layer alone, against the reference models of
 * tests/ref (TF.js and NumPy): every attention-family layer of every model in every file
 * format gets its inputs from the reference outputs of the layers before it, so that these
 * tests depend on no other family's forward pass. Masks come from a Masking layer on the model
 * input (the masking model), as Keras carries them through the LSTM in between. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rnnscope/attention.h"
#include "rnnscope/fileio.h"
#include "rnnscope/layer.h"
#include "rnnscope/model.h"
#include "rnnscope/npy.h"

#define TOL 1e-5

static const char *FAMILY[] = {"SeqSelfAttention", "SeqWeightedAttention",
                               "ScaledDotProductAttention", "Attention", "AdditiveAttention",
                               "MultiHeadAttention"};

static bool in_family(const char *cls)
{
    for (size_t i = 0; i < sizeof FAMILY / sizeof *FAMILY; i++)
        if (!strcmp(cls, FAMILY[i]))
            return true;
    return false;
}

static const char *fixture_dir(void)
{
    static char dir[4096];
    const char *src = getenv("srcdir");
    snprintf(dir, sizeof dir, "%s/tests/ref/fixtures", src && *src ? src : RNNSCOPE_SRCDIR);
    return dir;
}

/* path = fixtures/a/b; false (a failed check) when it does not fit. */
static bool fixture_path(char *path, size_t size, const char *a, const char *b)
{
    int n = snprintf(path, size, "%s/%s%s%s", fixture_dir(), a, b ? "/" : "", b ? b : "");
    CHECK(n > 0 && (size_t)n < size);
    return n > 0 && (size_t)n < size;
}

/* Reference outputs that are not Keras' numbers. keras-self-attention saves history_only
 * without a width as attention_width 1e9 and computes the window in int32 (K.arange minus a
 * Python int): causal. The TF.js reference computes it in float32 (tfjs upcasts int32 minus a
 * number), where t - (1e9 - 1) + 1e9 rounds to 0: its window is empty, i.e. no window at all.
 * For these the test checks causality instead: step 0 sees only itself. */
static const char *const NOT_KERAS[][2] = {{"attention", "ssa_history"},
                                           {"attention", "ssa_mul_history"}};

static bool reference_is_wrong(const char *model, const char *layer)
{
    for (size_t i = 0; i < sizeof NOT_KERAS / sizeof *NOT_KERAS; i++)
        if (!strcmp(NOT_KERAS[i][0], model) && !strcmp(NOT_KERAS[i][1], layer))
            return true;
    return false;
}

/* Causal self-attention: the output at step 0 is the input at step 0. */
static void check_causal_start(const rs_tensor *out, const rs_tensor *x)
{
    size_t T = x->shape[1], D = x->shape[2];
    for (size_t b = 0; b < x->shape[0]; b++)
        CHECK_CLOSE(out->data + b * T * D, x->data + b * T * D, D, TOL);
}

static cJSON *manifest;
static const cJSON *cur_model;  /* the manifest entry being tested */
static const char *cur_format;  /* its format id */
static int layers_checked;

static bool read_npy(const char *model, const char *file, rs_tensor *t)
{
    char path[4096];
    rs_error err = {0};
    memset(t, 0, sizeof *t);
    if (!fixture_path(path, sizeof path, model, file))
        return false;
    if (rs_npy_read(path, t, &err) < 0) {
        CHECK_STR(err.msg, "");
        return false;
    }
    return true;
}

static const cJSON *manifest_layer(const char *name)
{
    const cJSON *l;
    cJSON_ArrayForEach(l, cJSON_GetObjectItem(cur_model, "layers"))
        if (!strcmp(cJSON_GetObjectItem(l, "name")->valuestring, name))
            return l;
    return NULL;
}

/* The reference file of output `tensor` of a layer (its first call), or NULL. */
static const char *reference_file(const char *layer, int tensor)
{
    const cJSON *l = manifest_layer(layer), *o;
    if (!l)
        return NULL;
    cJSON_ArrayForEach(o, cJSON_GetObjectItem(l, "outputs"))
        if (cJSON_GetObjectItem(o, "tensor")->valueint == tensor)
            return cJSON_GetObjectItem(o, "file")->valuestring;
    return NULL;
}

/* The file holding what output `out` of node `src` is: a model input or a layer output. */
static const char *source_file(const rs_node *src, int out)
{
    const cJSON *in;
    cJSON_ArrayForEach(in, cJSON_GetObjectItem(cur_model, "inputs"))
        if (!strcmp(cJSON_GetObjectItem(in, "layer")->valuestring, src->name))
            return cJSON_GetObjectItem(in, "file")->valuestring;
    return reference_file(src->name, out);
}

/* (batch, steps) mask of a Masking layer applied to the first model input, or empty. */
static void masking_mask(const rs_model *m, const char *model, rs_tensor *mask)
{
    memset(mask, 0, sizeof *mask);
    const rs_node *masking = NULL;
    for (int i = 0; i < m->n_nodes; i++)
        if (!strcmp(m->nodes[i].class_name, "Masking"))
            masking = &m->nodes[i];
    if (!masking)
        return;
    const cJSON *mv = cJSON_GetObjectItem(masking->keras_config, "mask_value");
    float value = cJSON_IsNumber(mv) ? (float)mv->valuedouble : 0.0f;
    rs_tensor x;
    const cJSON *in = cJSON_GetArrayItem(cJSON_GetObjectItem(cur_model, "inputs"), 0);
    if (!read_npy(model, cJSON_GetObjectItem(in, "file")->valuestring, &x))
        return;
    rs_error err = {0};
    size_t B = x.shape[0], T = x.shape[1], D = x.shape[2];
    if (rs_tensor_alloc_dims(mask, &err, 2, B, T) == 0)
        for (size_t i = 0; i < B * T; i++)
            for (size_t d = 0; d < D; d++)
                if (x.data[i * D + d] != value)
                    mask->data[i] = 1.0f;
    rs_tensor_free(&x);
}

/* The ScaledDotProductAttention-like weights: every row sums to 1. */
static void check_rows_sum_to_one(const rs_tensor *a)
{
    size_t row = a->shape[a->rank - 1];
    double worst = 0;
    for (size_t r = 0; r < a->size / row; r++) {
        double sum = 0;
        for (size_t j = 0; j < row; j++)
            sum += a->data[r * row + j];
        worst = fmax(worst, fabs(sum - 1.0));
    }
    CHECK(worst < 1e-5);
}

static void check_node(const rs_model *m, const rs_node *n, const char *model,
                       const rs_tensor *mask)
{
    const cJSON *ref = manifest_layer(n->name);
    CHECK(ref != NULL);
    if (!ref)
        return;
    int k = n->n_inputs;
    rs_tensor ins[3] = {{0}}, outs[8] = {{0}}, out_masks[8] = {{0}};
    const rs_tensor *in_ptrs[3], *mask_ptrs[3];
    bool ok = k <= 3 && n->n_outputs + n->n_internal <= 8;
    CHECK(ok);
    for (int i = 0; ok && i < k; i++) {
        const char *file = source_file(&m->nodes[n->inputs[i].node], n->inputs[i].output);
        ok = file && read_npy(model, file, &ins[i]);
        in_ptrs[i] = &ins[i];
        mask_ptrs[i] = mask->data && ins[i].rank == 3 && ins[i].shape[1] == mask->shape[1] ? mask
                                                                                          : NULL;
    }
    rs_error err = {0};
    rs_layer_io io = {.n_inputs = k, .inputs = in_ptrs, .in_masks = mask_ptrs, .outputs = outs,
                      .out_masks = out_masks, .keras_major = m->keras_major};
    if (ok && n->kind->forward(n, &io, &err) < 0) {
        fprintf(stderr, "# %s/%s: %s\n", model, n->name, err.msg);
        ok = false;
    }
    CHECK(ok);
    if (ok && reference_is_wrong(model, n->name)) {
        check_causal_start(&outs[0], &ins[0]);
        ok = false;
    }
    for (int o = 0; ok && o < n->n_outputs; o++) {
        const char *file = reference_file(n->name, o);
        rs_tensor want;
        if (!file || !read_npy(model, file, &want)) {
            CHECK(file != NULL);
            continue;
        }
        CHECK(rs_shape_equal(&outs[o], &want));
        if (rs_shape_equal(&outs[o], &want)) {
            printf("# %s %s %s output %d\n", model, cur_format, n->name, o);
            CHECK_CLOSE(outs[o].data, want.data, want.size, TOL);
        }
        if (o == 1)
            check_rows_sum_to_one(&outs[o]);
        rs_tensor_free(&want);
    }
    /* Keras passes the input mask on output 0 of every layer here but SeqWeightedAttention
     * (which returns no sequence), and no mask on the attention weights. */
    if (ok && mask_ptrs[0]) {
        bool keeps = strcmp(n->class_name, "SeqWeightedAttention") != 0;
        CHECK((out_masks[0].data != NULL) == keeps);
        if (keeps && out_masks[0].data)
            CHECK_CLOSE(out_masks[0].data, mask->data, mask->size, 0);
        if (n->n_outputs > 1)
            CHECK(out_masks[1].data == NULL);
    }
    layers_checked++;
    for (int i = 0; i < 3; i++)
        rs_tensor_free(&ins[i]);
    for (int i = 0; i < 8; i++) {
        rs_tensor_free(&outs[i]);
        rs_tensor_free(&out_masks[i]);
    }
}

static void test_model_format(void)
{
    const char *model = cJSON_GetObjectItem(cur_model, "name")->valuestring;
    const cJSON *fmt = cJSON_GetObjectItem(cJSON_GetObjectItem(cur_model, "formats"), cur_format);
    const cJSON *arch = cJSON_GetObjectItem(fmt, "architecture");
    char file[4096], weights[4096];
    if (!fixture_path(file, sizeof file, model, cJSON_GetObjectItem(fmt, "file")->valuestring))
        return;
    if (arch) { /* weights-only HDF5: the architecture JSON names the model */
        memcpy(weights, file, sizeof weights);
        if (!fixture_path(file, sizeof file, model, arch->valuestring))
            return;
    }
    rs_model *m = NULL;
    rs_error err = {0};
    if (rs_model_load(file, arch ? weights : NULL, &m, &err) < 0) {
        CHECK_STR(err.msg, "");
        return;
    }
    rs_tensor mask;
    masking_mask(m, model, &mask);
    for (int i = 0; i < m->n_nodes; i++)
        if (in_family(m->nodes[i].class_name)) {
            CHECK(m->nodes[i].unsupported == NULL);
            if (!m->nodes[i].unsupported)
                check_node(m, &m->nodes[i], model, &mask);
        }
    rs_tensor_free(&mask);
    rs_model_free(m);
}

static bool uses_family(const cJSON *model)
{
    const cJSON *l;
    cJSON_ArrayForEach(l, cJSON_GetObjectItem(model, "layers"))
        if (in_family(cJSON_GetObjectItem(l, "class_name")->valuestring))
            return true;
    return false;
}

static void test_layers_were_checked(void)
{
    /* attention (x4 formats) alone has 29 attention layers */
    CHECK(layers_checked >= 4 * 29);
}

/* ../shared/fixtures-wild/NAME (RNNSCOPE_SHARED overrides ../shared), or NULL when absent. */
static const char *wild_file(const char *name)
{
    static char path[4096];
    const char *shared = getenv("RNNSCOPE_SHARED"), *src = getenv("srcdir");
    int n = shared && *shared
                ? snprintf(path, sizeof path, "%s/fixtures-wild/%s", shared, name)
                : snprintf(path, sizeof path, "%s/../shared/fixtures-wild/%s",
                           src && *src ? src : RNNSCOPE_SRCDIR, name);
    FILE *f = n > 0 && (size_t)n < sizeof path ? fopen(path, "rb") : NULL;
    if (!f)
        return NULL;
    fclose(f);
    return path;
}

#define WILD_SSA "k2.3.1_func_conv1d_bilstm_seqselfattention.h5"

/* A real Keras 2.3.1 file: SeqSelfAttention(attention_activation='softmax') without recorded
 * activations. On random input the layer runs, its weights (the kernel on the same weights)
 * have rows summing to 1, and its output is those weights times the input. */
static void test_wild_self_attention(void)
{
    rs_model *m = NULL;
    rs_error err = {0};
    if (rs_model_load(wild_file(WILD_SSA), NULL, &m, &err) < 0) {
        CHECK_STR(err.msg, "");
        return;
    }
    int idx = rs_model_find_node(m, "seq_self_attention", &err);
    CHECK(idx >= 0);
    const rs_node *n = idx >= 0 ? &m->nodes[idx] : NULL;
    CHECK(n && n->kind && n->n_weights == 5 && !n->unsupported);
    if (!n || n->n_weights != 5 || n->unsupported) {
        rs_model_free(m);
        return;
    }
    const size_t B = 2, T = (size_t)n->out_shapes[0].dims[0], D = (size_t)n->out_shapes[0].dims[1];
    /* Room for every output and internal the node declares (the attention matrix is an
     * internal when return_attention is false), though the internals are skipped. */
    rs_tensor x, outs[4] = {{0}}, out_masks[4] = {{0}};
    CHECK(n->n_outputs + n->n_internal <= 4);
    CHECK(rs_tensor_alloc_dims(&x, &err, 3, B, T, D) == 0);
    unsigned state = 12345;
    for (size_t i = 0; i < x.size; i++) {
        state = state * 1103515245u + 12345u;
        x.data[i] = (float)((state >> 8) & 0xffff) / 32768.0f - 1.0f;
    }
    const rs_tensor *in[1] = {&x}, *masks[1] = {NULL};
    rs_layer_io io = {.n_inputs = 1, .inputs = in, .in_masks = masks, .outputs = outs,
                      .out_masks = out_masks, .keras_major = m->keras_major,
                      .skip_internals = true};
    CHECK(n->kind->forward(n, &io, &err) == 0);
    size_t U = n->weights[0].value.shape[1];
    rs_self_attention s = {.dim = D, .units = U, .Wt = n->weights[0].value.data,
                           .Wx = n->weights[1].value.data, .bh = n->weights[2].value.data,
                           .Wa = n->weights[3].value.data, .ba = n->weights[4].value.data};
    rs_activation_from_name("softmax", 2, &s.activation);
    float *a = calloc(T * T, sizeof *a), *v = calloc(T * D, sizeof *v);
    float *scratch = calloc(rs_self_attention_scratch(&s, T), sizeof *scratch);
    for (size_t b = 0; outs[0].data && b < B; b++) {
        rs_self_attention_run(&s, T, x.data + b * T * D, NULL, v, a, scratch);
        rs_tensor at = {.rank = 2, .shape = {T, T}, .size = T * T, .data = a};
        check_rows_sum_to_one(&at);
        CHECK_CLOSE(outs[0].data + b * T * D, v, T * D, TOL);
    }
    free(a);
    free(v);
    free(scratch);
    rs_tensor_free(&x);
    for (size_t i = 0; i < 4; i++) {
        rs_tensor_free(&outs[i]);
        rs_tensor_free(&out_masks[i]);
    }
    rs_model_free(m);
}

int main(void)
{
    char path[4096];
    if (!fixture_path(path, sizeof path, "manifest.json", NULL))
        return 1;
    unsigned char *text = NULL;
    size_t len = 0;
    rs_error err = {0};
    if (rs_read_file(path, 1 << 26, &text, &len, &err) < 0 ||
        !(manifest = cJSON_ParseWithLength((const char *)text, len))) {
        printf("Bail out! cannot read %s: %s\n", path, err.msg);
        return 1;
    }
    free(text);
    const char *only = getenv("RS_REF_MODEL");
    const cJSON *model, *fmt;
    cJSON_ArrayForEach(model, cJSON_GetObjectItem(manifest, "models")) {
        const char *name = cJSON_GetObjectItem(model, "name")->valuestring;
        if (!uses_family(model) || (only && strcmp(only, name) != 0))
            continue;
        cJSON_ArrayForEach(fmt, cJSON_GetObjectItem(model, "formats")) {
            char test[256];
            snprintf(test, sizeof test, "%s in %s", name, fmt->string);
            cur_model = model;
            cur_format = fmt->string;
            run_test(test, test_model_format);
        }
    }
    if (!only)
        run_test("every attention layer was checked", test_layers_were_checked);
    if (wild_file(WILD_SSA))
        run_test("real Keras 2.3.1 SeqSelfAttention(softmax) runs, rows sum to 1",
                 test_wild_self_attention);
    else
        skip_test("real Keras 2.3.1 SeqSelfAttention", "../shared/fixtures-wild is absent");
    cJSON_Delete(manifest);
    return check_finish();
}

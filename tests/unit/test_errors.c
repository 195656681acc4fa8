/* Errors carry a code beside the message, set on the paths callers react to: a cancel, an
 * unsupported layer or setting, the memory cap, a truncated or corrupt file, a file that cannot
 * be opened, a name that matches nothing. Callers test the code, never the text. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rnnscope/input.h"
#include "rnnscope/layer.h"
#include "rnnscope/memcap.h"
#include "rnnscope/model.h"
#include "rnnscope/run.h"

static void test_basics(void)
{
    rs_error err = {0};
    CHECK(rs_fail(&err, "f", "what %d", 1) == -1 && err.code == RS_ERR_FAILED);
    CHECK_STR(err.msg, "f: what 1");
    CHECK(rs_fail_code(&err, RS_ERR_IO, "f", "cannot") == -1 && err.code == RS_ERR_IO);
    rs_error_prefix(&err, "outer");
    CHECK(err.code == RS_ERR_IO); /* context added on the way up keeps the code */
    CHECK_STR(err.msg, "outer: f: cannot");
    rs_error_default_code(&err, RS_ERR_BAD_FILE);
    CHECK(err.code == RS_ERR_IO); /* a precise code is kept */
    rs_fail(&err, NULL, "x");
    rs_error_default_code(&err, RS_ERR_BAD_FILE);
    CHECK(err.code == RS_ERR_BAD_FILE);
    CHECK(rs_fail_oom(&err, "w") == -1 && err.code == RS_ERR_NO_MEMORY);
    CHECK_STR(err.msg, "w: out of memory");
    rs_error_clear(&err);
    CHECK(err.code == RS_ERR_NONE && err.msg[0] == '\0');
}

static rs_error_code load_code(const char *rel, rs_error *err)
{
    rs_model *m = NULL;
    *err = (rs_error){0};
    if (rs_model_load(test_path(rel), NULL, &m, err) == 0) {
        rs_model_free(m);
        return RS_ERR_NONE;
    }
    return err->code;
}

/* Through the HDF5 guard (the code crosses from its child) and without it. */
static void test_files(void)
{
    for (int guarded = 1; guarded >= 0; guarded--) {
        if (!guarded)
            setenv("RNNSCOPE_NO_HDF5_GUARD", "1", 1);
        rs_error err;
        CHECK(load_code("tests/data/malformed/truncated_1000.h5", &err) == RS_ERR_BAD_FILE);
        CHECK(load_code("tests/data/malformed/truncated_half.keras", &err) == RS_ERR_BAD_FILE);
        CHECK(load_code("tests/data/malformed/bitflip_superblock_8.h5", &err) == RS_ERR_BAD_FILE);
        CHECK(load_code("tests/data/malformed/shape_mismatch.h5", &err) == RS_ERR_BAD_FILE);
        CHECK(load_code("tests/data/malformed/npz_weights.keras", &err) == RS_ERR_UNSUPPORTED);
        CHECK_CONTAINS(err.msg, "npz");
        CHECK(load_code("tests/data/malformed/no-such-file.h5", &err) == RS_ERR_IO);
        rs_memcap_set(551); /* seq_lstm's weights are 552 bytes */
        CHECK(load_code("tests/data/models/seq_lstm.k2.h5", &err) == RS_ERR_NO_MEMORY);
        CHECK_CONTAINS(err.msg, "more than the memory cap");
        rs_memcap_set(RS_MEMCAP_NONE);
    }
    unsetenv("RNNSCOPE_NO_HDF5_GUARD");
}

static bool stop_at_once(void *user, double fraction)
{
    (void)user, (void)fraction;
    return false;
}

/* A model with a random batch of `batch` inputs, and a run on it. */
static rs_run *run_of(const char *rel, size_t batch, rs_model **m, rs_error *err)
{
    rs_tensor in = {0};
    rs_run *r = NULL;
    if (rs_model_load(test_path(rel), NULL, m, err) < 0 ||
        rs_random_input(*m, 0, 2, batch, &in, err) < 0 || !(r = rs_run_new(*m, err)) ||
        rs_run_set_inputs(r, &in, 1, err) < 0) {
        CHECK_STR(err->msg, "");
        rs_run_free(r);
        r = NULL;
    }
    rs_tensor_free(&in);
    return r;
}

static void test_run(void)
{
    rs_error err = {0};
    rs_model *m = NULL;
    rs_run *r = run_of("tests/data/models/seq_lstm.k2.h5", 50, &m, &err);
    if (!r) {
        rs_model_free(m);
        return;
    }
    const rs_tensor *t;
    CHECK(rs_model_find_node(m, "no_such_layer", &err) == -1 && err.code == RS_ERR_BAD_ARGUMENT);
    int lstm = rs_model_find_node(m, "lstm_a", &err);
    rs_progress stop = {stop_at_once, NULL};
    rs_run_set_progress(r, &stop);
    CHECK(rs_run_output(r, lstm, 0, &t, &err) == -1 && err.code == RS_ERR_CANCELLED);
    rs_run_set_progress(r, NULL);
    rs_memcap_set(1000);
    CHECK(rs_run_output(r, lstm, 0, &t, &err) == -1 && err.code == RS_ERR_NO_MEMORY);
    rs_memcap_set(RS_MEMCAP_NONE);
    CHECK(rs_run_output(r, lstm, 0, &t, &err) == 0);
    rs_run_free(r);
    rs_model_free(m);

    /* a Lambda cannot run, nor what depends on it; the layers before it can */
    m = NULL;
    if (!(r = run_of("tests/data/models/seq_lambda.k2.h5", 5, &m, &err))) {
        rs_model_free(m);
        return;
    }
    int ran = 0, refused = 0;
    for (int i = 0; i < m->n_nodes; i++) {
        int rc = rs_run_output(r, i, 0, &t, &err);
        ran += rc == 0;
        refused += rc < 0 && err.code == RS_ERR_UNSUPPORTED && m->nodes[i].unsupported;
    }
    CHECK(ran > 0 && refused > 0 && ran + refused == m->n_nodes);
    rs_run_free(r);
    rs_model_free(m);
}

/* An activation rnnscope does not have marks the layer unsupported (the model loads); a
 * config that contradicts the weights stays an error. */
static void test_setup(void)
{
    rs_tensor kernel = {0}, bias = {0};
    rs_error err = {0};
    CHECK(rs_tensor_alloc_dims(&kernel, &err, 2, (size_t)3, (size_t)2) == 0);
    CHECK(rs_tensor_alloc_dims(&bias, &err, 1, (size_t)2) == 0);
    rs_weight w[2] = {{"kernel", kernel}, {"bias", bias}};
    const char *configs[] = {"{\"units\": 2, \"activation\": \"my_own\"}",
                             "{\"units\": 2, \"activation\": \"glu\"}", /* Dense takes glu */
                             "{\"units\": 5, \"activation\": \"relu\"}"};
    for (int i = 0; i < 3; i++) {
        cJSON *cfg = cJSON_Parse(configs[i]);
        rs_node n = {.name = "d", .class_name = "Dense", .keras_config = cfg, .n_inputs = 1,
                     .n_weights = 2, .weights = w};
        rs_shape in = {1, {3}};
        int rc = rs_node_setup(&n, &in, 1, NULL, &err);
        if (i == 0) {
            CHECK(rc == 0 && n.unsupported && strstr(n.unsupported, "'my_own' is not supported"));
        } else if (i == 1) {
            CHECK(rc == 0 && !n.unsupported);
        } else {
            CHECK(rc == -1 && err.code == RS_ERR_FAILED);
            CHECK_CONTAINS(err.msg, "the config wants");
        }
        if (n.kind && n.kind->free_params)
            n.kind->free_params(n.params);
        free(n.out_shapes);
        if (n.out_names)
            for (int k = 0; k < n.n_outputs + n.n_internal; k++)
                free(n.out_names[k]);
        free(n.out_names);
        free(n.unsupported);
        cJSON_Delete(cfg);
    }
    rs_tensor_free(&kernel);
    rs_tensor_free(&bias);
}

int main(void)
{
    run_test("codes: set, kept through context, cleared", test_basics);
    run_test("codes: truncated, corrupt, unsupported, missing and over-the-cap files", test_files);
    run_test("codes: a cancel, the memory cap, a bad name, an unsupported layer in a run", test_run);
    run_test("codes: an unsupported activation marks the layer, a bad config fails", test_setup);
    return check_finish();
}

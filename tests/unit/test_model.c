/* rs_model queries on a generated model, and Keras' snake_case for weight group names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model/internal.h"

static rs_model *load(const char *rel)
{
    rs_model *m = NULL;
    rs_error err = {0};
    if (rs_model_load(test_path(rel), NULL, &m, &err) < 0)
        return NULL;
    return m;
}

static void test_find_node(void)
{
    rs_model *m = load("tests/data/models/func_attn.k2.h5");
    CHECK(m != NULL);
    if (!m)
        return;
    rs_error err = {0};
    int i = rs_model_find_node(m, "self_att", &err);
    CHECK(i >= 0 && strcmp(m->nodes[i].name, "self_att") == 0);
    i = rs_model_find_node(m, "bid", &err);
    CHECK(i >= 0 && strcmp(m->nodes[i].name, "bidir") == 0);
    CHECK(rs_model_find_node(m, "shared", &err) >= 0); /* exact name wins over shared#1 */
    CHECK(rs_model_find_node(m, "a", &err) == -1);
    CHECK_CONTAINS(err.msg, "matches");
    CHECK_CONTAINS(err.msg, "self_att");
    CHECK(rs_model_find_node(m, "zzz", &err) == -1);
    CHECK_CONTAINS(err.msg, "no such layer");
    rs_model_free(m);
}

static void test_shared_layer_weights(void)
{
    rs_model *m = load("tests/data/models/func_attn.keras");
    CHECK(m != NULL);
    if (!m)
        return;
    rs_error err = {0};
    int a = rs_model_find_node(m, "shared", &err), b = rs_model_find_node(m, "shared#1", &err);
    CHECK(a >= 0 && b >= 0);
    if (a >= 0 && b >= 0) {
        CHECK(m->nodes[a].owns_weights && !m->nodes[b].owns_weights);
        CHECK(m->nodes[a].weights == m->nodes[b].weights);
        CHECK(rs_node_param_count(&m->nodes[b]) == 0);
        CHECK(rs_node_param_count(&m->nodes[a]) == 27);
    }
    rs_model_free(m);
}

static void test_snake_case(void)
{
    /* expected values: Keras' to_snake_case (three regular expressions) */
    static const char *const cases[][2] = {
        {"SeqSelfAttention", "seq_self_attention"}, {"LSTM", "lstm"}, {"GRU", "gru"},
        {"Conv1D", "conv1d"}, {"GlobalAveragePooling1D", "global_average_pooling1d"},
        {"CuDNNLSTM", "cu_dnnlstm"}, {"GRUCell", "gru_cell"}, {"Dense", "dense"},
        {"MultiHeadAttention", "multi_head_attention"}, {"TimeDistributed", "time_distributed"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *s = rs_snake_case(cases[i][0]);
        CHECK_STR(s, cases[i][1]);
        free(s);
    }
}

/* Configs the fuzzer found (tests/fuzz/regressions/config), e.g. an InputLayer whose config
 * holds a whole Functional model: each builds, or fails with a message (the fuzz target's rule). */
static void build_config(const char *name, const unsigned char *data, size_t n, void *user)
{
    (void)n;
    (void)user;
    rs_model *m = calloc(1, sizeof *m);
    m->path = strdup("config.json");
    rs_model_set_version(m, "");
    rs_error err = {0};
    int rc = rs_model_from_config(m, (const char *)data, m->path, NULL, NULL, &err);
    printf("# %s: %s\n", name, rc == 0 ? "builds" : err.msg);
    CHECK(rc == 0 || err.msg[0] != '\0');
    rs_model_free(m);
}

static void test_fuzz_found_configs(void)
{
    CHECK(for_each_file("tests/fuzz/regressions/config", build_config, NULL) >= 2);
}

int main(void)
{
    run_test("configs the fuzzer found build or fail with a message", test_fuzz_found_configs);
    run_test("find a node by name or unique substring", test_find_node);
    run_test("a shared layer's calls share one weight list", test_shared_layer_weights);
    run_test("snake_case as Keras 3 names weight groups", test_snake_case);
    return check_finish();
}

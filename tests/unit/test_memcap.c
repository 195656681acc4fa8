/* The memory cap: sizes as the user writes them, sizes as rnnscope prints them, and the checks
 * of the loaders and the runner against the cap. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "rnnscope/input.h"
#include "rnnscope/layer.h"
#include "rnnscope/memcap.h"
#include "rnnscope/run.h"

static size_t parsed(const char *s)
{
    size_t v = 0;
    return rs_memcap_parse(s, &v) ? v : 0;
}

static void test_parse(void)
{
    CHECK(parsed("1") == 1);
    CHECK(parsed("4096") == 4096);
    CHECK(parsed("1K") == 1024 && parsed("1k") == 1024 && parsed("1KiB") == 1024);
    CHECK(parsed("1KB") == 1000 && parsed("1kb") == 1000);
    CHECK(parsed("512M") == (size_t)512 << 20 && parsed("512MiB") == (size_t)512 << 20);
    CHECK(parsed("2MB") == 2000000);
    CHECK(parsed("1.5G") == (size_t)3 << 29);
    CHECK(parsed("1.5GB") == 1500000000);
    CHECK(parsed("2T") == (size_t)2 << 40 && parsed("1TB") == (size_t)1000000000000);
    CHECK(parsed("100B") == 100 && parsed("64 MiB") == (size_t)64 << 20);
    CHECK(parsed("none") == RS_MEMCAP_NONE && parsed("Unlimited") == RS_MEMCAP_NONE);
    const char *bad[] = {"", "0", "0.4", "-1", "+5", "1e9", "0x10", "1.", ".5", "5X", "1KK",
                         "1 K B", "99999999999T", " 1", NULL};
    for (int i = 0; bad[i]; i++) {
        size_t v = 7;
        if (rs_memcap_parse(bad[i], &v))
            CHECK_STR(bad[i], "(refused)");
        CHECK(v == 7);
    }
    CHECK(!rs_memcap_parse(NULL, &(size_t){0}));
}

static void test_format(void)
{
    char buf[32];
    CHECK_STR(rs_size_format(0, buf, sizeof buf), "0 bytes");
    CHECK_STR(rs_size_format(1, buf, sizeof buf), "1 byte");
    CHECK_STR(rs_size_format(1023, buf, sizeof buf), "1023 bytes");
    CHECK_STR(rs_size_format(1024, buf, sizeof buf), "1 KiB");
    CHECK_STR(rs_size_format(1040, buf, sizeof buf), "1.02 KiB");
    CHECK_STR(rs_size_format((size_t)512 << 20, buf, sizeof buf), "512 MiB");
    CHECK_STR(rs_size_format((size_t)1717986918, buf, sizeof buf), "1.6 GiB");
    CHECK_STR(rs_size_format((size_t)3 << 30, buf, sizeof buf), "3 GiB");
    CHECK_STR(rs_size_format((size_t)12800 << 10, buf, sizeof buf), "12.5 MiB");
    CHECK_STR(rs_size_format(SIZE_MAX, buf, sizeof buf), "more than 16 EiB");
}

static void test_check(void)
{
    rs_error err = {0};
    rs_memcap_set(1000);
    CHECK(rs_memcap_get() == 1000);
    CHECK(rs_memcap_check(0, 1000, "f", "the weights need", &err) == 0);
    CHECK(rs_memcap_check(400, 600, "f", "the weights need", &err) == 0);
    CHECK(rs_memcap_check(0, 1001, "big.h5", "the weights need", &err) == -1);
    CHECK_STR(err.msg, "big.h5: the weights need 1001 bytes, more than the memory cap of "
                       "1000 bytes (--max-memory)");
    CHECK(rs_memcap_check(2048, 1 << 20, "layer x (LSTM)", "computing it needs", &err) == -1);
    CHECK_STR(err.msg, "layer x (LSTM): computing it needs 1 MiB on top of the 2 KiB held, "
                       "more than the memory cap of 1000 bytes (--max-memory)");
    CHECK(rs_memcap_check(SIZE_MAX, SIZE_MAX, "f", "x needs", &err) == -1);
    rs_memcap_set(RS_MEMCAP_NONE);
    CHECK(rs_memcap_check(SIZE_MAX, SIZE_MAX, "f", "x needs", &err) == 0);
    CHECK(rs_memcap_default() >= ((size_t)64 << 20)); /* half of any machine that runs this */
    CHECK(rs_size_mul(SIZE_MAX / 2, 3) == SIZE_MAX && rs_size_add(SIZE_MAX, 1) == SIZE_MAX);
    CHECK(rs_size_mul(0, SIZE_MAX) == 0 && rs_size_mul(6, 7) == 42);
}

/* seq_lstm: 138 float32 weights = 552 bytes; refused below, loaded under a cap that also
 * holds the parse of its config (checked first: cJSON's tree, a few KiB). */
static void test_loader(void)
{
    const char *files[] = {"tests/data/models/seq_lstm.k2.h5", "tests/data/models/seq_lstm.keras",
                           "tests/data/models/tfjs_seq_lstm/model.json"};
    for (int i = 0; i < 3; i++) {
        rs_error err = {0};
        rs_model *m = NULL;
        rs_memcap_set(551);
        CHECK(rs_model_load(test_path(files[i]), NULL, &m, &err) == -1 && !m);
        CHECK_CONTAINS(err.msg, "more than the memory cap of 551 bytes");
        rs_memcap_set(64 << 10);
        CHECK(rs_model_load(test_path(files[i]), NULL, &m, &err) == 0);
        rs_model_free(m);
    }
    rs_error err = {0};
    rs_model *m = NULL;
    rs_memcap_set(551);
    rs_model_load(test_path(files[0]), NULL, &m, &err);
    CHECK_CONTAINS(err.msg, "seq_lstm.k2.h5: parsing its JSON needs");
    rs_memcap_set(RS_MEMCAP_NONE);
}

/* The runner counts a layer's outputs (and an LSTM's internals) for the whole batch before
 * computing it, on top of the weights, the inputs and the outputs it holds. */
static void test_runner(void)
{
    rs_error err = {0};
    rs_model *m = NULL;
    rs_memcap_set(RS_MEMCAP_NONE);
    if (rs_model_load(test_path("tests/data/models/seq_lstm.k2.h5"), NULL, &m, &err) < 0) {
        CHECK_STR(err.msg, "");
        return;
    }
    rs_tensor in = {0};
    CHECK(rs_random_input(m, 0, 1, 100, &in, &err) == 0); /* (100, 5, 3): 6000 bytes */
    rs_run *r = rs_run_new(m, &err);
    int lstm = rs_model_find_node(m, "lstm_a", &err);
    int dense = rs_model_find_node(m, "dense_b", &err);
    const rs_tensor *t;
    /* weights 552 + input 6000 (the input layer's output is the input, not a copy) = 6552
     * held; lstm_a's output (100, 5, 4) = 8000 bytes; its gates (100, 5, 4, 4) and cell
     * (100, 5, 4), 40000 bytes more, are made only when asked for (the layer runs again then:
     * 48000 bytes) */
    rs_memcap_set(552 + 6000 + 8000 - 1);
    CHECK(rs_run_set_inputs(r, &in, 1, &err) == 0);
    CHECK(rs_run_output(r, lstm, 0, &t, &err) == -1);
    CHECK_STR(err.msg, "layer lstm_a (LSTM): computing it needs 7.81 KiB on top of the 6.4 KiB "
                       "held, more than the memory cap of 14.2 KiB (--max-memory)");
    rs_memcap_set(552 + 6000 + 8000);
    CHECK(rs_run_output(r, lstm, 0, &t, &err) == 0);
    const rs_tensor *output = t;
    CHECK(rs_run_output(r, lstm, 1, &t, &err) == -1);
    CHECK_CONTAINS(err.msg, "computing it needs 46.9 KiB on top of the 14.2 KiB held");
    rs_memcap_set(552 + 6000 + 8000 + 48000);
    CHECK(rs_run_output(r, lstm, 1, &t, &err) == 0);
    CHECK(t->rank == 4 && t->shape[2] == 4);
    CHECK(rs_run_output(r, lstm, 0, &t, &err) == 0 && t == output); /* the output stayed put */
    /* held now: 6000 + 8000 + 40000; dense_b: (100, 5, 2) = 4000 bytes more */
    rs_memcap_set(552 + 54000 + 4000 - 1);
    CHECK(rs_run_output(r, dense, 0, &t, &err) == -1);
    CHECK_CONTAINS(err.msg, "layer dense_b (Dense): computing it needs 3.91 KiB on top of");
    rs_memcap_set(552 + 54000 + 4000);
    CHECK(rs_run_output(r, dense, 0, &t, &err) == 0);
    /* new inputs release the outputs held */
    rs_memcap_set(552 + 6000 - 1);
    CHECK(rs_run_set_inputs(r, &in, 1, &err) == -1);
    CHECK_CONTAINS(err.msg, "the inputs need 5.86 KiB on top of the 552 bytes held");
    /* a second run (the explorer keeps one per sample) counts what the first holds */
    rs_memcap_set(RS_MEMCAP_NONE);
    CHECK(rs_run_set_inputs(r, &in, 1, &err) == 0);
    CHECK(rs_run_output(r, lstm, 0, &t, &err) == 0); /* holds 6000 + 8000 */
    rs_run *r2 = rs_run_new(m, &err);
    CHECK(rs_run_set_inputs(r2, &in, 1, &err) == 0);
    rs_memcap_set(552 + 14000 + 6000 + 8000 - 1); /* r holds 14000, r2 6000 */
    CHECK(rs_run_output(r2, lstm, 0, &t, &err) == -1);
    CHECK_CONTAINS(err.msg, "computing it needs 7.81 KiB on top of the 20.1 KiB held");
    rs_run_free(r);
    CHECK(rs_run_output(r2, lstm, 0, &t, &err) == 0); /* freeing the first run released it */
    rs_memcap_set(RS_MEMCAP_NONE);
    rs_run_free(r2);
    rs_tensor_free(&in);
    rs_model_free(m);
}

/* What running a node will allocate, from the actual input shapes: outputs, internals and
 * scratch, counted by hand from the layers' definitions. */
static size_t need_of(const rs_model *m, const char *layer, const rs_tensor *const *ins,
                      bool internals)
{
    rs_error err = {0};
    int i = rs_model_find_node(m, layer, &err);
    return i < 0 ? 0 : rs_node_need_bytes(&m->nodes[i], ins, internals, &m->layer_ctx);
}

static void test_need_bytes(void)
{
    rs_error err = {0};
    rs_model *m = NULL;
    rs_tensor x = {0};
    if (rs_model_load(test_path("tests/data/models/func_attn.k2.h5"), NULL, &m, &err) < 0 ||
        rs_tensor_alloc_dims(&x, &err, 3, (size_t)2, (size_t)6, (size_t)8) < 0) {
        CHECK_STR(err.msg, "");
        rs_model_free(m);
        return;
    }
    const rs_tensor *ins[1] = {&x};
    /* Bidirectional(GRU(4)), concat, batch 2 x 6 steps: output (2, 6, 8), the gates of both
     * directions (2, 6, 3, 4) each, and each direction's (2, 6, 4) before the merge */
    x.shape[2] = 3;
    CHECK(need_of(m, "bidir", ins, true) ==
          4 * (2 * 6 * 8 + 2 * (2 * 6 * 3 * 4) + 2 * (2 * 6 * 4)));
    /* the gates are made only when asked for */
    CHECK(need_of(m, "bidir", ins, false) == 4 * (2 * 6 * 8 + 2 * (2 * 6 * 4)));
    /* SeqSelfAttention(units 5, return_attention): values (2, 6, 8), attention (2, 6, 6), the
     * additive projections of one sample (2 x 6 x 5) */
    x.shape[2] = 8;
    CHECK(need_of(m, "self_att", ins, false) == 4 * (2 * 6 * 8 + 2 * 6 * 6 + 2 * 6 * 5));
    rs_tensor_free(&x);
    rs_model_free(m);
    /* without return_attention, the T x T matrix of a sample is scratch: 4000 steps */
    CHECK(rs_model_load(test_path("tests/data/models/long_attn.k2.h5"), NULL, &m, &err) == 0);
    CHECK(rs_tensor_alloc_dims(&x, &err, 3, (size_t)1, (size_t)4000, (size_t)4) == 0);
    CHECK(need_of(m, "self_att", ins, false) == (size_t)4 * (4000 * 4 + 4000 * 4000 + 2 * 4000 * 3));
    rs_tensor_free(&x);
    rs_model_free(m);
}

int main(void)
{
    run_test("sizes: K M G T = KiB..., KB MB GB TB = powers of 1000, none; bad ones refused", test_parse);
    run_test("sizes printed with three digits and binary units", test_format);
    run_test("the check names what needs how much, and what is held", test_check);
    run_test("loaders refuse weights over the cap before reading them", test_loader);
    run_test("the runner refuses a layer whose outputs exceed the cap, naming it", test_runner);
    run_test("a layer's need: outputs, internals and scratch for the actual shapes", test_need_bytes);
    return check_finish();
}

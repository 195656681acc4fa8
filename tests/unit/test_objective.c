/* The objective's losses against TensorFlow.js (tests/ref/grad_losses.mjs): value and gradient
 * with respect to the model output of mse, mae, binary and categorical crossentropy (with
 * label_smoothing, from_logits) and sparse categorical crossentropy, on (4, 3, 5) outputs: Keras'
 * reduction over the last axis then the mean over the rest. Also the unit objective and the
 * loss names. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "rnnscope/grad.h"

#define DIR "tests/ref/fixtures/losses/"

static const char *path(const char *file)
{
    static char buf[2][512];
    static int slot;
    slot ^= 1;
    snprintf(buf[slot], sizeof buf[slot], DIR "%s", file);
    return buf[slot];
}

static void check_case(const cJSON *c)
{
    const char *name = c->string;
    rs_tensor y = load_npy(path(cJSON_GetObjectItem(c, "output")->valuestring));
    rs_tensor labels = load_npy(path(cJSON_GetObjectItem(c, "labels")->valuestring));
    char grad_file[128];
    snprintf(grad_file, sizeof grad_file, "%s.grad.npy", name);
    rs_tensor want = load_npy(path(grad_file)), dy = {0};
    rs_objective o = {.labels = &labels};
    rs_error err = {0};
    double value = 0, ref = cJSON_GetObjectItem(c, "value")->valuedouble;
    bool ok = rs_loss_from_name(cJSON_GetObjectItem(c, "loss")->valuestring, &o.loss, &err) == 0;
    o.loss.from_logits = cJSON_IsTrue(cJSON_GetObjectItem(c, "from_logits"));
    o.loss.label_smoothing = cJSON_GetObjectItem(c, "label_smoothing")->valuedouble;
    ok = ok && rs_objective_grad(&o, &y, "output", &dy, &value, &err) == 0;
    if (!ok)
        printf("#   %s: %s\n", name, err.msg);
    else {
        ok = fabs(value - ref) <= 1e-5 * fmax(1, fabs(ref));
        if (!ok)
            printf("#   %s: value %.8g, tfjs %.8g\n", name, value, ref);
        double scale = 1, worst = 0;
        for (size_t i = 0; i < want.size; i++)
            scale = fmax(scale, fabs(want.data[i]));
        for (size_t i = 0; dy.size == want.size && i < want.size; i++)
            worst = fmax(worst, fabs((double)dy.data[i] - want.data[i]));
        if (dy.size != want.size || !(worst <= 1e-4 * scale)) {
            printf("#   %s: gradient max |diff| %g\n", name, worst);
            ok = false;
        }
    }
    char case_name[128];
    snprintf(case_name, sizeof case_name, "loss %s: value and gradient as tfjs's", name);
    run_test_result(case_name, ok);
    rs_tensor_free(&y);
    rs_tensor_free(&labels);
    rs_tensor_free(&want);
    rs_tensor_free(&dy);
}

static void unit_objective(void)
{
    rs_tensor y = {0}, dy = {0};
    rs_error err = {0};
    rs_tensor_alloc_dims(&y, &err, 3, (size_t)2, (size_t)3, (size_t)4);
    for (size_t i = 0; i < y.size; i++)
        y.data[i] = (float)i;
    rs_objective o = {.unit = 2};
    double v = 0;
    CHECK(rs_objective_grad(&o, &y, "out", &dy, &v, &err) == 0);
    CHECK_NEAR(v, 2 + 6 + 10 + 14 + 18 + 22, 0); /* unit 2 of every (sample, step) */
    for (size_t i = 0; i < dy.size; i++)
        CHECK(dy.data[i] == (i % 4 == 2 ? 1.0f : 0.0f));
    rs_tensor_free(&dy);
    o.unit = 4;
    CHECK(rs_objective_grad(&o, &y, "out", &dy, &v, &err) < 0);
    CHECK_CONTAINS(err.msg, "--unit 4 is out of range: the output has 4 units");
    rs_tensor_free(&y);
}

static void loss_names(void)
{
    rs_loss l;
    rs_error err = {0};
    CHECK(rs_loss_from_name("mse", &l, &err) == 0 && l.kind == RS_LOSS_MSE);
    CHECK(rs_loss_from_name("MAE", &l, &err) == 0 && l.kind == RS_LOSS_MAE);
    CHECK(rs_loss_from_name("BinaryCrossentropy", &l, &err) == 0 && l.kind == RS_LOSS_BCE);
    CHECK(rs_loss_from_name("keras.losses>SparseCategoricalCrossentropy", &l, &err) == 0 &&
          l.kind == RS_LOSS_SCCE);
    CHECK(rs_loss_from_name("huber", &l, &err) < 0);
    CHECK_CONTAINS(err.msg, "huber: rnnscope does not differentiate this Keras loss yet");
    CHECK(rs_loss_from_name("nope", &l, &err) < 0);
    CHECK_CONTAINS(err.msg, "nope: Keras has no loss of this name");
}

int main(void)
{
    cJSON *cases = load_json(DIR "cases.json");
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
        check_case(c);
    cJSON_Delete(cases);
    run_test("the unit objective: the sum of unit J, J in range", unit_objective);
    run_test("loss names: Keras' aliases and classes; unknown and not yet differentiated",
             loss_names);
    return check_finish();
}

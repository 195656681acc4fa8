/* JSON as Python's json.dumps writes it (src/model/json.c): NaN, Infinity and -Infinity are
 * numbers outside strings, text inside strings is untouched, other bare words stay errors. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "model/internal.h"

static cJSON *parse(const char *text)
{
    return rs_json_parse(text, strlen(text));
}

static void test_numbers(void)
{
    cJSON *j = parse("{\"rate\": NaN, \"max\": Infinity, \"l2\": -Infinity, "
                     "\"list\": [1.5, NaN, [-Infinity]], \"ok\": 0.25}");
    CHECK(j != NULL);
    if (!j)
        return;
    const cJSON *rate = cJSON_GetObjectItem(j, "rate"), *list = cJSON_GetObjectItem(j, "list");
    CHECK(cJSON_IsNumber(rate) && isnan(rate->valuedouble) && rate->valueint == 0);
    CHECK(isinf(cJSON_GetObjectItem(j, "max")->valuedouble) &&
          cJSON_GetObjectItem(j, "max")->valuedouble > 0);
    CHECK(cJSON_GetObjectItem(j, "l2")->valuedouble == -INFINITY);
    CHECK(isnan(cJSON_GetArrayItem(list, 1)->valuedouble));
    CHECK(cJSON_GetArrayItem(cJSON_GetArrayItem(list, 2), 0)->valuedouble == -INFINITY);
    CHECK(cJSON_GetObjectItem(j, "ok")->valuedouble == 0.25);
    cJSON_Delete(j);
}

static void test_strings_untouched(void)
{
    cJSON *j = parse("{\"name\": \"NaN Infinity -Infinity \\\" NaN\", \"NaN\": \"x\"}");
    CHECK(j != NULL);
    if (!j)
        return;
    CHECK_STR(cJSON_GetObjectItem(j, "name")->valuestring, "NaN Infinity -Infinity \" NaN");
    CHECK_STR(cJSON_GetObjectItem(j, "NaN")->valuestring, "x");
    cJSON_Delete(j);
}

static void test_other_words_refused(void)
{
    CHECK(parse("{\"a\": NaNx}") == NULL);
    CHECK(parse("{\"a\": nan}") == NULL);
    CHECK(parse("{\"a\": Inf}") == NULL);
    CHECK(parse("{\"a\": xNaN}") == NULL);
    CHECK(parse("{\"a\": 1NaN}") == NULL);
    CHECK(parse("{\"a\": NaN") == NULL);
}

int main(void)
{
    run_test("NaN, Infinity, -Infinity outside strings are numbers", test_numbers);
    run_test("strings keep NaN and Infinity as text", test_strings_untouched);
    run_test("other bare words stay invalid JSON", test_other_words_refused);
    return check_finish();
}

/* CSV input: rows = timesteps, columns = features, header row, clear errors. */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "rnnscope/csv.h"

static int parse(const char *text, rs_tensor *t, rs_error *err)
{
    return rs_csv_parse(text, strlen(text), "in.csv", t, err);
}

static void test_plain(void)
{
    rs_tensor t;
    rs_error err = {0};
    CHECK(parse("1,2,3\n4,5,6\n", &t, &err) == 0);
    CHECK(t.rank == 2 && t.shape[0] == 2 && t.shape[1] == 3);
    CHECK(t.data[0] == 1 && t.data[5] == 6);
    rs_tensor_free(&t);
}

static void test_header_crlf_blank_lines(void)
{
    rs_tensor t;
    rs_error err = {0};
    CHECK(parse("a, b\r\n\r\n 0.5 , -1e-3\r\n2,3\r\n\n", &t, &err) == 0);
    CHECK(t.shape[0] == 2 && t.shape[1] == 2);
    CHECK_NEAR(t.data[0], 0.5, 0);
    CHECK_NEAR(t.data[1], -1e-3, 1e-9);
    rs_tensor_free(&t);
}

static void test_nan_inf_and_quotes(void)
{
    rs_tensor t;
    rs_error err = {0};
    CHECK(parse("nan;inf;\"-2\"\n", &t, &err) == 0);
    CHECK(isnan(t.data[0]) && isinf(t.data[1]) && t.data[2] == -2.0f);
    rs_tensor_free(&t);
}

static void test_bad_value_names_line_and_column(void)
{
    rs_tensor t;
    rs_error err = {0};
    CHECK(parse("x,y\n1,2\n3,oops\n", &t, &err) < 0);
    CHECK_STR(err.msg, "in.csv: line 3, column 2: 'oops' is not a number");
    CHECK(t.data == NULL);
    CHECK(parse("1,2\n3,\n", &t, &err) < 0);
    CHECK_STR(err.msg, "in.csv: line 2, column 2: '' is not a number");
}

static void test_ragged_rows(void)
{
    rs_tensor t;
    rs_error err = {0};
    CHECK(parse("1,2,3\n4,5\n", &t, &err) < 0);
    CHECK_STR(err.msg, "in.csv: line 2: 2 columns, expected 3 like line 1");
}

static void test_empty(void)
{
    rs_tensor t;
    rs_error err = {0};
    CHECK(parse("", &t, &err) < 0);
    CHECK_STR(err.msg, "in.csv: no data rows");
    CHECK(parse("a,b\n", &t, &err) < 0);
    CHECK_STR(err.msg, "in.csv: no data rows after the header");
}

static void test_write_read(void)
{
    rs_tensor t, back;
    rs_error err = {0};
    CHECK(rs_tensor_alloc_dims(&t, &err, 2, (size_t)3, (size_t)2) == 0);
    for (size_t i = 0; i < t.size; i++)
        t.data[i] = (float)i / 3.0f;
    const char *path = tmp_path("out.csv");
    CHECK(rs_csv_write(path, &t, &err) == 0);
    CHECK(rs_csv_read(path, &back, &err) == 0);
    CHECK(rs_shape_equal(&t, &back));
    CHECK(memcmp(t.data, back.data, t.size * sizeof(float)) == 0); /* %.9g round-trips float32 */
    rs_tensor_free(&t);
    rs_tensor_free(&back);
}

/* A byte-order mark is not part of the first value: the first row stays data. */
static void test_byte_order_mark(void)
{
    rs_tensor t;
    rs_error err = {0};
    CHECK(parse("\xef\xbb\xbf" "1.5,2\n3,4\n", &t, &err) == 0);
    CHECK(t.shape[0] == 2 && t.data[0] == 1.5f);
    rs_tensor_free(&t);
    CHECK(parse("\xef\xbb\xbf" "x,y\n3,4\n", &t, &err) == 0);
    CHECK(t.shape[0] == 1 && t.data[0] == 3.0f);
    rs_tensor_free(&t);
}

/* With a German LC_NUMERIC (decimal comma) numbers are still read and written with points. */
static void test_german_locale(void)
{
    if (!setlocale(LC_ALL, "de_DE.UTF-8")) {
        skip_test("numbers in the C locale under de_DE.UTF-8", "the locale is not installed");
        return;
    }
    rs_tensor t = {0}, back = {0};
    rs_error err = {0};
    int ok = parse("0.5,-1.25\n2.5e-3,3\n", &t, &err) == 0 && t.data[0] == 0.5f &&
             t.data[1] == -1.25f && t.data[2] == 2.5e-3f;
    const char *path = tmp_path("de.csv");
    ok = ok && rs_csv_write(path, &t, &err) == 0;
    char text[128] = "";
    FILE *f = fopen(path, "r");
    if (f) {
        text[fread(text, 1, sizeof text - 1, f)] = '\0';
        fclose(f);
    }
    ok = ok && strcmp(text, "0.5,-1.25\n0.00249999994,3\n") == 0;
    ok = ok && rs_csv_read(path, &back, &err) == 0 && memcmp(t.data, back.data, 4 * sizeof(float)) == 0;
    if (!ok)
        printf("# %s|%s\n", err.msg, text);
    setlocale(LC_ALL, "C");
    rs_tensor_free(&t);
    rs_tensor_free(&back);
    run_test_result("numbers in the C locale under de_DE.UTF-8", ok);
}

int main(void)
{
    run_test("plain numbers", test_plain);
    run_test("header row, CRLF and blank lines", test_header_crlf_blank_lines);
    run_test("nan, inf, quoted values, semicolons", test_nan_inf_and_quotes);
    run_test("a bad value names line and column", test_bad_value_names_line_and_column);
    run_test("ragged rows are refused", test_ragged_rows);
    run_test("empty input", test_empty);
    run_test("write then read round-trips float32", test_write_read);
    run_test("a UTF-8 byte-order mark is skipped", test_byte_order_mark);
    test_german_locale();
    return check_finish();
}

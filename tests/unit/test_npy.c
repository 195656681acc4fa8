/* .npy reader/writer: files written by NumPy (tests/data/make_npy.py), round trips, bad files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "rnnscope/npy.h"

/* The value rule of make_npy.py for element i of the C-order array. */
static float pattern(char kind, size_t i)
{
    switch (kind) {
    case 'f': return (float)i * 0.25f - 3.0f;
    case 'i': return (float)((int)(i % 7) - 3);
    case 'u': return (float)(i % 7);
    default: return (i % 3) == 0 ? 1.0f : 0.0f;
    }
}

static void expect_pattern(const char *file, char kind)
{
    rs_tensor t;
    rs_error err = {0};
    int rc = rs_npy_read(test_path(file), &t, &err);
    CHECK(rc == 0);
    if (rc != 0) {
        printf("#   %s: %s\n", file, err.msg);
        return;
    }
    CHECK(t.rank == 3 && t.shape[0] == 2 && t.shape[1] == 3 && t.shape[2] == 4);
    int bad = 0;
    for (size_t i = 0; i < t.size; i++)
        if (t.data[i] != pattern(kind, i))
            bad++;
    CHECK(bad == 0);
    if (bad)
        printf("#   %s: %d of %zu values differ\n", file, bad, t.size);
    rs_tensor_free(&t);
}

static void test_numpy_written_files(void)
{
    static const struct { char kind; int sizes[4]; } kinds[] = {
        {'f', {2, 4, 8, 0}}, {'i', {1, 2, 4, 8}}, {'u', {1, 2, 4, 8}}, {'b', {1, 0, 0, 0}}};
    int files = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        for (int s = 0; s < 4 && kinds[k].sizes[s]; s++) {
            int size = kinds[k].sizes[s];
            const char *orders[] = {"le", "be"};
            int norders = size == 1 ? 1 : 2;
            for (int o = 0; o < norders; o++) {
                for (int f = 0; f < 2; f++) {
                    char name[64];
                    snprintf(name, sizeof name, "tests/data/npy/%c%d_%s_%c.npy", kinds[k].kind, size,
                             size == 1 ? "na" : orders[o], f ? 'F' : 'C');
                    expect_pattern(name, kinds[k].kind);
                    files++;
                }
            }
        }
    }
    CHECK(files == 42); /* 12 float, 14 signed, 14 unsigned, 2 bool */
}

static void test_format_versions(void)
{
    expect_pattern("tests/data/npy/v2_f4.npy", 'f');
    expect_pattern("tests/data/npy/v3_f4.npy", 'f');
}

static void test_scalar_and_empty(void)
{
    rs_tensor t;
    rs_error err = {0};
    CHECK(rs_npy_read(test_path("tests/data/npy/scalar_f8.npy"), &t, &err) == 0);
    CHECK(t.rank == 0 && t.size == 1 && t.data && t.data[0] == 2.5f);
    rs_tensor_free(&t);
    CHECK(rs_npy_read(test_path("tests/data/npy/empty_f4.npy"), &t, &err) == 0);
    CHECK(t.rank == 2 && t.shape[0] == 0 && t.shape[1] == 3 && t.size == 0);
    rs_tensor_free(&t);
}

static void test_round_trip(void)
{
    rs_tensor t, back;
    rs_error err = {0};
    CHECK(rs_tensor_alloc_dims(&t, &err, 3, (size_t)2, (size_t)5, (size_t)7) == 0);
    for (size_t i = 0; i < t.size; i++)
        t.data[i] = (float)i * 1.5f - 20.0f;
    t.data[3] = 1e-30f;
    const char *path = tmp_path("round.npy");
    CHECK(rs_npy_write(path, &t, &err) == 0);
    CHECK(rs_npy_read(path, &back, &err) == 0);
    CHECK(rs_shape_equal(&t, &back));
    CHECK(back.size == t.size && memcmp(back.data, t.data, t.size * sizeof(float)) == 0);
    rs_tensor_free(&t);
    rs_tensor_free(&back);
}

/* Header alignment: NumPy requires the data to start at a multiple of 64 bytes. */
static void test_written_header_is_aligned(void)
{
    rs_tensor t;
    rs_error err = {0};
    size_t shape[6] = {1, 2, 3, 4, 5, 6};
    CHECK(rs_tensor_alloc(&t, 6, shape, &err) == 0);
    const char *path = tmp_path("aligned.npy");
    CHECK(rs_npy_write(path, &t, &err) == 0);
    struct stat st;
    CHECK(stat(path, &st) == 0);
    CHECK(((size_t)st.st_size - t.size * 4) % 64 == 0);
    rs_tensor_free(&t);
}

static void expect_parse_error(const void *buf, size_t len, const char *needle)
{
    rs_tensor t;
    rs_error err = {0};
    int rc = rs_npy_parse(buf, len, "bad.npy", &t, &err);
    CHECK(rc < 0);
    CHECK(t.data == NULL);
    CHECK(strncmp(err.msg, "bad.npy: ", 9) == 0);
    if (!strstr(err.msg, needle)) {
        printf("#   message \"%s\" lacks \"%s\"\n", err.msg, needle);
        CHECK(!"message names the problem");
    }
}

/* Build an .npy v1 image with the given header dict and data bytes. */
static size_t make_npy(unsigned char *buf, const char *dict, size_t data_bytes)
{
    size_t dlen = strlen(dict);
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)(dlen & 0xff);
    buf[9] = (unsigned char)(dlen >> 8);
    memcpy(buf + 10, dict, dlen);
    memset(buf + 10 + dlen, 0, data_bytes);
    return 10 + dlen + data_bytes;
}

static void test_malformed_headers(void)
{
    unsigned char buf[512];
    expect_parse_error("PK\x03\x04", 4, "bad magic");
    expect_parse_error("\x93NUMPY\x09\x00\x10\x00", 10, "version 9");
    size_t n = make_npy(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 24);
    expect_parse_error(buf, n - 1, "truncated data");
    expect_parse_error(buf, 20, "truncated .npy header");
    n = make_npy(buf, "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16);
    expect_parse_error(buf, n, "unsupported dtype '<c8'");
    n = make_npy(buf, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8);
    expect_parse_error(buf, n, "structured");
    n = make_npy(buf, "{'descr': '<f4', 'shape': (2,), }", 8);
    expect_parse_error(buf, n, "missing fortran_order");
    n = make_npy(buf, "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }", 8);
    expect_parse_error(buf, n, "fortran_order");
    n = make_npy(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,2,1,1,1,1,1), }", 8);
    expect_parse_error(buf, n, "more than 6 dimensions");
    n = make_npy(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", 8);
    expect_parse_error(buf, n, "non-integer");
    n = make_npy(buf, "'descr'", 0);
    expect_parse_error(buf, n, "not a dictionary");
}

static void test_overflow_shapes(void)
{
    unsigned char buf[512];
    size_t n = make_npy(buf,
        "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16), }", 0);
    expect_parse_error(buf, n, "too large");
    n = make_npy(buf,
        "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }", 0);
    expect_parse_error(buf, n, "non-integer");
    n = make_npy(buf, "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000), }", 8);
    expect_parse_error(buf, n, "truncated data");
}

static void test_missing_file(void)
{
    rs_tensor t;
    rs_error err = {0};
    CHECK(rs_npy_read("/nonexistent/x.npy", &t, &err) < 0);
    CHECK_CONTAINS(err.msg, "/nonexistent/x.npy: ");
}

int main(void)
{
    run_test("NumPy-written files of every dtype, byte order and memory order",
             test_numpy_written_files);
    run_test("format versions 2.0 and 3.0", test_format_versions);
    run_test("scalar and empty arrays", test_scalar_and_empty);
    run_test("write then read gives the same bits", test_round_trip);
    run_test("written header is 64-byte aligned", test_written_header_is_aligned);
    run_test("malformed headers give a message naming the file", test_malformed_headers);
    run_test("absurd shapes are refused before allocation", test_overflow_shapes);
    run_test("a missing file is named in the error", test_missing_file);
    return check_finish();
}

/* The HDF5 guard: a load that crashes in the child process is reported, not repeated here; a
 * clean failure is reported from the child's message; a success runs here, vouched for. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "model/internal.h"

static pid_t parent;
static int runs_here;

static int crash_in_child(void *ctx, rs_error *err)
{
    (void)ctx;
    if (getpid() != parent)
        raise(SIGSEGV);
    runs_here++;
    return rs_fail(err, "x", "must not run in the parent");
}

static int vouched_here;

static int succeed(void *ctx, rs_error *err)
{
    (void)ctx;
    (void)err;
    if (getpid() == parent) {
        runs_here++;
        vouched_here = rs_h5_vouched_by_guard();
    } else if (!rs_h5_in_guard_child()) {
        _exit(1); /* the child must know it is one: it skips plain reads */
    }
    return 0;
}

static int fail_cleanly(void *ctx, rs_error *err)
{
    (void)ctx;
    if (getpid() == parent)
        runs_here++;
    return rs_fail(err, "file.h5", "bad attribute");
}

static void test_crash_is_contained(void)
{
    rs_error err = {0};
    runs_here = 0;
    CHECK(rs_h5_guarded(crash_in_child, NULL, "bad.h5", &err) == -1);
    CHECK_CONTAINS(err.msg, "bad.h5: the HDF5 library crashed");
    CHECK(runs_here == 0);
}

static void test_success_runs_here(void)
{
    rs_error err = {0};
    runs_here = 0;
    CHECK(rs_h5_guarded(succeed, NULL, "good.h5", &err) == 0);
    CHECK(runs_here == 1);
    CHECK(vouched_here);
    CHECK(!rs_h5_vouched_by_guard()); /* only while that load runs */
    CHECK(!rs_h5_in_guard_child());
}

static void test_clean_failure_reported_from_the_child(void)
{
    rs_error err = {0};
    runs_here = 0;
    CHECK(rs_h5_guarded(fail_cleanly, NULL, "file.h5", &err) == -1);
    CHECK_STR(err.msg, "file.h5: bad attribute");
    CHECK(runs_here == 0); /* not loaded twice */
}

/* The scan for global heap collections finds one wherever it starts, among letters that begin
 * like it, up to the last bytes of the image. */
static void test_heap_scan(void)
{
    enum { LEN = 4096 };
    unsigned char *img = calloc(LEN, 1);
    rs_error err = {0};
    for (size_t i = 0; i < LEN; i += 7)
        img[i] = 'G';
    memcpy(img + 100, "GCO", 3);
    memcpy(img + LEN - 4, "GCOL", 4); /* too short to be a collection: passes */
    img[LEN - 5] = 'G';
    CHECK(rs_h5_check_image(img, LEN, "img", &err) == 0);
    /* a collection (version 1, 64 bytes) whose first entry is free space of size 0: libhdf5's
     * walk never advances */
    unsigned char *c = img + 1001;
    memset(c, 0, 64);
    memcpy(c, "GCOL", 4);
    c[4] = 1;
    c[8] = 64;
    CHECK(rs_h5_check_image(img, LEN, "img", &err) < 0);
    CHECK_STR(err.msg, "img: corrupt HDF5 global heap at byte 1001");
    free(img);
}

/* The reader checks a dataset's storage itself before reading it, also in a file that was not
 * scanned when opened (the second line behind rs_h5_open_path's scan). */
static void test_read_refuses_outside_storage(void)
{
    rs_error err = {0};
    rs_h5_setup();
    hid_t f = H5Fopen(test_path("tests/data/outside/external_storage.h5"), H5F_ACC_RDONLY,
                      H5P_DEFAULT);
    CHECK(f >= 0);
    rs_tensor t;
    CHECK(rs_h5_read_tensor(f, "model_weights/dense_leak/dense_leak/bias:0", &t, "x.h5",
                            &err) == -1);
    CHECK_STR(err.msg, "x.h5: weight 'model_weights/dense_leak/dense_leak/bias:0': keeps its "
                       "data in other files (HDF5 external storage); rnnscope reads only what "
                       "is stored inside the model file");
    CHECK(rs_h5_read_tensor(f, "model_weights/dense_leak/dense_leak/kernel:0", &t, "x.h5",
                            &err) == 0);
    rs_tensor_free(&t);
    H5Fclose(f);
    CHECK(rs_h5_open_path(test_path("tests/data/outside/virtual.h5"), &err) < 0);
    CHECK_CONTAINS(err.msg, "'model_weights/dense_leak/dense_leak/bias:0' is a virtual dataset");
}

int main(void)
{
    run_test("the scan for corrupt global heaps finds them anywhere", test_heap_scan);
    run_test("a weight in external storage is refused by the reader too",
             test_read_refuses_outside_storage);
    parent = getpid();
    run_test("a crash in libhdf5 is contained in the child", test_crash_is_contained);
    run_test("a good load runs in the process", test_success_runs_here);
    run_test("a clean failure is reported from the child's message, not loaded again",
             test_clean_failure_reported_from_the_child);
    return check_finish();
}

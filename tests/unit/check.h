/* A minimal TAP test harness for the C unit tests: one "ok"/"not ok" line per test case. */
#ifndef RNNSCOPE_TESTS_CHECK_H
#define RNNSCOPE_TESTS_CHECK_H

#include <stdbool.h>
#include <stddef.h>

void check_true(bool cond, const char *what, const char *file, int line);
void check_near(double got, double want, double tol, const char *what, const char *file, int line);
void check_str(const char *got, const char *want, const char *what, const char *file, int line);

#define CHECK(cond) check_true((cond), #cond, __FILE__, __LINE__)
#define CHECK_NEAR(got, want, tol) check_near((got), (want), (tol), #got, __FILE__, __LINE__)
#define CHECK_STR(got, want) check_str((got), (want), #got, __FILE__, __LINE__)
/* Checks that msg contains needle. */
#define CHECK_CONTAINS(msg, needle) \
    check_true(strstr((msg), (needle)) != NULL, #msg " contains \"" needle "\"", __FILE__, __LINE__)

/* Run one test case and print its TAP line. */
void run_test(const char *name, void (*fn)(void));

/* Report a test case whose checks were made by the caller. */
void run_test_result(const char *name, bool passed);

/* Skip a test case with a reason. */
void skip_test(const char *name, const char *reason);

/* Print the TAP plan; returns the exit status for main. */
int check_finish(void);

/* $srcdir/rel, for reading committed test data (srcdir from the environment, default "."). */
const char *test_path(const char *rel);

/* A fresh per-run temporary directory path joined with name. */
const char *tmp_path(const char *name);

/* Calls fn with the name and contents (NUL-terminated, at most 64 KiB) of every file in a
 * committed directory (path relative to srcdir); returns how many. A missing directory or an
 * unreadable file is a failed check. */
int for_each_file(const char *rel_dir,
                  void (*fn)(const char *name, const unsigned char *data, size_t n, void *user),
                  void *user);


#include "rnnscope/tensor.h"

/* Load a committed .npy (path relative to srcdir); a failure is a failed check and an
 * empty tensor. */
rs_tensor load_npy(const char *rel);

/* Parse a committed JSON file (path relative to srcdir); NULL with a "# ..." line when it cannot
 * be read or parsed. The caller frees it with cJSON_Delete. */
struct cJSON *load_json(const char *rel);

/* max |got - want| <= tol * max(1, max |want|) over n values; prints the worst on failure. */
#define CHECK_CLOSE(got, want, n, tol) check_close((got), (want), (n), (tol), #got, __FILE__, __LINE__)
void check_close(const float *got, const float *want, size_t n, double tol, const char *what,
                 const char *file, int line);

#endif

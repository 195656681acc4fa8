#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static int tests_run, failures_in_test;

static void fail_header(const char *file, int line)
{
    failures_in_test++;
    printf("#   %s:%d: ", file, line);
}

void check_true(bool cond, const char *what, const char *file, int line)
{
    if (cond)
        return;
    fail_header(file, line);
    printf("failed: %s\n", what);
}

void check_near(double got, double want, double tol, const char *what, const char *file, int line)
{
    bool same_nan = isnan(got) && isnan(want);
    bool same_inf = isinf(got) && isinf(want) && (got > 0) == (want > 0);
    if (same_nan || same_inf || fabs(got - want) <= tol)
        return;
    fail_header(file, line);
    printf("%s = %.9g, want %.9g (tol %g)\n", what, got, want, tol);
}

void check_str(const char *got, const char *want, const char *what, const char *file, int line)
{
    if (got && want && strcmp(got, want) == 0)
        return;
    fail_header(file, line);
    printf("%s =\n#     \"%s\"\n#   want\n#     \"%s\"\n", what, got ? got : "(null)",
           want ? want : "(null)");
}

void run_test(const char *name, void (*fn)(void))
{
    failures_in_test = 0;
    fn();
    tests_run++;
    printf("%s %d - %s\n", failures_in_test ? "not ok" : "ok", tests_run, name);
    fflush(stdout);
}

void run_test_result(const char *name, bool passed)
{
    tests_run++;
    printf("%s %d - %s\n", passed ? "ok" : "not ok", tests_run, name);
    fflush(stdout);
}

void skip_test(const char *name, const char *reason)
{
    tests_run++;
    printf("ok %d - %s # SKIP %s\n", tests_run, name, reason);
}

int check_finish(void)
{
    printf("1..%d\n", tests_run);
    return 0; /* failures are reported per case in the TAP stream */
}

const char *test_path(const char *rel)
{
    static char buf[4][4096];
    static int slot;
    const char *srcdir = getenv("srcdir");
    slot = (slot + 1) % 4;
    snprintf(buf[slot], sizeof buf[slot], "%s/%s", srcdir && *srcdir ? srcdir : ".", rel);
    return buf[slot];
}

int for_each_file(const char *rel_dir,
                  void (*fn)(const char *name, const unsigned char *data, size_t n, void *user),
                  void *user)
{
    const char *dir = test_path(rel_dir);
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d)
        return 0;
    int files = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        char path[8192];
        static unsigned char buf[65537];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = e->d_name[0] == '.' ? NULL : fopen(path, "rb");
        if (!f) {
            CHECK(e->d_name[0] == '.');
            continue;
        }
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        fn(e->d_name, buf, n, user);
        files++;
    }
    closedir(d);
    return files;
}

const char *tmp_path(const char *name)
{
    static char dir[4096];
    static char buf[4][4096];
    static int slot;
    if (!dir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/rnnscope-test-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            exit(1);
        }
    }
    slot = (slot + 1) % 4;
    snprintf(buf[slot], sizeof buf[slot], "%s/%s", dir, name);
    return buf[slot];
}

#include <cjson/cJSON.h>

#include "rnnscope/fileio.h"
#include "rnnscope/npy.h"

cJSON *load_json(const char *rel)
{
    unsigned char *text;
    size_t len;
    rs_error err = {0};
    if (rs_read_file(test_path(rel), 1 << 26, &text, &len, &err) < 0) {
        printf("# %s\n", err.msg);
        return NULL;
    }
    cJSON *json = cJSON_ParseWithLength((const char *)text, len);
    free(text);
    if (!json)
        printf("# %s: not valid JSON\n", rel);
    return json;
}

rs_tensor load_npy(const char *rel)
{
    rs_tensor t;
    rs_error err = {0};
    if (rs_npy_read(test_path(rel), &t, &err) < 0) {
        failures_in_test++;
        printf("#   cannot load %s: %s\n", rel, err.msg);
    }
    return t;
}

void check_close(const float *got, const float *want, size_t n, double tol, const char *what,
                 const char *file, int line)
{
    double scale = 1.0, worst = 0.0;
    size_t at = 0;
    if (!got || !want) {
        fail_header(file, line);
        printf("%s: missing data\n", what);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (fabs(want[i]) > scale)
            scale = fabs(want[i]);
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - (double)want[i]);
        if (isnan(got[i]) != isnan(want[i]))
            d = INFINITY;
        if (d > worst || isnan(d)) {
            worst = d;
            at = i;
        }
    }
    if (worst <= tol * scale)
        return;
    fail_header(file, line);
    printf("%s: max |diff| %.3g at %zu (got %.9g, want %.9g), tolerance %.3g\n", what, worst, at,
           (double)got[at], (double)want[at], tol * scale);
}

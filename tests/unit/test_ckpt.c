/* Checkpoints: epoch numbers in names, the order of a directory, the architecture check, the
 * change of a tensor, and the watcher's settle / retry / keep-the-last-good rules (driven with
 * made-up times, on copies of tests/data/ckpt in a temporary directory). */
#include <fcntl.h>
#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "rnnscope/ckpt.h"
#include "rnnscope/ckpt_stats.h"
#include "rnnscope/npy.h"
#include "rnnscope/threads.h"
#include "model/internal.h"

static void test_epoch_of(void)
{
    CHECK(rs_ckpt_epoch_of("run/weights.12-0.53.h5") == 12);
    CHECK(rs_ckpt_epoch_of("ckpt/epoch_012.keras") == 12);
    CHECK(rs_ckpt_epoch_of("model_v2_epoch-7.h5") == 7);
    CHECK(rs_ckpt_epoch_of("dir9/ckpt-0003.h5") == 3);
    CHECK(rs_ckpt_epoch_of("model.h5") == -1);
    CHECK(rs_ckpt_name_ok("a.h5") && rs_ckpt_name_ok("m.keras") && rs_ckpt_name_ok("model.json"));
    CHECK(!rs_ckpt_name_ok(".a.h5") && !rs_ckpt_name_ok("a.h5~") && !rs_ckpt_name_ok("a.npy"));
}

static void test_list_by_epoch(void)
{
    rs_ckpt_list l;
    rs_error err = {0};
    CHECK(rs_ckpt_list_dir(test_path("tests/data/ckpt/numbered"), &l, &err) == 0);
    CHECK(l.n == 2 && l.by_epoch);
    if (l.n == 2)
        CHECK(strstr(l.items[0].path, "epoch_2.h5") && strstr(l.items[1].path, "epoch_10.h5"));
    rs_ckpt_list_free(&l);
    CHECK(rs_ckpt_list_dir(test_path("tests/data/ckpt/run"), &l, &err) == 0);
    CHECK(l.n == 4 && l.by_epoch && l.items[3].epoch == 10);
    rs_ckpt_list_free(&l);
    CHECK(rs_ckpt_list_dir("/nonexistent-dir", &l, &err) < 0);
    CHECK_CONTAINS(err.msg, "/nonexistent-dir: cannot list");
}

static void copy_file(const char *from, const char *to)
{
    char cmd[16384];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
    CHECK(system(cmd) == 0);
}

static void set_mtime(const char *path, long secs)
{
    char cmd[16384];
    snprintf(cmd, sizeof cmd, "touch -d @%ld '%s'", secs, path);
    CHECK(system(cmd) == 0);
}

/* Names without epochs: by modification time, not by name. */
static void test_list_by_mtime(void)
{
    const char *dir = tmp_path("bymtime");
    char a[4096], b[4096];
    mkdir(dir, 0700);
    snprintf(a, sizeof a, "%s/a.h5", dir);
    snprintf(b, sizeof b, "%s/b.h5", dir);
    copy_file(test_path("tests/data/ckpt/gru.h5"), a);
    copy_file(test_path("tests/data/ckpt/gru.h5"), b);
    set_mtime(a, 2000000000);
    set_mtime(b, 1000000000);
    rs_ckpt_list l;
    rs_error err = {0};
    CHECK(rs_ckpt_list_dir(dir, &l, &err) == 0);
    CHECK(l.n == 2 && !l.by_epoch);
    if (l.n == 2)
        CHECK(strstr(l.items[0].path, "b.h5") && strstr(l.items[1].path, "a.h5"));
    rs_ckpt_list_free(&l);
}

static rs_model *load(const char *rel)
{
    rs_model *m = NULL;
    rs_error err = {0};
    if (rs_model_load(test_path(rel), NULL, &m, &err) < 0)
        printf("# %s\n", err.msg);
    return m;
}

static void test_arch_compare(void)
{
    rs_model *a = load("tests/data/ckpt/run/weights.01-1.00.h5");
    rs_model *b = load("tests/data/ckpt/run/weights.10-0.10.h5");
    rs_model *g = load("tests/data/ckpt/gru.h5"), *w = load("tests/data/ckpt/wide_dense.h5");
    rs_error err = {0};
    CHECK(a && b && g && w);
    if (a && b && g && w) {
        CHECK(rs_arch_compare(a, b, &err) == 0);
        CHECK(rs_arch_compare(a, g, &err) < 0);
        CHECK_STR(err.msg, "layer 1 is rnn_a (LSTM) in the first model, rnn_a (GRU) in the second");
        CHECK(rs_arch_compare(a, w, &err) < 0);
        CHECK_STR(err.msg, "layer dense_c: weight dense_c/kernel:0 has shape (4, 2) in the first "
                           "model, (4, 3) in the second");
    }
    rs_model_free(a);
    rs_model_free(b);
    rs_model_free(g);
    rs_model_free(w);
}

static void test_delta(void)
{
    float a[] = {3, 0, 4}, b[] = {3, 1, 4}, z[] = {0, 0, 0};
    rs_delta d = rs_delta_of(a, b, 3);
    CHECK_NEAR(d.norm_a, 5, 1e-12);
    CHECK_NEAR(d.rel, 0.2, 1e-12);
    CHECK_NEAR(d.max_abs, 1, 1e-12);
    CHECK_NEAR(d.cosine, 25 / (5 * sqrt(26)), 1e-12);
    d = rs_delta_of(z, z, 3);
    CHECK(d.rel == 0 && isnan(d.cosine));
    d = rs_delta_of(z, a, 3);
    CHECK(isinf(d.rel));
}

/* The watcher on a file: first load at once; a rewrite is taken only after it has settled;
 * a broken file keeps the last good model and says why; a fixed file is taken on the retry. */
/* A watcher on a copy of epoch 1's checkpoint named name (its path into path), loaded once
 * at the made-up time 100. */
static void watch_epoch_1(const char *name, char *path, size_t len, rs_watch *w)
{
    rs_error err = {0};
    rs_model *m = NULL;
    snprintf(path, len, "%s", tmp_path(name));
    copy_file(test_path("tests/data/ckpt/run/weights.01-1.00.h5"), path);
    CHECK(rs_watch_init(w, path, NULL, &err) == 0);
    CHECK(rs_watch_poll(w, 100.0, false, &m) == 1 && m);
    rs_model_free(m);
}

static void test_watch_file(void)
{
    char path[4096];
    rs_watch w;
    rs_model *m = NULL;
    watch_epoch_1("watched.h5", path, sizeof path, &w);
    CHECK(rs_watch_poll(&w, 100.1, true, &m) == 0 && !m); /* nothing changed */
    /* a half-written file: the first 4000 bytes of another checkpoint */
    char cmd[16384];
    snprintf(cmd, sizeof cmd, "head -c 4000 '%s' > '%s'",
             test_path("tests/data/ckpt/run/weights.02-0.50.h5"), path);
    CHECK(system(cmd) == 0);
    CHECK(rs_watch_poll(&w, 101.0, true, &m) == 0);           /* seen, not settled */
    CHECK(rs_watch_poll(&w, 101.2, true, &m) == 0 && !w.error.msg[0]);
    CHECK(rs_watch_poll(&w, 101.6, true, &m) == 0 && !m);     /* settled, fails to load */
    CHECK_CONTAINS(w.error.msg, "watched.h5");
    CHECK(rs_watch_poll(&w, 101.7, true, &m) == 0);           /* waits for the retry */
    CHECK(w.next_try > 101.8);
    /* the writer finishes */
    copy_file(test_path("tests/data/ckpt/run/weights.02-0.50.h5"), path);
    CHECK(rs_watch_poll(&w, 102.0, true, &m) == 0);
    CHECK(rs_watch_poll(&w, 102.6, true, &m) == 1 && m && !w.error.msg[0]);
    rs_model *want = load("tests/data/ckpt/run/weights.02-0.50.h5");
    if (m && want) /* epoch 2's weights, not epoch 1's */
        CHECK(memcmp(m->nodes[1].weights[0].value.data, want->nodes[1].weights[0].value.data,
                     want->nodes[1].weights[0].value.size * sizeof(float)) == 0);
    rs_model_free(want);
    rs_model_free(m);
    rs_watch_free(&w);
}

/* The settle wait counts from the file's last modification: a rewrite noticed late (its mtime
 * already 2 s old) is taken at the next look, not 0.5 s after it was noticed (it was: the
 * reload of a changed checkpoint also waited for however late the explorer looked). */
static void test_watch_settle_from_mtime(void)
{
    char path[4096];
    rs_watch w;
    rs_model *m = NULL;
    watch_epoch_1("late.h5", path, sizeof path, &w);
    CHECK(rs_watch_due_ms(&w, 100.1) > 0); /* nothing pending */
    copy_file(test_path("tests/data/ckpt/run/weights.02-0.50.h5"), path);
    CHECK(rs_watch_poll(&w, 101.0, true, &m) == 0);   /* seen; written just now: not settled */
    CHECK(rs_watch_due_ms(&w, 101.0) > 400);
    struct timespec old[2] = {{time(NULL) - 2, 0}, {time(NULL) - 2, 0}};
    CHECK(utimensat(AT_FDCWD, path, old, 0) == 0);
    CHECK(rs_watch_poll(&w, 101.05, true, &m) == 0);  /* a new stamp: seen once more */
    CHECK(rs_watch_due_ms(&w, 101.05) == 0);          /* last written 2 s ago: due now */
    CHECK(rs_watch_poll(&w, 101.06, true, &m) == 1 && m);
    rs_model_free(m);
    rs_watch_free(&w);
}

/* A directory holding epoch 2's checkpoint, and a watcher on it. */
static void watch_new_dir(const char *dir, rs_watch *w)
{
    char cmd[16384];
    rs_error err = {0};
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp '%s' '%s/'", dir,
             test_path("tests/data/ckpt/run/weights.02-0.50.h5"), dir);
    CHECK(system(cmd) == 0);
    CHECK(rs_watch_init(w, dir, NULL, &err) == 0);
}

/* The watcher on a directory follows the newest epoch, with inotify or by polling. */
static void watch_dir(const char *name, bool inotify)
{
    const char *dir = tmp_path(name);
    char cmd[16384];
    rs_watch w;
    rs_model *m = NULL;
    watch_new_dir(dir, &w);
    CHECK(w.inotify_fd >= 0); /* Linux */
    if (!inotify && w.inotify_fd >= 0) {
        close(w.inotify_fd);
        w.inotify_fd = -1;
    }
    CHECK(rs_watch_poll(&w, 10.0, false, &m) == 1 && w.shown_epoch == 2);
    rs_model_free(m);
    CHECK(rs_watch_poll(&w, 10.5, true, &m) == 0 && !m);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s/'", test_path("tests/data/ckpt/run/weights.10-0.10.h5"), dir);
    CHECK(system(cmd) == 0);
    CHECK(rs_watch_poll(&w, 11.0, true, &m) == 0);
    CHECK(rs_watch_poll(&w, 11.6, true, &m) == 1 && w.shown_epoch == 10);
    rs_model_free(m);
    rs_watch_free(&w);
}

static void test_watch_dir(void)
{
    watch_dir("run_inotify", true);
}

static void test_watch_dir_polling(void)
{
    watch_dir("run_polling", false);
}

/* The watched directory deleted, then made again (or another renamed over it): its inotify
 * watch went with it, and the watcher never looked again (stuck on "cannot list"). */
static void test_watch_dir_replaced(void)
{
    const char *dir = tmp_path("run_replaced");
    const char *other = tmp_path("run_other");
    char cmd[16384];
    rs_watch w;
    rs_model *m = NULL;
    watch_new_dir(dir, &w);
    CHECK(rs_watch_poll(&w, 10.0, false, &m) == 1 && w.shown_epoch == 2);
    rs_model_free(m);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    CHECK(rs_watch_poll(&w, 10.5, true, &m) == 0 && !m && w.error.msg[0]);
    snprintf(cmd, sizeof cmd, "mkdir '%s' && cp '%s' '%s/'", dir,
             test_path("tests/data/ckpt/run/weights.10-0.10.h5"), dir);
    CHECK(system(cmd) == 0);
    CHECK(rs_watch_poll(&w, 11.0, true, &m) == 0);
    CHECK(rs_watch_poll(&w, 11.6, true, &m) == 1 && w.shown_epoch == 10);
    rs_model_free(m);
    /* another directory renamed over it */
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp '%s' '%s/weights.12.h5' && rm -rf '%s' && mv '%s' '%s'",
             other, test_path("tests/data/ckpt/run/weights.02-0.50.h5"), other, dir, other, dir);
    CHECK(system(cmd) == 0);
    CHECK(rs_watch_poll(&w, 12.0, true, &m) == 0);
    CHECK(rs_watch_poll(&w, 12.6, true, &m) == 1 && w.shown_epoch == 12);
    rs_model_free(m);
    rs_watch_free(&w);
}

/* While rnnscope holds a checkpoint open, the training's next h5py.File(path, "w") must not
 * fail: libhdf5 >= 1.10 locks files it opens unless told not to ("unable to lock file"). */
static void test_no_lock(void)
{
    if (system("/usr/bin/python3 -c 'import h5py' 2>/dev/null") != 0) {
        printf("# no h5py: skipped\n");
        return;
    }
    char path[4096], cmd[16384];
    snprintf(path, sizeof path, "%s", tmp_path("locked.h5"));
    copy_file(test_path("tests/data/ckpt/run/weights.01-1.00.h5"), path);
    rs_error err = {0};
    hid_t f = rs_h5_open_path(path, &err);
    CHECK(f >= 0);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c 'import h5py; h5py.File(\"%s\", \"w\").close()'", path);
    CHECK(system(cmd) == 0);
    if (f >= 0)
        H5Fclose(f);
}

/* A cache entry under the right name and key whose counts are hostile: a miss, no crash, no
 * huge allocation. */
static void write_entry(const char *key, uint32_t n_layers, uint32_t name_len, double n_gates)
{
    char path[4096];
    snprintf(path, sizeof path, "%.*s", (int)(strchr(key, '\n') - key), key);
    FILE *f = fopen(path, "wb");
    if (!f)
        return;
    fputs("rnnscope-timeline-1\n", f);
    fwrite(key, 1, strlen(key) + 1, f);
    fwrite(&n_layers, sizeof n_layers, 1, f);
    fwrite(&name_len, sizeof name_len, 1, f);
    fwrite("rnn_a", 1, 5, f);
    double d[RS_STATS_MAX_GATES + 9 + RS_FINE_BINS] = {0};
    d[RS_STATS_MAX_GATES] = n_gates;
    fwrite(d, sizeof d, 1, f);
    fclose(f);
}

static void test_cache_hostile(void)
{
    setenv("XDG_CACHE_HOME", tmp_path("cache"), 1);
    rs_tensor in = {0};
    rs_error err = {0};
    char key[8192];
    CHECK(rs_stats_cache_key(test_path("tests/data/ckpt/gru.h5"), &in, 0, key, sizeof key, &err) == 0);
    rs_ckpt_stats st;
    write_entry(key, 1, 5, 4);                        /* well formed */
    CHECK(rs_stats_cache_get(key, &st) == 1 && st.n == 1 && st.layers[0].n_gates == 4);
    rs_ckpt_stats_free(&st);
    write_entry(key, 4000000000u, 5, 4);              /* more layers than the file holds */
    CHECK(rs_stats_cache_get(key, &st) == 0 && st.n == 0 && !st.layers);
    write_entry(key, 1, 0xffffffffu, 4);              /* a name of 4 GiB */
    CHECK(rs_stats_cache_get(key, &st) == 0 && !st.layers);
    write_entry(key, 1, 5, 1e300);                    /* gates out of range */
    CHECK(rs_stats_cache_get(key, &st) == 0 && !st.layers);
    write_entry(key, 2, 5, 4);                        /* one layer short */
    CHECK(rs_stats_cache_get(key, &st) == 0 && !st.layers);
    key[strlen(key) - 1] ^= 1;                        /* another key under the same name */
    CHECK(rs_stats_cache_get(key, &st) == 0);
    unsetenv("XDG_CACHE_HOME");
}

/* Counts the observer's calls (from several threads). */
static atomic_int told_weights, told_all;

static void count_done(void *user, size_t i, const rs_ckpt_stats *s, bool outputs)
{
    (void)user;
    (void)i;
    (void)s;
    atomic_fetch_add(outputs ? &told_all : &told_weights, 1);
}

/* The timeline of a directory with a half-written newest checkpoint, computed with `threads`
 * kernel threads (as many checkpoints at once). */
static int gather_with(int threads, const rs_model *first, const rs_tensor *x, rs_timeline *tl)
{
    rs_error err = {0};
    rs_timeline_observer obs = {count_done, NULL, NULL};
    rs_set_threads(threads);
    int rc = rs_ckpt_list_dir(tmp_path("tl_threads"), &tl->ckpts, &err) < 0
                 ? -1
                 : rs_timeline_gather_observed(tl, first, NULL, x, false, &obs, &err);
    rs_set_threads(0);
    if (rc < 0)
        printf("# %s\n", err.msg);
    return rc;
}

/* The checkpoints of a timeline computed on several threads at once give what one thread
 * gives, bit for bit; the one that does not load is left out the same way; the observer hears
 * of each checkpoint's weights, then of all its statistics. */
static void test_timeline_threads(void)
{
    char cmd[16384];
    const char *dir = tmp_path("tl_threads");
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp '%s'/*.h5 '%s/' && head -c 3000 '%s' > "
             "'%s/weights.11-0.05.h5'", dir, test_path("tests/data/ckpt/run"), dir,
             test_path("tests/data/ckpt/run/weights.10-0.10.h5"), dir);
    CHECK(system(cmd) == 0);
    rs_model *first = load("tests/data/ckpt/run/weights.01-1.00.h5");
    rs_tensor x = {0};
    rs_error err = {0};
    CHECK(first && rs_npy_read(test_path("tests/data/ckpt/input.npy"), &x, &err) == 0);
    rs_timeline one = {0}, three = {0};
    if (first && x.data && gather_with(1, first, &x, &one) == 0 &&
        gather_with(3, first, &x, &three) == 0) {
        CHECK(one.ckpts.n == 4 && three.ckpts.n == 4);
        CHECK(one.n_skipped == 1 && three.n_skipped == 1);
        CHECK(atomic_load(&told_weights) == 8 && atomic_load(&told_all) == 8);
        for (size_t c = 0; c < one.ckpts.n && c < three.ckpts.n; c++) {
            CHECK(strcmp(one.ckpts.items[c].path, three.ckpts.items[c].path) == 0);
            CHECK(one.stats[c].n == 3 && three.stats[c].n == 3);
            for (int l = 0; l < one.stats[c].n && l < three.stats[c].n; l++) {
                const rs_layer_stats *a = &one.stats[c].layers[l], *b = &three.stats[c].layers[l];
                CHECK(strcmp(a->name, b->name) == 0);
                /* every number after the name, NaN included */
                CHECK(memcmp(&a->n_gates, &b->n_gates,
                             sizeof *a - offsetof(rs_layer_stats, n_gates)) == 0);
            }
        }
    } else {
        CHECK(!"gathered");
    }
    rs_timeline_free(&one);
    rs_timeline_free(&three);
    rs_tensor_free(&x);
    rs_model_free(first);
}

int main(void)
{
    run_test("epoch numbers in checkpoint names", test_epoch_of);
    run_test("a directory by epoch number", test_list_by_epoch);
    run_test("a directory by modification time", test_list_by_mtime);
    run_test("architecture comparison names the first difference", test_arch_compare);
    run_test("relative change, max change, cosine", test_delta);
    run_test("watching a file: settle, fail, keep, retry", test_watch_file);
    run_test("watching a file: the settle wait counts from the last write",
             test_watch_settle_from_mtime);
    run_test("watching a directory: the newest epoch (inotify)", test_watch_dir);
    run_test("watching a directory: the newest epoch (polling)", test_watch_dir_polling);
    run_test("a watched directory deleted or replaced is watched anew", test_watch_dir_replaced);
    run_test("a file held open does not stop its writer (no HDF5 lock)", test_no_lock);
    run_test("hostile timeline cache entries are misses", test_cache_hostile);
    run_test("a timeline on several threads is the timeline on one", test_timeline_threads);
    return check_finish();
}

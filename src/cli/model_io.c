#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "model_io.h"
#include "rnnscope/ckpt.h"
#include "rnnscope/settings.h"
#include "rnnscope/threads.h"
#include "rnnscope/csv.h"
#include "rnnscope/fileio.h"
#include "rnnscope/memcap.h"
#include "rnnscope/input.h"
#include "rnnscope/npy.h"

bool parse_count(const char *s, unsigned long *out)
{
    if (!s || !*s || *s == '-')
        return false;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || errno)
        return false;
    *out = v;
    return true;
}

bool cli_parse_format(const char *cmd, const char *arg, bool *tsv)
{
    if (strcmp(arg, "tsv") && strcmp(arg, "text")) {
        cli_error("%s: --format is text or tsv, not '%s'", cmd, arg);
        return false;
    }
    *tsv = strcmp(arg, "tsv") == 0;
    return true;
}

int input_opts_take(input_opts *o, const char *cmd, int opt, const char *arg)
{
    unsigned long v;
    switch (opt) {
    case OPT_INPUT:
        if (o->n_files == CLI_MAX_INPUTS) {
            cli_error("%s: at most %d --input files", cmd, CLI_MAX_INPUTS);
            return -1;
        }
        o->files[o->n_files++] = arg;
        return 1;
    case OPT_RANDOM:
        if (!parse_count(arg, &v)) {
            cli_error("%s: --random needs a seed (a non-negative integer), not '%s'", cmd, arg);
            return -1;
        }
        o->random = true;
        o->seed = v;
        return 1;
    case OPT_SAMPLE:
        if (!parse_count(arg, &v)) {
            cli_error("%s: --sample needs a sample index, not '%s'", cmd, arg);
            return -1;
        }
        o->have_sample = true;
        o->sample = v;
        return 1;
    case OPT_WEIGHTS:
        o->weights = arg;
        return 1;
    case OPT_MAX_MEMORY: {
        size_t bytes;
        if (!rs_memcap_parse(arg, &bytes)) {
            cli_error("%s: --max-memory needs a size such as 512M, 2G or 1.5GiB (or none), "
                      "not '%s'", cmd, arg);
            return -1;
        }
        o->max_memory = arg;
        return 1;
    }
    case OPT_THREADS:
        if (!parse_count(arg, &v) || v < 1 || v > CLI_MAX_THREADS) {
            cli_error("%s: --threads needs a number of threads (1..%d), not '%s'", cmd,
                      CLI_MAX_THREADS, arg);
            return -1;
        }
        rs_set_threads((int)v);
        return 1;
    default:
        return 0;
    }
}

int cli_apply_memcap(const input_opts *o)
{
    const char *env = getenv("RNNSCOPE_MAX_MEMORY");
    size_t bytes = rs_memcap_default();
    if (o->max_memory) {
        rs_memcap_parse(o->max_memory, &bytes); /* checked when the option was taken */
    } else if (env && *env) {
        if (!rs_memcap_parse(env, &bytes)) {
            cli_error("RNNSCOPE_MAX_MEMORY needs a size such as 512M, 2G or 1.5GiB (or none), "
                      "not '%s'", env);
            return EXIT_USAGE;
        }
    } else {
        /* A broken settings file is the explorer's to report: here it only gives no cap. */
        rs_settings cfg;
        rs_error ignored;
        rs_settings_defaults(&cfg);
        if (rs_settings_load(&cfg, &ignored) == 0 && cfg.max_memory)
            bytes = cfg.max_memory;
    }
    rs_memcap_set(bytes);
    return EXIT_OK;
}

int cli_open_model(const char *path, const input_opts *o, rs_model **m)
{
    rs_error err = {0};
    int rc = cli_apply_memcap(o);
    if (rc != EXIT_OK)
        return rc;
    if (rs_model_load(path, o->weights, m, &err) < 0) {
        cli_error("%s", err.msg);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

int cli_open_newest(const char *dir, const input_opts *o, rs_model **m)
{
    rs_error err = {0};
    rs_ckpt_list l;
    if (rs_ckpt_list_dir(dir, &l, &err) < 0) {
        cli_error("%s", err.msg);
        return EXIT_FAIL;
    }
    int rc = EXIT_FAIL;
    if (l.n == 0)
        cli_error("%s: no checkpoint (.h5, .hdf5, .keras, .json) in the directory", dir);
    else
        rc = cli_open_model(l.items[l.n - 1].path, o, m);
    rs_ckpt_list_free(&l);
    return rc;
}

int cli_open_compare(const rs_model *a, const char *path, rs_model **b)
{
    rs_error err = {0};
    rs_memcap_hold(rs_model_weight_bytes(a));
    if (rs_model_load(path, NULL, b, &err) < 0) {
        cli_error("%s", err.msg);
        return EXIT_FAIL;
    }
    if (rs_arch_compare(a, *b, &err) < 0) {
        cli_error("%s and %s: different architectures: %s", a->path, path, err.msg);
        rs_model_free(*b);
        *b = NULL;
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

static bool is_npy(const char *path)
{
    FILE *f = rs_fopen_regular(path, NULL);
    unsigned char magic[6] = {0};
    if (!f)
        return true; /* let the .npy reader report the problem (a FIFO is not opened) */
    size_t n = fread(magic, 1, sizeof magic, f);
    fclose(f);
    return n == 6 && memcmp(magic, "\x93NUMPY", 6) == 0;
}

static int read_input_file(const char *path, rs_tensor *t, rs_error *err)
{
    size_t n = strlen(path);
    bool csv = !is_npy(path) && n > 4 && strcmp(path + n - 4, ".csv") == 0;
    if (!csv && !is_npy(path) && access(path, R_OK) == 0)
        return rs_fail(err, path, "not a NumPy .npy file or a .csv file");
    return csv ? rs_csv_read(path, t, err) : rs_npy_read(path, t, err);
}

/* "<model minus extension>.inputs.npy" when it exists. */
static bool bundled_sample(const char *model, char *out, size_t len)
{
    const char *dot = strrchr(model, '.'), *slash = strrchr(model, '/');
    size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - model) : strlen(model);
    if (snprintf(out, len, "%.*s.inputs.npy", (int)stem, model) >= (int)len)
        return false;
    return access(out, R_OK) == 0;
}

static void free_batch(rs_tensor *batch, int n)
{
    for (int i = 0; i < n; i++)
        rs_tensor_free(&batch[i]);
}

int cli_build_inputs(const rs_model *m, const input_opts *o, rs_tensor *batch, char *desc,
                     size_t desc_len)
{
    rs_error err = {0};
    char bundled[4096];
    if (m->n_inputs > CLI_MAX_INPUTS) {
        cli_error("%s: the model has %d inputs, more than %d", m->path, m->n_inputs, CLI_MAX_INPUTS);
        return EXIT_FAIL;
    }
    if (o->n_files && o->random) {
        cli_error("--input and --random cannot be used together");
        return EXIT_USAGE;
    }
    if (o->n_files && o->n_files != m->n_inputs) {
        cli_error("%s: the model has %d input%s, %d --input file%s given", m->path, m->n_inputs,
                  m->n_inputs == 1 ? "" : "s", o->n_files, o->n_files == 1 ? "" : "s");
        return EXIT_FAIL;
    }
    bool use_bundled = !o->n_files && !o->random && m->n_inputs == 1 &&
                       bundled_sample(m->path, bundled, sizeof bundled);
    for (int i = 0; i < m->n_inputs; i++) {
        const char *file = o->n_files ? o->files[i] : use_bundled ? bundled : NULL;
        int rc = file ? read_input_file(file, &batch[i], &err)
                      : rs_random_input(m, i, o->random ? o->seed : 0, 1, &batch[i], &err);
        if (rc == 0 && file)
            rc = rs_input_fit(m, i, &batch[i], file, &err);
        if (rc == 0 && o->have_sample)
            rc = rs_input_pick_sample(&batch[i], o->sample, file ? file : "the random input", &err);
        if (rc < 0) {
            free_batch(batch, i + 1);
            cli_error("%s", err.msg);
            return EXIT_FAIL;
        }
    }
    for (int i = 1; i < m->n_inputs; i++)
        if (batch[i].shape[0] != batch[0].shape[0]) {
            cli_error("%s: has %zu samples but %s has %zu", o->files[i], batch[i].shape[0],
                      o->files[0], batch[0].shape[0]);
            free_batch(batch, m->n_inputs);
            return EXIT_FAIL;
        }
    if (o->n_files)
        snprintf(desc, desc_len, "%s%s", o->files[0], o->n_files > 1 ? ", ..." : "");
    else if (use_bundled)
        snprintf(desc, desc_len, "bundled sample");
    else
        snprintf(desc, desc_len, "random (seed %lu)", o->random ? o->seed : 0UL);
    return EXIT_OK;
}

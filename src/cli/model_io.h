/* What the subcommands share: opening the model and building its input from the INPUT OPTIONS
 * (--input FILE..., --random SEED, --sample N), --weights and --threads N (how many threads the
 * forward pass may use). Errors are printed here. */
#ifndef RNNSCOPE_CLI_MODEL_IO_H
#define RNNSCOPE_CLI_MODEL_IO_H

#include <getopt.h>
#include <stdbool.h>

#include "rnnscope/model.h"

#define CLI_MAX_INPUTS 16
#define CLI_MAX_THREADS 256

enum {
    OPT_INPUT = 1000,
    OPT_RANDOM,
    OPT_SAMPLE,
    OPT_WEIGHTS,
    OPT_MAX_MEMORY,
    OPT_THREADS,
    OPT_FIRST_FREE, /* commands number their own options from here */
};

#define INPUT_LONG_OPTIONS                                                                   \
    {"input", required_argument, 0, OPT_INPUT}, {"random", required_argument, 0, OPT_RANDOM}, \
        {"sample", required_argument, 0, OPT_SAMPLE},                                         \
        {"weights", required_argument, 0, OPT_WEIGHTS},                                       \
        {"max-memory", required_argument, 0, OPT_MAX_MEMORY},                                 \
        {"threads", required_argument, 0, OPT_THREADS}

typedef struct input_opts {
    const char *files[CLI_MAX_INPUTS];
    int n_files;
    bool random;
    unsigned long seed;
    bool have_sample;
    size_t sample;
    const char *weights;
    const char *max_memory; /* --max-memory as given (checked when taken) */
} input_opts;

/* Take an input option. Returns 1 when taken, 0 when opt is not one, -1 on a bad value (after
 * printing the problem; the command exits 2). */
int input_opts_take(input_opts *o, const char *cmd, int opt, const char *arg);

/* Set the memory cap from --max-memory, else RNNSCOPE_MAX_MEMORY, else the settings file's
 * "set max-memory", else half of the physical memory. Returns 0, or EXIT_USAGE after printing
 * why a value is bad. */
int cli_apply_memcap(const input_opts *o);

/* Set the memory cap, then open MODEL (and --weights). Returns 0 or prints the error and
 * returns EXIT_FAIL (EXIT_USAGE for a bad memory cap). */
int cli_open_model(const char *path, const input_opts *o, rs_model **m);

/* A directory of checkpoints: open its newest (the last in rs_ckpt_list_dir's order: by the
 * epoch in the names, else by modification time), as the explorer and plot's timeline do.
 * Prints errors; returns an exit status. */
int cli_open_newest(const char *dir, const input_opts *o, rs_model **m);

/* --compare B: open B beside A (A's weights count against the memory cap while B loads and
 * runs, B's while A runs: the two have one architecture, hence one size) and check that B has
 * A's architecture layer by layer, else one line naming the first difference. B is a whole
 * model file (.h5, .keras or TF.js model.json; --weights is A's). Prints errors; returns an
 * exit status. */
int cli_open_compare(const rs_model *a, const char *path, rs_model **b);

/* The model's inputs as batches (one tensor per model input), from the files, a random seed,
 * the model's bundled sample ("<model>.inputs.npy") or --random 0; then --sample. Prints
 * errors and returns EXIT_FAIL; desc gets a short description of the input. */
int cli_build_inputs(const rs_model *m, const input_opts *o, rs_tensor *batch, char *desc,
                     size_t desc_len);

/* --format text|tsv (diff, timeline): sets *tsv, or prints the misuse and returns false. */
bool cli_parse_format(const char *cmd, const char *arg, bool *tsv);

/* Parse a non-negative integer option value; false if it is not one. */
bool parse_count(const char *s, unsigned long *out);

#endif

/* The explorer: an ncurses TUI over a model's layers, channels, timesteps and samples. */
#ifndef RNNSCOPE_TUI_H
#define RNNSCOPE_TUI_H

#include <stdbool.h>

#include "rnnscope/attribution.h"
#include "rnnscope/model.h"
#include "rnnscope/term.h"

/* Where the model's input comes from, and how to make a new random one. */
typedef struct rs_tui_input {
    rs_tensor *batch;          /* one tensor per model input, batch axis first (owned by caller) */
    int n;
    const char *description;   /* "inputs.npy", "bundled sample" (a random input is described
                                  from its seed) */
    long first_sample;         /* the source's index of the batch's first sample (--sample N) */
    bool random;               /* `r` makes a new random input */
    unsigned long seed;
    /* Fill batch with a new random input for seed (when random). */
    int (*regenerate)(void *user, unsigned long seed, rs_tensor *batch, int n, rs_error *err);
    void *user;
} rs_tui_input;

/* Gradient mode (--grad and its OBJECTIVE options; `d` toggles it): what is differentiated.
 * All zeros: unit 0 of the first model output, the plain gradient on the input. */
typedef struct rs_tui_grad {
    bool start;                /* --grad: open showing gradients */
    rs_objective obj;          /* labels: the whole batch's (row s for sample s), or NULL */
    rs_saliency_opts saliency; /* the InputLayer's attribution: method, --ig-steps, --baseline */
    const char *baseline_name; /* --baseline's file, for errors */
} rs_tui_grad;

typedef struct rs_tui_options {
    rs_term_graphics graphics;  /* forced mode, or RS_TERM_AUTO to detect */
    bool mouse;
    /* Test seam (as in tig): keys from a file instead of the keyboard, and the screen as text
     * written to a file when the script ends; headless draws nothing on a terminal. */
    const char *keys_script;
    const char *dump_path;
    bool headless;
    int headless_cols, headless_rows;
    /* --watch: new checkpoints from this watcher (rnnscope/ckpt.h) replace the model on screen
     * when their architecture is the same; NULL when not watching. */
    struct rs_watch *watch;
    rs_tui_grad grad;
    /* --compare: a second checkpoint of the same architecture (the caller's, checked with
     * rs_arch_compare), shown as A, B or A - B; NULL when not comparing. */
    rs_model *compare;
    /* opened on a directory of checkpoints (rnnscope DIR, --watch DIR): the timeline view
     * shows the selected layer over all of them; NULL otherwise. */
    const char *timeline_dir;
} rs_tui_options;

/* Run the explorer until the user quits. Returns 0, or -1 with err. */
int rs_tui_run(rs_model *m, rs_tui_input *input, const rs_tui_options *o, rs_error *err);

#endif

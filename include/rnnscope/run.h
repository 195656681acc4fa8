/* Running a model on demand: asked for one node's output, compute what it needs, and keep
 * every node's outputs for the current input until the input changes. */
#ifndef RNNSCOPE_RUN_H
#define RNNSCOPE_RUN_H

#include "rnnscope/model.h"
#include "rnnscope/progress.h"

typedef struct rs_run rs_run;

rs_run *rs_run_new(const rs_model *m, rs_error *err);
void rs_run_free(rs_run *r);

/* Progress and cancellation of long computations; p is copied. NULL to stop reporting. */
void rs_run_set_progress(rs_run *r, const rs_progress *p);

/* Give the model its inputs: one tensor per model input, batch axis first, with the shape
 * the model expects. Copies them; clears every cached output. */
int rs_run_set_inputs(rs_run *r, const rs_tensor *inputs, int n, rs_error *err);

/* The same, taking the tensors instead of copying them (they are held once): on success the
 * caller's tensors are left empty (freeing them is harmless); on failure they stay the caller's. */
int rs_run_take_inputs(rs_run *r, rs_tensor *inputs, int n, rs_error *err);

/* Output k of a node (k may index an internal), computing it and what it needs if not cached.
 * The tensor belongs to the run and stays valid until the inputs change. */
int rs_run_output(rs_run *r, int node, int k, const rs_tensor **out, rs_error *err);

/* The mask Keras carries with output k of a node ((batch, steps) of 0/1; an internal gets the
 * mask of output 0, whose steps it shares), once that output is computed; NULL when there is
 * none. */
const rs_tensor *rs_run_mask(const rs_run *r, int node, int k);

/* Bytes the memory cap counts as held: the model's weights, and the inputs and outputs every
 * run holds. A computation on top of the run (the reverse pass) checks its needs against it. */
size_t rs_run_held(const rs_run *r);

/* The progress reporting set by rs_run_set_progress, or NULL (for computations on top of the
 * run: the reverse pass reports and cancels through it too). */
const rs_progress *rs_run_progress(const rs_run *r);

/* The model the run computes. */
const rs_model *rs_run_model(const rs_run *r);

/* Forget cached outputs (the inputs stay). */
void rs_run_clear(rs_run *r);

#endif

/* Model inputs: random ones like the seed's np.random.rand, and files fitted to the shape the
 * model expects (batch axis added when missing). */
#ifndef RNNSCOPE_INPUT_H
#define RNNSCOPE_INPUT_H

#include "rnnscope/model.h"

/* Timesteps used for a random input when the model leaves its time axis open (None). */
#define RS_RANDOM_DEFAULT_STEPS 100

/* A batch of `batch` random inputs for model input i: uniform [0, 1), or integer token ids in
 * [0, input_dim) when the input feeds an Embedding. Deterministic for a seed. */
int rs_random_input(const rs_model *m, int i, unsigned long seed, size_t batch, rs_tensor *out,
                    rs_error *err);

/* Check t against model input i and give it a batch axis if it has none (rank one less than the
 * model's). name is the file named in errors. */
int rs_input_fit(const rs_model *m, int i, rs_tensor *t, const char *name, rs_error *err);

/* Keep only sample k of a batch (the batch axis stays, of length 1). */
int rs_input_pick_sample(rs_tensor *t, size_t k, const char *name, rs_error *err);

#endif

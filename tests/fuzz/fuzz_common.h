/* Shared by the libFuzzer targets: write the input to files in a private directory and load
 * them with rs_model_load, the way the program opens models. */
#ifndef RNNSCOPE_FUZZ_COMMON_H
#define RNNSCOPE_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Path of name inside this process's scratch directory (created once). */
const char *fuzz_path(const char *name);

/* Write data to fuzz_path(name); returns that path, or NULL. */
const char *fuzz_write(const char *name, const uint8_t *data, size_t size);

/* Load path (and weights) and free the model; a failure must leave a message. */
void fuzz_load(const char *path, const char *weights);

#endif

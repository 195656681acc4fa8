/* NumPy .npy files: read any numeric dtype of format 1, 2 and 3 into float32 C order;
 * write float32 (format 1.0, or 2.0 when the header needs it). */
#ifndef RNNSCOPE_NPY_H
#define RNNSCOPE_NPY_H

#include <stdio.h>
#include "rnnscope/tensor.h"

/* Parse an .npy image held in memory; name is used in error messages. */
int rs_npy_parse(const unsigned char *buf, size_t len, const char *name,
                 rs_tensor *out, rs_error *err);

int rs_npy_read(const char *path, rs_tensor *out, rs_error *err);

/* Write to an open stream; name is used in error messages. */
int rs_npy_write_stream(FILE *f, const char *name, const rs_tensor *t, rs_error *err);

/* Write atomically: to a temporary file beside path, then rename over it. */
int rs_npy_write(const char *path, const rs_tensor *t, rs_error *err);

#endif

/* CSV of one sample: rows = timesteps, columns = features, optional header row. */
#ifndef RNNSCOPE_CSV_H
#define RNNSCOPE_CSV_H

#include <stdio.h>
#include "rnnscope/tensor.h"

/* Parse CSV text held in memory into a (rows, cols) tensor. */
int rs_csv_parse(const char *text, size_t len, const char *name, rs_tensor *out, rs_error *err);

int rs_csv_read(const char *path, rs_tensor *out, rs_error *err);

/* Write a tensor as CSV: last axis = columns, all leading axes flattened into rows. */
int rs_csv_write_stream(FILE *f, const char *name, const rs_tensor *t, rs_error *err);

/* Write atomically (temporary file, then rename). */
int rs_csv_write(const char *path, const rs_tensor *t, rs_error *err);

#endif

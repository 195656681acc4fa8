/* Running a test case on each vector path (src/core/vmath_path.h): portable, AVX2, AVX-512,
 * forced in turn, so that every path stays tested on whatever machine runs the tests. A path
 * this CPU (or its OS) cannot run is reported as skipped, with the reason. */
#ifndef RNNSCOPE_TESTS_PATHS_H
#define RNNSCOPE_TESTS_PATHS_H

#include "core/vmath_path.h"

/* Runs fn as the test case "name [path]" with the path forced, then restores the automatic
 * choice. */
void run_on_path(rs_vmath_path path, const char *name, void (*fn)(void));

/* The same on the portable, the AVX2 and the AVX-512 path. */
void run_on_every_path(const char *name, void (*fn)(void));

/* The same on the vector paths only (AVX2, AVX-512): kernels that the portable path never runs. */
void run_on_vector_paths(const char *name, void (*fn)(void));

#endif

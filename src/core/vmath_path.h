/* Which implementation the vector kernels use: rs_vexp/rs_vsigmoid/rs_vtanh, the kernels that
 * inline their 8-wide versions, and the matrix products (src/core/gemm.c). Internal: for those
 * kernels, and for tests that check both paths. */
#ifndef RNNSCOPE_CORE_VMATH_PATH_H
#define RNNSCOPE_CORE_VMATH_PATH_H

#include <stdbool.h>

typedef enum rs_vmath_path {
    RS_VMATH_AUTO,     /* AVX2+FMA when the CPU has them, else portable */
    RS_VMATH_PORTABLE,
    RS_VMATH_AVX2,
} rs_vmath_path;

/* Choose a path for the whole process (tests; not thread-safe against running kernels).
 * Returns false, changing nothing, when this CPU or build cannot run it. */
bool rs_vmath_force(rs_vmath_path path);

/* True when the AVX2+FMA code is to be used now. */
bool rs_vmath_avx2(void);

#endif

/* Which instruction set the vector kernels use, for the whole process: rs_vexp/rs_vsigmoid/
 * rs_vtanh, the fused recurrent cells, the matrix products, the additive attention scores.
 * Internal: for those kernels, for tests that check every path and for bench/.
 *
 * The AVX-512 path runs AVX-512 versions where a kernel has one and the AVX2 code elsewhere (the
 * additive attention scores), so rs_vmath_avx2() is true on it too. */
#ifndef RNNSCOPE_CORE_VMATH_PATH_H
#define RNNSCOPE_CORE_VMATH_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* Where the x86 paths are built at all (their files compile to nothing elsewhere). */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RS_VMATH_X86 1
#endif

typedef enum rs_vmath_path {
    RS_VMATH_AUTO,     /* the best this CPU and its OS support */
    RS_VMATH_PORTABLE, /* C only */
    RS_VMATH_AVX2,     /* AVX2 + FMA */
    RS_VMATH_AVX512,   /* AVX-512 F and DQ, with AVX2 + FMA */
} rs_vmath_path;

/* Choose a path for the whole process (tests, bench/; not thread-safe against running kernels).
 * Returns false, changing nothing, when this CPU or build cannot run it. */
bool rs_vmath_force(rs_vmath_path path);

/* The path in use now (never RS_VMATH_AUTO). */
rs_vmath_path rs_vmath_current(void);

/* Its name: "portable", "avx2", "avx512" ("auto" for RS_VMATH_AUTO). */
const char *rs_vmath_name(rs_vmath_path path);

/* The path of that name, or false. */
bool rs_vmath_from_name(const char *name, rs_vmath_path *path);

/* True when AVX2+FMA code may run now (the AVX2 and the AVX-512 path). */
bool rs_vmath_avx2(void);

/* True when the AVX-512 versions are to be used now. */
bool rs_vmath_avx512(void);

/* The AVX2 and AVX-512 array loops of vmath.c (core/vmath_simd.h), one file per instruction set. */
void rs_vexp_avx2(float *x, size_t n);
void rs_vsigmoid_avx2(float *x, size_t n);
void rs_vtanh_avx2(float *x, size_t n);
void rs_vexp_avx512(float *x, size_t n);
void rs_vsigmoid_avx512(float *x, size_t n);
void rs_vtanh_avx512(float *x, size_t n);

#endif

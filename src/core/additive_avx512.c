/* The additive attention scores' kernels on the avx512 path (core/additive_simd.h). */
#include "core/simd_avx512.h"
#include "core/additive_simd.h"

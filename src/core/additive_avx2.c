/* The additive attention scores' kernels on the avx2 path (core/additive_simd.h). */
#include "core/simd_avx2.h"
#include "core/additive_simd.h"

/* The fused recurrent cells on the avx512 path (core/rnn_cells_simd.h). */
#include "core/simd_avx512.h"
#include "core/rnn_cells_simd.h"

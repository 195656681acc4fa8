/* The fused recurrent cells on the avx2 path (core/rnn_cells_simd.h). */
#include "core/simd_avx2.h"
#include "core/rnn_cells_simd.h"

/* Packing a block of B for rs_gemm's kernels (internal), in the words of core/simd_avx2.h or
 * core/simd_avx512.h. B is read a row at a time so that its rows stream; each row's NR-column
 * pieces go to their panels, the last piece zero-padded (a masked load reads the columns there
 * are, zeros for the rest). */
#ifndef RNNSCOPE_CORE_PACK_SIMD_H
#define RNNSCOPE_CORE_PACK_SIMD_H

#include "core/gemm_path.h"

#ifdef RS_SIMD
SIMD_TARGET void SIMD_NAME(rs_pack_block)(float *buf, const float *B, size_t ldb, size_t kc,
                                          size_t nc)
{
    size_t panels = (nc + NR - 1) / NR;
    for (size_t k = 0; k < kc; k++) {
        const float *src = B + k * ldb;
        for (size_t p = 0; p < panels; p++) {
            float *dst = buf + (p * kc + k) * NR;
            for (size_t h = 0; h < NR; h += SIMD_LANES) {
                size_t col = p * NR + h;
                if (col + SIMD_LANES <= nc)
                    V_STORE(dst + h, V_LOAD(src + col));
                else if (col < nc)
                    V_STORE(dst + h, V_LOAD_MASKED(src + col, V_MASK_FIRST(nc - col)));
                else
                    V_STORE(dst + h, V_ZERO());
            }
        }
    }
}
#endif

#endif

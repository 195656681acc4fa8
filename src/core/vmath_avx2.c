/* rs_vexp, rs_vsigmoid and rs_vtanh on the avx2 path (core/vmath_simd.h). */
#include "core/simd_avx2.h"
#include "core/vmath_path.h"
#include "core/vmath_simd.h"

#ifdef RS_SIMD
RS_VMATH_ARRAY_LOOP(rs_vexp_avx2, rs_exp_vec)
RS_VMATH_ARRAY_LOOP(rs_vsigmoid_avx2, rs_sigmoid_vec)
RS_VMATH_ARRAY_LOOP(rs_vtanh_avx2, rs_tanh_vec)
#endif

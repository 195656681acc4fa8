/* Constants shared by the portable and the AVX2 exp/sigmoid/tanh (internal). */
#ifndef RNNSCOPE_CORE_VMATH_CONSTS_H
#define RNNSCOPE_CORE_VMATH_CONSTS_H

/* exp's input is clamped to [LO, HI]: e^-104 rounds to 0 and e^89 to +Inf in float, and the
 * clamp keeps 2^n inside the two-step scaling's range (n in [-150, 129]). */
#define RS_EXP_LO (-104.0f)
#define RS_EXP_HI 89.0f
#define RS_LOG2E 1.44269504088896341f
/* Cody–Waite: ln 2 = HI + LO with HI exact in 9 bits, so n·HI is exact for |n| < 2^15. */
#define RS_LN2_HI 0.693359375f
#define RS_LN2_LO (-2.12194440e-4f)
/* e^r ≈ 1 + r + r² P(r) on |r| <= ln2/2 (Cephes expf minimax coefficients). */
#define RS_EXP_P0 1.9875691500e-4f
#define RS_EXP_P1 1.3981999507e-3f
#define RS_EXP_P2 8.3334519073e-3f
#define RS_EXP_P3 4.1665795894e-2f
#define RS_EXP_P4 1.6666665459e-1f
#define RS_EXP_P5 5.0000001201e-1f
/* tanh x ≈ x + x·z·P(z), z = x², on |x| < 0.625 (Cephes tanhf). */
#define RS_TANH_SMALL 0.625f
#define RS_TANH_SATURATE 10.0f
#define RS_TANH_P0 (-5.70498872745e-3f)
#define RS_TANH_P1 2.06390887954e-2f
#define RS_TANH_P2 (-5.37397155531e-2f)
#define RS_TANH_P3 1.33314422036e-1f
#define RS_TANH_P4 (-3.33332819422e-1f)

#endif

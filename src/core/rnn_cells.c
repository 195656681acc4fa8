/* Fused gate arithmetic of the recurrent cells, 8 units at a time (see rnnscope/rnn_cells.h).
 * Each function is one loop over blocks of 8 units; the last, partial block uses masked loads
 * and stores so that every unit gets the same arithmetic whatever the slice's length. */
#include "rnnscope/rnn_cells.h"

#include "core/vmath_path.h"
#include "core/gemv_x86.h"
#include "core/vmath_x86.h"

static bool act_fusable(rs_act_kind k)
{
    return k == RS_ACT_SIGMOID || k == RS_ACT_TANH || k == RS_ACT_HARD_SIGMOID_K2 ||
           k == RS_ACT_HARD_SIGMOID_K3 || k == RS_ACT_LINEAR;
}

bool rs_cells_fusable(const rs_activation *act, const rs_activation *ract)
{
#ifdef RS_VMATH_X86
    bool cpu = rs_vmath_avx2();
#else
    bool cpu = false;
#endif
    return cpu && act_fusable(act->kind) && act_fusable(ract->kind);
}

#ifdef RS_VMATH_X86

/* clip(v, 0, 1) keeping NaN: min and max return their second operand when one is NaN. */
RS_AVX2_INLINE __m256 clip01(__m256 v)
{
    return _mm256_max_ps(_mm256_setzero_ps(), _mm256_min_ps(_mm256_set1_ps(1.0f), v));
}

/* The activation k, as activations.c computes it (hard_sigmoid: Keras 2 0.2x + 0.5, Keras 3
 * x/6 + 0.5, then clipped). The branch is on a loop-invariant kind: predicted. */
RS_AVX2_INLINE __m256 act8(rs_act_kind k, __m256 v)
{
    switch (k) {
    case RS_ACT_SIGMOID: return rs_sigmoid8(v);
    case RS_ACT_TANH: return rs_tanh8(v);
    case RS_ACT_HARD_SIGMOID_K2:
        return clip01(_mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(0.2f), v), _mm256_set1_ps(0.5f)));
    case RS_ACT_HARD_SIGMOID_K3:
        return clip01(_mm256_add_ps(_mm256_div_ps(v, _mm256_set1_ps(6.0f)), _mm256_set1_ps(0.5f)));
    default: return v; /* linear; rs_cells_fusable admits no other */
    }
}

/* A block of 8 floats at p, or of the first lanes of `keep` when `part` (the slice's tail). */
RS_AVX2_INLINE __m256 ld(const float *p, __m256i keep, bool part)
{
    return part ? _mm256_maskload_ps(p, keep) : _mm256_loadu_ps(p);
}

RS_AVX2_INLINE void st(float *p, __m256 v, __m256i keep, bool part)
{
    if (part)
        _mm256_maskstore_ps(p, keep, v);
    else
        _mm256_storeu_ps(p, v);
}

/* Lanes [0, m) of a mask. */
RS_AVX2_INLINE __m256i first_lanes(size_t m)
{
    __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)m), lane);
}

/* Gate block g of z + xw (+ rbias), at unit j. */
RS_AVX2_INLINE __m256 pre(const rs_cell_rows *r, size_t g, size_t j, __m256i keep, bool part)
{
    size_t o = g * r->u + j;
    __m256 v = _mm256_add_ps(ld(r->z + o, keep, part), ld(r->xw + o, keep, part));
    return r->rbias ? _mm256_add_ps(v, ld(r->rbias + o, keep, part)) : v;
}

/* next (+)= h_t[j, j+8) U[j, j+8), as rs_gemv_rows sums a group of 8 rows (gemm.c): the two
 * half sums added to what the earlier groups left. */
RS_AVX2_INLINE void next_rows(const rs_cell_rows *r, size_t j)
{
    size_t gu = r->gu;
    const float *b0 = r->U + j * gu;
    rs_x8 x = rs_broadcast_8(r->hn + j);
    for (size_t c = 0; c < gu; c += 8) {
        __m256 s = j == 0 ? _mm256_setzero_ps() : _mm256_loadu_ps(r->next + c);
        _mm256_storeu_ps(r->next + c, rs_fma_8_rows(x, b0 + c, gu, s));
    }
}

/* h_t at unit j: into hn, the carried output and the sequence; then its share of the next
 * product. */
RS_AVX2_INLINE void put_h(const rs_cell_rows *r, size_t j, __m256 h, __m256i keep, bool part)
{
    st(r->hn + j, h, keep, part);
    st(r->out + j, h, keep, part);
    if (r->seq)
        st(r->seq + j, h, keep, part);
    if (r->next && !part)
        next_rows(r, j);
}

/* Runs BLOCK(r, j, keep, part, ...) over the slice: whole blocks, then the tail. */
#define OVER_SLICE(BLOCK, r, ...)                                                                 \
    do {                                                                                          \
        size_t j_ = 0;                                                                            \
        __m256i all_ = _mm256_set1_epi32(-1);                                                     \
        for (; j_ + 8 <= (r)->n; j_ += 8)                                                         \
            BLOCK(r, j_, all_, false, __VA_ARGS__);                                               \
        if (j_ < (r)->n)                                                                          \
            BLOCK(r, j_, first_lanes((r)->n - j_), true, __VA_ARGS__);                            \
    } while (0)

RS_AVX2_INLINE void simple_block(const rs_cell_rows *r, size_t j, __m256i keep, bool part,
                                 rs_act_kind act)
{
    __m256 h = act8(act, pre(r, 0, j, keep, part));
    st(r->z + j, h, keep, part);
    put_h(r, j, h, keep, part);
}

RS_AVX2 void rs_cell_simple_fused(const rs_cell_rows *r, rs_act_kind act)
{
    OVER_SLICE(simple_block, r, act);
}

RS_AVX2_INLINE void lstm_block(const rs_cell_rows *r, size_t j, __m256i keep, bool part,
                               rs_act_kind act, rs_act_kind ract)
{
    size_t u = r->u;
    __m256 i = act8(ract, pre(r, 0, j, keep, part));
    __m256 f = act8(ract, pre(r, 1, j, keep, part));
    __m256 g = act8(act, pre(r, 2, j, keep, part));
    __m256 o = act8(ract, pre(r, 3, j, keep, part));
    st(r->z + j, i, keep, part);
    st(r->z + u + j, f, keep, part);
    st(r->z + 2 * u + j, g, keep, part);
    st(r->z + 3 * u + j, o, keep, part);
    __m256 c = _mm256_fmadd_ps(f, ld(r->c + j, keep, part), _mm256_mul_ps(i, g));
    st(r->c + j, c, keep, part);
    put_h(r, j, _mm256_mul_ps(o, act8(act, c)), keep, part);
}

RS_AVX2 void rs_cell_lstm_fused(const rs_cell_rows *r, rs_act_kind act, rs_act_kind ract)
{
    OVER_SLICE(lstm_block, r, act, ract);
}

/* h = z h_{t-1} + (1 - z) hh */
RS_AVX2_INLINE __m256 gru_mix(const rs_cell_rows *r, size_t j, __m256 z, __m256 hh, __m256i keep,
                              bool part)
{
    __m256 keep_new = _mm256_sub_ps(_mm256_set1_ps(1.0f), z);
    return _mm256_fmadd_ps(z, ld(r->hp + j, keep, part), _mm256_mul_ps(keep_new, hh));
}

RS_AVX2_INLINE void gru_after_block(const rs_cell_rows *r, size_t j, __m256i keep, bool part,
                                    rs_act_kind act, rs_act_kind ract)
{
    size_t u = r->u, o = 2 * u + j;
    __m256 z = act8(ract, pre(r, 0, j, keep, part));
    __m256 rg = act8(ract, pre(r, 1, j, keep, part));
    __m256 hu = ld(r->z + o, keep, part);
    if (r->rbias)
        hu = _mm256_add_ps(hu, ld(r->rbias + o, keep, part));
    __m256 hh = act8(act, _mm256_fmadd_ps(rg, hu, ld(r->xw + o, keep, part)));
    st(r->z + j, z, keep, part);
    st(r->z + u + j, rg, keep, part);
    st(r->z + o, hh, keep, part);
    put_h(r, j, gru_mix(r, j, z, hh, keep, part), keep, part);
}

RS_AVX2 void rs_cell_gru_after_fused(const rs_cell_rows *r, rs_act_kind act, rs_act_kind ract)
{
    OVER_SLICE(gru_after_block, r, act, ract);
}

RS_AVX2_INLINE void gru_zr_block(const rs_cell_rows *r, size_t j, __m256i keep, bool part,
                                 rs_act_kind ract)
{
    __m256 z = act8(ract, pre(r, 0, j, keep, part));
    __m256 rg = act8(ract, pre(r, 1, j, keep, part));
    st(r->z + j, z, keep, part);
    st(r->z + r->u + j, rg, keep, part);
    st(r->rh + j, _mm256_mul_ps(rg, ld(r->hp + j, keep, part)), keep, part);
}

RS_AVX2 void rs_cell_gru_zr_fused(const rs_cell_rows *r, rs_act_kind ract)
{
    OVER_SLICE(gru_zr_block, r, ract);
}

RS_AVX2_INLINE void gru_before_block(const rs_cell_rows *r, size_t j, __m256i keep, bool part,
                                     rs_act_kind act)
{
    __m256 hh = act8(act, pre(r, 2, j, keep, part));
    st(r->z + 2 * r->u + j, hh, keep, part);
    put_h(r, j, gru_mix(r, j, ld(r->z + j, keep, part), hh, keep, part), keep, part);
}

RS_AVX2 void rs_cell_gru_before_fused(const rs_cell_rows *r, rs_act_kind act)
{
    OVER_SLICE(gru_before_block, r, act);
}

#else /* no AVX2 build: rs_cells_fusable() is false and nothing calls these */

void rs_cell_simple_fused(const rs_cell_rows *r, rs_act_kind act) { (void)r, (void)act; }
void rs_cell_lstm_fused(const rs_cell_rows *r, rs_act_kind act, rs_act_kind ract)
{
    (void)r, (void)act, (void)ract;
}
void rs_cell_gru_after_fused(const rs_cell_rows *r, rs_act_kind act, rs_act_kind ract)
{
    (void)r, (void)act, (void)ract;
}
void rs_cell_gru_zr_fused(const rs_cell_rows *r, rs_act_kind ract) { (void)r, (void)ract; }
void rs_cell_gru_before_fused(const rs_cell_rows *r, rs_act_kind act) { (void)r, (void)act; }

#endif

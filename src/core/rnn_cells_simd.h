/* The fused gate arithmetic of the recurrent cells (rnnscope/rnn_cells.h) on one x86 path, in the
 * words of core/simd_avx2.h or core/simd_avx512.h (internal; rnn_cells_avx2.c and
 * rnn_cells_avx512.c include it once each, and it defines that path's table of cells). Each cell
 * is one loop over blocks of SIMD_LANES units; the last, partial block uses masked loads and
 * stores so that every unit gets the same arithmetic whatever the slice's length. */
#ifndef RNNSCOPE_CORE_RNN_CELLS_SIMD_H
#define RNNSCOPE_CORE_RNN_CELLS_SIMD_H

#include "rnnscope/rnn_cells.h"

#include "core/gemv_simd.h"
#include "core/rnn_cells_path.h"
#include "core/vmath_simd.h"

#ifdef RS_SIMD

/* clip(v, 0, 1) keeping NaN: min and max return their second operand when one is NaN. */
SIMD_INLINE vf clip01(vf v)
{
    return V_MAX(V_ZERO(), V_MIN(V_SET1(1.0f), v));
}

/* The activation k, as activations.c computes it (hard_sigmoid: Keras 2 0.2x + 0.5, Keras 3
 * x/6 + 0.5, then clipped). The branch is on a loop-invariant kind: predicted. */
SIMD_INLINE vf act_vec(rs_act_kind k, vf v)
{
    switch (k) {
    case RS_ACT_SIGMOID: return rs_sigmoid_vec(v);
    case RS_ACT_TANH: return rs_tanh_vec(v);
    case RS_ACT_HARD_SIGMOID_K2: return clip01(V_ADD(V_MUL(V_SET1(0.2f), v), V_SET1(0.5f)));
    case RS_ACT_HARD_SIGMOID_K3: return clip01(V_ADD(V_DIV(v, V_SET1(6.0f)), V_SET1(0.5f)));
    default: return v; /* linear; rs_cells_fusable admits no other */
    }
}

/* A block of floats at p, or of the lanes of `keep` when `part` (the slice's tail). */
SIMD_INLINE vf ld(const float *p, vmask keep, bool part)
{
    return part ? V_LOAD_MASKED(p, keep) : V_LOAD(p);
}

SIMD_INLINE void st(float *p, vf v, vmask keep, bool part)
{
    if (part)
        V_STORE_MASKED(p, keep, v);
    else
        V_STORE(p, v);
}

/* Gate block g of z + xw (+ rbias), at unit j. */
SIMD_INLINE vf pre(const rs_cell_rows *r, size_t g, size_t j, vmask keep, bool part)
{
    size_t o = g * r->u + j;
    vf v = V_ADD(ld(r->z + o, keep, part), ld(r->xw + o, keep, part));
    return r->rbias ? V_ADD(v, ld(r->rbias + o, keep, part)) : v;
}

/* next (+)= h_t[j, j+8) U[j, j+8), exactly as rs_gemv_rows sums a group of 8 rows
 * (core/gemv_simd.h): the two half sums added to what the earlier groups left. */
SIMD_INLINE void next_rows(const rs_cell_rows *r, size_t j)
{
    rs_gemv_8_rows(r->gu, r->hn + j, r->U + j * r->gu, r->gu, r->next, j == 0);
}

/* h_t at units [j, j + the block's lanes): into hn, the carried output and the sequence; then
 * its share of the next product, a group of 8 units at a time (n is a multiple of 8 then). */
SIMD_INLINE void put_h(const rs_cell_rows *r, size_t j, vf h, vmask keep, bool part)
{
    st(r->hn + j, h, keep, part);
    st(r->out + j, h, keep, part);
    if (r->seq)
        st(r->seq + j, h, keep, part);
    if (r->next)
        for (size_t end = part ? r->n : j + SIMD_LANES; j + 8 <= end; j += 8)
            next_rows(r, j);
}

/* Runs BLOCK(r, j, keep, part, ...) over the slice: whole blocks, then the tail. */
#define OVER_SLICE(BLOCK, r, ...)                                                                 \
    do {                                                                                          \
        size_t j_ = 0;                                                                            \
        for (; j_ + SIMD_LANES <= (r)->n; j_ += SIMD_LANES)                                       \
            BLOCK(r, j_, V_MASK_ALL, false, __VA_ARGS__);                                         \
        if (j_ < (r)->n)                                                                          \
            BLOCK(r, j_, V_MASK_FIRST((r)->n - j_), true, __VA_ARGS__);                           \
    } while (0)

SIMD_INLINE void simple_block(const rs_cell_rows *r, size_t j, vmask keep, bool part,
                              rs_act_kind act)
{
    vf h = act_vec(act, pre(r, 0, j, keep, part));
    st(r->z + j, h, keep, part);
    put_h(r, j, h, keep, part);
}

SIMD_TARGET static void simple(const rs_cell_rows *r, rs_act_kind act)
{
    OVER_SLICE(simple_block, r, act);
}

SIMD_INLINE void lstm_block(const rs_cell_rows *r, size_t j, vmask keep, bool part,
                            rs_act_kind act, rs_act_kind ract)
{
    size_t u = r->u;
    vf i = act_vec(ract, pre(r, 0, j, keep, part));
    vf f = act_vec(ract, pre(r, 1, j, keep, part));
    vf g = act_vec(act, pre(r, 2, j, keep, part));
    vf o = act_vec(ract, pre(r, 3, j, keep, part));
    st(r->z + j, i, keep, part);
    st(r->z + u + j, f, keep, part);
    st(r->z + 2 * u + j, g, keep, part);
    st(r->z + 3 * u + j, o, keep, part);
    vf c = V_FMA(f, ld(r->c + j, keep, part), V_MUL(i, g));
    st(r->c + j, c, keep, part);
    put_h(r, j, V_MUL(o, act_vec(act, c)), keep, part);
}

SIMD_TARGET static void lstm(const rs_cell_rows *r, rs_act_kind act, rs_act_kind ract)
{
    OVER_SLICE(lstm_block, r, act, ract);
}

/* h = z h_{t-1} + (1 - z) hh */
SIMD_INLINE vf gru_mix(const rs_cell_rows *r, size_t j, vf z, vf hh, vmask keep, bool part)
{
    vf keep_new = V_SUB(V_SET1(1.0f), z);
    return V_FMA(z, ld(r->hp + j, keep, part), V_MUL(keep_new, hh));
}

SIMD_INLINE void gru_after_block(const rs_cell_rows *r, size_t j, vmask keep, bool part,
                                 rs_act_kind act, rs_act_kind ract)
{
    size_t u = r->u, o = 2 * u + j;
    vf z = act_vec(ract, pre(r, 0, j, keep, part));
    vf rg = act_vec(ract, pre(r, 1, j, keep, part));
    vf hu = ld(r->z + o, keep, part);
    if (r->rbias)
        hu = V_ADD(hu, ld(r->rbias + o, keep, part));
    vf hh = act_vec(act, V_FMA(rg, hu, ld(r->xw + o, keep, part)));
    st(r->z + j, z, keep, part);
    st(r->z + u + j, rg, keep, part);
    st(r->z + o, hh, keep, part);
    put_h(r, j, gru_mix(r, j, z, hh, keep, part), keep, part);
}

SIMD_TARGET static void gru_after(const rs_cell_rows *r, rs_act_kind act, rs_act_kind ract)
{
    OVER_SLICE(gru_after_block, r, act, ract);
}

SIMD_INLINE void gru_zr_block(const rs_cell_rows *r, size_t j, vmask keep, bool part,
                              rs_act_kind ract)
{
    vf z = act_vec(ract, pre(r, 0, j, keep, part));
    vf rg = act_vec(ract, pre(r, 1, j, keep, part));
    st(r->z + j, z, keep, part);
    st(r->z + r->u + j, rg, keep, part);
    st(r->rh + j, V_MUL(rg, ld(r->hp + j, keep, part)), keep, part);
}

SIMD_TARGET static void gru_zr(const rs_cell_rows *r, rs_act_kind ract)
{
    OVER_SLICE(gru_zr_block, r, ract);
}

SIMD_INLINE void gru_before_block(const rs_cell_rows *r, size_t j, vmask keep, bool part,
                                  rs_act_kind act)
{
    vf hh = act_vec(act, pre(r, 2, j, keep, part));
    st(r->z + 2 * r->u + j, hh, keep, part);
    put_h(r, j, gru_mix(r, j, ld(r->z + j, keep, part), hh, keep, part), keep, part);
}

SIMD_TARGET static void gru_before(const rs_cell_rows *r, rs_act_kind act)
{
    OVER_SLICE(gru_before_block, r, act);
}

const rs_cell_table SIMD_NAME(rs_cells) = {simple, lstm, gru_after, gru_zr, gru_before};

#endif
#endif

/* Fused gate arithmetic of the recurrent cells (see rnnscope/rnn_cells.h): the table of the vector
 * path in use (rnn_cells_avx2.c, rnn_cells_avx512.c; one source, core/rnn_cells_simd.h). */
#include "rnnscope/rnn_cells.h"

#include "core/rnn_cells_path.h"
#include "core/vmath_path.h"

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

static const rs_cell_table *cells(void)
{
    return rs_vmath_avx512() ? &rs_cells_avx512 : &rs_cells_avx2;
}

void rs_cell_simple_fused(const rs_cell_rows *r, rs_act_kind act)
{
    cells()->simple(r, act);
}

void rs_cell_lstm_fused(const rs_cell_rows *r, rs_act_kind act, rs_act_kind ract)
{
    cells()->lstm(r, act, ract);
}

void rs_cell_gru_after_fused(const rs_cell_rows *r, rs_act_kind act, rs_act_kind ract)
{
    cells()->gru_after(r, act, ract);
}

void rs_cell_gru_zr_fused(const rs_cell_rows *r, rs_act_kind ract)
{
    cells()->gru_zr(r, ract);
}

void rs_cell_gru_before_fused(const rs_cell_rows *r, rs_act_kind act)
{
    cells()->gru_before(r, act);
}

#else /* no x86 build: rs_cells_fusable() is false and nothing calls these */

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

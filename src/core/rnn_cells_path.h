/* The fused cells of one x86 path, as a table (internal: rnn_cells.c chooses the table of the
 * path in use; core/rnn_cells_simd.h fills one per path). */
#ifndef RNNSCOPE_CORE_RNN_CELLS_PATH_H
#define RNNSCOPE_CORE_RNN_CELLS_PATH_H

#include "rnnscope/rnn_cells.h"

typedef struct rs_cell_table {
    void (*simple)(const rs_cell_rows *r, rs_act_kind act);
    void (*lstm)(const rs_cell_rows *r, rs_act_kind act, rs_act_kind ract);
    void (*gru_after)(const rs_cell_rows *r, rs_act_kind act, rs_act_kind ract);
    void (*gru_zr)(const rs_cell_rows *r, rs_act_kind ract);
    void (*gru_before)(const rs_cell_rows *r, rs_act_kind act);
} rs_cell_table;

extern const rs_cell_table rs_cells_avx2, rs_cells_avx512;

#endif

/* The rows of additive attention scores that the x86 paths compute (internal): the job
 * additive_scores.c hands to rs_score_rows_avx2 / rs_score_rows_avx512 (core/additive_simd.h). */
#ifndef RNNSCOPE_CORE_ADDITIVE_PATH_H
#define RNNSCOPE_CORE_ADDITIVE_PATH_H

#include <stddef.h>

/* Transposed keys are padded to a multiple of this: whole vectors of 8 (AVX2) or 16 (AVX-512). */
#define KEY_PAD 16

typedef struct score_rows {
    size_t lo, hi;              /* the query rows of this job */
    size_t tk, d;
    const float *q, *k;         /* row-major, ldq / ldk apart */
    size_t ldq, ldk;
    const float *kt;            /* x86: k transposed, d rows of ldkt floats (ldkt % KEY_PAD == 0) */
    size_t ldkt;
    const float *eq;            /* exp products: e^{2 pre q} (tq, d); kt then holds e^{2 pre k} */
    const float *w;             /* NULL: all ones */
    float pre, post;
    float *scores;              /* (tq, tk) */
    float *buf;                 /* portable: KEY_BLOCK * d floats */
} score_rows;

/* scores[lo, hi) from kt (and eq when set: the exp-products kernel). */
void rs_score_rows_avx2(const score_rows *r);
void rs_score_rows_avx512(const score_rows *r);

#endif

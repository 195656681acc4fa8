/* Matrix products, row-major. The i-k-j loop order streams rows of B so that the compiler
 * vectorises the inner loop; good enough until the benchmark asks for more. */
#include <string.h>

#include "rnnscope/kernels.h"

void rs_gemv_rows(size_t N, size_t K, const float *x, const float *B, size_t ldb, float *y,
                  bool accumulate)
{
    if (!accumulate)
        memset(y, 0, N * sizeof *y);
    for (size_t k = 0; k < K; k++) {
        const float xk = x[k];
        const float *b = B + k * ldb;
        for (size_t j = 0; j < N; j++)
            y[j] += xk * b[j];
    }
}

void rs_gemm(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B, size_t ldb,
             float *C, size_t ldc, bool accumulate)
{
    for (size_t i = 0; i < M; i++)
        rs_gemv_rows(N, K, A + i * lda, B, ldb, C + i * ldc, accumulate);
}

/* Zeroed memory that starts on a cache line. The vector kernels load 64 bytes at a time (a whole
 * AVX-512 register); from an address 16 bytes into a line, as malloc returns, every such load
 * spans two lines and the batch-1 recurrent product, which streams the weights from L2, ran at
 * half speed (bench/README.md, "Aligned weights"). */
#ifndef RNNSCOPE_ALIGNED_H
#define RNNSCOPE_ALIGNED_H

#include <stddef.h>

#define RS_CACHE_LINE 64

/* count * size zeroed bytes at a multiple of RS_CACHE_LINE, or NULL (out of memory, overflow).
 * Built on calloc, so large blocks keep the kernel's lazily zeroed pages (no extra pass). */
void *rs_calloc_aligned(size_t count, size_t size);

/* Frees what rs_calloc_aligned returned (NULL is allowed). */
void rs_free_aligned(void *p);

#endif

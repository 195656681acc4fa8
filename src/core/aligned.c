/* Cache-line aligned, zeroed allocations (rnnscope/aligned.h). The block is calloc'd with one
 * line to spare; the byte just before the aligned start records how far it is from the block's
 * start (1..64), which is all rs_free_aligned needs. */
#include <stdint.h>
#include <stdlib.h>

#include "rnnscope/aligned.h"

void *rs_calloc_aligned(size_t count, size_t size)
{
    if (size && count > (SIZE_MAX - RS_CACHE_LINE) / size)
        return NULL;
    unsigned char *block = calloc(count * size + RS_CACHE_LINE, 1);
    if (!block)
        return NULL;
    size_t shift = RS_CACHE_LINE - (uintptr_t)block % RS_CACHE_LINE; /* 1..64: room for the byte */
    unsigned char *start = block + shift;
    start[-1] = (unsigned char)shift;
    return start;
}

void rs_free_aligned(void *p)
{
    if (!p)
        return;
    unsigned char *start = p;
    free(start - start[-1]);
}

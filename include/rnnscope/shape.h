/* The static shape of a layer's output, as a Keras config knows it: without the batch axis,
 * with unknown (None) dimensions. */
#ifndef RNNSCOPE_SHAPE_H
#define RNNSCOPE_SHAPE_H

#include <stddef.h>

#include "rnnscope/tensor.h"

/* A dim of -1 is unknown (None). rank -1 means the shape is not known at all (after an
 * unsupported layer). With the batch axis an output is a tensor of rank + 1 <= RS_MAX_RANK:
 * rank <= RS_MAX_SHAPE_RANK, checked for every layer at load. */
#define RS_MAX_SHAPE_RANK (RS_MAX_RANK - 1)
typedef struct rs_shape {
    int rank;
    long dims[RS_MAX_RANK];
} rs_shape;

/* "(None, 240, 60)" with the batch axis first; "?" when the shape is unknown. */
char *rs_shape_format_batch(const rs_shape *s, char *buf, size_t len);

#endif

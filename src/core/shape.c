/* Static shapes as Keras prints them. */
#include <stdio.h>

#include "rnnscope/shape.h"

char *rs_shape_format_batch(const rs_shape *s, char *buf, size_t len)
{
    if (s->rank < 0) {
        snprintf(buf, len, "?");
        return buf;
    }
    size_t used = (size_t)snprintf(buf, len, "(None");
    for (int i = 0; i < s->rank && used < len; i++) {
        if (s->dims[i] < 0)
            used += (size_t)snprintf(buf + used, len - used, ", None");
        else
            used += (size_t)snprintf(buf + used, len - used, ", %ld", s->dims[i]);
    }
    if (used < len)
        snprintf(buf + used, len - used, ")");
    return buf;
}

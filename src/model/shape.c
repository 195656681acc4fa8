/* Static shapes of layer outputs (batch axis excluded). */
#include <stdio.h>

#include "rnnscope/model.h"

char *rs_shape_format_batch(const rs_shape *s, char *buf, size_t len)
{
    if (s->rank < 0) {
        snprintf(buf, len, "?");
        return buf;
    }
    size_t used = 0;
    int n = snprintf(buf, len, "(None");
    used = n > 0 ? (size_t)n : 0;
    for (int i = 0; i < s->rank && used < len; i++) {
        n = s->dims[i] < 0 ? snprintf(buf + used, len - used, ", None")
                           : snprintf(buf + used, len - used, ", %ld", s->dims[i]);
        if (n > 0)
            used += (size_t)n;
    }
    if (used < len)
        snprintf(buf + used, len - used, ")");
    return buf;
}

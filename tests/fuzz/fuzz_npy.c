/* libFuzzer target: .npy parsing (rs_npy_parse). */
#include <stdint.h>
#include <stdlib.h>

#include "rnnscope/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rs_tensor t;
    rs_error err = {0};
    if (rs_npy_parse(data, size, "fuzz.npy", &t, &err) == 0)
        rs_tensor_free(&t);
    else if (!err.msg[0])
        abort();
    return 0;
}

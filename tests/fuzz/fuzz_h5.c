/* libFuzzer target: a Keras HDF5 model file (config, string attributes, weights). */
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[512];
    const char *p = fuzz_write("model.h5", data, size);
    if (!p)
        return 0;
    strcpy(path, p);
    fuzz_load(path, NULL);
    return 0;
}

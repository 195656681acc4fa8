/* libFuzzer target: a Keras 3 .keras zip archive (zip, config.json, embedded HDF5). */
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[512];
    const char *p = fuzz_write("model.keras", data, size);
    if (!p)
        return 0;
    strcpy(path, p);
    fuzz_load(path, NULL);
    return 0;
}

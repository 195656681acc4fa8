/* libFuzzer target: a TensorFlow.js model.json and its shards. The input is model.json, then
 * for each shard the separator "\n--shard--\n" and its bytes; shards are written as
 * shard0.bin, shard1.bin, ... beside model.json (the seeds' manifests name them so). */
#include <stdio.h>
#include <string.h>

#include "fuzz_common.h"

static const char SEP[] = "\n--shard--\n";

static const uint8_t *find_sep(const uint8_t *p, const uint8_t *end)
{
    size_t n = sizeof SEP - 1;
    for (; p + n <= end; p++)
        if (memcmp(p, SEP, n) == 0)
            return p;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *end = data + size, *cut = find_sep(data, end);
    const uint8_t *json_end = cut ? cut : end;
    char name[32], path[512];
    int k = 0;
    while (cut && k < 8) {
        const uint8_t *start = cut + sizeof SEP - 1, *next = find_sep(start, end);
        snprintf(name, sizeof name, "shard%d.bin", k++);
        if (!fuzz_write(name, start, (size_t)((next ? next : end) - start)))
            return 0;
        cut = next;
    }
    for (; k < 8; k++) { /* no stale shard from an earlier input */
        snprintf(name, sizeof name, "shard%d.bin", k);
        remove(fuzz_path(name));
    }
    const char *p = fuzz_write("model.json", data, (size_t)(json_end - data));
    if (!p)
        return 0;
    strcpy(path, p);
    fuzz_load(path, NULL);
    return 0;
}

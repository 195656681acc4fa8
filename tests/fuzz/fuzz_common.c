#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rnnscope/memcap.h"
#include "rnnscope/model.h"
#include "fuzz_common.h"

static char dir[256];

/* Remove the scratch directory and what the targets wrote into it. */
static void cleanup(void)
{
    static const char *const names[] = {"model.h5", "model.keras", "model.json", "shard0.bin",
                                        "shard1.bin", "shard2.bin", "shard3.bin", "shard4.bin",
                                        "shard5.bin", "shard6.bin", "shard7.bin"};
    char path[512];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        remove(path);
    }
    rmdir(dir);
}

const char *fuzz_path(const char *name)
{
    static char path[512];
    if (!dir[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/rs-fuzz-XXXXXX", tmp ? tmp : "/tmp");
        if (!mkdtemp(dir))
            abort();
        atexit(cleanup);
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

const char *fuzz_write(const char *name, const uint8_t *data, size_t size)
{
    const char *p = fuzz_path(name);
    FILE *f = fopen(p, "wb");
    if (!f)
        return NULL;
    if (size && fwrite(data, 1, size, f) != size) {
        fclose(f);
        return NULL;
    }
    fclose(f);
    return p;
}

void fuzz_load(const char *path, const char *weights)
{
    /* A cap well under libFuzzer's RSS limit: files that declare more are refused, as the
     * program refuses them under its cap. */
    rs_memcap_set((size_t)512 << 20);
    rs_model *m = NULL;
    rs_error err = {0};
    if (rs_model_load(path, weights, &m, &err) < 0) {
        if (!err.msg[0])
            abort(); /* every failure must say what is wrong */
        return;
    }
    rs_model_free(m);
}

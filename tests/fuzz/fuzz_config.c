/* libFuzzer target: a Keras model config (JSON) turned into the graph and its layers set up,
 * without weights (Sequential, Functional with Keras 2 and 3 inbound nodes, nesting). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    rs_model *m = calloc(1, sizeof *m);
    if (m) {
        m->path = strdup("config.json");
        rs_model_set_version(m, "");
        rs_error err = {0};
        if (rs_model_from_config(m, text, m->path, NULL, NULL, &err) < 0 && !err.msg[0])
            abort();
        rs_model_free(m);
    }
    free(text);
    return 0;
}

/* libFuzzer target: .csv input parsing (rs_csv_parse), the way --input FILE.csv is read. */
#include <stdint.h>
#include <stdlib.h>

#include "rnnscope/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rs_tensor t;
    rs_error err = {0};
    if (rs_csv_parse((const char *)data, size, "fuzz.csv", &t, &err) == 0)
        rs_tensor_free(&t);
    else if (!err.msg[0])
        abort();
    return 0;
}

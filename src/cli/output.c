/* Writing a tensor for dump and grad: -o OUT.npy, OUT.csv or - (.npy on standard output). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "rnnscope/csv.h"
#include "rnnscope/npy.h"

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

int cli_write_tensor(const char *cmd, const char *out, const rs_tensor *t)
{
    rs_error err = {0};
    int rc;
    if (strcmp(out, "-") == 0) {
        if (isatty(STDOUT_FILENO)) {
            cli_error("%s: not writing binary .npy to a terminal; redirect it or use -o FILE", cmd);
            return EXIT_USAGE;
        }
        rc = rs_npy_write_stream(stdout, "standard output", t, &err);
        if (rc == 0 && fflush(stdout) != 0)
            rc = rs_fail(&err, "standard output", "write failed");
    } else if (ends_with(out, ".csv")) {
        rc = rs_csv_write(out, t, &err);
    } else {
        rc = rs_npy_write(out, t, &err);
    }
    if (rc < 0) {
        cli_error("%s", err.msg);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}


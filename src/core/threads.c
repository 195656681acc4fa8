/* The kernels' thread budget. */
#include <stdlib.h>
#include <unistd.h>

#include "rnnscope/threads.h"

#define MAX_THREADS 256

static int chosen; /* 0: not set, use the default */

/* RNNSCOPE_THREADS as a count, or 0 when unset or not a positive number. */
static int env_threads(void)
{
    const char *env = getenv("RNNSCOPE_THREADS");
    if (!env || !*env)
        return 0;
    char *end;
    long n = strtol(env, &end, 10);
    if (*end != '\0' || n <= 0)
        return 0;
    return n > MAX_THREADS ? MAX_THREADS : (int)n;
}

static int default_threads(void)
{
    int env = env_threads();
    if (env > 0)
        return env;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 1)
        return 1;
    return cpus > MAX_THREADS ? MAX_THREADS : (int)cpus;
}

int rs_threads(void)
{
    return chosen > 0 ? chosen : default_threads();
}

void rs_set_threads(int n)
{
    chosen = n <= 0 ? 0 : n > MAX_THREADS ? MAX_THREADS : n;
}

bool rs_threads_explicit(void)
{
    return chosen > 0 || env_threads() > 0;
}

/* The kernels' thread budget, and starting a kernel's threads. */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "rnnscope/threads.h"

#define MAX_THREADS 256

static int chosen; /* 0: not set, use the default */
static _Thread_local int here_at_most; /* rs_threads_limit_here; 0: no limit */

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
    /* the CPUs this process may run on (taskset, cgroup cpusets), not all that are online */
    cpu_set_t allowed;
    long cpus = sched_getaffinity(0, sizeof allowed, &allowed) == 0 ? CPU_COUNT(&allowed)
                                                                     : sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 1)
        return 1;
    return cpus > MAX_THREADS ? MAX_THREADS : (int)cpus;
}

int rs_threads(void)
{
    int n = chosen > 0 ? chosen : default_threads();
    return here_at_most > 0 && here_at_most < n ? here_at_most : n;
}

void rs_threads_limit_here(int n)
{
    here_at_most = n > 0 ? n : 0;
}

void rs_set_threads(int n)
{
    chosen = n <= 0 ? 0 : n > MAX_THREADS ? MAX_THREADS : n;
}

bool rs_threads_explicit(void)
{
    return chosen > 0 || env_threads() > 0;
}

typedef struct start_elsewhere {
    void *(*fn)(void *);
    void *arg;
    cpu_set_t allowed;
} start_elsewhere;

/* On its CPU now: free to move again, then the work. */
static void *run_elsewhere(void *p)
{
    start_elsewhere s = *(start_elsewhere *)p;
    free(p);
    pthread_setaffinity_np(pthread_self(), sizeof s.allowed, &s.allowed);
    return s.fn(s.arg);
}

int rs_thread_start(pthread_t *tid, void *(*fn)(void *), void *arg)
{
    start_elsewhere *s = malloc(sizeof *s);
    int here = sched_getcpu();
    if (!s || here < 0 || sched_getaffinity(0, sizeof s->allowed, &s->allowed) != 0 ||
        CPU_COUNT(&s->allowed) < 2 || !CPU_ISSET(here, &s->allowed)) {
        free(s);
        return pthread_create(tid, NULL, fn, arg);
    }
    s->fn = fn;
    s->arg = arg;
    cpu_set_t others = s->allowed;
    CPU_CLR(here, &others);
    pthread_attr_t attr;
    int rc;
    if (pthread_attr_init(&attr) != 0) {
        rc = pthread_create(tid, NULL, run_elsewhere, s);
    } else {
        bool placed = pthread_attr_setaffinity_np(&attr, sizeof others, &others) == 0;
        rc = pthread_create(tid, placed ? &attr : NULL, run_elsewhere, s);
        pthread_attr_destroy(&attr);
    }
    if (rc != 0)
        free(s);
    return rc;
}

/* How many threads the numeric kernels may use. The default is the number of CPUs this process
 * may run on (sched_getaffinity), whatever their load; the environment variable
 * RNNSCOPE_THREADS or rs_set_threads (the command line's --threads) overrides it. */
#ifndef RNNSCOPE_THREADS_H
#define RNNSCOPE_THREADS_H

#include <pthread.h>
#include <stdbool.h>

int rs_threads(void);

/* n <= 0 restores the default. */
void rs_set_threads(int n);

/* At most n threads for the kernels called from this thread (n <= 0: no limit of its own):
 * a worker among several that share the budget (a timeline's checkpoints, each on its own
 * thread) runs its kernels on one. */
void rs_threads_limit_here(int n);

/* True when the count was chosen (rs_set_threads, RNNSCOPE_THREADS) rather than defaulted:
 * kernels then use exactly that many where they can, without second-guessing the machine. */
bool rs_threads_explicit(void);

/* pthread_create for a thread made for one call, which must run at once beside its creator: it
 * starts on another CPU than the caller's (left to the scheduler it is often queued first behind
 * its busy creator on the same CPU, for milliseconds: a 2-thread LSTM of 64 units at batch 32 ran
 * at 1-thread speed one time in three) and may then move anywhere it is allowed to. */
int rs_thread_start(pthread_t *tid, void *(*fn)(void *), void *arg);

#endif

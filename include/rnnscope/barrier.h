/* A spinning barrier for the kernels' threads: a recurrent step of a small layer takes
 * microseconds, less than a futex round trip, so waiters spin (and yield after a while, for
 * machines with more threads than free cores). */
#ifndef RNNSCOPE_BARRIER_H
#define RNNSCOPE_BARRIER_H

#include <stdatomic.h>

typedef struct rs_barrier {
    atomic_uint arrived;
    atomic_uint phase;
    unsigned n;
} rs_barrier;

void rs_barrier_init(rs_barrier *b, unsigned n);

/* Returns when all n threads have called it; reusable at once. */
void rs_barrier_wait(rs_barrier *b);

#endif

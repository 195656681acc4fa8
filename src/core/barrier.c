/* Sense-reversing spin barrier on C11 atomics: the phase counter flips when the last thread
 * arrives. */
#include <sched.h>

#include "rnnscope/barrier.h"

#define SPINS_BEFORE_YIELD 4096

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

void rs_barrier_init(rs_barrier *b, unsigned n)
{
    atomic_init(&b->arrived, 0);
    atomic_init(&b->phase, 0);
    b->n = n;
}

void rs_barrier_wait(rs_barrier *b)
{
    unsigned phase = atomic_load_explicit(&b->phase, memory_order_acquire);
    if (atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel) + 1 == b->n) {
        atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
        atomic_fetch_add_explicit(&b->phase, 1, memory_order_release);
        return;
    }
    for (unsigned spins = 0; atomic_load_explicit(&b->phase, memory_order_acquire) == phase; spins++) {
        if (spins < SPINS_BEFORE_YIELD)
            cpu_relax();
        else
            sched_yield();
    }
}

/* Waiting for the kernels' other threads: a barrier, and a word to wait on.
 *
 * A recurrent step of a small layer takes microseconds, less than a futex round trip, so a
 * waiter first spins for a short while. If the wait goes on (another thread is behind, or was
 * descheduled because another process keeps its core busy) it yields once and then sleeps on a
 * futex: a waiting thread must not take CPU time from the thread it waits for, and a descheduled
 * thread should cost a wake-up, not a timeslice of spinning. */
#ifndef RNNSCOPE_BARRIER_H
#define RNNSCOPE_BARRIER_H

#include <stdatomic.h>

typedef struct rs_barrier {
    atomic_uint arrived;
    atomic_uint phase;    /* the futex word: flips when the last thread arrives */
    atomic_uint sleepers; /* waiters that may sleep on phase: the last arrival wakes them */
    unsigned n;
} rs_barrier;

void rs_barrier_init(rs_barrier *b, unsigned n);

/* Returns when all n threads have called it; reusable at once. */
void rs_barrier_wait(rs_barrier *b);

/* A word other threads wait on until it changes (spinning, then sleeping like the barrier),
 * and that its owner changes with rs_word_set, which wakes them. */
typedef struct rs_word {
    atomic_uint value;
    atomic_uint sleepers;
} rs_word;

void rs_word_init(rs_word *w, unsigned value);

/* Stores value and wakes the threads in rs_word_wait. */
void rs_word_set(rs_word *w, unsigned value);

/* Returns the word's value once it is no longer `value`. */
unsigned rs_word_wait(rs_word *w, unsigned value);

/* As rs_word_wait, but for about timeout_ns at most: the word's value then, still `value` when
 * it did not change in time. */
unsigned rs_word_wait_for(rs_word *w, unsigned value, long long timeout_ns);

#endif

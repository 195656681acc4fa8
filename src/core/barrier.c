/* The kernels' waits: spin briefly, yield once, then sleep on a futex (rnnscope/barrier.h).
 * The barrier is sense-reversing on C11 atomics: its phase counter, the futex word, changes when
 * the last thread arrives. A sleeper announces itself (sleepers) before it checks the word one
 * last time, and the waker changes the word before it reads sleepers, both sequentially
 * consistent: either the sleeper sees the new value or the waker sees the sleeper (and the
 * kernel's own compare in FUTEX_WAIT closes the gap between the check and the sleep). */
#include <limits.h>
#include <stdbool.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "rnnscope/barrier.h"

/* How long a waiter spins before it sleeps: longer than the imbalance of a step between threads
 * that are both running (a few microseconds), shorter than a scheduler's timeslice (ms). */
#define SPIN_NS 50000

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static long futex(atomic_uint *word, int op, unsigned val)
{
    return syscall(SYS_futex, (unsigned *)word, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
}

/* FUTEX_WAIT for at most ns (a relative timeout). */
static long futex_wait_for(atomic_uint *word, unsigned val, long long ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL)};
    return syscall(SYS_futex, (unsigned *)word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, val, &ts, NULL, 0);
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Spins while *word == value for up to SPIN_NS (the clock read every 64 pauses); true when it
 * changed meanwhile. */
static bool spin_while(atomic_uint *word, unsigned value)
{
    long long start = 0;
    for (unsigned i = 1;; i++) {
        if (atomic_load_explicit(word, memory_order_acquire) != value)
            return true;
        cpu_relax();
        if (i % 64 == 0) {
            long long t = now_ns();
            if (start == 0)
                start = t;
            else if (t - start > SPIN_NS)
                return false;
        }
    }
}

/* Returns once *word != value: spinning, one yield, then asleep. */
static unsigned wait_while(atomic_uint *word, atomic_uint *sleepers, unsigned value)
{
    if (!spin_while(word, value)) {
        sched_yield();
        atomic_fetch_add(sleepers, 1);
        while (atomic_load(word) == value)
            futex(word, FUTEX_WAIT, value); /* returns at once if the word changed already */
        atomic_fetch_sub(sleepers, 1);
    }
    return atomic_load_explicit(word, memory_order_acquire);
}

/* After the word changed: wakes whoever went to sleep on it. */
static void wake_sleepers(atomic_uint *word, atomic_uint *sleepers)
{
    if (atomic_load(sleepers) > 0)
        futex(word, FUTEX_WAKE, INT_MAX);
}

void rs_barrier_init(rs_barrier *b, unsigned n)
{
    atomic_init(&b->arrived, 0);
    atomic_init(&b->phase, 0);
    atomic_init(&b->sleepers, 0);
    b->n = n;
}

void rs_barrier_wait(rs_barrier *b)
{
    unsigned phase = atomic_load_explicit(&b->phase, memory_order_acquire);
    if (atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel) + 1 == b->n) {
        atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
        atomic_fetch_add(&b->phase, 1);
        wake_sleepers(&b->phase, &b->sleepers);
        return;
    }
    wait_while(&b->phase, &b->sleepers, phase);
}

void rs_word_init(rs_word *w, unsigned value)
{
    atomic_init(&w->value, value);
    atomic_init(&w->sleepers, 0);
}

void rs_word_set(rs_word *w, unsigned value)
{
    atomic_store(&w->value, value);
    wake_sleepers(&w->value, &w->sleepers);
}

unsigned rs_word_wait(rs_word *w, unsigned value)
{
    return wait_while(&w->value, &w->sleepers, value);
}

unsigned rs_word_wait_for(rs_word *w, unsigned value, long long timeout_ns)
{
    long long end = now_ns() + timeout_ns;
    if (spin_while(&w->value, value))
        return atomic_load_explicit(&w->value, memory_order_acquire);
    atomic_fetch_add(&w->sleepers, 1);
    for (long long left = end - now_ns(); atomic_load(&w->value) == value && left > 0;
         left = end - now_ns())
        futex_wait_for(&w->value, value, left);
    atomic_fetch_sub(&w->sleepers, 1);
    return atomic_load_explicit(&w->value, memory_order_acquire);
}

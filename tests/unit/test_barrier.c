/* The kernels' waits (rnnscope/barrier.h): a barrier that keeps many threads in step over many
 * rounds, and waiters that sleep instead of burning CPU while a thread is late (a descheduled
 * thread must cost the others a wake-up, not a timeslice each of spinning). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "rnnscope/barrier.h"

enum { THREADS = 4, ROUNDS = 2000, LATE_MS = 200 };

static double thread_cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- many rounds: nobody runs ahead ---- */

typedef struct rounds {
    rs_barrier b;
    atomic_uint count[ROUNDS];
    atomic_int errors;
} rounds;

static void *round_thread(void *arg)
{
    rounds *r = arg;
    for (unsigned i = 0; i < ROUNDS; i++) {
        atomic_fetch_add(&r->count[i], 1);
        rs_barrier_wait(&r->b);
        /* after the barrier every thread has counted round i */
        if (atomic_load(&r->count[i]) != THREADS)
            atomic_fetch_add(&r->errors, 1);
        if (i % 500 == 0)
            usleep(1000); /* now and then a late thread: the others go to sleep */
    }
    return NULL;
}

static void test_rounds(void)
{
    static rounds r;
    rs_barrier_init(&r.b, THREADS);
    pthread_t tid[THREADS];
    for (int t = 0; t < THREADS; t++)
        CHECK(pthread_create(&tid[t], NULL, round_thread, &r) == 0);
    for (int t = 0; t < THREADS; t++)
        pthread_join(tid[t], NULL);
    CHECK(atomic_load(&r.errors) == 0);
}

/* ---- a late thread: the waiter sleeps ---- */

typedef struct late {
    rs_barrier b;
    rs_word w;
    double barrier_cpu, word_cpu;
    unsigned seen;
} late;

static void *waiter(void *arg)
{
    late *l = arg;
    double t0 = thread_cpu_seconds();
    rs_barrier_wait(&l->b);
    l->barrier_cpu = thread_cpu_seconds() - t0;
    t0 = thread_cpu_seconds();
    l->seen = rs_word_wait(&l->w, 0);
    l->word_cpu = thread_cpu_seconds() - t0;
    return NULL;
}

static void test_late_thread(void)
{
    late l = {0};
    rs_barrier_init(&l.b, 2);
    rs_word_init(&l.w, 0);
    pthread_t tid;
    CHECK(pthread_create(&tid, NULL, waiter, &l) == 0);
    usleep(LATE_MS * 1000);
    rs_barrier_wait(&l.b);
    usleep(LATE_MS * 1000);
    rs_word_set(&l.w, 7);
    pthread_join(tid, NULL);
    printf("# CPU time of a %d ms wait: barrier %.4f s, word %.4f s\n", LATE_MS, l.barrier_cpu,
           l.word_cpu);
    /* a spinning (or yielding) waiter would use about the whole wait */
    CHECK(l.barrier_cpu < LATE_MS * 1e-3 / 10);
    CHECK(l.word_cpu < LATE_MS * 1e-3 / 10);
    CHECK(l.seen == 7);
}

/* ---- a wait with a time limit (the Bidirectional layer waits for its second half so, waking
 * every 10 ms to report progress) ---- */

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *set_late(void *arg)
{
    usleep(LATE_MS * 1000);
    rs_word_set(arg, 7);
    return NULL;
}

static void test_wait_for(void)
{
    rs_word w;
    rs_word_init(&w, 0);
    double t0 = wall_seconds();
    CHECK(rs_word_wait_for(&w, 0, 20 * 1000 * 1000LL) == 0); /* nobody sets it: the time runs out */
    CHECK(wall_seconds() - t0 >= 0.020);
    pthread_t tid;
    CHECK(pthread_create(&tid, NULL, set_late, &w) == 0);
    t0 = wall_seconds();
    double c0 = thread_cpu_seconds();
    unsigned seen = rs_word_wait_for(&w, 0, 20LL * 1000 * 1000 * 1000); /* up to 20 s */
    double waited = wall_seconds() - t0, cpu = thread_cpu_seconds() - c0;
    pthread_join(tid, NULL);
    printf("# set after %d ms: woken after %.3f s, CPU %.4f s\n", LATE_MS, waited, cpu);
    CHECK(seen == 7);
    CHECK(waited < 10.0); /* woken by the set, not by the end of the 20 s */
    CHECK(cpu < LATE_MS * 1e-3 / 10);
    CHECK(rs_word_wait_for(&w, 0, 1000) == 7); /* already changed: at once */
}

int main(void)
{
    run_test("barrier: 4 threads, 2000 rounds, nobody runs ahead", test_rounds);
    run_test("a waiter sleeps while the other thread is late (barrier and word)", test_late_thread);
    run_test("a wait with a time limit: ends at the limit, or when the word is set", test_wait_for);
    return check_finish();
}

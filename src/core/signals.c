/* Ending on a signal: run the cleanup hooks (async-signal-safe), then exit 128 + signal.
 * See include/rnnscope/signals.h for the rules the hooks follow. */
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "rnnscope/signals.h"

#define MAX_HOOKS 8

typedef struct hook {
    rs_signal_hook fn;
    void *arg;
} hook;

/* A slot is written while its "used" flag is 0, then published by setting the flag; the
 * handler reads only published slots. Hooks are added and removed from the main thread. */
static hook hooks[MAX_HOOKS];
static volatile sig_atomic_t used[MAX_HOOKS];

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

static void run_hooks(void)
{
    for (int i = MAX_HOOKS - 1; i >= 0; i--)
        if (used[i]) {
            used[i] = 0; /* once, even when a second signal comes in the middle */
            hooks[i].fn(hooks[i].arg);
        }
}

static void on_stop(int sig)
{
    run_hooks();
    _exit(128 + sig);
}

static void on_fatal(int sig)
{
    run_hooks();
    signal(sig, SIG_DFL);
    raise(sig); /* blocked until we return: then the default action, as if never caught */
}

void rs_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
        sigaddset(&sa.sa_mask, stop_signals[i]); /* one handler at a time */
    sa.sa_handler = on_stop;
    for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++) {
        struct sigaction old;
        /* ignored when we started (nohup, a background job's SIGINT): stays ignored */
        if (sigaction(stop_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(stop_signals[i], &sa, NULL);
    }
    sa.sa_handler = on_fatal;
    sa.sa_flags = SA_RESETHAND;
    for (size_t i = 0; i < sizeof fatal_signals / sizeof *fatal_signals; i++) {
        struct sigaction old;
        /* a sanitizer's own handler (ASan's SEGV report) stays in charge */
        if (sigaction(fatal_signals[i], NULL, &old) == 0 && old.sa_handler != SIG_DFL)
            continue;
        sigaction(fatal_signals[i], &sa, NULL);
    }
}

int rs_signal_hook_add(rs_signal_hook fn, void *arg)
{
    for (int i = 0; i < MAX_HOOKS; i++)
        if (!used[i]) {
            hooks[i] = (hook){fn, arg};
            used[i] = 1;
            return i;
        }
    return -1;
}

void rs_signal_hook_remove(int id)
{
    if (id >= 0 && id < MAX_HOOKS)
        used[id] = 0;
}

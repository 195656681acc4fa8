/* How the program ends on SIGINT, SIGTERM, SIGHUP and SIGQUIT: at once, whatever it is doing
 * (a long computation, a read that blocks), with exit status 128 + the signal number, after
 * running the cleanup hooks registered here, newest first.
 *
 * The hooks run inside the signal handler, so they may only do async-signal-safe things:
 * write(2) prepared bytes, tcsetattr(3), unlink(2) a path prepared beforehand, close(2). They
 * must not allocate, lock, or call stdio or ncurses. Users today: the explorer (terminal
 * restore: src/tui/app.c), plot (ends a half-written sixel image and colours). A command that
 * writes a temporary file registers a hook that unlinks it and removes the hook when done.
 *
 * A stop signal ignored when the program starts (nohup, SIGINT of a background job) stays
 * ignored.
 *
 * Fatal signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) run the same hooks, then die of
 * the signal as they would have (a core, the sanitizer's report where it has one). */
#ifndef RNNSCOPE_SIGNALS_H
#define RNNSCOPE_SIGNALS_H

typedef void (*rs_signal_hook)(void *arg);

/* Install the handlers; main() calls it first thing. */
void rs_signals_install(void);

/* Register a hook; returns its id for rs_signal_hook_remove, or -1 when the (small, fixed)
 * table is full. */
int rs_signal_hook_add(rs_signal_hook fn, void *arg);
void rs_signal_hook_remove(int id);

#endif

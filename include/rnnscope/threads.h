/* How many threads the numeric kernels may use. The default is the number of online CPUs; the
 * environment variable RNNSCOPE_THREADS or rs_set_threads (the command line's --threads)
 * overrides it. */
#ifndef RNNSCOPE_THREADS_H
#define RNNSCOPE_THREADS_H

#include <stdbool.h>

int rs_threads(void);

/* n <= 0 restores the default. */
void rs_set_threads(int n);

/* True when the count was chosen (rs_set_threads, RNNSCOPE_THREADS) rather than defaulted:
 * kernels then use exactly that many where they can, without second-guessing the machine. */
bool rs_threads_explicit(void);

#endif

/* How many threads the numeric kernels may use. The default is the number of online CPUs; the
 * environment variable RNNSCOPE_THREADS or rs_set_threads (the command line's --threads)
 * overrides it. */
#ifndef RNNSCOPE_THREADS_H
#define RNNSCOPE_THREADS_H

int rs_threads(void);

/* n <= 0 restores the default. */
void rs_set_threads(int n);

#endif

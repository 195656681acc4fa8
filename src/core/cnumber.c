/* Numbers in files in the C locale (see include/rnnscope/cnumber.h). */
#include <pthread.h>
#include <stdlib.h>

#include "rnnscope/cnumber.h"

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static locale_t the_c_locale(void)
{
    pthread_once(&c_locale_once, make_c_locale);
    return c_locale;
}

double rs_strtod_c(const char *s, char **end)
{
    locale_t c = the_c_locale();
    return c ? strtod_l(s, end, c) : strtod(s, end);
}

locale_t rs_c_locale_begin(void)
{
    locale_t c = the_c_locale();
    return c ? uselocale(c) : (locale_t)0;
}

void rs_c_locale_end(locale_t previous)
{
    if (previous)
        uselocale(previous);
}

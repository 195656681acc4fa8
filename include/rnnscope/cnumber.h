/* Numbers in files are written and read in the C locale, whatever the user's: with
 * LC_NUMERIC=de_DE.UTF-8, printf writes decimal commas (into comma-separated files) and
 * strtod refuses "0.5". */
#ifndef RNNSCOPE_CNUMBER_H
#define RNNSCOPE_CNUMBER_H

#include <locale.h>

/* strtod in the C locale. */
double rs_strtod_c(const char *s, char **end);

/* Make the calling thread use the C locale (for printf of numbers into a file); returns the
 * locale to give back to rs_c_locale_end. */
locale_t rs_c_locale_begin(void);
void rs_c_locale_end(locale_t previous);

#endif

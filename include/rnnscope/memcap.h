/* The memory cap: the most memory rnnscope agrees to use for one model, its weights, its inputs
 * and the layer outputs it keeps. Loaders compare the sizes a file declares with the cap before
 * they read or allocate anything; the runner compares what a layer will need before it runs it.
 * A library setting (one per process): set once by the program (--max-memory,
 * RNNSCOPE_MAX_MEMORY, the settings file), else half of the physical memory. */
#ifndef RNNSCOPE_MEMCAP_H
#define RNNSCOPE_MEMCAP_H

#include <stdbool.h>
#include <stddef.h>

#include "rnnscope/error.h"

/* Set the cap in bytes; RS_MEMCAP_NONE means no cap. */
#define RS_MEMCAP_NONE ((size_t)-1)
void rs_memcap_set(size_t bytes);

/* The cap in bytes (the default until rs_memcap_set: rs_memcap_default()). */
size_t rs_memcap_get(void);

/* Half of the physical memory (sysconf), or 4 GiB when the system does not say. */
size_t rs_memcap_default(void);

/* Parse a size: bytes with an optional unit, case-insensitive: K M G T and KiB MiB GiB TiB are
 * powers of 1024; KB MB GB TB are powers of 1000; B is bytes. A fraction is allowed ("1.5G").
 * "none" or "unlimited" is RS_MEMCAP_NONE. False for anything else, 0, or an overflow. */
bool rs_memcap_parse(const char *text, size_t *bytes);

/* "512 MiB", "1.6 GiB", "900 bytes": three significant digits, binary units. */
char *rs_size_format(size_t bytes, char *buf, size_t len);

/* Bytes held by a model kept open beside the one being loaded or run (--compare: the other
 * checkpoint's weights; the two have one architecture, hence the same size), added to `held`
 * by every check below. 0 (the default) when there is none. */
void rs_memcap_hold(size_t bytes);

/* Fail when need bytes on top of held bytes (and rs_memcap_hold's) exceed the cap: "<where>: <what> <need>[ on top of
 * the <held> held], more than the memory cap of <cap> (--max-memory)". what carries its verb:
 * "the weights need", "the input needs". Returns 0 when it fits. */
int rs_memcap_check(size_t held, size_t need, const char *where, const char *what, rs_error *err);

/* Saturating arithmetic for size estimates: SIZE_MAX on overflow. */
size_t rs_size_add(size_t a, size_t b);
size_t rs_size_mul(size_t a, size_t b);

#endif

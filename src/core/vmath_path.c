/* The vector path: what the CPU has, what its OS lets programs use, and what a test forced.
 * An instruction set counts only when the OS saves its registers on a context switch (XGETBV:
 * XCR0 bits 1-2 for the SSE and AVX state, 5-7 for AVX-512's opmask and upper ZMM halves): a
 * CPU may have AVX-512 under an OS or hypervisor that leaves it off. */
#include <stdatomic.h>
#include <string.h>

#include "core/vmath_path.h"

#ifdef RS_VMATH_X86
#include <cpuid.h>
#endif

static const char *const names[] = {"auto", "portable", "avx2", "avx512"};

static rs_vmath_path forced = RS_VMATH_AUTO;
static atomic_int detected = -1; /* the best path here, found on first use */

#ifdef RS_VMATH_X86
static unsigned long long xcr0(void)
{
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (unsigned long long)hi << 32 | lo;
}

static rs_vmath_path detect(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return RS_VMATH_PORTABLE;
    bool osxsave = c & bit_OSXSAVE, avx = c & bit_AVX, fma = c & bit_FMA;
    if (!osxsave || !avx || !fma || (xcr0() & 0x6) != 0x6)
        return RS_VMATH_PORTABLE;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & bit_AVX2))
        return RS_VMATH_PORTABLE;
    bool avx512 = (b & bit_AVX512F) && (b & bit_AVX512DQ);
    if (avx512 && (xcr0() & 0xe6) == 0xe6)
        return RS_VMATH_AVX512;
    return RS_VMATH_AVX2;
}
#else
static rs_vmath_path detect(void)
{
    return RS_VMATH_PORTABLE;
}
#endif

static rs_vmath_path best(void)
{
    int p = atomic_load_explicit(&detected, memory_order_relaxed);
    if (p < 0) {
        p = (int)detect();
        atomic_store_explicit(&detected, p, memory_order_relaxed);
    }
    return (rs_vmath_path)p;
}

bool rs_vmath_force(rs_vmath_path path)
{
    if (path > best())
        return false;
    forced = path;
    return true;
}

rs_vmath_path rs_vmath_current(void)
{
    return forced == RS_VMATH_AUTO ? best() : forced;
}

const char *rs_vmath_name(rs_vmath_path path)
{
    return names[path];
}

bool rs_vmath_from_name(const char *name, rs_vmath_path *path)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0) {
            *path = (rs_vmath_path)i;
            return true;
        }
    return false;
}

bool rs_vmath_avx2(void)
{
    return rs_vmath_current() >= RS_VMATH_AVX2;
}

bool rs_vmath_avx512(void)
{
    return rs_vmath_current() == RS_VMATH_AVX512;
}

#include <stdio.h>

#include "check.h"
#include "paths.h"

void run_on_path(rs_vmath_path path, const char *name, void (*fn)(void))
{
    char label[256];
    snprintf(label, sizeof label, "%s [%s]", name, rs_vmath_name(path));
    if (!rs_vmath_force(path)) {
        skip_test(label, path == RS_VMATH_AVX512 ? "no AVX-512 (F, DQ) enabled on this CPU"
                                                 : "no AVX2+FMA enabled on this CPU");
        return;
    }
    run_test(label, fn);
    rs_vmath_force(RS_VMATH_AUTO);
}

void run_on_vector_paths(const char *name, void (*fn)(void))
{
    run_on_path(RS_VMATH_AVX2, name, fn);
    run_on_path(RS_VMATH_AVX512, name, fn);
}

void run_on_every_path(const char *name, void (*fn)(void))
{
    run_on_path(RS_VMATH_PORTABLE, name, fn);
    run_on_vector_paths(name, fn);
}

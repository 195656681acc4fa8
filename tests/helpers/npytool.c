/* Test helper: exercises the .npy/.csv code from shell tests.
 *   npytool print FILE            print shape and every value (%.9g), one per line
 *   npytool pattern OUT d0 [d1..] write a float32 array with value i*0.5-7 at C index i */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/csv.h"
#include "rnnscope/npy.h"

static int print_file(const char *path)
{
    rs_tensor t;
    rs_error err;
    size_t n = strlen(path);
    int rc = n > 4 && strcmp(path + n - 4, ".csv") == 0 ? rs_csv_read(path, &t, &err)
                                                         : rs_npy_read(path, &t, &err);
    if (rc < 0) {
        fprintf(stderr, "npytool: %s\n", err.msg);
        return 1;
    }
    char shape[128];
    printf("shape %s\n", rs_shape_format(t.rank, t.shape, shape, sizeof shape));
    for (size_t i = 0; i < t.size; i++)
        printf("%.9g\n", (double)t.data[i]);
    rs_tensor_free(&t);
    return 0;
}

static int write_pattern(const char *path, int rank, char **dims)
{
    size_t shape[RS_MAX_RANK];
    rs_tensor t;
    rs_error err;
    if (rank > RS_MAX_RANK)
        return 2;
    for (int i = 0; i < rank; i++)
        shape[i] = strtoul(dims[i], NULL, 10);
    if (rs_tensor_alloc(&t, rank, shape, &err) < 0) {
        fprintf(stderr, "npytool: %s\n", err.msg);
        return 1;
    }
    for (size_t i = 0; i < t.size; i++)
        t.data[i] = (float)i * 0.5f - 7.0f;
    size_t n = strlen(path);
    int rc = n > 4 && strcmp(path + n - 4, ".csv") == 0 ? rs_csv_write(path, &t, &err)
                                                         : rs_npy_write(path, &t, &err);
    rs_tensor_free(&t);
    if (rc < 0) {
        fprintf(stderr, "npytool: %s\n", err.msg);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "print") == 0)
        return print_file(argv[2]);
    if (argc >= 3 && strcmp(argv[1], "pattern") == 0)
        return write_pattern(argv[2], argc - 3, argv + 3);
    fprintf(stderr, "usage: npytool print FILE | npytool pattern OUT DIMS...\n");
    return 2;
}

#include "model/internal.h"
int rs_load_keras_zip(rs_model *m, const unsigned char *data, size_t len, rs_error *err)
{ (void)data; (void)len; return rs_fail(err, m->path, "todo"); }
int rs_keras3_read_weights(rs_model *m, rs_graph *g, hid_t file, const char *where, rs_error *err)
{ (void)g; (void)file; (void)m; return rs_fail(err, where, "todo"); }

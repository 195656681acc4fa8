#include "model/internal.h"
int rs_load_tfjs(rs_model *m, cJSON *root, rs_error *err)
{ cJSON_Delete(root); return rs_fail(err, m->path, "todo"); }

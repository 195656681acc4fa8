/* Two checkpoints of one model: the same architecture, and how much a tensor moved. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/ckpt.h"
#include "rnnscope/layer.h"

/* "(3, 16)" of a weight. */
static const char *shape_of(const rs_tensor *t, char *buf, size_t len)
{
    return rs_shape_format(t->rank, t->shape, buf, len);
}

static int compare_node(const rs_node *a, const rs_node *b, int i, rs_error *err)
{
    if (strcmp(a->name, b->name) != 0 || strcmp(a->class_name, b->class_name) != 0)
        return rs_fail(err, NULL, "layer %d is %s (%s) in the first model, %s (%s) in the second",
                       i, a->name, a->class_name, b->name, b->class_name);
    if (a->n_inputs != b->n_inputs)
        return rs_fail(err, NULL, "layer %s has %d inputs in the first model, %d in the second",
                       a->name, a->n_inputs, b->n_inputs);
    for (int k = 0; k < a->n_inputs; k++)
        if (a->inputs[k].node != b->inputs[k].node || a->inputs[k].output != b->inputs[k].output)
            return rs_fail(err, NULL, "layer %s: input %d comes from different layers", a->name, k);
    if (a->n_weights != b->n_weights)
        return rs_fail(err, NULL, "layer %s has %d weights in the first model, %d in the second",
                       a->name, a->n_weights, b->n_weights);
    for (int w = 0; w < a->n_weights; w++) {
        char sa[96], sb[96];
        if (!rs_shape_equal(&a->weights[w].value, &b->weights[w].value))
            return rs_fail(err, NULL, "layer %s: weight %s has shape %s in the first model, %s in "
                           "the second", a->name, a->weights[w].name,
                           shape_of(&a->weights[w].value, sa, sizeof sa),
                           shape_of(&b->weights[w].value, sb, sizeof sb));
    }
    return 0;
}

int rs_arch_compare(const rs_model *a, const rs_model *b, rs_error *err)
{
    int n = a->n_nodes < b->n_nodes ? a->n_nodes : b->n_nodes;
    for (int i = 0; i < n; i++)
        if (compare_node(&a->nodes[i], &b->nodes[i], i, err) < 0)
            return -1;
    if (a->n_nodes != b->n_nodes) {
        const rs_model *more = a->n_nodes > b->n_nodes ? a : b;
        return rs_fail(err, NULL, "the first model has %d layers, the second %d: %s (%s) is only "
                       "in the %s", a->n_nodes, b->n_nodes, more->nodes[n].name,
                       more->nodes[n].class_name, more == a ? "first" : "second");
    }
    return 0;
}

rs_delta rs_delta_of(const float *a, const float *b, size_t n)
{
    double aa = 0, bb = 0, ab = 0, dd = 0, mx = 0;
    for (size_t i = 0; i < n; i++) {
        double x = a[i], y = b[i], d = y - x;
        aa += x * x;
        bb += y * y;
        ab += x * y;
        dd += d * d;
        if (fabs(d) > mx || isnan(d))
            mx = isnan(mx) ? mx : fabs(d);
    }
    rs_delta r;
    r.norm_a = sqrt(aa);
    r.norm_b = sqrt(bb);
    r.norm_d = sqrt(dd);
    r.max_abs = mx;
    r.rel = r.norm_a > 0 ? r.norm_d / r.norm_a : r.norm_d > 0 ? INFINITY : r.norm_d;
    r.cosine = r.norm_a > 0 && r.norm_b > 0 ? ab / (r.norm_a * r.norm_b) : NAN;
    return r;
}

static const char *const show_names[RS_SHOW_COUNT] = {"a", "b", "diff"};

bool rs_show_parse(const char *text, rs_show *out)
{
    for (int i = 0; i < RS_SHOW_COUNT; i++)
        if (strcmp(text, show_names[i]) == 0) {
            *out = (rs_show)i;
            return true;
        }
    return false;
}

const char *rs_show_name(rs_show s)
{
    return s >= 0 && s < RS_SHOW_COUNT ? show_names[s] : "?";
}

int rs_tensor_diff(const rs_tensor *a, const rs_tensor *b, rs_tensor *out, rs_error *err)
{
    char sa[96], sb[96];
    if (!rs_shape_equal(a, b))
        return rs_fail(err, NULL, "the outputs have shapes %s and %s", shape_of(a, sa, sizeof sa),
                       shape_of(b, sb, sizeof sb));
    if (rs_tensor_alloc(out, a->rank, a->shape, err) < 0)
        return -1;
    for (size_t i = 0; i < a->size; i++)
        out->data[i] = a->data[i] - b->data[i];
    return 0;
}

int rs_weights_diff(const rs_node *a, const rs_node *b, rs_layer_desc *d, float **buf,
                    rs_error *err)
{
    rs_node_describe(a, d);
    *buf = NULL;
    if (a->n_weights != b->n_weights)
        return rs_fail(err, a->name, "the two layers have different weights");
    size_t total = 0;
    for (int w = 0; w < a->n_weights; w++) {
        if (!rs_shape_equal(&a->weights[w].value, &b->weights[w].value))
            return rs_fail(err, a->name, "weight %s has two shapes", a->weights[w].name);
        total += a->weights[w].value.size;
    }
    float *all = malloc((total + 1) * sizeof *all);
    size_t *start = malloc(((size_t)a->n_weights + 1) * sizeof *start);
    if (!all || !start) {
        free(all);
        free(start);
        return rs_fail(err, a->name, "out of memory");
    }
    size_t at = 0;
    for (int w = 0; w < a->n_weights; w++) {
        const rs_tensor *ta = &a->weights[w].value, *tb = &b->weights[w].value;
        start[w] = at;
        for (size_t i = 0; i < ta->size; i++)
            all[at + i] = ta->data[i] - tb->data[i];
        at += ta->size;
    }
    /* each matrix looks at its weight (or a part of it: a direction, a half of a bias) at an
     * offset: the same offset into the difference */
    for (int i = 0; i < d->n_weights; i++) {
        int w = d->weights[i].index;
        if (w < 0 || w >= a->n_weights)
            continue;
        ptrdiff_t off = d->weights[i].m.data - a->weights[w].value.data;
        d->weights[i].m.data = all + start[w] + off;
    }
    free(start);
    *buf = all;
    return 0;
}

/* Owners of weights (one per Keras layer object) and the hand-over of their weights to the
 * nodes that call them. */
#include <stdlib.h>
#include <string.h>

#include "model/internal.h"

static size_t owner_hash(int parent, const char *short_name)
{
    size_t h = 14695981039346656037u ^ (size_t)(parent + 1); /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)short_name; *p; p++)
        h = (h ^ *p) * 1099511628211u;
    return h;
}

static void slot_put(int *slots, size_t n_slots, const rs_owner *o, int index)
{
    size_t i = owner_hash(o->parent, o->short_name) & (n_slots - 1);
    while (slots[i])
        i = (i + 1) & (n_slots - 1);
    slots[i] = index + 1;
}

int rs_graph_index_owner(rs_graph *g, rs_error *err)
{
    if ((size_t)g->n_owners * 2 >= g->n_slots) {
        size_t n = g->n_slots ? g->n_slots * 2 : 64;
        int *slots = calloc(n, sizeof *slots);
        if (!slots)
            return rs_fail_oom(err, NULL);
        for (int i = 0; i < g->n_owners - 1; i++)
            slot_put(slots, n, &g->owners[i], i);
        free(g->slots);
        g->slots = slots;
        g->n_slots = n;
    }
    slot_put(g->slots, g->n_slots, &g->owners[g->n_owners - 1], g->n_owners - 1);
    return 0;
}

int rs_graph_find_owner(const rs_graph *g, int parent, const char *short_name)
{
    if (!g->n_slots)
        return -1;
    for (size_t i = owner_hash(parent, short_name) & (g->n_slots - 1); g->slots[i];
         i = (i + 1) & (g->n_slots - 1)) {
        const rs_owner *o = &g->owners[g->slots[i] - 1];
        if (o->parent == parent && strcmp(o->short_name, short_name) == 0)
            return g->slots[i] - 1;
    }
    return -1;
}

/* An owner named short_name anywhere below container (direct children first). */
static int find_below(const rs_graph *g, int container, const char *short_name)
{
    int direct = rs_graph_find_owner(g, container, short_name);
    if (direct >= 0)
        return direct;
    for (int i = 0; i < g->n_owners; i++) {
        if (strcmp(g->owners[i].short_name, short_name) != 0)
            continue;
        for (int a = g->owners[i].parent, hops = 0; a >= 0 && hops < 64;
             a = g->owners[a].parent, hops++)
            if (a == container)
                return i;
        if (container < 0)
            return i;
    }
    return -1;
}

int rs_graph_add_weight(rs_graph *g, int owner, char *name, rs_tensor *value, rs_error *err)
{
    rs_owner *o = &g->owners[owner];
    if (o->n_weights >= RS_MAX_WEIGHTS_PER_LAYER) {
        free(name);
        rs_tensor_free(value);
        return rs_fail(err, o->name, "more than %d weights", RS_MAX_WEIGHTS_PER_LAYER);
    }
    rs_weight *w = realloc(o->weights, ((size_t)o->n_weights + 1) * sizeof *w);
    if (!w) {
        free(name);
        rs_tensor_free(value);
        return rs_fail_oom(err, o->name);
    }
    o->weights = w;
    w[o->n_weights].name = name;
    memset(&w[o->n_weights].value, 0, sizeof(rs_tensor));
    rs_tensor_move(&w[o->n_weights].value, value);
    o->n_weights++;
    return 0;
}

int rs_graph_assign_weight(rs_graph *g, int container, char *name, rs_tensor *value,
                           const char *where, rs_error *err)
{
    const char *p = name;
    char comp[512];
    while (*p) {
        size_t n = strcspn(p, "/");
        if (n < sizeof comp) {
            memcpy(comp, p, n);
            comp[n] = '\0';
            char *colon = strrchr(comp, ':');
            if (colon)
                *colon = '\0';
            int o = find_below(g, container, comp);
            if (o >= 0 && !g->owners[o].is_model)
                return rs_graph_add_weight(g, o, name, value, err);
            if (o >= 0)
                container = o;
        }
        p += n;
        if (*p == '/')
            p++;
    }
    rs_fail(err, where, "weight '%s' belongs to no layer of the model", name);
    free(name);
    rs_tensor_free(value);
    return -1;
}

/* Rank of one name component in Keras weight order; unknown components rank last. */
static int component_rank(const char *c, size_t len, int n_ranks)
{
    static const char *const prefixes[] = {"forward", "backward"};
    static const char *const exact[] = {
        "query", "key", "value", "attention_output", "kernel", "recurrent_kernel", "bias",
        "embeddings", "gamma", "beta", "moving_mean", "moving_variance", "scale",
        "concat_score_weight", "alpha"};
    static const char *const suffixes[] = {
        "_Add_Wt", "_Add_Wx", "_Add_bh", "_Add_Wa", "_Add_ba", "_Mul_Wa", "_Mul_ba",
        "_Wq", "_bq", "_Wk", "_bk", "_Wv", "_bv", "_Wo", "_bo", "_W", "_b"};
    const char *colon = memchr(c, ':', len);
    if (colon)
        len = (size_t)(colon - c);
    int base = 0;
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++, base++)
        if (len >= strlen(prefixes[i]) && !strncmp(c, prefixes[i], strlen(prefixes[i])))
            return base;
    for (size_t i = 0; i < sizeof exact / sizeof *exact; i++, base++)
        if (len == strlen(exact[i]) && !strncmp(c, exact[i], len))
            return base;
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++, base++) {
        size_t sl = strlen(suffixes[i]);
        if (len >= sl && !strncmp(c + len - sl, suffixes[i], sl))
            return base;
    }
    return n_ranks;
}

/* Rank of a weight within its layer in Keras order, from its name, comparing path components
 * from the left so "forward_lstm/..." comes before "backward_lstm/...". */
static long weight_rank(const char *name)
{
    const int n_ranks = 40, depth_max = 5;
    long rank = 0;
    const char *p = name;
    for (int depth = 0; depth < depth_max; depth++) {
        size_t len = strcspn(p, "/");
        rank = rank * (n_ranks + 1) + (len ? component_rank(p, len, n_ranks) : 0);
        p += len;
        if (*p == '/')
            p++;
    }
    return rank;
}

static void sort_owner(rs_owner *o)
{
    /* Insertion sort: layers have a handful of weights. */
    for (int i = 1; i < o->n_weights; i++) {
        rs_weight w = o->weights[i];
        long r = weight_rank(w.name);
        int j = i - 1;
        while (j >= 0 && weight_rank(o->weights[j].name) > r) {
            o->weights[j + 1] = o->weights[j];
            j--;
        }
        o->weights[j + 1] = w;
    }
}

void rs_graph_sort_weights(rs_graph *g)
{
    for (int i = 0; i < g->n_owners; i++)
        sort_owner(&g->owners[i]);
}

void rs_graph_finish(rs_model *m, rs_graph *g)
{
    for (int i = 0; i < m->n_nodes; i++) {
        rs_owner *o = &g->owners[g->node_owner[i]];
        rs_node *n = &m->nodes[i];
        n->n_weights = o->n_weights;
        n->weights = o->weights;
        n->owns_weights = o->first_node == i;
    }
    for (int i = 0; i < g->n_owners; i++)
        if (g->owners[i].first_node >= 0) {
            g->owners[i].weights = NULL; /* now owned by the node */
            g->owners[i].n_weights = 0;
        }
    rs_graph_free(g);
}

void rs_graph_free(rs_graph *g)
{
    for (int i = 0; i < g->n_owners; i++) {
        rs_owner *o = &g->owners[i];
        for (int k = 0; k < o->n_weights; k++) {
            free(o->weights[k].name);
            rs_tensor_free(&o->weights[k].value);
        }
        free(o->weights);
        free(o->name);
        free(o->short_name);
        free(o->class_name);
    }
    free(g->owners);
    free(g->node_owner);
    free(g->slots);
    memset(g, 0, sizeof *g);
}

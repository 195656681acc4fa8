/* Model inputs from files or a seeded random generator. */
#include <stdint.h>
#include <string.h>

#include "rnnscope/input.h"
#include "rnnscope/memcap.h"

/* splitmix64: a small, good, portable generator (the same numbers on every machine). */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* The Embedding that reads model input i directly, if any: then inputs are token ids. */
static const rs_node *embedding_of_input(const rs_model *m, int i)
{
    int in_node = m->inputs[i];
    for (int n = 0; n < m->n_nodes; n++) {
        const rs_node *node = &m->nodes[n];
        if (strcmp(node->class_name, "Embedding") != 0)
            continue;
        for (int k = 0; k < node->n_inputs; k++)
            if (node->inputs[k].node == in_node)
                return node;
    }
    return NULL;
}

static long embedding_vocabulary(const rs_node *emb)
{
    if (emb->n_weights > 0 && emb->weights[0].value.rank == 2)
        return (long)emb->weights[0].value.shape[0];
    const cJSON *dim = emb->keras_config ? cJSON_GetObjectItemCaseSensitive(emb->keras_config, "input_dim") : NULL;
    return cJSON_IsNumber(dim) && dim->valuedouble >= 1 && dim->valuedouble <= 1e15
               ? (long)dim->valuedouble : 1; /* (not infinity: converting it is undefined) */
}

int rs_random_input(const rs_model *m, int i, unsigned long seed, size_t batch, rs_tensor *out,
                    rs_error *err)
{
    if (i < 0 || i >= m->n_inputs)
        return rs_fail(err, m->path, "the model has no input %d", i);
    const rs_node *in = &m->nodes[m->inputs[i]];
    const rs_shape *s = in->n_outputs > 0 ? &in->out_shapes[0] : NULL;
    if (!s || s->rank < 0)
        return rs_fail(err, in->name, "the input shape is unknown");
    size_t shape[RS_MAX_RANK];
    shape[0] = batch;
    for (int d = 0; d < s->rank; d++)
        shape[d + 1] = s->dims[d] >= 0 ? (size_t)s->dims[d] : RS_RANDOM_DEFAULT_STEPS;
    /* its size comes from the model file (or --random with a batch): within the memory cap,
     * on top of the weights, before anything is allocated */
    size_t count;
    if (rs_shape_count(s->rank + 1, shape, &count, err) < 0)
        return rs_error_prefix(err, in->name);
    if (rs_memcap_check(rs_model_weight_bytes(m), rs_size_mul(count, sizeof(float)), m->path,
                        "the random input needs", err) < 0)
        return -1;
    if (rs_tensor_alloc(out, s->rank + 1, shape, err) < 0)
        return rs_error_prefix(err, in->name);
    uint64_t state = (uint64_t)seed * 0x2545F4914F6CDD1Dull + (uint64_t)i;
    const rs_node *emb = embedding_of_input(m, i);
    long vocab = emb ? embedding_vocabulary(emb) : 0;
    for (size_t k = 0; k < out->size; k++) {
        uint64_t r = next_random(&state);
        out->data[k] = emb ? (float)(r % (uint64_t)vocab) : (float)((r >> 40) * (1.0 / 16777216.0));
    }
    return 0;
}

int rs_input_fit(const rs_model *m, int i, rs_tensor *t, const char *name, rs_error *err)
{
    const rs_node *in = &m->nodes[m->inputs[i]];
    const rs_shape *s = in->n_outputs > 0 ? &in->out_shapes[0] : NULL;
    if (!s || s->rank < 0)
        return 0;
    if (t->rank == s->rank) { /* one sample without its batch axis */
        size_t shape[RS_MAX_RANK];
        if (t->rank + 1 > RS_MAX_RANK)
            return rs_fail(err, name, "has too many dimensions");
        shape[0] = 1;
        memcpy(shape + 1, t->shape, (size_t)t->rank * sizeof shape[0]);
        if (rs_tensor_reshape(t, t->rank + 1, shape, err) < 0)
            return rs_error_prefix(err, name);
    }
    bool fits = t->rank == s->rank + 1;
    for (int d = 0; fits && d < s->rank; d++)
        fits = s->dims[d] < 0 || (size_t)s->dims[d] == t->shape[d + 1];
    if (!fits) {
        char want[160], got[160];
        return rs_fail(err, name, "has shape %s, but input '%s' expects %s (a batch) or one sample "
                                  "without the batch axis",
                       rs_shape_format(t->rank, t->shape, got, sizeof got), in->name,
                       rs_shape_format_batch(s, want, sizeof want));
    }
    if (t->shape[0] == 0) { /* nothing to run, and the explorer's sample 1 of 0 */
        char got[160];
        return rs_fail(err, name, "holds no sample: its shape %s has a batch of 0",
                       rs_shape_format(t->rank, t->shape, got, sizeof got));
    }
    return 0;
}

int rs_input_pick_sample(rs_tensor *t, size_t k, const char *name, rs_error *err)
{
    if (t->rank == 0 || k >= t->shape[0])
        return rs_fail(err, name, "has %zu samples, --sample %zu is out of range",
                       t->rank ? t->shape[0] : 0, k);
    size_t per = t->size / t->shape[0];
    memmove(t->data, t->data + k * per, per * sizeof(float));
    t->shape[0] = 1;
    t->size = per;
    return 0;
}

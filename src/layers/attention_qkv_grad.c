/* Reverse passes of the query/key/value attention layers (forward: attention.c):
 * keras-self-attention's ScaledDotProductAttention, Keras' Attention and AdditiveAttention,
 * Keras' MultiHeadAttention and keras-multi-head's. One sample and one head at a time; the
 * weights a = softmax(scores - penalties) are computed again. Penalties are constants: the
 * gradient passes them unchanged (and a weight Keras zeroes afterwards is 0 already). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/grad_kernels.h"
#include "layers/common.h"
#include "layers/attention_params.h"
#include "layers/grad_common.h"

/* The (batch, steps, features) input i. */
typedef struct seq_in {
    const rs_tensor *x;
    const rs_tensor *mask; /* (batch, steps) or NULL */
    size_t B, T, D;
} seq_in;

static int seq_of(const rs_layer_grad_io *io, int i, seq_in *s, rs_error *err)
{
    const rs_tensor *x = io->inputs[i];
    if (x->rank != 3)
        return rs_fail(err, NULL, "input %d is not (batch, steps, features)", i);
    const rs_tensor *m = io->in_masks ? io->in_masks[i] : NULL;
    *s = (seq_in){x, m && m->size == x->shape[0] * x->shape[1] ? m : NULL, x->shape[0],
                  x->shape[1], x->shape[2]};
    return 0;
}

static const float *row_of(const seq_in *s, size_t b)
{
    return s->x->data + b * s->T * s->D;
}

static const float *mask_of(const seq_in *s, size_t b)
{
    return s->mask ? s->mask->data + b * s->T : NULL;
}

/* One head, from dO (tq, dv at stride ldo) and the weights a (tq, tk): dV (added, stride ldv)
 * and, in ds, the gradient of the scores before the softmax. da: the returned weights' own
 * gradient, or NULL. */
static int head_back(size_t tq, size_t tk, size_t dv, const float *a, const float *dO,
                     size_t ldo, const float *V, size_t ldv, const float *da, float *dV,
                     float *ds)
{
    if (rs_gemm_nt(tq, tk, dv, dO, ldo, V, ldv, ds, tk, false) < 0 ||
        rs_gemm_tn(tk, dv, tq, a, tk, dO, ldo, dV, ldv, true) < 0)
        return -1;
    for (size_t i = 0; da && i < tq * tk; i++)
        ds[i] += da[i];
    size_t shape[2] = {tq, tk};
    rs_softmax_axis_backward(a, ds, ds, 2, shape, 1, false);
    return 0;
}

/* scores = scale q kᵀ: dQ += scale ds K, dK += scale dsᵀ Q. */
static int dot_back(size_t tq, size_t tk, size_t d, float *ds, float scale, const float *Q,
                    size_t ldq, const float *K, size_t ldk, float *dQ, float *dK)
{
    for (size_t i = 0; scale != 1.0f && i < tq * tk; i++)
        ds[i] *= scale;
    rs_gemm(tq, d, tk, ds, tk, K, ldk, dQ, ldq, true);
    return rs_gemm_tn(tk, d, tq, ds, tk, Q, ldq, dK, ldk, true);
}

/* The weights a of one head: scores, penalties, softmax (rs_masked_softmax). */
static void weights_of(float *a, size_t tq, size_t tk, const rs_score_mask *m)
{
    rs_masked_softmax(tq, tk, a, m);
}

/* ---- ScaledDotProductAttention: inputs [Q, K, V] or one tensor ---- */

int rs_scaled_dot_attention_backward(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    const attention_params *p = n->params;
    int three = io->n_inputs == 3;
    seq_in q, k, v;
    if (seq_of(io, 0, &q, err) < 0 || seq_of(io, three, &k, err) < 0 ||
        seq_of(io, 2 * three, &v, err) < 0)
        return -1;
    size_t tq = q.T, tk = k.T, tt = tq * tk;
    rs_tensor zero = {0}, dq = {0}, dk = {0}, dv = {0};
    const rs_tensor *dO = rs_grad_or_zeros(io, 0, &zero, err);
    float *buf = malloc((2 * tt + 1) * sizeof(float));
    int rc = -1;
    if (!dO || !buf || rs_tensor_alloc(&dq, 3, q.x->shape, err) < 0 ||
        rs_tensor_alloc(&dk, 3, k.x->shape, err) < 0 || rs_tensor_alloc(&dv, 3, v.x->shape, err) < 0)
        goto done;
    float *a = buf, *ds = buf + tt, scale = 1.0f / sqrtf((float)q.D);
    const rs_tensor *da = p->return_attention ? io->d_outputs[1] : NULL;
    for (size_t b = 0; b < q.B; b++) {
        rs_dot_scores(tq, tk, q.D, row_of(&q, b), q.D, row_of(&k, b), k.D, scale, a);
        rs_score_mask m = {.key_mask = mask_of(&k, b), .causal = p->history_only,
                           .penalty = 1e4f, .additive = true};
        weights_of(a, tq, tk, &m);
        if (head_back(tq, tk, v.D, a, dO->data + b * tq * v.D, v.D, row_of(&v, b), v.D,
                      da ? da->data + b * tt : NULL, dv.data + b * tk * v.D, ds) < 0 ||
            dot_back(tq, tk, q.D, ds, scale, row_of(&q, b), q.D, row_of(&k, b), k.D,
                     dq.data + b * tq * q.D, dk.data + b * tk * k.D) < 0)
            goto oom;
    }
    /* one tensor for all three: its gradient is the sum */
    rs_tensor *parts[3] = {&dq, &dk, &dv};
    for (int i = 0; i < 3; i++) {
        int at = three ? i : 0;
        if (!io->d_inputs[at].data) {
            rs_tensor_move(&io->d_inputs[at], parts[i]);
            continue;
        }
        for (size_t j = 0; j < parts[i]->size; j++)
            io->d_inputs[at].data[j] += parts[i]->data[j];
    }
    rc = 0;
    goto done;
oom:
    rs_fail_oom(err, NULL);
done:
    free(buf);
    rs_tensor_free(&dq);
    rs_tensor_free(&dk);
    rs_tensor_free(&dv);
    rs_tensor_free(&zero);
    return rc;
}

/* ---- Keras' Attention and AdditiveAttention: inputs [query, value(, key)] ---- */

/* Through additive scores s_ij = post Σ_d w_d tanh(pre (q_id + k_jd)) (w NULL: ones): dQ, dK
 * added; dw (or NULL) added; d pre and d post into *dpre, *dpost (or NULL). */
static void additive_back(size_t tq, size_t tk, size_t d, const float *ds, const float *Q,
                          const float *K, const float *w, float pre, float post, float *dQ,
                          float *dK, float *dw, double *dpre, double *dpost)
{
    for (size_t i = 0; i < tq; i++)
        for (size_t j = 0; j < tk; j++) {
            float g = ds[i * tk + j];
            for (size_t c = 0; c < d; c++) {
                float sum = Q[i * d + c] + K[j * d + c], h = tanhf(pre * sum);
                float wc = w ? w[c] : 1.0f, dh = g * post * wc * (1.0f - h * h);
                dQ[i * d + c] += dh * pre;
                dK[j * d + c] += dh * pre;
                if (dw)
                    dw[c] += g * post * h;
                if (dpre)
                    *dpre += (double)dh * sum;
                if (dpost)
                    *dpost += (double)g * wc * h;
            }
        }
}

/* The scores' reverse pass of one sample, by score kind; the weights' gradients added. */
static int keras_scores_back(const rs_node *n, const attention_params *p, rs_layer_grad_io *io,
                             size_t tq, size_t tk, size_t d, float *ds, const float *Q,
                             const float *K, float *dQ, float *dK)
{
    float *dwt[2] = {io->d_weights && n->n_weights > 0 ? io->d_weights[0].data : NULL,
                     io->d_weights && n->n_weights > 1 ? io->d_weights[1].data : NULL};
    if (!strcmp(n->class_name, "AdditiveAttention")) {
        additive_back(tq, tk, d, ds, Q, K, p->use_scale ? n->weights[0].value.data : NULL, 1.0f,
                      1.0f, dQ, dK, p->use_scale ? dwt[0] : NULL, NULL, NULL);
        return 0;
    }
    float scale = p->use_scale ? n->weights[0].value.data[0] : 1.0f;
    if (p->concat_score) {
        double dpre = 0, dpost = 0;
        float post = n->weights[p->use_scale].value.data[0];
        additive_back(tq, tk, d, ds, Q, K, NULL, scale, post, dQ, dK, NULL, &dpre, &dpost);
        if (p->use_scale && dwt[0])
            dwt[0][0] += (float)dpre;
        if (dwt[p->use_scale])
            dwt[p->use_scale][0] += (float)dpost;
        return 0;
    }
    if (p->use_scale && dwt[0]) { /* d scale = Σ ds ⊙ q kᵀ */
        double sum = 0;
        for (size_t i = 0; i < tq; i++)
            for (size_t j = 0; j < tk; j++) {
                double qk = 0;
                for (size_t c = 0; c < d; c++)
                    qk += (double)Q[i * d + c] * K[j * d + c];
                sum += ds[i * tk + j] * qk;
            }
        dwt[0][0] += (float)sum;
    }
    return dot_back(tq, tk, d, ds, scale, Q, d, K, d, dQ, dK);
}

int rs_keras_attention_backward(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    const attention_params *p = n->params;
    int ki = io->n_inputs == 3 ? 2 : 1;
    seq_in q, v, k;
    if (seq_of(io, 0, &q, err) < 0 || seq_of(io, 1, &v, err) < 0 || seq_of(io, ki, &k, err) < 0)
        return -1;
    size_t tq = q.T, tk = k.T, dv = v.D, tt = tq * tk;
    rs_tensor zero = {0}, dk = {0};
    const rs_tensor *dO = rs_grad_or_zeros(io, 0, &zero, err);
    float *buf = malloc((2 * tt + tq * dv + 1) * sizeof(float));
    int rc = -1;
    if (!dO || !buf || rs_tensor_alloc(&io->d_inputs[0], 3, q.x->shape, err) < 0 ||
        rs_tensor_alloc(&io->d_inputs[1], 3, v.x->shape, err) < 0 ||
        rs_tensor_alloc(&dk, 3, k.x->shape, err) < 0 ||
        (io->d_weights && rs_grad_alloc_weights(n, io, err) < 0))
        goto done;
    float *a = buf, *ds = buf + tt, *dOb = buf + 2 * tt;
    const rs_tensor *da = p->return_attention ? io->d_outputs[1] : NULL;
    for (size_t b = 0; b < q.B; b++) {
        keras_scores(n, p, row_of(&q, b), row_of(&k, b), tq, tk, q.D, a);
        rs_score_mask m = {.key_mask = mask_of(&v, b), .causal = p->causal, .penalty = 1e9f};
        weights_of(a, tq, tk, &m);
        /* padded queries output zeros: no gradient through them */
        memcpy(dOb, dO->data + b * tq * dv, tq * dv * sizeof(float));
        const float *qm = mask_of(&q, b);
        for (size_t t = 0; qm && t < tq; t++)
            if (qm[t] == 0.0f)
                memset(dOb + t * dv, 0, dv * sizeof(float));
        if (head_back(tq, tk, dv, a, dOb, dv, row_of(&v, b), dv, da ? da->data + b * tt : NULL,
                      io->d_inputs[1].data + b * tk * dv, ds) < 0 ||
            keras_scores_back(n, p, io, tq, tk, q.D, ds, row_of(&q, b), row_of(&k, b),
                              io->d_inputs[0].data + b * tq * q.D, dk.data + b * tk * k.D) < 0) {
            rs_fail_oom(err, NULL);
            goto done;
        }
    }
    if (ki == 2)
        rs_tensor_move(&io->d_inputs[2], &dk);
    else /* the key is the value */
        for (size_t j = 0; j < dk.size; j++)
            io->d_inputs[1].data[j] += dk.data[j];
    rc = 0;
done:
    free(buf);
    rs_tensor_free(&dk);
    rs_tensor_free(&zero);
    return rc;
}

/* ---- MultiHeadAttention ---- */

/* Through y = x W + b (x: T x in, W: in x out): dx (T x in) added, dW and db added (NULL:
 * not wanted). dy: T x out. */
static int project_back(size_t T, size_t in, size_t out, const float *x, const float *W,
                        const float *dy, float *dx, float *dW, float *db)
{
    if (rs_gemm_nt(T, in, out, dy, out, W, out, dx, in, true) < 0 ||
        (dW && rs_gemm_tn(in, out, T, x, in, dy, out, dW, out, true) < 0))
        return -1;
    for (size_t t = 0; db && t < T; t++)
        for (size_t o = 0; o < out; o++)
            db[o] += dy[t * out + o];
    return 0;
}

/* Buffers of one sample: projections (pre-activation and activated), their gradients, the
 * heads' output and its gradient, one head's weights and score gradients, a joint key mask. */
typedef struct mha_buf {
    float *q, *k, *v, *qp, *kp, *vp, *dq, *dk, *dv, *o, *dO, *zo, *a, *ds, *km;
    float *mem;
} mha_buf;

static int mha_alloc(mha_buf *s, size_t tq, size_t tk, size_t wq, size_t wv, size_t od,
                     rs_error *err)
{
    size_t sizes[15] = {tq * wq, tk * wq, tk * wv, tq * wq, tk * wq, tk * wv, tq * wq, tk * wq,
                        tk * wv, tq * wv, tq * wv, tq * od, tq * tk, tq * tk, tk};
    size_t total = 1;
    for (int i = 0; i < 15; i++)
        total += sizes[i];
    s->mem = total <= RS_MAX_ELEMS ? malloc(total * sizeof(float)) : NULL;
    if (!s->mem)
        return rs_fail_code(err, RS_ERR_NO_MEMORY, NULL,
                            "out of memory for the reverse pass (%zu floats)", total);
    float **parts[15] = {&s->q, &s->k, &s->v, &s->qp, &s->kp, &s->vp, &s->dq, &s->dk, &s->dv,
                         &s->o, &s->dO, &s->zo, &s->a, &s->ds, &s->km};
    float *p = s->mem;
    for (int i = 0; i < 15; i++) {
        *parts[i] = p;
        p += sizes[i];
    }
    return 0;
}

/* The weights of MultiHeadAttention: W and b of query, key, value, output (b NULL without
 * bias), and their gradients (NULL when not wanted). */
typedef struct mha_weights {
    const float *W[4], *B[4];
    float *dW[4], *dB[4];
} mha_weights;

static mha_weights mha_weights_of(const rs_node *n, const rs_layer_grad_io *io, bool bias)
{
    mha_weights w;
    memset(&w, 0, sizeof w);
    int stride = 1 + bias;
    for (int i = 0; i < 4; i++) {
        w.W[i] = n->weights[i * stride].value.data;
        w.B[i] = bias ? n->weights[i * stride + 1].value.data : NULL;
        w.dW[i] = io->d_weights ? io->d_weights[i * stride].data : NULL;
        w.dB[i] = io->d_weights && bias ? io->d_weights[i * stride + 1].data : NULL;
    }
    return w;
}

/* One MultiHeadAttention call's shape and options. */
typedef struct mha_call {
    seq_in q, k, v;
    size_t H, kd, vd, od;       /* heads, key/query and value width per head, output width */
    bool package;               /* keras-multi-head: activation everywhere, its own masking */
    const rs_activation *act;   /* keras-multi-head's activation */
    float q_scale, s_scale;     /* Keras scales the query; keras-multi-head the scores */
} mha_call;

/* y = act(pre) for keras-multi-head, pre itself for Keras. */
static void activate_copy(const mha_call *c, const float *pre, float *y, size_t n, size_t row)
{
    memcpy(y, pre, n * sizeof(float));
    if (c->package)
        rs_activate(c->act, y, n, row);
}

/* d pre from d y (in place) through keras-multi-head's activation. */
static void activation_back(const mha_call *c, const float *pre, float *d, size_t n)
{
    if (c->package)
        rs_activation_backward(c->act, pre, d, d, n);
}

static rs_score_mask mha_mask(const mha_call *c, const attention_params *p, size_t b, float *km)
{
    if (c->package)
        return (rs_score_mask){.key_mask = mask_of(&c->k, b), .causal = p->history_only,
                               .penalty = 1e4f, .additive = true};
    const float *vm = mask_of(&c->v, b), *kmk = c->k.x != c->v.x ? mask_of(&c->k, b) : NULL;
    const float *key = vm ? vm : kmk;
    if (vm && kmk) {
        for (size_t t = 0; t < c->k.T; t++)
            km[t] = vm[t] * kmk[t];
        key = km;
    }
    return (rs_score_mask){.query_mask = mask_of(&c->q, b), .key_mask = key,
                           .causal = p->causal, .penalty = 1e9f,
                           .zero_masked_rows = p->softmax_zeroes_masked};
}

/* The forward pass of one sample again: projections, heads' output o, output pre-activation. */
static void mha_forward(const mha_call *c, const mha_weights *w, mha_buf *s, size_t b)
{
    size_t tq = c->q.T, tk = c->k.T, wq = c->H * c->kd, wv = c->H * c->vd;
    attention_project(tq, c->q.D, row_of(&c->q, b), w->W[0], w->B[0], wq, s->qp);
    attention_project(tk, c->k.D, row_of(&c->k, b), w->W[1], w->B[1], wq, s->kp);
    attention_project(tk, c->v.D, row_of(&c->v, b), w->W[2], w->B[2], wv, s->vp);
    activate_copy(c, s->qp, s->q, tq * wq, wq);
    activate_copy(c, s->kp, s->k, tk * wq, wq);
    activate_copy(c, s->vp, s->v, tk * wv, wv);
    for (size_t i = 0; c->q_scale != 1.0f && i < tq * wq; i++)
        s->q[i] *= c->q_scale;
}

static int mha_sample(const mha_call *c, const attention_params *p, const mha_weights *w,
                      mha_buf *s, size_t b, const float *dout, const float *da, float *dxq,
                      float *dxk, float *dxv)
{
    size_t tq = c->q.T, tk = c->k.T, wq = c->H * c->kd, wv = c->H * c->vd, od = c->od;
    mha_forward(c, w, s, b);
    rs_score_mask m = mha_mask(c, p, b, s->km);
    for (size_t h = 0; h < c->H; h++) { /* o = the heads' outputs */
        rs_dot_scores(tq, tk, c->kd, s->q + h * c->kd, wq, s->k + h * c->kd, wq, c->s_scale, s->a);
        rs_masked_softmax(tq, tk, s->a, &m);
        rs_weighted_values(tq, tk, c->vd, s->a, s->v + h * c->vd, wv, s->o + h * c->vd, wv);
    }
    /* out = act(o Wo + bo): d of the pre-activation, then of o and of Wo, bo */
    memcpy(s->zo, dout, tq * od * sizeof(float));
    memset(s->dO, 0, tq * wv * sizeof(float));
    memset(s->dq, 0, tq * wq * sizeof(float));
    memset(s->dk, 0, tk * wq * sizeof(float));
    memset(s->dv, 0, tk * wv * sizeof(float));
    if (c->package) { /* zo holds dout; through the output's activation, from its pre-activation */
        float *pre = malloc((tq * od + 1) * sizeof(float));
        if (!pre)
            return -1;
        attention_project(tq, wv, s->o, w->W[3], w->B[3], od, pre);
        activation_back(c, pre, s->zo, tq * od);
        free(pre);
    }
    if (project_back(tq, wv, od, s->o, w->W[3], s->zo, s->dO, w->dW[3], w->dB[3]) < 0)
        return -1;
    for (size_t h = 0; h < c->H; h++) {
        rs_dot_scores(tq, tk, c->kd, s->q + h * c->kd, wq, s->k + h * c->kd, wq, c->s_scale, s->a);
        rs_masked_softmax(tq, tk, s->a, &m);
        if (head_back(tq, tk, c->vd, s->a, s->dO + h * c->vd, wv, s->v + h * c->vd, wv,
                      da ? da + h * tq * tk : NULL, s->dv + h * c->vd, s->ds) < 0 ||
            dot_back(tq, tk, c->kd, s->ds, c->s_scale, s->q + h * c->kd, wq, s->k + h * c->kd, wq,
                     s->dq + h * c->kd, s->dk + h * c->kd) < 0)
            return -1;
    }
    for (size_t i = 0; c->q_scale != 1.0f && i < tq * wq; i++)
        s->dq[i] *= c->q_scale;
    activation_back(c, s->qp, s->dq, tq * wq);
    activation_back(c, s->kp, s->dk, tk * wq);
    activation_back(c, s->vp, s->dv, tk * wv);
    if (project_back(tq, c->q.D, wq, row_of(&c->q, b), w->W[0], s->dq, dxq, w->dW[0], w->dB[0]) < 0 ||
        project_back(tk, c->k.D, wq, row_of(&c->k, b), w->W[1], s->dk, dxk, w->dW[1], w->dB[1]) < 0 ||
        project_back(tk, c->v.D, wv, row_of(&c->v, b), w->W[2], s->dv, dxv, w->dW[2], w->dB[2]) < 0)
        return -1;
    return 0;
}

/* Which inputs are query, key and value: Keras [query, value(, key)]; keras-multi-head one
 * tensor or [q, k, v]. */
static void mha_inputs(const attention_params *p, int n_inputs, int *qi, int *ki, int *vi)
{
    *qi = 0;
    if (p->multi_head_package) {
        *ki = n_inputs == 3 ? 1 : 0;
        *vi = n_inputs == 3 ? 2 : 0;
    } else {
        *vi = 1;
        *ki = n_inputs == 3 ? 2 : 1;
    }
}

int rs_multi_head_attention_backward(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    const attention_params *p = n->params;
    int qi, ki, vi;
    mha_inputs(p, io->n_inputs, &qi, &ki, &vi);
    mha_call c = {.package = p->multi_head_package, .act = &p->activation};
    if (seq_of(io, qi, &c.q, err) < 0 || seq_of(io, ki, &c.k, err) < 0 ||
        seq_of(io, vi, &c.v, err) < 0)
        return -1;
    if (c.package) {
        c.od = n->weights[0].value.shape[1];
        c.H = (size_t)p->num_heads;
        c.kd = c.vd = c.od / c.H;
        c.q_scale = 1.0f;
        c.s_scale = 1.0f / sqrtf((float)c.kd);
        if (!rs_activation_has_grad(c.act))
            return rs_fail(err, NULL, "no reverse pass for its activation");
    } else {
        c.H = (size_t)p->num_heads;
        c.kd = (size_t)p->key_dim;
        c.vd = (size_t)p->value_dim;
        c.od = (size_t)p->out_dim;
        c.q_scale = 1.0f / sqrtf((float)c.kd);
        c.s_scale = 1.0f;
    }
    rs_tensor zero = {0}, d[3] = {{0}, {0}, {0}};
    const rs_tensor *dout = rs_grad_or_zeros(io, 0, &zero, err);
    const rs_tensor *da = p->return_attention ? io->d_outputs[1] : NULL;
    mha_buf s = {0};
    int rc = -1;
    if (!dout || (io->d_weights && rs_grad_alloc_weights(n, io, err) < 0) ||
        rs_tensor_alloc(&d[0], 3, c.q.x->shape, err) < 0 ||
        rs_tensor_alloc(&d[1], 3, c.k.x->shape, err) < 0 ||
        rs_tensor_alloc(&d[2], 3, c.v.x->shape, err) < 0 ||
        mha_alloc(&s, c.q.T, c.k.T, c.H * c.kd, c.H * c.vd, c.od, err) < 0)
        goto done;
    mha_weights w = mha_weights_of(n, io, p->use_bias);
    for (size_t b = 0; b < c.q.B; b++)
        if (mha_sample(&c, p, &w, &s, b, dout->data + b * c.q.T * c.od,
                       da ? da->data + b * c.H * c.q.T * c.k.T : NULL,
                       d[0].data + b * c.q.T * c.q.D, d[1].data + b * c.k.T * c.k.D,
                       d[2].data + b * c.v.T * c.v.D) < 0) {
            rs_fail_oom(err, NULL);
            goto done;
        }
    const int at[3] = {qi, ki, vi}; /* inputs used twice get the sum */
    for (int i = 0; i < 3; i++) {
        if (!io->d_inputs[at[i]].data) {
            rs_tensor_move(&io->d_inputs[at[i]], &d[i]);
            continue;
        }
        for (size_t j = 0; j < d[i].size; j++)
            io->d_inputs[at[i]].data[j] += d[i].data[j];
    }
    rc = 0;
done:
    free(s.mem);
    for (int i = 0; i < 3; i++)
        rs_tensor_free(&d[i]);
    rs_tensor_free(&zero);
    return rc;
}

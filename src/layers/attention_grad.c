/* Reverse passes of keras-self-attention's SeqSelfAttention and SeqWeightedAttention, one
 * sample at a time (the forward maths: src/core/attention.c). The penalties of the window and
 * the mask are constants: the gradient passes them unchanged. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/grad_kernels.h"
#include "layers/common.h"
#include "layers/attention_params.h"
#include "layers/grad_common.h"

/* Per-sample buffers of the self-attention reverse pass. */
typedef struct sa_buf {
    size_t T, D, U;
    float *a;      /* (T, T) attention weights, when the layer does not return them */
    float *v;      /* (T, D) recomputed values (not used) */
    float *fwd;    /* rs_self_attention_run's scratch */
    float *da;     /* (T, T) d weights, then d emission */
    float *e;      /* (T, T) emission before attention_activation (non-linear ones) */
    float *q, *k;  /* (T, U) additive: x Wt + bh, x Wx; multiplicative: x Wa, x Waᵀ */
    float *dq, *dk; /* (T, U) */
    float *mem;
} sa_buf;

static int sa_alloc(sa_buf *s, const rs_self_attention *k, size_t T, rs_error *err)
{
    s->T = T;
    s->D = k->dim;
    s->U = k->multiplicative ? k->dim : k->units;
    size_t tt = T * T, tu = T * s->U;
    size_t n = 3 * tt + T * s->D + rs_self_attention_scratch(k, T) + 4 * tu;
    s->mem = n <= RS_MAX_ELEMS ? malloc(n * sizeof(float)) : NULL;
    if (!s->mem)
        return rs_fail_code(err, RS_ERR_NO_MEMORY, NULL,
                            "out of memory for the reverse pass (%zu floats)", n);
    float *p = s->mem;
    s->a = p, p += tt;
    s->da = p, p += tt;
    s->e = p, p += tt;
    s->v = p, p += T * s->D;
    s->fwd = p, p += rs_self_attention_scratch(k, T);
    s->q = p, p += tu;
    s->k = p, p += tu;
    s->dq = p, p += tu;
    s->dk = p;
    return 0;
}

/* e[t][s] before attention_activation, additive: Σ_u Wa[u] tanh(q[t,u] + k[s,u]) + ba. q and k
 * must hold x Wt + bh and x Wx. */
static void additive_emission(const rs_self_attention *k, const sa_buf *s, float *e)
{
    for (size_t t = 0; t < s->T; t++)
        for (size_t j = 0; j < s->T; j++) {
            double sum = k->ba ? k->ba[0] : 0;
            for (size_t u = 0; u < s->U; u++)
                sum += k->Wa[u] * tanhf(s->q[t * s->U + u] + s->k[j * s->U + u]);
            e[t * s->T + j] = (float)sum;
        }
}

/* Through e = Σ_u Wa[u] tanh(q_t + k_s) + ba: dq, dk and the weights' gradients. The T·T·U
 * tanh terms are the cost: with every |q|, |k| <= 20 each is 1 - 2 / (1 + e^{2q} e^{2k}) from
 * exps computed once per row (as the forward's kernel, src/core/additive_scores.c, about 2e-7
 * absolute), else tanhf. */
#define PRODUCT_RANGE 20.0f

static bool products_fit(const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(fabsf(v[i]) <= PRODUCT_RANGE))
            return false;
    return true;
}

/* One (query, key) pair's terms: h_u = tanh(q_u + k_u) from the exps, then dWa += g h,
 * dq, dk += g Wa (1 - h²). Separate arrays: the loop vectorizes. */
static void pair_back(size_t U, float g, const float *restrict qe, const float *restrict ke,
                      const float *restrict Wa, float *restrict dWa, float *restrict dq,
                      float *restrict dk)
{
    for (size_t u = 0; u < U; u++) {
        float h = 1.0f - 2.0f / (1.0f + qe[u] * ke[u]);
        float dp = g * Wa[u] * (1.0f - h * h);
        if (dWa)
            dWa[u] += g * h;
        dq[u] += dp;
        dk[u] += dp;
    }
}

/* The same with tanhf, for values out of the exps' range (and NaN, Inf). */
static void pair_back_tanh(size_t U, float g, const float *q, const float *k, const float *Wa,
                           float *dWa, float *dq, float *dk)
{
    for (size_t u = 0; u < U; u++) {
        float h = tanhf(q[u] + k[u]), dp = g * Wa[u] * (1.0f - h * h);
        if (dWa)
            dWa[u] += g * h;
        dq[u] += dp;
        dk[u] += dp;
    }
}

static void additive_back(const rs_self_attention *k, sa_buf *s, const float *de, float *dWa,
                          float *dba)
{
    size_t T = s->T, U = s->U;
    memset(s->dq, 0, T * U * sizeof(float));
    memset(s->dk, 0, T * U * sizeof(float));
    bool fast = products_fit(s->q, T * U) && products_fit(s->k, T * U);
    if (fast) /* e holds e^{2q}, e^{2k} (T x T floats: room for 2 T U when U <= T / 2) */
        fast = 2 * U <= T;
    float *eq = s->e, *ek = s->e + T * U;
    for (size_t i = 0; fast && i < T * U; i++) {
        eq[i] = expf(2.0f * s->q[i]);
        ek[i] = expf(2.0f * s->k[i]);
    }
    for (size_t t = 0; t < T; t++)
        for (size_t j = 0; j < T; j++) {
            float g = de[t * T + j];
            if (dba)
                dba[0] += g;
            if (fast)
                pair_back(U, g, eq + t * U, ek + j * U, k->Wa, dWa, s->dq + t * U, s->dk + j * U);
            else
                pair_back_tanh(U, g, s->q + t * U, s->k + j * U, k->Wa, dWa, s->dq + t * U,
                               s->dk + j * U);
        }
}

/* d x from d emission, and the weights' gradients (dw: the node's, or NULL), additive. */
static int additive_input_grads(const rs_self_attention *k, sa_buf *s, const float *x,
                                const float *de, rs_tensor *dw, bool bias, float *dx)
{
    size_t T = s->T, D = s->D, U = s->U;
    int i = 0;
    float *dWt = dw ? dw[i++].data : NULL, *dWx = dw ? dw[i++].data : NULL;
    float *dbh = dw && bias ? dw[i++].data : NULL, *dWa = dw ? dw[i++].data : NULL;
    float *dba = dw && k->ba ? dw[i].data : NULL;
    additive_back(k, s, de, dWa, dba);
    if (rs_gemm_nt(T, D, U, s->dq, U, k->Wt, U, dx, D, true) < 0 ||
        rs_gemm_nt(T, D, U, s->dk, U, k->Wx, U, dx, D, true) < 0)
        return -1;
    if (!dw)
        return 0;
    for (size_t t = 0; dbh && t < T; t++)
        for (size_t u = 0; u < U; u++)
            dbh[u] += s->dq[t * U + u];
    if (rs_gemm_tn(D, U, T, x, D, s->dq, U, dWt, U, true) < 0 ||
        rs_gemm_tn(D, U, T, x, D, s->dk, U, dWx, U, true) < 0)
        return -1;
    return 0;
}

/* Multiplicative: e = x Wa xᵀ + ba. dx += de (x Waᵀ) + deᵀ (x Wa); dWa += xᵀ de x. */
static int multiplicative_input_grads(const rs_self_attention *k, sa_buf *s, const float *x,
                                      const float *de, rs_tensor *dw, float *dx)
{
    size_t T = s->T, D = s->D;
    rs_gemm(T, D, D, x, D, k->Wa, D, s->q, D, false);             /* x Wa */
    if (rs_gemm_nt(T, D, D, x, D, k->Wa, D, s->k, D, false) < 0)  /* x Waᵀ */
        return -1;
    rs_gemm(T, D, T, de, T, s->k, D, dx, D, true);
    if (rs_gemm_tn(T, D, T, de, T, s->q, D, dx, D, true) < 0)
        return -1;
    if (!dw)
        return 0;
    rs_gemm(T, D, T, de, T, x, D, s->dq, D, false); /* de x */
    if (rs_gemm_tn(D, D, T, x, D, s->dq, D, dw[0].data, D, true) < 0)
        return -1;
    if (k->ba)
        for (size_t i = 0; i < T * T; i++)
            dw[1].data[0] += de[i];
    return 0;
}

static int self_attention_sample(const rs_self_attention *k, sa_buf *s, const float *x,
                                 const float *mask, const float *a_out, const float *dv,
                                 const float *da_out, rs_tensor *dw, bool bias, float *dx)
{
    size_t T = s->T, D = s->D, tt = T * T;
    const float *a = a_out;
    if (!a) {
        rs_self_attention_run(k, T, x, mask, s->v, s->a, s->fwd);
        a = s->a;
    }
    /* v = a x: d a = dv xᵀ (+ the returned weights' own gradient), dx = aᵀ dv */
    if (rs_gemm_nt(T, T, D, dv, D, x, D, s->da, T, false) < 0 ||
        rs_gemm_tn(T, D, T, a, T, dv, D, dx, D, false) < 0)
        return -1;
    for (size_t i = 0; da_out && i < tt; i++)
        s->da[i] += da_out[i];
    size_t shape[2] = {T, T};
    rs_softmax_axis_backward(a, s->da, s->da, 2, shape, 1, false);
    if (!k->multiplicative) {
        rs_gemm(T, s->U, D, x, D, k->Wt, s->U, s->q, s->U, false);
        rs_gemm(T, s->U, D, x, D, k->Wx, s->U, s->k, s->U, false);
        for (size_t t = 0; k->bh && t < T; t++)
            for (size_t u = 0; u < s->U; u++)
                s->q[t * s->U + u] += k->bh[u];
    }
    const rs_activation *act = &k->activation;
    if (act->kind != RS_ACT_LINEAR) {
        if (k->multiplicative) {
            rs_gemm(T, D, D, x, D, k->Wa, D, s->q, D, false);
            rs_dot_scores(T, T, D, s->q, D, x, D, 1.0f, s->e);
            for (size_t i = 0; k->ba && i < tt; i++)
                s->e[i] += k->ba[0];
        } else {
            additive_emission(k, s, s->e);
        }
        if (act->kind == RS_ACT_SOFTMAX || act->kind == RS_ACT_LOG_SOFTMAX) {
            size_t sh[2] = {T, T};
            rs_softmax_axis(s->e, 2, sh, 1, act->kind == RS_ACT_LOG_SOFTMAX); /* its output */
            rs_softmax_axis_backward(s->e, s->da, s->da, 2, sh, 1,
                                     act->kind == RS_ACT_LOG_SOFTMAX);
        } else {
            rs_activation_backward(act, s->e, s->da, s->da, tt);
        }
    }
    return k->multiplicative ? multiplicative_input_grads(k, s, x, s->da, dw, dx)
                             : additive_input_grads(k, s, x, s->da, dw, bias, dx);
}

int rs_seq_self_attention_backward(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    const attention_params *p = n->params;
    const rs_tensor *x = io->inputs[0];
    const rs_tensor *mask = io->in_masks ? io->in_masks[0] : NULL;
    rs_self_attention k;
    sa_buf s = {0};
    if (x->rank != 3 || rs_self_attention_of(n, p, x->shape[2], &k, err) < 0)
        return x->rank != 3 ? rs_fail(err, NULL, "input is not (batch, steps, features)") : -1;
    if (!rs_activation_has_grad(&k.activation) && k.activation.kind != RS_ACT_SOFTMAX &&
        k.activation.kind != RS_ACT_LOG_SOFTMAX)
        return rs_fail(err, NULL, "no reverse pass for its attention_activation");
    if (rs_tensor_alloc(&io->d_inputs[0], x->rank, x->shape, err) < 0 ||
        (io->d_weights && rs_grad_alloc_weights(n, io, err) < 0))
        return -1;
    size_t B = x->shape[0], T = x->shape[1], D = x->shape[2];
    rs_tensor zero = {0};
    const rs_tensor *dv = rs_grad_or_zeros(io, 0, &zero, err);
    if (!dv || sa_alloc(&s, &k, T, err) < 0) {
        rs_tensor_free(&zero);
        return -1;
    }
    const rs_tensor *da = p->return_attention ? io->d_outputs[1] : NULL;
    int rc = 0;
    for (size_t b = 0; b < B && rc == 0; b++) {
        const float *a = p->return_attention ? io->outputs[1].data + b * T * T : NULL;
        rc = self_attention_sample(&k, &s, x->data + b * T * D,
                                   mask ? mask->data + b * T : NULL, a, dv->data + b * T * D,
                                   da ? da->data + b * T * T : NULL, io->d_weights,
                                   p->use_additive_bias, io->d_inputs[0].data + b * T * D);
        if (rc < 0)
            rs_fail_oom(err, NULL);
        else if (!rs_progress_report(io->progress, (double)(b + 1) / (double)B))
            rc = rs_fail_cancelled(err);
    }
    free(s.mem);
    rs_tensor_free(&zero);
    return rc;
}

/* ---- SeqWeightedAttention: l = x W + b (masked: -1e4), α = e^{l-max} / (Σ + 1e-7),
 * out = Σ_t α_t x_t. ---- */

static void weighted_sample(size_t T, size_t D, const float *x, const float *alpha,
                            const float *dout, const float *dalpha, const float *W, float *dl,
                            float *dx, float *dW, float *db)
{
    double dot = 0;
    for (size_t t = 0; t < T; t++) {
        double g = dalpha ? dalpha[t] : 0; /* d α_t */
        for (size_t d = 0; d < D; d++)
            g += (double)dout[d] * x[t * D + d];
        dl[t] = (float)g;
        dot += alpha[t] * g;
    }
    for (size_t t = 0; t < T; t++) {
        dl[t] = (float)(alpha[t] * (dl[t] - dot));
        for (size_t d = 0; d < D; d++)
            dx[t * D + d] = alpha[t] * dout[d] + dl[t] * W[d];
        for (size_t d = 0; dW && d < D; d++)
            dW[d] += dl[t] * x[t * D + d];
        if (db)
            db[0] += dl[t];
    }
}

int rs_seq_weighted_attention_backward(const rs_node *n, rs_layer_grad_io *io, rs_error *err)
{
    const attention_params *p = n->params;
    const rs_tensor *x = io->inputs[0];
    const rs_tensor *mask = io->in_masks ? io->in_masks[0] : NULL;
    if (x->rank != 3)
        return rs_fail(err, NULL, "input is not (batch, steps, features)");
    size_t B = x->shape[0], T = x->shape[1], D = x->shape[2];
    if (rs_tensor_alloc(&io->d_inputs[0], x->rank, x->shape, err) < 0 ||
        (io->d_weights && rs_grad_alloc_weights(n, io, err) < 0))
        return -1;
    rs_tensor zero = {0};
    const rs_tensor *dout = rs_grad_or_zeros(io, 0, &zero, err);
    float *buf = malloc((2 * T + D + 1) * sizeof(float));
    int rc = 0;
    if (!dout || !buf) {
        rc = dout ? rs_fail_oom(err, NULL) : -1;
        goto done;
    }
    const float *W = n->weights[0].value.data, *bias = p->use_bias ? n->weights[1].value.data : NULL;
    const rs_tensor *dalpha = p->return_attention ? io->d_outputs[1] : NULL;
    for (size_t b = 0; b < B; b++) {
        const float *xb = x->data + b * T * D;
        float *alpha = buf, *dl = buf + T, *out = buf + 2 * T;
        rs_weighted_attention_run(D, W, bias, T, xb, mask ? mask->data + b * T : NULL, out,
                                  alpha);
        weighted_sample(T, D, xb, alpha, dout->data + b * D, dalpha ? dalpha->data + b * T : NULL,
                        W, dl, io->d_inputs[0].data + b * T * D,
                        io->d_weights ? io->d_weights[0].data : NULL,
                        io->d_weights && bias ? io->d_weights[1].data : NULL);
    }
done:
    free(buf);
    rs_tensor_free(&zero);
    return rc;
}

#!/usr/bin/python3
"""Reference outputs for the C kernels (src/core), computed by PyTorch (Debian's python3-torch)
where it has the operation, else by NumPy written from the Keras source. Writes .npy files to
tests/data/kernels/ (committed). Run: /usr/bin/python3 tests/data/make_kernel_refs.py

Keras layouts: kernel (in, G*u), recurrent (u, G*u), gate blocks LSTM i|f|c|o, GRU z|r|h.
"""
import os
import sys

import numpy as np
import torch

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernels")
rng = np.random.default_rng(2024)


def save(name, arr):
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(arr, dtype=np.float32))


def rand(*shape, scale=0.5):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def t(a):
    return torch.from_numpy(np.ascontiguousarray(a))


B, T, IN, U = 2, 9, 3, 5
x = rand(B, T, IN, scale=1.0)
save("x", x)

# ---- LSTM by torch.nn.LSTM (gate order i, f, g, o = Keras i, f, c, o) ----
W, R, b = rand(IN, 4 * U), rand(U, 4 * U), rand(4 * U)
save("lstm_kernel", W); save("lstm_recurrent", R); save("lstm_bias", b)
lstm = torch.nn.LSTM(IN, U, batch_first=True)
with torch.no_grad():
    lstm.weight_ih_l0.copy_(t(W.T)); lstm.weight_hh_l0.copy_(t(R.T))
    lstm.bias_ih_l0.copy_(t(b)); lstm.bias_hh_l0.zero_()
    seq, (h, c) = lstm(t(x))
    save("lstm_seq", seq.numpy()); save("lstm_h", h[0].numpy()); save("lstm_c", c[0].numpy())
    seqb, (hb, cb) = lstm(t(x[:, ::-1].copy()))
    save("lstm_back_seq", seqb.numpy()); save("lstm_back_h", hb[0].numpy())

# ---- GRU reset_after=True by torch.nn.GRU (torch order r, z, n; Keras z, r, h) ----
Wg, Rg, bi, bh = rand(IN, 3 * U), rand(U, 3 * U), rand(3 * U), rand(3 * U)
save("gru_kernel", Wg); save("gru_recurrent", Rg); save("gru_bias_in", bi); save("gru_bias_rec", bh)


def keras_to_torch_gru(m):  # columns z|r|h -> rows r|z|n
    z, r, hh = np.split(m, 3, axis=-1)
    return np.concatenate([r, z, hh], axis=-1)


gru = torch.nn.GRU(IN, U, batch_first=True)
with torch.no_grad():
    gru.weight_ih_l0.copy_(t(keras_to_torch_gru(Wg).T)); gru.weight_hh_l0.copy_(t(keras_to_torch_gru(Rg).T))
    gru.bias_ih_l0.copy_(t(keras_to_torch_gru(bi))); gru.bias_hh_l0.copy_(t(keras_to_torch_gru(bh)))
    seq, h = gru(t(x))
    save("gru_ra_seq", seq.numpy()); save("gru_ra_h", h[0].numpy())

# ---- SimpleRNN by torch.nn.RNN ----
Ws, Rs, bs = rand(IN, U), rand(U, U), rand(U)
save("rnn_kernel", Ws); save("rnn_recurrent", Rs); save("rnn_bias", bs)
rnn = torch.nn.RNN(IN, U, batch_first=True)
with torch.no_grad():
    rnn.weight_ih_l0.copy_(t(Ws.T)); rnn.weight_hh_l0.copy_(t(Rs.T))
    rnn.bias_ih_l0.copy_(t(bs)); rnn.bias_hh_l0.zero_()
    seq, h = rnn(t(x))
    save("rnn_seq", seq.numpy())

# ---- NumPy, after Keras' GRUCell (reset_after=False) and LSTMCell with hard_sigmoid, with a mask ----


def hard_sigmoid_k2(v):
    return np.clip(0.2 * v + 0.5, 0, 1)


def gru_reset_before(x, W, R, b):
    out = np.zeros((x.shape[0], x.shape[1], U), np.float32)
    for bi_ in range(x.shape[0]):
        h = np.zeros(U, np.float32)
        for s in range(x.shape[1]):
            xw = x[bi_, s] @ W + b
            z = 1 / (1 + np.exp(-(xw[:U] + h @ R[:, :U])))
            r = 1 / (1 + np.exp(-(xw[U:2 * U] + h @ R[:, U:2 * U])))
            hh = np.tanh(xw[2 * U:] + (r * h) @ R[:, 2 * U:])
            h = z * h + (1 - z) * hh
            out[bi_, s] = h
    return out


bg = rand(3 * U)
save("gru_rb_bias", bg)
save("gru_rb_seq", gru_reset_before(x, Wg, Rg, bg))

mask = np.ones((B, T), np.float32)
mask[0, 2] = 0; mask[0, 3] = 0; mask[1, T - 1] = 0; mask[1, 0] = 0
save("mask", mask)


def lstm_masked_hard(x, W, R, b, mask):
    """keras.backend.rnn with a mask: a masked step keeps states and repeats the last output."""
    seq = np.zeros((x.shape[0], x.shape[1], U), np.float32)
    for bi_ in range(x.shape[0]):
        h = np.zeros(U, np.float32); c = np.zeros(U, np.float32); out = np.zeros(U, np.float32)
        for s in range(x.shape[1]):
            z = x[bi_, s] @ W + h @ R + b
            i = hard_sigmoid_k2(z[:U]); f = hard_sigmoid_k2(z[U:2 * U])
            g = np.tanh(z[2 * U:3 * U]); o = hard_sigmoid_k2(z[3 * U:])
            c2 = f * c + i * g
            h2 = o * np.tanh(c2)
            if mask[bi_, s]:
                h, c, out = h2, c2, h2
            seq[bi_, s] = out
    return seq


save("lstm_hard_masked_seq", lstm_masked_hard(x, W, R, b, mask))

# ---- SeqSelfAttention, torch ops following keras-self-attention 0.51 call() ----
D, UA = IN, 4
x1 = x[0]
Wt, Wx, bha, Wa, ba = rand(D, UA), rand(D, UA), rand(UA), rand(UA, 1), rand(1)
save("ssa_Wt", Wt); save("ssa_Wx", Wx); save("ssa_bh", bha); save("ssa_Wa", Wa); save("ssa_ba", ba)


def ssa(x, width=None, history_only=False, activation=None, mask=None, mul=None):
    X = t(x)[None]
    if mul is None:
        q = (X @ t(Wt)).unsqueeze(2); k = (X @ t(Wx)).unsqueeze(1)
        h = torch.tanh(q + k + t(bha))
        e = (h @ t(Wa) + t(ba)).reshape(1, len(x), len(x))
    else:
        e = (X @ t(mul)) @ X.permute(0, 2, 1) + t(ba)[0]
    if activation == "sigmoid":
        e = torch.sigmoid(e)
    elif activation == "softmax":
        e = torch.softmax(e, dim=-1)
    n = len(x)
    if width is not None:
        lower = torch.arange(n) - ((width - 1) if history_only else width // 2)
        lower = lower[:, None]; upper = lower + width
        idx = torch.arange(n)[None, :]
        e = e - 10000.0 * (1.0 - ((lower <= idx).float() * (idx < upper).float()))
    if mask is not None:
        m = t(mask)[None, :, None]
        e = e - 10000.0 * ((1.0 - m) * (1.0 - m.permute(0, 2, 1)))
    e = torch.exp(e - e.max(dim=-1, keepdim=True).values)
    a = e / e.sum(dim=-1, keepdim=True)
    return (a @ X)[0].numpy(), a[0].numpy()


v, a = ssa(x1); save("ssa_add_v", v); save("ssa_add_a", a)
v, a = ssa(x1, width=3); save("ssa_w3_v", v); save("ssa_w3_a", a)
v, a = ssa(x1, width=4, history_only=True, activation="sigmoid"); save("ssa_h4_v", v); save("ssa_h4_a", a)
v, a = ssa(x1, width=10**9, history_only=True, activation="softmax"); save("ssa_hinf_v", v); save("ssa_hinf_a", a)
v, a = ssa(x1, mask=mask[0]); save("ssa_mask_v", v); save("ssa_mask_a", a)
Wm = rand(D, D); save("ssa_Wm", Wm)
v, a = ssa(x1, mul=Wm); save("ssa_mul_v", v); save("ssa_mul_a", a)

# ---- SeqWeightedAttention ----
Ww, bw = rand(D, 1), rand(1)
save("swa_W", Ww); save("swa_b", bw)
with torch.no_grad():
    X = t(x1); m = t(mask[0])
    logits = (X @ t(Ww))[:, 0] + t(bw)[0] - 10000.0 * (1 - m)
    ai = torch.exp(logits - logits.max())
    alpha = ai / (ai.sum() + 1e-7)
    save("swa_alpha", alpha.numpy()); save("swa_out", (X * alpha[:, None]).sum(0).numpy())

# ---- activations by torch.nn.functional ----
xa = np.linspace(-7, 7, 57).astype(np.float32)
save("act_x", xa)
F = torch.nn.functional
X = t(xa)
acts = {
    "tanh": torch.tanh(X), "sigmoid": torch.sigmoid(X), "relu": F.relu(X), "relu6": F.relu6(X),
    "elu": F.elu(X), "selu": F.selu(X), "softplus": F.softplus(X), "softsign": F.softsign(X),
    "exponential": torch.exp(X), "swish": F.silu(X), "gelu": F.gelu(X), "mish": F.mish(X),
    "hard_sigmoid_k3": F.hardsigmoid(X), "hard_silu": F.hardswish(X),
    "hard_sigmoid_k2": torch.clamp(0.2 * X + 0.5, 0, 1),
    "softmax": F.softmax(X.reshape(3, 19), dim=-1).reshape(-1),
    "log_softmax": F.log_softmax(X.reshape(3, 19), dim=-1).reshape(-1),
    "gelu_tanh": F.gelu(X, approximate="tanh"),
}
for k, v in acts.items():
    save("act_" + k, v.numpy())

# ---- Conv1D by torch.nn.functional.conv1d, padding by TensorFlow's rules ----


def tf_padding(n, k, s, d, mode):
    span = (k - 1) * d + 1
    if mode == "valid":
        return 0, 0
    if mode == "causal":
        return span - 1, 0
    out = -(-n // s)
    total = max((out - 1) * s + span - n, 0)
    return total // 2, total - total // 2


xc = rand(11, 4, scale=1.0)
save("conv_x", xc)
conv_cases = [("valid", 3, 1, 1, 1), ("same", 3, 1, 1, 1), ("causal", 3, 1, 2, 1),
              ("same", 4, 2, 1, 2), ("valid", 2, 3, 2, 2), ("same", 5, 3, 1, 1)]
for n_, (mode, k, s, d, g) in enumerate(conv_cases):
    Kc, bc = rand(k, 4 // g, 6), rand(6)
    save(f"conv{n_}_kernel", Kc); save(f"conv{n_}_bias", bc)
    pl, pr = tf_padding(11, k, s, d, mode)
    xin = torch.nn.functional.pad(t(xc.T.copy())[None], (pl, pr))
    y = torch.nn.functional.conv1d(xin, t(Kc.transpose(2, 1, 0).copy()), t(bc), stride=s, dilation=d, groups=g)
    save(f"conv{n_}_y", y[0].numpy().T)

# ---- pooling: max by torch on -inf padding; average over valid steps only (TensorFlow) ----
pool_cases = [("valid", 2, 2), ("same", 3, 2), ("same", 2, 1), ("valid", 3, 1)]
for n_, (mode, p, s) in enumerate(pool_cases):
    pl, pr = tf_padding(11, p, s, 1, mode)
    X = t(xc.T.copy())[None]
    mx = torch.nn.functional.max_pool1d(torch.nn.functional.pad(X, (pl, pr), value=-float("inf")), p, s)
    sums = torch.nn.functional.avg_pool1d(torch.nn.functional.pad(X, (pl, pr)), p, s) * p
    counts = torch.nn.functional.avg_pool1d(torch.nn.functional.pad(torch.ones_like(X), (pl, pr)), p, s) * p
    save(f"pool{n_}_max", mx[0].numpy().T); save(f"pool{n_}_avg", (sums / counts)[0].numpy().T)

# ---- normalization ----
gamma, beta, mean, var = rand(4), rand(4), rand(4), np.abs(rand(4)) + 0.1
save("bn_gamma", gamma); save("bn_beta", beta); save("bn_mean", mean); save("bn_var", var)
save("bn_y", torch.nn.functional.batch_norm(t(xc), t(mean), t(var), t(gamma), t(beta), False, 0.0, 1e-3).numpy())
save("ln_y", torch.nn.functional.layer_norm(t(xc), (4,), t(gamma), t(beta), 1e-3).numpy())

# ---- the batched, masked and threaded recurrence (test_rnn_batch.c) ----
# Weights follow a formula that the C test evaluates too (only inputs and outputs are stored):
# w[i, j] = scale * sin(0.0131 (i j) + 1.3 i + 0.7 j + phase), in double, rounded to float32.
# References by torch cells stepped by hand with Keras' mask rule: a masked step keeps the state
# and repeats the previous output (zeros before any valid step).
RB, RT, RIN = 8, 7, 3


def wave(rows, cols, phase, scale):
    i = np.arange(rows, dtype=np.int64)[:, None]
    j = np.arange(cols, dtype=np.int64)[None, :]
    return (scale * np.sin(0.0131 * (i * j) + 1.3 * i + 0.7 * j + phase)).astype(np.float32)


rng_b = np.random.default_rng(77)
xb = (rng_b.standard_normal((RB, RT, RIN))).astype(np.float32)
mb = (rng_b.random((RB, RT)) > 0.3).astype(np.float32)
mb[0, :] = 1; mb[1, 0] = 0; mb[2, RT - 1] = 0; mb[3, :3] = 0
save("rb_x", xb); save("rb_mask", mb)


def rb_weights(u, G, phase):
    s = 1.0 / np.sqrt(u)
    return wave(RIN, G * u, phase, 0.8), wave(u, G * u, phase + 1.0, s), wave(1, G * u, phase + 2.0, 0.3)[0]


def run_masked(step, u, with_c, backwards):
    """step(x_t, h, c) -> (h, c); returns seq in processing order, final h, final c."""
    seq = np.zeros((RB, RT, u), np.float32)
    hs, cs = np.zeros((RB, u), np.float32), np.zeros((RB, u), np.float32)
    for b in range(RB):
        h = torch.zeros(1, u); c = torch.zeros(1, u); out = torch.zeros(1, u)
        for k in range(RT):
            tt = RT - 1 - k if backwards else k
            h2, c2 = step(t(xb[b, tt])[None], h, c)
            if mb[b, tt]:
                h, c, out = h2, c2, h2
            seq[b, k] = out[0].numpy()
        hs[b] = h[0].numpy()
        if with_c:
            cs[b] = c[0].numpy()
    return seq, hs, cs


def rb_recurrent_refs(U_, prefix, backs):
    """LSTM and both GRUs of U_ units, saved as prefix + lstm, gru_ra, gru_rb (+ "_back")."""
    W, R, bias = rb_weights(U_, 4, 0.0)
    cell = torch.nn.LSTMCell(RIN, U_)
    cell.weight_ih.copy_(t(W.T)); cell.weight_hh.copy_(t(R.T)); cell.bias_ih.copy_(t(bias)); cell.bias_hh.zero_()
    for name, back in backs["lstm"]:
        seq, hs, cs = run_masked(lambda x_, h, c: cell(x_, (h, c)), U_, True, back)
        save(prefix + name + "_seq", seq); save(prefix + name + "_h", hs); save(prefix + name + "_c", cs)

    W, R, bias = rb_weights(U_, 3, 3.0)
    rbias = wave(1, 3 * U_, 7.0, 0.3)[0]
    gcell = torch.nn.GRUCell(RIN, U_)
    gcell.weight_ih.copy_(t(keras_to_torch_gru(W).T)); gcell.weight_hh.copy_(t(keras_to_torch_gru(R).T))
    gcell.bias_ih.copy_(t(keras_to_torch_gru(bias))); gcell.bias_hh.copy_(t(keras_to_torch_gru(rbias)))
    for name, back in backs["gru_ra"]:
        seq, hs, _ = run_masked(lambda x_, h, c: (gcell(x_, h), c), U_, False, back)
        save(prefix + name + "_seq", seq); save(prefix + name + "_h", hs)

    def gru_reset_before_step(x_, h, c):  # Keras GRUCell(reset_after=False), in torch ops
        xw = x_ @ t(W) + t(bias)
        z = torch.sigmoid(xw[:, :U_] + h @ t(R[:, :U_]))
        r = torch.sigmoid(xw[:, U_:2 * U_] + h @ t(R[:, U_:2 * U_]))
        hh = torch.tanh(xw[:, 2 * U_:] + (r * h) @ t(R[:, 2 * U_:]))
        return z * h + (1 - z) * hh, c
    for name, back in backs["gru_rb"]:
        seq, hs, _ = run_masked(gru_reset_before_step, U_, False, back)
        save(prefix + name + "_seq", seq); save(prefix + name + "_h", hs)


with torch.no_grad():
    rb_recurrent_refs(67, "rb_", {"lstm": (("lstm", False), ("lstm_back", True)),
                                  "gru_ra": (("gru_ra", False),), "gru_rb": (("gru_rb_back", True),)})
    # 32 units: every gate block on whole 16-column panels (the recurrent weights packed in place)
    rb_recurrent_refs(32, "rb32_", {"lstm": (("lstm", False),), "gru_ra": (("gru_ra", False),),
                                    "gru_rb": (("gru_rb", False),)})

    U_ = 13
    W, R, bias = rb_weights(U_, 1, 5.0)
    scell = torch.nn.RNNCell(RIN, U_)
    scell.weight_ih.copy_(t(W.T)); scell.weight_hh.copy_(t(R.T)); scell.bias_ih.copy_(t(bias)); scell.bias_hh.zero_()
    seq, hs, _ = run_masked(lambda x_, h, c: (scell(x_, h), c), U_, False, False)
    save("rb_rnn_seq", seq); save("rb_rnn_h", hs)

    # more steps than one input-projection chunk (64), backwards, masked: SimpleRNN u=13
    LB, LT = 2, 150
    xl = (rng_b.standard_normal((LB, LT, RIN))).astype(np.float32)
    ml = (rng_b.random((LB, LT)) > 0.2).astype(np.float32)
    save("rb_long_x", xl); save("rb_long_mask", ml)
    seq = np.zeros((LB, LT, U_), np.float32)
    for b in range(LB):
        h = torch.zeros(1, U_); out = torch.zeros(1, U_)
        for k in range(LT):
            tt = LT - 1 - k
            h2 = scell(t(xl[b, tt])[None], h)
            if ml[b, tt]:
                h, out = h2, h2
            seq[b, k] = out[0].numpy()
    save("rb_long_back_seq", seq)

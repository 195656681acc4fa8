"""NumPy / h5py reference for `diff` and `timeline` on tests/data/ckpt (make_ckpt.py's model:
LSTM(sigmoid gates) -> SeqSelfAttention(additive) -> Dense(linear)), read straight from the
HDF5 files, computed in float64. Imported by the ckpt_*.py checks."""
import h5py
import numpy as np


def weights(path):
    """[(layer, weight name, array)] in the file's order."""
    out = []
    with h5py.File(path, "r") as f:
        mw = f["model_weights"]
        for layer in mw.attrs["layer_names"]:
            layer = layer.decode()
            for name in mw[layer].attrs["weight_names"]:
                name = name.decode()
                out.append((layer, name, np.array(mw[layer][name], dtype=np.float64)))
    return out


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def forward(path, x):
    """{layer: output} plus 'gates' (N, T, 4, u) and 'attention' (N, T, T)."""
    w = {(l, n.split("/")[-1].split(":")[0]): a for l, n, a in weights(path)}
    k, r, b = w["rnn_a", "kernel"], w["rnn_a", "recurrent_kernel"], w["rnn_a", "bias"]
    u = r.shape[0]
    n, t = x.shape[0], x.shape[1]
    h, c = np.zeros((n, u)), np.zeros((n, u))
    hs, gates = [], []
    for s in range(t):
        z = x[:, s] @ k + h @ r + b
        i, f, g, o = sigmoid(z[:, :u]), sigmoid(z[:, u:2 * u]), np.tanh(z[:, 2 * u:3 * u]), sigmoid(z[:, 3 * u:])
        c = f * c + i * g
        h = o * np.tanh(c)
        hs.append(h)
        gates.append(np.stack([i, f, g, o], 1))
    seq = np.stack(hs, 1)
    q = seq @ w["att_b", "att_b_Add_Wt"]
    kk = seq @ w["att_b", "att_b_Add_Wx"]
    hh = np.tanh(q[:, :, None, :] + kk[:, None, :, :] + w["att_b", "att_b_Add_bh"])
    e = (hh @ w["att_b", "att_b_Add_Wa"])[..., 0] + w["att_b", "att_b_Add_ba"]
    e = np.exp(e - e.max(-1, keepdims=True))
    a = e / (e.sum(-1, keepdims=True) + 1e-7)
    att = a @ seq
    dense = att @ w["dense_c", "kernel"] + w["dense_c", "bias"]
    return {"rnn_a": seq, "att_b": att, "dense_c": dense, "gates": np.stack(gates, 1),
            "attention": a}


def delta(a, b):
    d = b - a
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return np.linalg.norm(d) / na, np.abs(d).max(), (a * b).sum() / (na * nb)

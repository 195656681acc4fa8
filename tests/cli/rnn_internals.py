"""Checks rnnscope's recurrent internals (dump --internal) against the layer outputs TF.js
computed (tests/ref/fixtures): the gates and cell states must rebuild those outputs through the
cell equations of keras-formats.md §5 (tanh cell activation; sigmoid gates).
Usage: rnn_internals.py lstm|lstm_back|gru|bilstm|bigru|td_lstm DIR
DIR holds gates.npy [cell.npy] ref.npy (and for Bidirectional fgates/fcell/bgates/bcell)."""
import sys
import numpy as np

TOL = 1e-5


def load(d, name):
    return np.load(f"{d}/{name}.npy").astype(np.float64)


def lstm_check(gates, cell, backwards=False):
    """c_t = f c_prev + i c~ in processing order; returns h_t = o tanh(c_t) by input time."""
    i, f, g, o = (gates[:, :, k, :] for k in range(4))
    assert ((i >= 0) & (i <= 1) & (f >= 0) & (f <= 1) & (o >= 0) & (o <= 1)).all(), "gate outside [0,1]"
    steps = gates.shape[1]
    order = range(steps - 1, -1, -1) if backwards else range(steps)
    prev = np.zeros_like(cell[:, 0])
    for t in order:
        want = f[:, t] * prev + i[:, t] * g[:, t]
        err = np.abs(cell[:, t] - want).max()
        assert err <= TOL, f"cell at t={t} off by {err}"
        prev = cell[:, t]
    return o * np.tanh(cell)


def gru_h(gates, backwards=False):
    """h_t = z h_prev + (1 - z) h~ in processing order; returned by input time."""
    z, r, hh = (gates[:, :, k, :] for k in range(3))
    assert ((z >= 0) & (z <= 1) & (r >= 0) & (r <= 1)).all(), "gate outside [0,1]"
    steps = gates.shape[1]
    order = range(steps - 1, -1, -1) if backwards else range(steps)
    h = np.zeros_like(gates[:, :, 0, :])
    prev = np.zeros_like(h[:, 0])
    for t in order:
        prev = z[:, t] * prev + (1 - z[:, t]) * hh[:, t]
        h[:, t] = prev
    return h


def close(got, want, what):
    err = np.abs(got - want).max()
    assert got.shape == want.shape, f"{what}: shape {got.shape} vs {want.shape}"
    assert err <= TOL * max(1.0, np.abs(want).max()), f"{what}: off by {err}"


def main():
    mode, d = sys.argv[1], sys.argv[2]
    ref = load(d, "ref")
    if mode == "lstm":
        h = lstm_check(load(d, "gates"), load(d, "cell"))
        close(h, ref, "o*tanh(c) vs the layer's sequence")
        close(load(d, "cell")[:, -1], load(d, "ref_c"), "last cell vs the c state")
    elif mode == "lstm_back":
        h = lstm_check(load(d, "gates"), load(d, "cell"), backwards=True)
        close(h[:, ::-1], ref, "o*tanh(c) vs the sequence (processing order)")
    elif mode == "gru":
        close(gru_h(load(d, "gates")), ref, "z*h+(1-z)*h~ vs the layer's sequence")
    elif mode == "bilstm":
        u = ref.shape[-1] // 2
        close(lstm_check(load(d, "fgates"), load(d, "fcell")), ref[..., :u], "forward half")
        close(lstm_check(load(d, "bgates"), load(d, "bcell"), backwards=True), ref[..., u:],
              "backward half (reversed back in time)")
    elif mode == "bigru":
        h = gru_h(load(d, "fgates")) + gru_h(load(d, "bgates"), backwards=True)
        close(h, ref, "forward + backward (merge_mode sum)")
    elif mode == "td_lstm":
        # TimeDistributed(LSTM) on (B, T, S, F): internals (B, T, S, 4, u) and (B, T, S, u),
        # the wrapped LSTM's last output per timestep (B, T, u)
        g, c = load(d, "gates"), load(d, "cell")
        h = lstm_check(g.reshape((-1,) + g.shape[2:]), c.reshape((-1,) + c.shape[2:]))
        close(h[:, -1].reshape(ref.shape), ref, "o*tanh(c) at each timestep's last step")
    else:
        sys.exit(f"unknown mode {mode}")
    print("ok")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        sys.exit(str(e))

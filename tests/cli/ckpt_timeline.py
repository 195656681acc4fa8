"""Check `rnnscope timeline DIR --format tsv --hist` (argv[1]) against NumPy on the checkpoints
of DIR (argv[2]) and the input argv[3]: weight norms (per gate), output mean/std, saturated gate
share, attention entropy to 1e-5; the histogram shares to 0.02 (they are spread from 256 fine
bins per checkpoint, so a bin edge may cut a fine bin)."""
import os
import sys

import numpy as np

import ckpt_ref as ref

tsv, d, fx = sys.argv[1:4]
table, hist = open(tsv).read().split("\n\n")
rows = [l.split("\t") for l in table.splitlines()]
assert rows[0] == ["epoch", "file", "layer", "weight_norm", "gate_norms", "out_mean", "out_std",
                   "saturated", "attention_entropy"], rows[0]
files = sorted(os.listdir(d), key=lambda f: int(f.split(".")[1].split("-")[0]))
x = np.load(fx).astype(np.float64)
want = []
for f in files:
    path = os.path.join(d, f)
    w = ref.weights(path)
    y = ref.forward(path, x)
    epoch = str(int(f.split(".")[1].split("-")[0]))
    for layer in ("rnn_a", "att_b", "dense_c"):
        ws = [a for l, _, a in w if l == layer]
        norm = np.sqrt(sum((a ** 2).sum() for a in ws))
        gates, sat, ent = [], np.nan, np.nan
        if layer == "rnn_a":
            gates = [np.sqrt(sum((a[..., g * 4:(g + 1) * 4] ** 2).sum() for a in ws)) for g in range(4)]
            g = y["gates"][:, :, [0, 1, 3], :]
            sat = (np.abs(g - 0.5) > 0.45).mean()
        if layer == "att_b":
            a = y["attention"]
            ent = (-(a * np.log(a)).sum(-1)).mean()
        want.append((epoch, f, layer, norm, gates, y[layer].mean(), y[layer].std(), sat, ent))
assert len(rows) - 1 == len(want), (len(rows), len(want))


def same(got, exp, tol=1e-5):
    got = float(got)
    return (np.isnan(got) and np.isnan(exp)) or abs(got - exp) <= tol * max(1, abs(exp))


worst_sat = 0
for row, (epoch, f, layer, norm, gates, mean, std, sat, ent) in zip(rows[1:], want):
    assert row[:3] == [epoch, f, layer], (row, epoch, f, layer)
    assert same(row[3], norm), (row, norm)
    got_gates = [] if row[4] == "-" else [float(v) for v in row[4].split(",")]
    assert len(got_gates) == len(gates) and all(same(a, b) for a, b in zip(got_gates, gates)), (row, gates)
    assert same(row[5], mean) and same(row[6], std), (row, mean, std)
    assert same(row[7], sat), (row, sat)
    assert same(row[8], ent), (row, ent)
sats = [float(r[7]) for r in rows[1:] if r[2] == "rnn_a"]
assert max(sats) > 0.3 and min(sats) == 0, sats  # epoch 3's scaled kernel saturates its gates

# the histogram of rnn_a's weights on the common bins
h = [l.split("\t") for l in hist.strip().splitlines()]
assert h[0] == ["epoch", "file", "layer", "bin", "bin_lo", "bin_hi", "share"], h[0]
h = h[1:]
allw = [np.concatenate([a.ravel() for l, _, a in ref.weights(os.path.join(d, f)) if l == "rnn_a"])
        for f in files]
lo, hi = min(a.min() for a in allw), max(a.max() for a in allw)
bins = len(h) // len(files)
worst = 0
for i, a in enumerate(allw):
    counts, edges = np.histogram(a, bins=bins, range=(lo, hi))
    got = np.array([float(r[6]) for r in h[i * bins:(i + 1) * bins]])
    assert abs(float(h[i * bins][4]) - lo) < 1e-5 and abs(float(h[i * bins + bins - 1][5]) - hi) < 1e-5
    worst = max(worst, np.abs(got - counts / a.size).max())
    assert abs(got.sum() - 1) < 1e-9, got.sum()
assert worst < 0.02, worst
print("%d rows to 1e-5, saturated shares %s, histogram max error %.3g" % (len(want), sats, worst))

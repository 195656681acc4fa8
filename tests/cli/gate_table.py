# Checks `rnnscope grad --by-gate` (stdin) against reference weight gradients (tfjs autodiff,
# tests/ref/grad_refs.mjs): python3 gate_table.py GATES REF_0.npy REF_1.npy ...
# GATES: the gate names of the layer's weights, comma-separated ("i,f,c,o"; "-" for a weight
# that is not split), then per row of the table: the weight's blocks along the last axis, the
# norm (relative 1e-4), and the share of exact zeros, NaN and Inf.
import sys
import numpy as np

gates = sys.argv[1].split(",")
refs = [np.load(f).astype(np.float64) for f in sys.argv[2:]]
lines = sys.stdin.read().splitlines()
assert lines[0].split() == ["weight", "direction", "gate", "values", "grad", "norm", "zeros",
                            "NaN", "Inf"], lines[0]
rows = [l.split() for l in lines[1:]]
names = list(dict.fromkeys(r[0] for r in rows))  # weights in order of appearance
assert len(names) == len(refs), (names, len(refs))
k = 0
for name, ref in zip(names, refs):
    mine = [r for r in rows if r[0] == name]
    assert [r[2] for r in mine] == gates, (name, [r[2] for r in mine])
    blocks = np.split(ref, len(gates), axis=-1)
    for r, b in zip(mine, blocks):
        count, norm = int(r[3]), float(r[4])
        zeros, nans, infs = (float(x.rstrip("%")) for x in r[5:8])
        assert count == b.size, (name, r, b.size)
        fin = b[np.isfinite(b)]
        want = np.sqrt((fin ** 2).sum())
        assert abs(norm - want) <= 1e-4 * want + 1e-12, (name, r[2], norm, want)
        for got, share in ((zeros, (b == 0).mean()), (nans, np.isnan(b).mean()),
                           (infs, np.isinf(b).mean())):
            assert abs(got - 100 * share) <= 0.006, (name, r[2], got, 100 * share)
print("ok")

"""Check `rnnscope diff --format tsv` (argv[1]) of A (argv[2]) and B (argv[3]) on input argv[4]
against NumPy: every weight row and every output row, to 1e-5 relative."""
import sys

import numpy as np

import ckpt_ref as ref

tsv, fa, fb, fx = sys.argv[1:5]
rows = [l.split("\t") for l in open(tsv).read().splitlines()]
assert rows[0] == ["kind", "layer", "name", "shape", "rel_change", "max_abs_change", "cosine"], rows[0]
rows = rows[1:]
wa, wb = ref.weights(fa), ref.weights(fb)
want = [("weight", l, n, ref.delta(a, b)) for (l, n, a), (_, _, b) in zip(wa, wb)]
x = np.load(fx).astype(np.float64)
ya, yb = ref.forward(fa, x), ref.forward(fb, x)
want += [("output", l, "output 0", ref.delta(ya[l], yb[l])) for l in ("rnn_a", "att_b", "dense_c")]
assert len(rows) == len(want), (len(rows), len(want))
worst = 0
for row, (kind, layer, name, nums) in zip(rows, want):
    assert row[:3] == [kind, layer, name], (row, kind, layer, name)
    got = np.array([float(v) for v in row[4:7]])
    err = np.abs(got - nums) / np.maximum(1, np.abs(nums))
    worst = max(worst, err.max())
    assert err.max() < 1e-5, (row, nums)
print("%d rows, max relative error %.2g" % (len(rows), worst))

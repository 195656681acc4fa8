#!/usr/bin/python3
"""compare_weights.py DUMP EXPECT.npz [TOL]: every weight rnnscope loaded (modeltool weights
output) equals the generator's value, and no weight is missing or extra."""
import sys

import numpy as np

dump, npz = sys.argv[1], sys.argv[2]
tol = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
want = dict(np.load(npz))
got = {}
for line in open(dump):
    parts = line.split()
    key, shape = parts[0], parts[1]
    dims = () if shape == "scalar" else tuple(int(d) for d in shape.split("x"))
    got[key] = np.array([float(v) for v in parts[2:]], dtype=np.float32).reshape(dims)
errors = []
for k in sorted(set(want) | set(got)):
    if k not in got:
        errors.append("missing " + k)
    elif k not in want:
        errors.append("extra " + k)
    elif got[k].shape != want[k].shape:
        errors.append("%s: shape %s, want %s" % (k, got[k].shape, want[k].shape))
    elif not np.allclose(got[k], want[k], rtol=tol, atol=tol) if tol else \
            not np.array_equal(got[k], want[k].astype(np.float32)):
        errors.append("%s: max diff %g" % (k, np.abs(got[k] - want[k]).max()))
if errors:
    print("\n".join(errors))
    sys.exit(1)

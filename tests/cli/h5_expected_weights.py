#!/usr/bin/python3
"""h5_expected_weights.py FILE.h5 OUT.npz: a Keras HDF5 file's weights read with h5py, keyed
"<layer>:<index>" in the order of each layer's weight_names (the Keras order), as the
independent side of the loader tests. Works for full models and save_weights files."""
import sys

import h5py
import numpy as np


def names(obj, key):
    if key in obj.attrs:
        vals = list(obj.attrs[key])
    else:
        vals, k = [], 0
        while "%s%d" % (key, k) in obj.attrs:
            vals += list(obj.attrs["%s%d" % (key, k)])
            k += 1
    return [v.decode() if isinstance(v, bytes) else str(v) for v in vals]


with h5py.File(sys.argv[1], "r") as f:
    root = f["model_weights"] if "model_weights" in f else f
    out = {}
    for layer in names(root, "layer_names"):
        for i, w in enumerate(names(root[layer], "weight_names")):
            out["%s:%d" % (layer, i)] = np.asarray(root[layer][w], dtype=np.float32)
np.savez(sys.argv[2], **out)

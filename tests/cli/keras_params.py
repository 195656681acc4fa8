#!/usr/bin/python3
"""keras_params.py FILE: the number of weight values stored in a Keras file, counted with h5py
(HDF5: datasets under model_weights, or the root of a save_weights file; .keras zip: datasets
under layers/ of model.weights.h5). Optimizer state is not counted."""
import io
import sys
import zipfile

import h5py


def count(group):
    total = [0]

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            total[0] += obj.size
    group.visititems(visit)
    return total[0]


path = sys.argv[1]
if zipfile.is_zipfile(path):
    with zipfile.ZipFile(path) as z, h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as f:
        print(count(f["layers"]))
else:
    with h5py.File(path, "r") as f:
        print(count(f["model_weights"] if "model_weights" in f else f))

#!/usr/bin/python3
"""Write a Keras 3 .keras whose weights are about SIZE bytes: Input(ROWS) -> Dense(COLS, no
bias), the kernel zeros, model.weights.h5 deflated in the archive (a 1 GiB kernel makes an
archive of about 1 MB). For tests/cli/memcap_files.sh, which makes it at test time in a
temporary directory: too big to commit. The HDF5 is written with its space allocated at once
and never filled (sparse on disk), so that making it takes seconds.

Run: /usr/bin/python3 tests/data/make_big_keras.py OUT.keras MIB
"""
import json
import os
import sys
import tempfile
import zipfile

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_models as mm  # noqa: E402


def big_keras(out, mib):
    rows = 16384
    cols = max(1, mib * (1 << 20) // (4 * rows))
    model = {"name": "big", "class": "Sequential", "input": ("input_x", [None, rows]),
             "layers": [mm.layer("dense_big", "Dense", {"units": cols, "activation": "linear",
                                                        "use_bias": False})]}
    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(out))) as tmp:
        h5 = os.path.join(tmp, "model.weights.h5")
        with h5py.File(h5, "w") as f:
            f.create_group("vars")
            g = f.create_group("layers/dense/vars")
            dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
            dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
            dcpl.set_fill_time(h5py.h5d.FILL_TIME_NEVER)
            space = h5py.h5s.create_simple((rows, cols))
            h5py.h5d.create(g.id, b"0", h5py.h5t.IEEE_F32LE, space, dcpl=dcpl).close()
            f.create_group("optimizer/vars")
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            z.writestr("config.json", json.dumps(mm.k3_config(model)))
            z.writestr("metadata.json", json.dumps({"keras_version": "3.4.1"}))
            z.write(h5, "model.weights.h5")


if __name__ == "__main__":
    big_keras(sys.argv[1], int(sys.argv[2]))

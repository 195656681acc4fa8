#!/usr/bin/python3
"""Write the .npy fixtures of tests/data/npy with NumPy itself (Debian's python3-numpy).

Every dtype rnnscope reads, in both byte orders and both memory orders, plus format
versions 2.0 and 3.0. Values follow one rule the C tests recompute on their own:
element i of the C-order array (shape 2x3x4) is pattern(kind, i) below.

Run:  /usr/bin/python3 tests/data/make_npy.py tests/data/npy
"""
import os
import sys

import numpy as np
from numpy.lib import format as npformat

SHAPE = (2, 3, 4)


def pattern(kind, n):
    i = np.arange(n)
    if kind == "f":
        return i * 0.25 - 3.0        # exact in f2, f4 and f8
    if kind == "i":
        return (i % 7) - 3
    if kind == "u":
        return i % 7
    return (i % 3) == 0              # bool


def write(out, name, arr, version=None):
    with open(os.path.join(out, name), "wb") as f:
        if version is None:
            np.save(f, arr)
        else:
            npformat.write_array(f, arr, version=version)


def main(out):
    os.makedirs(out, exist_ok=True)
    n = int(np.prod(SHAPE))
    for kind, sizes in (("f", (2, 4, 8)), ("i", (1, 2, 4, 8)), ("u", (1, 2, 4, 8)), ("b", (1,))):
        for size in sizes:
            orders = ("|",) if size == 1 else ("<", ">")
            for bo in orders:
                dtype = np.dtype("?" if kind == "b" else f"{bo}{kind}{size}")
                if kind != "b":
                    dtype = dtype.newbyteorder(bo) if bo != "|" else dtype
                base = pattern(kind, n).astype(dtype).reshape(SHAPE)
                for fortran in (False, True):
                    arr = np.asfortranarray(base) if fortran else np.ascontiguousarray(base)
                    tag = {"<": "le", ">": "be", "|": "na"}[bo]
                    name = f"{kind}{size}_{tag}_{'F' if fortran else 'C'}.npy"
                    write(out, name, arr)
    base = pattern("f", n).astype("<f4").reshape(SHAPE)
    write(out, "v2_f4.npy", base, version=(2, 0))
    write(out, "v3_f4.npy", base, version=(3, 0))
    write(out, "scalar_f8.npy", np.array(2.5))
    write(out, "empty_f4.npy", np.zeros((0, 3), dtype="<f4"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)) + "/npy")

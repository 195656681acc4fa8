"""A training run's ModelCheckpoint, as Keras writes it: h5py.File(DST, "w") (truncating the
file in place) and the model written into it, here copied from the checkpoint SRC, layer group
by layer group; halfway through the layers it flushes and pauses PAUSE seconds (a slow disk,
a big model): a reader that takes the file then sees a half-written checkpoint. Exits 0 only
when the write succeeded (HDF5 refuses to open a file another process holds locked).

Usage: /usr/bin/python3 ckpt_writer.py SRC DST PAUSE"""
import sys
import time

import h5py


def copy_attrs(src, dst):
    for name in src.attrs:
        dst.attrs.create(name, src.attrs[name], dtype=src.attrs.get_id(name).dtype)


def main():
    src, dst, pause = sys.argv[1], sys.argv[2], float(sys.argv[3])
    with h5py.File(src, "r") as s, h5py.File(dst, "w") as d:
        copy_attrs(s, d)
        mw = d.create_group("model_weights")
        copy_attrs(s["model_weights"], mw)
        layers = list(s["model_weights"])
        for i, name in enumerate(layers):
            s.copy(s["model_weights"][name], mw, name)
            if i == len(layers) // 2 - 1:
                d.flush()
                time.sleep(pause)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Write tests/data/malformed/: broken model files, each of which rnnscope must refuse with exit
status 1 and one line naming the file (tests/cli/malformed.sh). Built from the good models of
make_models.py: truncations, bit flips, wrong magic, bad JSON, missing datasets, shape
mismatches, absurd sizes, broken zips, and TF.js shards outside the model's directory; the
memcap_* files declare far more memory than they hold (tests/cli/memcap.sh).
A TF.js case is a directory holding model.json.

Also tests/data/outside/: models whose weight points outside the file (HDF5 external storage,
external links, soft links, virtual datasets) in .h5, inside .keras and as --weights, for
tests/cli/outside.sh. Their references are relative (secret.bin, source.h5): the test puts the
files they name beside them.

Run: /usr/bin/python3 tests/data/make_malformed.py   (after make_models.py)
"""
import io
import json
import os
import shutil
import sys
import zipfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_models as mm  # noqa: E402

OUT = os.path.join(HERE, "malformed")
GOOD = os.path.join(HERE, "models")


def out(name):
    return os.path.join(OUT, name)


def raw(name):
    with open(os.path.join(GOOD, name), "rb") as f:
        return f.read()


def write(name, data):
    with open(out(name), "wb") as f:
        f.write(data)


def flip(data, offset, bit=0x10):
    b = bytearray(data)
    b[offset] ^= bit
    return bytes(b)


def h5_variant(name, model, edit, config=None):
    """A Keras 2-style h5 of model, then edit(h5py.File) applied."""
    path = out(name)
    mm.write_h5(path, model, "k2", config or mm.k2_config(model), "fixed", "2.2.4")
    with h5py.File(path, "a") as f:
        edit(f)


def zip_of(name, entries, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(out(name), "w", compression) as z:
        for n, data in entries:
            info = zipfile.ZipInfo(n, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = compression
            z.writestr(info, data)


def tfjs_variant(name, edit_doc=None, edit_dir=None):
    d = out(name)
    shutil.copytree(os.path.join(GOOD, "tfjs_seq_lstm"), d)
    if edit_doc:
        p = os.path.join(d, "model.json")
        with open(p) as f:
            doc = json.load(f)
        edit_doc(doc)
        with open(p, "w") as f:
            json.dump(doc, f)
    if edit_dir:
        edit_dir(d)


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    h5 = raw("seq_lstm.k2.h5")
    keras = raw("seq_lstm.keras")
    model = mm.seq_lstm()

    # --- not a model at all
    write("empty.h5", b"")
    write("wrong_magic.h5", b"\x89HDX\r\n\x1a\n" + h5[8:])
    write("text.keras", b"hello, I am not a model\n")
    write("zero_bytes_after_magic.h5", h5[:8] + bytes(4096))

    # --- truncated and bit-flipped HDF5
    for cut in (8, 100, 1000, 2048, 6000, len(h5) - 64):
        write("truncated_%d.h5" % cut, h5[:cut])
    for off in (8, 9, 13, 14):  # superblock versions, sizes of offsets and lengths
        write("bitflip_superblock_%d.h5" % off, flip(h5, off, 0x40))

    # a global heap whose free-space object has size 0: libhdf5 1.10 would loop forever
    b = bytearray(h5)
    g = b.find(b"GCOL")
    off = g + 16
    while b[off] or b[off + 1]:  # walk the objects to the free space (index 0)
        size = int.from_bytes(b[off + 8:off + 16], "little")
        off += 16 + (size + 7) // 8 * 8
    b[off + 8:off + 16] = bytes(8)
    write("heap_zero_free_space.h5", bytes(b))

    # --- broken configs inside valid HDF5
    h5_variant("bad_json_config.h5", model,
               lambda f: f.attrs.modify("model_config", '{"class_name": "Sequential", "config": ['))
    h5_variant("config_not_object.h5", model, lambda f: f.attrs.modify("model_config", "[1, 2]"))
    h5_variant("no_model_config.h5", model, lambda f: f.attrs.__delitem__("model_config"))
    h5_variant("empty_sequential.h5", model, lambda f: f.attrs.modify(
        "model_config", json.dumps({"class_name": "Sequential", "config": {"layers": []}})))
    fa = mm.func_attn()
    cfg = mm.k2_config(fa)
    cfg["config"]["layers"][2]["inbound_nodes"] = [[["no_such_layer", 0, 0, {}]]]
    h5_variant("missing_inbound_layer.h5", fa, lambda f: None, cfg)
    cfg = mm.k2_config(fa)
    cfg["config"]["layers"][2]["inbound_nodes"] = {"a": [1], "b": [2]}  # (found by fuzzing)
    h5_variant("inbound_nodes_object.h5", fa, lambda f: None, cfg)
    cfg = mm.k2_config(fa)
    cfg["config"]["layers"][1]["inbound_nodes"] = [[["out", 0, 0, {}]]]  # a cycle
    h5_variant("cycle.h5", fa, lambda f: None, cfg)
    cfg = mm.k2_config(fa)
    cfg["config"]["layers"][6]["inbound_nodes"] = [[["cat", 0, 5, {}]]]
    h5_variant("bad_tensor_index.h5", fa, lambda f: None, cfg)

    # --- weights that do not fit
    def drop_dataset(f):
        del f["model_weights/lstm_a/lstm_a/kernel:0"]
    h5_variant("missing_dataset.h5", model, drop_dataset)

    def wrong_shape(f):
        g = f["model_weights/lstm_a/lstm_a"]
        del g["kernel:0"]
        g.create_dataset("kernel:0", data=np.zeros((3, 12), np.float32))
    h5_variant("shape_mismatch.h5", model, wrong_shape)

    def wrong_count(f):
        g = f["model_weights/dense_b"]
        del g.attrs["weight_names"]
        mm.str_attr(g, "weight_names", ["dense_b/kernel:0"], "fixed")
    h5_variant("weight_count_mismatch.h5", model, wrong_count)

    def huge(f):
        g = f["model_weights/dense_b/dense_b"]
        del g["kernel:0"]
        g.create_dataset("kernel:0", shape=(1 << 30, 1 << 30), dtype=np.float32)
    h5_variant("oversized_dims.h5", model, huge)

    def unwritten(f):  # 64 GiB declared, nothing stored: the file stays small
        g = f["model_weights/dense_b/dense_b"]
        del g["kernel:0"]
        g.create_dataset("kernel:0", shape=(1 << 20, 1 << 14), dtype=np.float32)
    h5_variant("memcap_unwritten_64gib.h5", model, unwritten)

    def string_weight(f):
        g = f["model_weights/dense_b/dense_b"]
        del g["bias:0"]
        g.create_dataset("bias:0", data=np.array([b"ab", b"cd"]))
    h5_variant("string_weight.h5", model, string_weight)

    def extra_layer(f):
        del f["model_weights"].attrs["layer_names"]
        mm.str_attr(f["model_weights"], "layer_names", ["lstm_a", "dense_b", "ghost"], "fixed")
        g = f["model_weights"].create_group("ghost")
        mm.str_attr(g, "weight_names", ["ghost/kernel:0"], "fixed")
        g.create_dataset("ghost/kernel:0", data=np.zeros((2, 2), np.float32))
    h5_variant("weights_for_unknown_layer.h5", model, extra_layer)

    def int_names(f):
        del f["model_weights"].attrs["layer_names"]
        f["model_weights"].attrs.create("layer_names", np.array([1, 2]))
    h5_variant("layer_names_not_strings.h5", model, int_names)

    def bad_units(f):
        cfg = mm.k2_config(model)
        cfg["config"]["layers"][1]["config"]["units"] = 7
        f.attrs.modify("model_config", json.dumps(cfg))
    h5_variant("dense_units_mismatch.h5", model, bad_units)

    # --- architecture JSON without weights
    write("architecture_only.json", json.dumps(mm.k2_config(model)).encode())
    write("bad.json", b'{"class_name": "Sequential", "config": {"layers": [ }')

    # --- broken .keras zips
    write("truncated_half.keras", keras[: len(keras) // 2])
    write("truncated_end.keras", keras[:-10])
    # a flipped byte inside the stored model.weights.h5 (its CRC no longer matches)
    start = keras.find(b"\x89HDF")
    write("bad_crc.keras", flip(keras, start + 3000, 0x01))
    # a deflated entry claiming 3 GB: refused before any allocation
    b = bytearray(raw("seq_lstm.deflated.keras"))
    for sig, field in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        i = b.find(sig)
        while i >= 0:
            name_len = int.from_bytes(b[i + field + 4:i + field + 6], "little")
            hdr = 46 if sig == b"PK\x01\x02" else 30
            if b[i + hdr:i + hdr + name_len] == b"model.weights.h5":
                b[i + field:i + field + 4] = (3 << 30).to_bytes(4, "little")
            i = b.find(sig, i + 4)
    write("zip_bomb_size.keras", bytes(b))
    cfg3 = json.dumps(mm.k3_config(model))
    # a real zip bomb: model.weights.h5 is 3 GiB of zeros, bzip2-compressed to ~2 KB (deflate
    # cannot go past ~1:1032); refused from its declared size, never inflated
    with zipfile.ZipFile(out("memcap_zip_bomb_3gib.keras"), "w") as z:
        info = zipfile.ZipInfo("config.json", date_time=(1980, 1, 1, 0, 0, 0))
        z.writestr(info, cfg3)
        info = zipfile.ZipInfo("model.weights.h5", date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_BZIP2
        zeros = bytes(1 << 24)
        with z.open(info, "w", force_zip64=True) as w:
            for _ in range(3 << 6):
                w.write(zeros)
    w3 = mm.keras3_weights_h5(model)
    zip_of("no_config.keras", [("model.weights.h5", w3)])
    zip_of("no_weights.keras", [("config.json", cfg3)])
    zip_of("bad_config_json.keras", [("config.json", cfg3[:40]), ("model.weights.h5", w3)])
    zip_of("weights_not_hdf5.keras", [("config.json", cfg3), ("model.weights.h5", b"nope" * 100)])
    zip_of("npz_weights.keras", [("config.json", cfg3), ("model.weights.npz", b"PK")])
    bio = io.BytesIO(w3)
    with h5py.File(bio, "a") as f:
        del f["layers/lstm/cell/vars/1"]
    zip_of("keras_missing_var.keras", [("config.json", cfg3), ("model.weights.h5", bio.getvalue())])

    # --- a mask passed to a call as a tensor (mask=...): refused, not taken for an input
    fa = mm.func_attn()
    cfg2 = mm.k2_config(fa)
    for lay in cfg2["config"]["layers"]:
        if lay["name"] == "self_att":
            lay["inbound_nodes"][0][0][3] = {"mask": ["input_x", 0, 0]}
    h5_variant("mask_kwarg.k2.h5", fa, lambda f: None, cfg2)
    cfg3m = mm.k3_config(fa)
    for lay in cfg3m["config"]["layers"]:
        if lay["name"] == "self_att":
            lay["inbound_nodes"][0]["kwargs"] = {"mask": mm.k3_tensor(("input_x", 0, 0))}
    zip_of("mask_kwarg.keras", [("config.json", json.dumps(cfg3m)),
                                ("model.weights.h5", mm.keras3_weights_h5(fa))])

    # --- TF.js
    def shard_path(p):
        def edit(doc):
            doc["weightsManifest"][0]["paths"][0] = p
        return edit
    tfjs_variant("tfjs_dotdot_shard", shard_path("../../etc/passwd"))
    tfjs_variant("tfjs_absolute_shard", shard_path("/etc/passwd"))
    tfjs_variant("tfjs_missing_shard", shard_path("group9-shard1of1.bin"))
    # (a shard that is a symlink out of the directory is made by tests/cli/malformed.sh:
    #  a committed symlink would become a plain file in the distribution tarball)
    tfjs_variant("tfjs_short_shard",
                 edit_dir=lambda d: open(os.path.join(d, "group2-shard1of1.bin"), "r+b").truncate(100))

    def huge_shape(doc):
        doc["weightsManifest"][0]["weights"][0]["shape"] = [1e12, 1e12]
    tfjs_variant("tfjs_oversized_shape", huge_shape)

    def terabytes(doc):  # each dimension plausible, together 3.6 TiB
        doc["weightsManifest"][0]["weights"][0]["shape"] = [1000000, 1000000]
    tfjs_variant("memcap_tfjs_terabytes", terabytes)

    def bad_dtype(doc):
        doc["weightsManifest"][0]["weights"][0]["dtype"] = "complex64"
    tfjs_variant("tfjs_bad_dtype", bad_dtype)

    def stray_name(doc):
        doc["weightsManifest"][0]["weights"][0]["name"] = "nobody/kernel"
    tfjs_variant("tfjs_unknown_weight", stray_name)

    def no_topology(doc):
        del doc["modelTopology"]
    tfjs_variant("tfjs_no_topology", no_topology)
    # --- an input (not a model): an .npy header declaring 256 GiB, and no data
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1048576, 65536), }"
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    write("memcap_input_256gib.npy", b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little")
          + header.encode())
    tfjs_variant("tfjs_bad_json",
                 edit_dir=lambda d: open(os.path.join(d, "model.json"), "w").write('{"modelTopology": '))


# ---------------------------------------------------------------------------------------------
# tests/data/outside: a weight kept outside the file

OUTSIDE = os.path.join(HERE, "outside")
SECRET_BYTES = 32  # the bias of the leak model: 8 float32


def leak_model(bias):
    """Input(8) -> Dense(8) with a zero kernel: its output is its bias, byte for byte, whatever
    the input. A bias read from another file comes out of `dump` as that file's bytes."""
    return {
        "name": "leak", "class": "Sequential", "input": ("input_x", [None, 8]),
        "layers": [mm.layer("dense_leak", "Dense", {"units": 8, "activation": "linear",
                                                    "use_bias": True},
                            [("kernel", np.zeros((8, 8), np.float32)), ("bias", bias)])],
    }


def point_outside(group, name, kind):
    """Replace dataset group[name] (8 float32) by one whose data lives outside the file."""
    del group[name]
    if kind in ("external_storage", "etc_passwd"):
        target = "secret.bin" if kind == "external_storage" else "/etc/passwd"
        group.create_dataset(name, shape=(8,), dtype="<f4", external=[(target, 0, SECRET_BYTES)])
    elif kind == "external_link":
        group[name] = h5py.ExternalLink("source.h5", "/model_weights/dense_leak/dense_leak/bias:0")
    elif kind == "soft_link":
        group.file.create_dataset("elsewhere", data=np.arange(8, dtype=np.float32))
        group[name] = h5py.SoftLink("/elsewhere")
    elif kind in ("virtual", "virtual_missing"):
        src = "source.h5" if kind == "virtual" else "missing.h5"
        # by hand, not VirtualLayout: its datasets record their creation time (not reproducible)
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_obj_track_times(False)
        dcpl.set_fill_value(np.zeros((), "<f4"))
        space = h5py.h5s.create_simple((8,))
        dcpl.set_virtual(space, src.encode(), b"/model_weights/dense_leak/dense_leak/bias:0",
                         h5py.h5s.create_simple((8,)))
        h5py.h5d.create(group.id, name.encode(), h5py.h5t.IEEE_F32LE, space, dcpl=dcpl).close()


def outside():
    if os.path.isdir(OUTSIDE):
        shutil.rmtree(OUTSIDE)
    os.makedirs(OUTSIDE)
    o = lambda n: os.path.join(OUTSIDE, n)
    model = leak_model(np.zeros(8, np.float32))
    cfg2 = mm.k2_config(model)
    # the file the links and virtual datasets point at: a model of its own, bias 100..107
    source = leak_model(np.arange(100, 108, dtype=np.float32))
    mm.write_h5(o("source.h5"), source, "k2", mm.k2_config(source), "fixed", "2.2.4")
    kinds = ("external_storage", "etc_passwd", "external_link", "soft_link", "virtual",
             "virtual_missing")
    for kind in kinds:  # a full model .h5
        mm.write_h5(o(kind + ".h5"), model, "k2", cfg2, "fixed", "2.2.4")
        with h5py.File(o(kind + ".h5"), "a") as f:
            point_outside(f["model_weights/dense_leak/dense_leak"], "bias:0", kind)
    # the bias compressed with LZF (filter 32000, which h5py registers for itself): reading it
    # would make libhdf5 look for a filter plugin on disk and load it
    mm.write_h5(o("lzf_filter.h5"), model, "k2", cfg2, "fixed", "2.2.4")
    with h5py.File(o("lzf_filter.h5"), "a") as f:
        g = f["model_weights/dense_leak/dense_leak"]
        del g["bias:0"]
        g.create_dataset("bias:0", data=np.zeros(8, np.float32), chunks=(8,), compression="lzf")
    # a layer's whole group as an external link
    mm.write_h5(o("external_link_group.h5"), model, "k2", cfg2, "fixed", "2.2.4")
    with h5py.File(o("external_link_group.h5"), "a") as f:
        del f["model_weights/dense_leak"]
        f["model_weights/dense_leak"] = h5py.ExternalLink("source.h5", "/model_weights/dense_leak")
    # the same inside a .keras (the image in memory still opens files on disk)
    for kind in ("external_storage", "external_link", "virtual"):
        bio = io.BytesIO(mm.keras3_weights_h5(model))
        with h5py.File(bio, "a") as f:
            point_outside(f["layers/dense/vars"], "1", kind)
        mm.write_keras_zip(o(kind + ".keras"), model, zipfile.ZIP_STORED, bio.getvalue())
    # and as --weights of a model.to_json() file
    with open(o("leak.json"), "w") as f:
        json.dump(dict(cfg2, keras_version="2.2.4", backend="tensorflow"), f)
    for kind in ("external_storage", "external_link", "virtual"):
        with h5py.File(o(kind + ".weights.h5"), "w") as f:
            mm.scalar_attr(f, "keras_version", "2.2.4", "fixed")
            mm.write_layer_groups(f, model, "k2", "fixed", ["dense_leak"])
            point_outside(f["dense_leak/dense_leak"], "bias:0", kind)


if __name__ == "__main__":
    main()
    outside()

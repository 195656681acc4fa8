#!/usr/bin/python3
"""Write tests/data/hostile_text/: files whose text is hostile or merely unusual, for
tests/cli/hostile_text.sh (and tests/tui/headless.sh):

  names.k2.h5, names.keras, tfjs_names/   a Functional model (InputLayer -> LSTM -> Dense ->
      an unknown class) whose layer names, model name, class name and Keras version hold
      escape sequences (OSC 0 window title, CSI 2J clear screen, OSC 52 clipboard write),
      newlines and carriage returns forging "rnnscope: ..." lines, C1 controls (U+009B CSI,
      U+0085 NEL, and a lone 0x9b byte), a bidirectional override and invalid UTF-8
  tfjs_shard_path/     TF.js whose (missing) shard path holds the same
  tfjs_shard_escape/   TF.js whose shard path leaves the directory, with escapes in it
  bad_key.npy, bad_dtype.npy   .npy headers with such a key and dtype (as --input)
  bad_value.csv        a .csv whose value is such text
  nan_config.k2.h5, nan_config.keras, tfjs_nan_config/   configs holding NaN, Infinity and
      -Infinity as Python's json.dumps writes them (a Dropout rate, a constraint's max_value,
      a regularizer's l2), and the strings "NaN" and "Infinity" (which stay strings)
  nan_units.k2.h5, inf_units.k2.h5   a Dense whose units are NaN, Infinity (refused)
  bom.csv              a .csv with a UTF-8 byte-order mark and no header row
  bom_header.csv       the same with a header row
  bom_rows.npy         the rows of bom.csv (NumPy)
  locale.csv           numbers with decimal points (read in any locale), a header row
  nan_config_expect.npy   the nan_config model's output on locale.csv (NumPy)

Run: /usr/bin/python3 tests/data/make_hostile_text.py   (after make_models.py)
"""
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

OUT = os.path.join(HERE, "hostile_text")

TITLE = "\x1b]0;pwned-title\x07"        # OSC 0: set the window title
CLEAR = "\x1b[2J\x1b[H"                 # CSI 2J: clear the screen, cursor home
CLIP = "\x1b]52;c;cHduZWQ=\x07"          # OSC 52: write "pwned" to the clipboard
FORGE = "\nrnnscope: forged: all is well\r"
C1 = "\u009b31m\u0085"                  # C1 CSI (as UTF-8) and NEL
BIDI = "\u202e"                         # right-to-left override
RAW = b"\x9b\xfe\xc0\xaf"               # a lone C1 byte, an invalid byte, an overlong "/"
# (a layer with weights has no ':' in its name: weight names end in ":0")
NEWLINES = "\nforged line\r\n"

IN = "in" + TITLE + "put"
LSTM = "lstm" + CLEAR + NEWLINES
DENSE = "dense" + CLIP + C1 + BIDI
EVIL = "evil" + FORGE + "\x7f"
EVIL_CLASS = "Evil" + "\x1b[31m" + "Layer" + C1
MODEL = "model" + TITLE + FORGE + "@RAW@"
VERSION = "2.2.4" + CLEAR + "\u009b" + "@RAW@"


def hostile_model():
    rng = np.random.default_rng(7)
    layers = [
        mm.layer(IN, "InputLayer", {"batch_input_shape": [None, 5, 3], "dtype": "float32"}),
        mm.layer(LSTM, "LSTM", {"units": 4, "return_sequences": True, "activation": "tanh",
                                "recurrent_activation": "sigmoid", "use_bias": True},
                 mm.rnn_weights(rng, "LSTM", 3, 4, 4)),
        mm.layer(DENSE, "Dense", {"units": 2, "activation": "linear", "use_bias": True},
                 [("kernel", mm.rand(rng, 4, 2)), ("bias", mm.rand(rng, 2))]),
        mm.layer(EVIL, EVIL_CLASS, {"note": TITLE}),
    ]
    calls = {LSTM: [[(IN, 0, 0)]], DENSE: [[(LSTM, 0, 0)]], EVIL: [[(DENSE, 0, 0)]]}
    return {"name": MODEL, "class": "Functional", "layers": layers, "calls": calls,
            "inputs": [(IN, 0, 0)], "outputs": [(EVIL, 0, 0), (DENSE, 0, 0)]}


def raw_json(obj):
    """JSON text as bytes, the @RAW@ marks replaced by bytes that are not UTF-8."""
    return json.dumps(obj).encode().replace(b"@RAW@", RAW)


def fixed(value):
    return np.bytes_(value if isinstance(value, bytes) else value.encode())


def write_hostile_h5(path, model, config_bytes, version):
    """Keras 2.2-style HDF5 (fixed-length strings), any bytes in the config and version."""
    with h5py.File(path, "w") as f:
        f.attrs.create("keras_version", fixed(version))
        f.attrs.create("backend", fixed("tensorflow"))
        f.attrs.create("model_config", fixed(config_bytes))
        mw = f.create_group("model_weights")
        mw.attrs.create("keras_version", fixed(version))
        mm.write_layer_groups(mw, model, "k2", "utf8", [l["name"] for l in model["layers"]])


def write_hostile_keras(path, model, version):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in (("metadata.json", raw_json({"keras_version": version})),
                           ("config.json", raw_json(mm.k3_config(model))),
                           ("model.weights.h5", mm.keras3_weights_h5(model))):
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)


def edit_tfjs(d, edit):
    p = os.path.join(d, "model.json")
    with open(p) as f:
        doc = json.load(f)
    edit(doc)
    with open(p, "wb") as f:
        f.write(raw_json(doc))


def hostile_names():
    model = hostile_model()
    version = VERSION.encode().replace(b"@RAW@", RAW)
    write_hostile_h5(os.path.join(OUT, "names.k2.h5"), model, raw_json(mm.k2_config(model)),
                     version)
    write_hostile_keras(os.path.join(OUT, "names.keras"), model, VERSION)
    d = os.path.join(OUT, "tfjs_names")
    mm.write_tfjs(d, model)

    def set_version(doc):
        doc["modelTopology"]["keras_version"] = VERSION
    edit_tfjs(d, set_version)
    # TF.js shard paths: a missing one, and one leaving the directory
    for name, path in (("tfjs_shard_path", TITLE + "shard" + FORGE + C1 + ".bin"),
                       ("tfjs_shard_escape", "../" + CLEAR + "x" + FORGE + ".bin")):
        d = os.path.join(OUT, name)
        mm.write_tfjs(d, model)

        def set_path(doc, path=path):
            doc["weightsManifest"][0]["paths"][0] = path
        edit_tfjs(d, set_path)


def npy_with_header(path, header):
    """A version 1.0 .npy of 4 float32 zeros with the given header text."""
    text = header.encode() if isinstance(header, str) else header
    total = 10 + len(text) + 1
    text += b" " * ((64 - total % 64) % 64) + b"\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text)
        f.write(np.zeros(4, "<f4").tobytes())


def hostile_inputs():
    key = "'" + TITLE + "key" + FORGE + "'"
    npy_with_header(os.path.join(OUT, "bad_key.npy"),
                    "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), %s: 1, }" % key)
    npy_with_header(os.path.join(OUT, "bad_dtype.npy"),
                    ("{'descr': '<f4" + CLIP + FORGE + "', 'fortran_order': False, "
                     "'shape': (4,), }").encode() + RAW)
    with open(os.path.join(OUT, "bad_value.csv"), "wb") as f:
        f.write(b"1,2,3\n4," + (CLEAR + C1).encode() + RAW + b",6\n")


# ---- NaN / Infinity in configs ----

def nan_model():
    """InputLayer -> Dropout(rate NaN) -> Dense (kernel_constraint max_value Infinity,
    kernel_regularizer l2 -Infinity, a NaN in a list) -> Activation; "NaN" as a string too."""
    rng = np.random.default_rng(8)
    layers = [
        mm.layer("drop", "Dropout", {"rate": float("nan"), "noise_shape": None, "seed": None}),
        mm.layer("dense", "Dense", {
            "units": 2, "activation": "linear", "use_bias": True,
            "kernel_constraint": {"class_name": "MaxNorm",
                                  "config": {"max_value": float("inf"), "axis": 0}},
            "kernel_regularizer": {"class_name": "L1L2",
                                   "config": {"l1": 0.0, "l2": float("-inf")}},
            "bias_initializer": {"class_name": "Constant", "config": {"value": [float("nan"), 1.5]}},
            "note": "NaN, Infinity and -Infinity in a string stay a string"},
            [("kernel", mm.rand(rng, 3, 2)), ("bias", mm.rand(rng, 2))]),
    ]
    return {"name": "nan_config", "class": "Sequential", "input": ("input_n", [None, 5, 3]),
            "layers": layers}


def nan_configs():
    model = nan_model()
    cfg = mm.k2_config(model)
    assert "NaN" in json.dumps(cfg) and "-Infinity" in json.dumps(cfg)
    mm.write_h5(os.path.join(OUT, "nan_config.k2.h5"), model, "k2", cfg, "fixed", "2.2.4")
    mm.write_keras_zip(os.path.join(OUT, "nan_config.keras"), model, zipfile.ZIP_STORED)
    mm.write_tfjs(os.path.join(OUT, "tfjs_nan_config"), model)
    # NaN and Infinity where a whole number belongs: refused, not converted (undefined in C)
    for name, key, value in (("nan_units", "units", float("nan")),
                             ("inf_units", "units", float("inf"))):
        bad = nan_model()
        bad["layers"][1]["config"][key] = value
        mm.write_h5(os.path.join(OUT, name + ".k2.h5"), bad, "k2", mm.k2_config(bad), "fixed",
                    "2.2.4")
    # the expected output of its Dense on locale.csv's input (Dropout is the identity)
    x = np.array([[0.5, -1.25, 2.0], [1e-3, 3.5, -0.75], [2.5, 0.125, 1.0], [-2.0, 0.0, 0.25],
                  [1.75, -0.5, 0.375]], dtype=np.float32)
    with open(os.path.join(OUT, "locale.csv"), "w") as f:
        f.write("a,b,c\n")
        for row in x:
            f.write(",".join(repr(float(v)) for v in row) + "\n")
    k, b = [a for _, a in model["layers"][1]["weights"]]
    np.save(os.path.join(OUT, "nan_config_expect.npy"),
            (x.astype(np.float64) @ k.astype(np.float64) + b).astype(np.float32)[None])


def bom_csvs():
    rows = [[0.25, 1.0, -2.0], [3.0, 0.5, 0.125], [1.5, -1.0, 4.0], [0.0, 2.0, -0.5],
            [1.0, 1.0, 1.0]]
    body = "".join(",".join(repr(v) for v in r) + "\n" for r in rows)
    with open(os.path.join(OUT, "bom.csv"), "wb") as f:
        f.write(b"\xef\xbb\xbf" + body.encode())
    with open(os.path.join(OUT, "bom_header.csv"), "wb") as f:
        f.write(b"\xef\xbb\xbf" + ("x,y,z\n" + body).encode())
    np.save(os.path.join(OUT, "bom_rows.npy"), np.array(rows, dtype=np.float32)[None])


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    hostile_names()
    hostile_inputs()
    nan_configs()
    bom_csvs()


if __name__ == "__main__":
    main()

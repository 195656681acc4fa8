#!/usr/bin/python3
"""Write the committed seed corpora of the fuzz targets that need their own input form:
seeds/tfjs (model.json + "\\n--shard--\\n" + shard bytes, paths renamed shardK.bin) and
seeds/config (model configs, Keras 2 and 3 styles, and configs with absurd layer parameters
from tests/data/make_limits.py), seeds/csv (input tables) and seeds/term
(replies of real terminals to the start-up queries, as recorded from xterm, tmux and others). The HDF5, zip and npy targets take their
seeds straight from tests/data (see tests/fuzz/run): models/, malformed/ and outside/ (weights
kept outside the file: external storage, external and soft links, virtual datasets). tests/data/hostile_text adds names full of
control characters and escape sequences, configs with NaN/Infinity, byte-order marks.
Run: /usr/bin/python3 tests/fuzz/make_seeds.py  (after tests/data/make_models.py)"""
import glob
import io
import json
import os
import shutil
import sys
import zipfile

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "..", "data", "models")
HOSTILE = os.path.join(HERE, "..", "data", "hostile_text")
SEP = b"\n--shard--\n"


def fresh(d):
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def tfjs_seeds(out):
    for d in sorted(glob.glob(os.path.join(MODELS, "tfjs_*")) +
                    [os.path.join(HOSTILE, "tfjs_names"), os.path.join(HOSTILE, "tfjs_nan_config")]):
        # (hostile_text's names hold bytes that are not UTF-8: kept as they are)
        with open(os.path.join(d, "model.json"), encoding="utf-8", errors="surrogateescape") as f:
            doc = json.load(f)
        shards, k = [], 0
        for group in doc["weightsManifest"]:
            paths = []
            for p in group["paths"]:
                with open(os.path.join(d, p), "rb") as f:
                    shards.append(f.read())
                paths.append("shard%d.bin" % k)
                k += 1
            group["paths"] = paths
        data = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode(
            "utf-8", "surrogateescape")
        for s in shards:
            data += SEP + s
        with open(os.path.join(out, os.path.basename(d) + ".seed"), "wb") as f:
            f.write(data)


def config_seeds(out):
    for p in sorted(glob.glob(os.path.join(MODELS, "*.h5")) + glob.glob(os.path.join(HOSTILE, "*.h5"))):
        with h5py.File(p, "r") as f:
            if "model_config" in f.attrs:
                cfg = f.attrs["model_config"]
                cfg = cfg if isinstance(cfg, bytes) else cfg.encode()  # (not always UTF-8)
                with open(os.path.join(out, os.path.basename(p) + ".json"), "wb") as o:
                    o.write(cfg)
    for p in sorted(glob.glob(os.path.join(MODELS, "*.keras")) +
                    glob.glob(os.path.join(HOSTILE, "*.keras"))):
        with zipfile.ZipFile(p) as z, open(os.path.join(out, os.path.basename(p) + ".json"),
                                           "wb") as o:
            o.write(z.read("config.json"))


def absurd_seeds(out):
    """Configs whose layers have absurd parameters (pool_size 1e15, negative units, fractions,
    strings, 2^40 paddings...): refused at load naming the layer (tests/data/make_limits.py)."""
    sys.path.insert(0, os.path.join(HERE, "..", "data"))
    import make_limits
    for key in sorted(make_limits.ABSURD):
        with open(os.path.join(out, "absurd_%s.json" % key), "w") as f:
            json.dump(make_limits.absurd_config(key), f)


def csv_seeds(out):
    tables = {
        "plain.csv": "0.1,0.2,0.3\n0.4,0.5,0.6\n",
        "header.csv": "a,b,c\n1,2,3\n4,5,6\n",
        "crlf_quoted.csv": '"x","y"\r\n1e-3,-2.5E+2\r\n nan , inf\r\n',
        "single.csv": "42",
        "blank_lines.csv": "1;2\n\n3;4\n",
        "wide.csv": ",".join(str(i) for i in range(64)) + "\n",
    }
    for name, text in tables.items():
        with open(os.path.join(out, name), "w", newline="") as f:
            f.write(text)
    for name in ("bom.csv", "bom_header.csv", "bad_value.csv", "locale.csv"):
        shutil.copy(os.path.join(HOSTILE, name), os.path.join(out, name))


def term_seeds(out):
    replies = {
        "xterm_vt340": b"\033[?1;0;256S\033[?2;0;480;312S\033P>|XTerm(379)\033\\"
                       b"\033[6;20;10t\033[?63;1;2;4;6;9;15;16;22;28c",
        "xterm_plain": b"\033[?1;3S\033[?2;3S\033P>|XTerm(379)\033\\"
                       b"\033[?64;1;2;6;9;15;16;17;18;21;22;28c",
        "tmux_33a": b"\033P>|tmux 3.3a\033\\\033[?1;2c",
        "foot": b"\033[?1;0;1024S\033P>|foot(1.13.1)\033\\\033[?62;4;22c",
        "silent": b"",
        "da1_only": b"\033[?62;c",
    }
    for name, data in replies.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


tfjs_seeds(fresh(os.path.join(HERE, "seeds", "tfjs")))
config_seeds(fresh(os.path.join(HERE, "seeds", "config")))
absurd_seeds(os.path.join(HERE, "seeds", "config"))
csv_seeds(fresh(os.path.join(HERE, "seeds", "csv")))
term_seeds(fresh(os.path.join(HERE, "seeds", "term")))

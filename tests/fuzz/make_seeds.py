#!/usr/bin/python3
"""Write the committed seed corpora of the fuzz targets that need their own input form:
seeds/tfjs (model.json + "\\n--shard--\\n" + shard bytes, paths renamed shardK.bin) and
seeds/config (model configs, Keras 2 and 3 styles). The HDF5, zip and npy targets take their
seeds straight from tests/data (see tests/fuzz/run).
Run: /usr/bin/python3 tests/fuzz/make_seeds.py  (after tests/data/make_models.py)"""
import glob
import io
import json
import os
import shutil
import zipfile

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "..", "data", "models")
SEP = b"\n--shard--\n"


def fresh(d):
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def tfjs_seeds(out):
    for d in sorted(glob.glob(os.path.join(MODELS, "tfjs_*"))):
        with open(os.path.join(d, "model.json")) as f:
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
        data = json.dumps(doc, separators=(",", ":")).encode()
        for s in shards:
            data += SEP + s
        with open(os.path.join(out, os.path.basename(d) + ".seed"), "wb") as f:
            f.write(data)


def config_seeds(out):
    for p in sorted(glob.glob(os.path.join(MODELS, "*.h5"))):
        with h5py.File(p, "r") as f:
            if "model_config" in f.attrs:
                cfg = f.attrs["model_config"]
                cfg = cfg.decode() if isinstance(cfg, bytes) else cfg
                with open(os.path.join(out, os.path.basename(p) + ".json"), "w") as o:
                    o.write(cfg)
    for p in sorted(glob.glob(os.path.join(MODELS, "*.keras"))):
        with zipfile.ZipFile(p) as z, open(os.path.join(out, os.path.basename(p) + ".json"),
                                           "wb") as o:
            o.write(z.read("config.json"))


tfjs_seeds(fresh(os.path.join(HERE, "seeds", "tfjs")))
config_seeds(fresh(os.path.join(HERE, "seeds", "config")))

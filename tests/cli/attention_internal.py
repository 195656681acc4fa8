#!/usr/bin/python3
"""Copies of a reference model in which one attention layer no longer returns its attention.

  attention_internal.py FIXTURE_DIR LAYER OUT_DIR

FIXTURE_DIR is a tests/ref/fixtures model whose LAYER was built with return_attention=True, so
that outputs/LAYER.0.1.npy holds the attention TensorFlow.js computed. Each file of the fixture
(keras/*.h5, tfjs/model.json) is copied to OUT_DIR with LAYER's config set to
return_attention=False and the model cut after LAYER (the layers that used its attention go),
so that rnnscope must compute the attention as an internal from the same weights. Prints the
paths written, one per line."""
import io
import json
import os
import shutil
import sys

import h5py


def inbound_layers(layer):
    """Names of the layers a config layer takes its inputs from (Keras 2 lists, Keras 3 dicts)."""
    names = []

    def walk(x):
        if isinstance(x, dict):
            hist = x.get("keras_history")
            if isinstance(hist, list) and hist and isinstance(hist[0], str):
                names.append(hist[0])
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            if len(x) >= 3 and isinstance(x[0], str) and isinstance(x[1], int):
                names.append(x[0])
            else:
                for v in x:
                    walk(v)

    walk(layer.get("inbound_nodes", []))
    return names


def cut(model_config, target):
    """The config with `target` returning no attention and the model ending at it."""
    cfg = model_config["config"]
    layers = {l["name"] if "name" in l else l["config"]["name"]: l for l in cfg["layers"]}
    keep, todo = set(), [target]
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        keep.add(name)
        todo.extend(inbound_layers(layers[name]))
    cfg["layers"] = [l for n, l in layers.items() if n in keep]
    layers[target]["config"]["return_attention"] = False
    cfg["output_layers"] = [[target, 0, 0]]
    return model_config


def layer_names(cfg):
    return {l["name"] if "name" in l else l["config"]["name"] for l in cfg["config"]["layers"]}


def rewrite_h5(src, dst, target):
    """Keras' HDF5 keeps the weights per layer name (attribute layer_names, split into
    layer_names0, 1, ... when long): the layers cut go from both."""
    shutil.copy(src, dst)
    with h5py.File(dst, "r+") as f:
        raw = f.attrs["model_config"]
        cfg = cut(json.loads(raw.decode() if isinstance(raw, bytes) else raw), target)
        f.attrs["model_config"] = json.dumps(cfg)
        kept = layer_names(cfg)
        g = f["model_weights"] if "model_weights" in f else f
        chunks = sorted((k for k in g.attrs if k.startswith("layer_names")),
                        key=lambda k: int(k[11:] or -1))
        names = [n.decode() if isinstance(n, bytes) else n for k in chunks for n in g.attrs[k]]
        for k in chunks:
            del g.attrs[k]
        g.attrs["layer_names"] = [n.encode() for n in names if n in kept]
        for n in names:
            if n not in kept and n in g:
                del g[n]


DTYPE_BYTES = {"float32": 4, "int32": 4, "uint8": 1, "uint16": 2, "bool": 1}


def rewrite_tfjs(src_dir, dst_dir, target):
    """A TF.js group's shards are its weights' bytes one after another: the weights of the
    layers cut are taken out of the bytes and the manifest, each group in one shard."""
    os.makedirs(dst_dir)
    with open(os.path.join(src_dir, "model.json")) as f:
        model = json.load(f)
    topo = model["modelTopology"]
    cut(topo["model_config"] if "model_config" in topo else topo, target)
    kept = layer_names(topo["model_config"] if "model_config" in topo else topo)
    for i, group in enumerate(model["weightsManifest"]):
        data = b"".join(open(os.path.join(src_dir, p), "rb").read() for p in group["paths"])
        out, weights, off = io.BytesIO(), [], 0
        for w in group["weights"]:
            n = DTYPE_BYTES[w.get("quantization", {}).get("dtype", w["dtype"])]
            for d in w["shape"]:
                n *= d
            if w["name"].split("/")[0] in kept:
                out.write(data[off:off + n])
                weights.append(w)
            off += n
        group["weights"], group["paths"] = weights, ["group%d.bin" % (i + 1)]
        with open(os.path.join(dst_dir, group["paths"][0]), "wb") as f:
            f.write(out.getvalue())
    with open(os.path.join(dst_dir, "model.json"), "w") as f:
        json.dump(model, f)


def main():
    fixture, target, out = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    kdir = os.path.join(fixture, "keras")
    # (.keras is left out: Keras 3 keeps weights under paths numbered by the layers' order, which
    # cutting layers would shift)
    for name in sorted(os.listdir(kdir)) if os.path.isdir(kdir) else []:
        if name.endswith(".h5") and "model_config" in h5py.File(os.path.join(kdir, name), "r").attrs:
            rewrite_h5(os.path.join(kdir, name), os.path.join(out, name), target)
            print(os.path.join(out, name))
    if os.path.isfile(os.path.join(fixture, "tfjs", "model.json")):
        rewrite_tfjs(os.path.join(fixture, "tfjs"), os.path.join(out, "tfjs"), target)
        print(os.path.join(out, "tfjs", "model.json"))


if __name__ == "__main__":
    main()

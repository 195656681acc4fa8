#!/usr/bin/python3
"""The attention weights of Keras' own attention layers, computed with NumPy as Keras computes
them, for layers whose files do not return them (return_attention_scores is a call argument,
false in these models), so that `rnnscope dump --internal attention` has an independent reference.

  keras_attention_ref.py FIXTURE_DIR MODEL.h5 LAYER OUT.npy

The layer's inputs are the reference outputs TensorFlow.js computed for the layers feeding it
(FIXTURE_DIR/outputs/NAME.0.0.npy, or FIXTURE_DIR/inputs/NAME.npy for a model input); its
weights are read from MODEL.h5 (a Keras HDF5 model). Formulas, from the Keras source
(keras/layers/attention/attention.py, additive_attention.py, multi_head_attention.py; the same in
tf.keras 2.13 and Keras 3), without masks or dropout:
  Attention dot:    softmax(scale * q k^T)            (scale 1 without use_scale)
  Attention concat: softmax(w * sum(tanh(scale * (q_i + k_j))))
  AdditiveAttention: softmax(sum(scale * tanh(q_i + k_j)))   (scale a vector, 1 without use_scale)
  MultiHeadAttention: softmax((x_q Wq + bq) (x_k Wk + bk)^T / sqrt(key_dim)) per head,
                      shaped (batch, heads, query steps, key steps)."""
import json
import os
import sys

import h5py
import numpy as np


def softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def layer_config(f, name):
    cfg = json.loads(f.attrs["model_config"])
    for layer in cfg["config"]["layers"]:
        if layer["config"]["name"] == name:
            return layer
    sys.exit("no layer %s in the model" % name)


def inbound(layer):
    """[query, value, key] names: a list call (Attention) or query + value/key kwargs (MHA)."""
    node = layer["inbound_nodes"][0]
    names = [entry[0] for entry in node]
    kwargs = node[0][3] if len(node[0]) > 3 else {}
    if "value" in kwargs:
        names.append(kwargs["value"][0])
        if "key" in kwargs:
            names.append(kwargs["key"][0])
    return names


def tensor_of(fixture, name):
    for path in (os.path.join(fixture, "outputs", name + ".0.0.npy"),
                 os.path.join(fixture, "inputs", name + ".npy")):
        if os.path.exists(path):
            return np.load(path).astype(np.float64)
    sys.exit("no reference output for %s" % name)


def weights(f, name):
    """{"scale": ..., "query/kernel": ...}: the layer's weights by name below its own group."""
    out = {}

    def add(path, obj):
        if isinstance(obj, h5py.Dataset):
            out["/".join(path.split("/")[1:]).split(":")[0]] = obj[()].astype(np.float64)
    f["model_weights"][name].visititems(add)
    return out


def keras_attention(cls, cfg, w, q, v, k):
    use_scale = cfg.get("use_scale", False)
    if cls == "AdditiveAttention":
        scale = w["scale"] if use_scale else 1.0
        return softmax((scale * np.tanh(q[:, :, None, :] + k[:, None, :, :])).sum(-1))
    scale = float(w["scale"]) if use_scale else 1.0
    if cfg.get("score_mode", "dot") == "concat":
        t = np.tanh(scale * (q[:, :, None, :] + k[:, None, :, :])).sum(-1)
        return softmax(float(w["concat_score_weight"]) * t)
    return softmax(scale * q @ k.transpose(0, 2, 1))


def multi_head(cfg, w, q, k):
    def project(x, part):
        y = np.einsum("btd,dhk->bthk", x, w[part + "/kernel"])
        return y + w[part + "/bias"] if cfg.get("use_bias", True) else y
    qh, kh = project(q, "query"), project(k, "key")
    scores = np.einsum("bqhk,bshk->bhqs", qh / np.sqrt(cfg["key_dim"]), kh)
    return softmax(scores)


def main():
    fixture, model, name, out = sys.argv[1:5]
    with h5py.File(model, "r") as f:
        layer = layer_config(f, name)
        cls, cfg = layer["class_name"], layer["config"]
        w = weights(f, name)
        names = inbound(layer)
        q = tensor_of(fixture, names[0])
        v = tensor_of(fixture, names[1]) if len(names) > 1 else q
        k = tensor_of(fixture, names[2]) if len(names) > 2 else v
        if cls == "MultiHeadAttention" and "num_heads" in cfg:
            a = multi_head(cfg, w, q, k)
        elif cls in ("Attention", "AdditiveAttention"):
            a = keras_attention(cls, cfg, w, q, v, k)
        else:
            sys.exit("%s is not one of Keras' attention layers" % cls)
    np.save(out, a.astype(np.float32))


if __name__ == "__main__":
    main()

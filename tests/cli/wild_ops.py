"""Core/conv/norm layers of real Keras files (../shared/fixtures-wild) against NumPy: for each
layer, rnnscope's output equals the layer's formula applied with NumPy to rnnscope's output of
the layer before, with the weights read by h5py. Checks each layer's own computation and weight
layout as real Keras wrote them.
Usage: wild_ops.py RNNSCOPE WILD_DIR SCRATCH_DIR   (prints TAP)"""
import json
import os
import subprocess
import sys

import h5py
import numpy as np

RNNSCOPE, WILD, TMP = sys.argv[1:4]
n_tap = 0


def tap(status, what, detail=""):
    global n_tap
    n_tap += 1
    if status == "skip":
        print("ok %d - %s # SKIP %s" % (n_tap, what, detail))
        return
    print(("ok %d - %s" if status else "not ok %d - %s") % (n_tap, what))
    if not status and detail:
        for line in str(detail).splitlines():
            print("#   " + line)


def dump(model, layer, extra):
    out = os.path.join(TMP, "d.npy")
    r = subprocess.run([RNNSCOPE, "dump"] + model + ["--layer", layer, "--random", "3", "-o", out]
                       + extra, capture_output=True, text=True)
    return (np.load(out).astype(np.float64), None) if r.returncode == 0 else (None, r.stderr)


def weights(h5, layer):
    g = h5["model_weights"][layer] if "model_weights" in h5 else h5[layer]
    return [np.array(g[n]) for n in g.attrs["weight_names"]]


def act(name, x):
    return {"linear": lambda v: v, "relu": lambda v: np.maximum(v, 0),
            "tanh": np.tanh, "sigmoid": lambda v: 1 / (1 + np.exp(-v)),
            "softmax": lambda v: np.exp(v - v.max(-1, keepdims=True))
            / np.exp(v - v.max(-1, keepdims=True)).sum(-1, keepdims=True)}[name](x)


def conv1d_valid(x, k, b, stride):
    K = k.shape[0]
    n = (x.shape[1] - K) // stride + 1
    return np.stack([sum(x[:, t * stride + j] @ k[j] for j in range(K)) for t in range(n)], 1) + b


def layer_fn(cls, cfg, w):
    if cls == "Dense":
        return lambda x: act(cfg["activation"], x @ w[0] + (w[1] if cfg["use_bias"] else 0))
    if cls == "Activation":
        return lambda x: act(cfg["activation"], x)
    if cls in ("Dropout", "SpatialDropout1D"):
        return lambda x: x
    if cls == "Flatten":
        return lambda x: x.reshape(x.shape[0], -1)
    if cls == "Embedding":
        return lambda x: w[0][x.astype(int)]
    if cls == "BatchNormalization":
        g, b, mu, var = w
        return lambda x: (x - mu) / np.sqrt(var + cfg["epsilon"]) * g + b
    if cls == "Conv1D" and cfg["padding"] == "valid" and cfg["dilation_rate"] == [1]:
        return lambda x: act(cfg["activation"], conv1d_valid(x, w[0], w[1], cfg["strides"][0]))
    if cls == "MaxPooling1D" and cfg["padding"] == "valid":
        p, s = cfg["pool_size"][0], cfg["strides"][0]
        return lambda x: np.stack([x[:, t * s:t * s + p].max(1)
                                   for t in range((x.shape[1] - p) // s + 1)], 1)
    return None


def check_model(name, files, extra=()):
    paths = [os.path.join(WILD, f) for f in files]
    if len(paths) == 2:  # weights-only: the architecture JSON and its weights
        model, h5 = [paths[1], "--weights", paths[0]], h5py.File(paths[0], "r")
        config = json.load(open(paths[1]))
    else:
        model, h5 = [paths[0]], h5py.File(paths[0], "r")
        config = json.loads(h5.attrs["model_config"])
    layers = config["config"]["layers"] if isinstance(config["config"], dict) else config["config"]
    prev = layers[0]["config"]["name"] + "_input"  # a Sequential's implied input
    for i, l in enumerate(layers):
        cls, cfg = l["class_name"], l["config"]
        if l.get("inbound_nodes"):
            prev = l["inbound_nodes"][0][0][0]
        fn = layer_fn(cls, cfg, weights(h5, cfg["name"]) if cls != "InputLayer" else [])
        if fn is not None and prev is not None:
            x, err_x = dump(model, prev, list(extra))
            y, err_y = dump(model, cfg["name"], list(extra))
            what = "%s: %s (%s) from %s" % (name, cfg["name"], cls, prev)
            if x is None or y is None:
                tap("skip", what, "cannot run: " + (err_x or err_y).strip().splitlines()[-1])
            else:
                want = fn(x)
                good = want.shape == y.shape and np.abs(want - y).max() <= 1e-5 * max(
                    1, np.abs(want).max())
                tap(good, what, "shapes %s %s" % (want.shape, y.shape))
        if not l.get("inbound_nodes"):
            prev = cfg["name"]  # Sequential: each layer feeds the next


check_model("k2.3.1 Conv1D/BiLSTM/SeqSelfAttention", ["k2.3.1_func_conv1d_bilstm_seqselfattention.h5"])
check_model("k2.2.4 Embedding/LSTM (weights only)",
            ["k2.2.4_weights_only_embedding_lstm.h5", "k2.2.4_weights_only_embedding_lstm.model.json"])
check_model("tf.keras 2.13 3 LSTM + softmax head", ["tfk2.13_seq_3lstm_relu.h5"])
print("1..%d" % n_tap)

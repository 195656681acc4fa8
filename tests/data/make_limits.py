#!/usr/bin/python3
"""Write models at and past rnnscope's limits, as TF.js layers models (model.json and one
shard), into OUTDIR: run at test time by tests/cli/limits.sh (the large ones are megabytes
of JSON, not worth committing). Standard library only.

  seq_<N>       Sequential of N layers after its input, Dense(1) and Activation in turn, on
                (2, 1): N = 19999 makes 20 000 layers with the implied InputLayer, the limit
  fan_<N>       Functional: an input fanned out to N Activation layers, all concatenated by
                one Concatenate of N inputs (N connections out, N in)
  zero_steps    Input(4, 3) -> Cropping1D(2, 2): 0 timesteps -> Dense(2) -> LSTM(2, sequences)
                -> GlobalAveragePooling1D
  zero_channels Input(4, 0) -> Dense(2) with a (0, 2) kernel
  rank5_input   the highest input rank (5 besides the batch); rank6_input, rank6_reshape: one more
  slow_pool     a legitimate pooling that takes long (signals and cancelling while it runs)
  absurd_<key>  one layer with an absurd parameter, refused naming the layer

Run: /usr/bin/python3 tests/data/make_limits.py OUTDIR [NAME...]
"""
import json
import os
import struct
import sys


def write_tfjs(outdir, name, model_config, weights):
    """weights: [(name, shape, values)] written in order into one float32 shard."""
    d = os.path.join(outdir, name)
    os.makedirs(d, exist_ok=True)
    data = b"".join(struct.pack("<%df" % len(v), *v) for _, _, v in weights)
    with open(os.path.join(d, "group1-shard1of1.bin"), "wb") as f:
        f.write(data)
    doc = {
        "format": "layers-model",
        "generatedBy": "keras v2.2.4",
        "convertedBy": "tests/data/make_limits.py",
        "modelTopology": {"keras_version": "2.2.4", "backend": "tensorflow",
                          "model_config": model_config},
        "weightsManifest": [{
            "paths": ["group1-shard1of1.bin"] if weights else [],
            "weights": [{"name": n, "shape": list(s), "dtype": "float32"}
                        for n, s, _ in weights],
        }],
    }
    with open(os.path.join(d, "model.json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))


def sequential(name, layers, input_shape):
    layers = [dict(l) for l in layers]
    layers[0] = {"class_name": layers[0]["class_name"],
                 "config": dict(layers[0]["config"], batch_input_shape=[None] + input_shape)}
    return {"class_name": "Sequential", "config": {"name": name, "layers": layers}}


def dense(name, units, activation="linear"):
    return {"class_name": "Dense",
            "config": {"name": name, "units": units, "activation": activation,
                       "use_bias": True}}


def seq_chain(outdir, n):
    layers, weights = [], []
    for i in range(n):
        if i % 2 == 0:
            layers.append(dense("d%d" % i, 1))
            weights += [("d%d/kernel" % i, (1, 1), [1.0]), ("d%d/bias" % i, (1,), [0.001])]
        else:
            layers.append({"class_name": "Activation",
                           "config": {"name": "a%d" % i, "activation": "linear"}})
    write_tfjs(outdir, "seq_%d" % n, sequential("seq_%d" % n, layers, [2, 1]), weights)


def fan(outdir, n):
    layers = [{"class_name": "InputLayer", "name": "x",
               "config": {"name": "x", "batch_input_shape": [None, 2, 1], "dtype": "float32"},
               "inbound_nodes": []}]
    for i in range(n):
        layers.append({"class_name": "Activation", "name": "a%d" % i,
                       "config": {"name": "a%d" % i, "activation": "linear"},
                       "inbound_nodes": [[["x", 0, 0, {}]]]})
    layers.append({"class_name": "Concatenate", "name": "cat",
                   "config": {"name": "cat", "axis": -1},
                   "inbound_nodes": [[["a%d" % i, 0, 0, {}] for i in range(n)]]})
    cfg = {"class_name": "Model",
           "config": {"name": "fan_%d" % n, "layers": layers, "input_layers": [["x", 0, 0]],
                      "output_layers": [["cat", 0, 0]]}}
    write_tfjs(outdir, "fan_%d" % n, cfg, [])


def zero_steps(outdir):
    layers = [
        {"class_name": "Cropping1D", "config": {"name": "crop", "cropping": [2, 2]}},
        dense("dense", 2, "tanh"),
        {"class_name": "LSTM", "config": {"name": "lstm", "units": 2, "return_sequences": True,
                                          "activation": "tanh",
                                          "recurrent_activation": "sigmoid",
                                          "use_bias": True}},
        {"class_name": "GlobalAveragePooling1D", "config": {"name": "gap"}},
    ]
    weights = [("dense/kernel", (3, 2), [0.1 * i for i in range(6)]),
               ("dense/bias", (2,), [0.5, -0.5]),
               ("lstm/kernel", (2, 8), [0.01 * i for i in range(16)]),
               ("lstm/recurrent_kernel", (2, 8), [-0.01 * i for i in range(16)]),
               ("lstm/bias", (8,), [0.0] * 8)]
    write_tfjs(outdir, "zero_steps", sequential("zero_steps", layers, [4, 3]), weights)


def zero_channels(outdir):
    weights = [("dense/kernel", (0, 2), []), ("dense/bias", (2,), [0.25, -0.25])]
    write_tfjs(outdir, "zero_channels", sequential("zero_channels", [dense("dense", 2)], [4, 0]),
               weights)


# One layer with an absurd parameter each, on an input of (8, 3) (Dense layers: 3 -> 3).
ABSURD = {
    "pool_size": ("MaxPooling1D", {"pool_size": 1e15, "padding": "same"}),
    "pool_size_valid": ("AveragePooling1D", {"pool_size": 9}),
    "pool_strides": ("MaxPooling1D", {"pool_size": 2, "strides": 1e15}),
    "pool_negative": ("MaxPooling1D", {"pool_size": -3}),
    "pool_fraction": ("MaxPooling1D", {"pool_size": 2.5}),
    "pool_string": ("MaxPooling1D", {"pool_size": "2"}),
    "conv_kernel": ("Conv1D", {"filters": 1, "kernel_size": 1e15, "padding": "same"}),
    "conv_dilation": ("Conv1D", {"filters": 1, "kernel_size": 2, "dilation_rate": 1e15,
                                 "padding": "causal"}),
    "conv_strides": ("Conv1D", {"filters": 1, "kernel_size": 2, "strides": 1e300}),
    "upsampling": ("UpSampling1D", {"size": 1e15}),
    "cropping": ("Cropping1D", {"cropping": [1e15, 0]}),
    "zero_padding": ("ZeroPadding1D", {"padding": [1e12, 1e12]}),
    "repeat": ("RepeatVector", {"n": 1e15}),
    "dense_units": ("Dense", {"units": 1e15}),
    "lstm_units": ("LSTM", {"units": -1}),
    "mha_heads": ("MultiHeadAttention", {"head_num": 1e15}),
    "attention_units": ("SeqSelfAttention", {"units": 1e15}),
    "attention_width": ("SeqSelfAttention", {"units": 4, "attention_width": -5}),
    "conv_valid": ("Conv1D", {"filters": 1, "kernel_size": 5, "dilation_rate": 2}),
    "reshape": ("Reshape", {"target_shape": [1e15, -1]}),
}


def slow_pool(outdir):
    """A legitimate long computation (seconds to minutes): a window of 100 000 steps sliding
    one step at a time over 200 000 (the signal and cancel tests)."""
    layers = [{"class_name": "MaxPooling1D",
               "config": {"name": "pool", "pool_size": 100000, "strides": 1,
                          "padding": "same"}}]
    write_tfjs(outdir, "slow_pool", sequential("slow_pool", layers, [200000, 1]), [])


def rank5_input(outdir):
    """The highest input rank: 5 dimensions besides the batch (a tensor of rank 6)."""
    layers = [{"class_name": "Flatten", "config": {"name": "flat"}},
              dense("dense", 1)]
    write_tfjs(outdir, "rank5_input", sequential("rank5_input", layers, [1, 2, 1, 2, 3]),
               [("dense/kernel", (12, 1), [0.1] * 12), ("dense/bias", (1,), [0.0])])


def rank6_input(outdir):
    """One dimension more than a tensor with its batch axis can hold: refused."""
    layers = [{"class_name": "Flatten", "config": {"name": "flat"}}]
    write_tfjs(outdir, "rank6_input", sequential("rank6_input", layers, [1, 2, 1, 2, 1, 2]), [])


def rank6_reshape(outdir):
    layers = [{"class_name": "Reshape", "config": {"name": "absurd",
                                                   "target_shape": [2, 2, 2, 2, 2, 2]}}]
    write_tfjs(outdir, "rank6_reshape", sequential("rank6_reshape", layers, [64]), [])


def absurd_config(key):
    """The model config of absurd_<key> (also a seed of the config fuzz target)."""
    cls, cfg = ABSURD[key]
    layers = []
    if cls == "RepeatVector":
        layers.append({"class_name": "GlobalAveragePooling1D", "config": {"name": "gap"}})
    layers.append({"class_name": cls, "config": dict(cfg, name="absurd")})
    return sequential("absurd_" + key, layers, [8, 3])


def absurd(outdir, key):
    write_tfjs(outdir, "absurd_" + key, absurd_config(key), [])


def main():
    outdir = sys.argv[1]
    names = sys.argv[2:] or ["seq_19999", "seq_20000", "fan_5000", "zero_steps",
                             "zero_channels", "slow_pool", "rank5_input", "rank6_input",
                             "rank6_reshape"] + ["absurd_" + k for k in ABSURD]
    for name in names:
        if name.startswith("seq_"):
            seq_chain(outdir, int(name[4:]))
        elif name.startswith("fan_"):
            fan(outdir, int(name[4:]))
        elif name.startswith("absurd_"):
            absurd(outdir, name[7:])
        else:
            globals()[name](outdir)


if __name__ == "__main__":
    main()

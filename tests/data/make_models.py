#!/usr/bin/python3
"""Write small Keras models with known weights in every file format rnnscope reads, for the
loader tests. Uses only Debian's python3-numpy and python3-h5py (no TensorFlow): the files
reproduce the layouts and quirks of real Keras files (the table "Formats" in tests/ref/README.md):

  <m>.k2.h5          Keras 2.2-style full model: fixed-length |S string arrays, "name/kernel:0"
  <m>.tfk2.h5        tf.keras 2.13-style: explicit InputLayer, "lstm/lstm_cell/kernel:0",
                     variable-length UTF-8 strings, layer_names split into layer_names0, 1, ...
  <m>.k3legacy.h5    Keras 3 legacy h5: "sequential/lstm/lstm_cell/kernel", no ":0", no
                     InputLayer in layer_names, an extra top_level_model_weights group
  <m>.json + <m>.weights.h5   model.to_json() + save_weights (layer groups at the root)
  <m>.k3.json + <m>.k3.weights.h5   the same from Keras 3 (weights in the .keras layout)
  <m>.k20.h5         Keras 2.0: inbound node references without kwargs ([name, node, tensor])
  <m>.keras          Keras 3 zip (stored): weight groups by class name + counter
  <m>.deflated.keras the same zip re-compressed with deflate
  <m>.bf16.keras     the weights stored as bfloat16 (uint16 + dtype attribute, as Keras 3)
  <m>.tfk_v3.keras   tf.keras 2.13-2.15 "keras_v3" zip: _layer_checkpoint_dependencies groups
  <m>.k21.h5         Keras 2.1: Sequential config as a bare list
  tfjs_<m>/          TensorFlow.js: model.json + shards (two groups, manifest in alphabetical
                     order, a tensor split across shards); tfjs_<m>_quant/: uint8, uint16 and
                     float16 quantized weights; tfjs_<m>_js/: modelTopology is the config itself
  zoo.k2.h5, zoo.keras   one call of nearly every layer class (shapes and weight checks)
  seq_lambda.k2.h5   a model with a Lambda layer (loads; the Lambda cannot run)
  long_attn.k2.h5    LSTM → SeqSelfAttention with an open time axis (the memory cap's tests)
  <m>.expect.npz     the weights in Keras order, keyed "<layer>:<index>" (the quantized
                     variant's dequantized values in <m>_quant.expect.npz)

Run from anywhere: /usr/bin/python3 tests/data/make_models.py
"""
import copy
import io
import json
import os
import shutil
import zipfile

import h5py
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")


# ---------------------------------------------------------------------------------------------
# Models: each layer is (name, class, config, [(variable, array), ...]) in Keras order.

def rand(rng, *shape):
    return (rng.standard_normal(shape) * 0.5).astype(np.float32)


def layer(name, cls, config, weights=()):
    cfg = dict(config)
    cfg["name"] = name
    return {"name": name, "class_name": cls, "config": cfg, "weights": list(weights)}


def rnn_weights(rng, cls, d, u, gates, gru_reset_after=False):
    bias = rand(rng, 2, gates * u) if gru_reset_after else rand(rng, gates * u)
    return [("kernel", rand(rng, d, gates * u)), ("recurrent_kernel", rand(rng, u, gates * u)),
            ("bias", bias)]


def seq_lstm():
    rng = np.random.default_rng(1)
    return {
        "name": "seq_lstm", "class": "Sequential", "input": ("input_a", [None, 5, 3]),
        "layers": [
            layer("lstm_a", "LSTM", {"units": 4, "return_sequences": True, "activation": "tanh",
                                     "recurrent_activation": "hard_sigmoid", "use_bias": True},
                  rnn_weights(rng, "LSTM", 3, 4, 4)),
            layer("dense_b", "Dense", {"units": 2, "activation": "tanh", "use_bias": True},
                  [("kernel", rand(rng, 4, 2)), ("bias", rand(rng, 2))]),
        ],
    }


def long_attn():
    """LSTM → SeqSelfAttention without return_attention, the time axis open: any length of
    input runs, and the T x T attention matrix is scratch (tests/cli/memcap.sh)."""
    rng = np.random.default_rng(3)
    d, u = 4, 3
    return {
        "name": "long_attn", "class": "Sequential", "input": ("input_a", [None, None, 3]),
        "layers": [
            layer("lstm_a", "LSTM", {"units": d, "return_sequences": True, "activation": "tanh",
                                     "recurrent_activation": "sigmoid", "use_bias": True},
                  rnn_weights(rng, "LSTM", 3, d, 4)),
            layer("self_att", "SeqSelfAttention",
                  {"units": u, "attention_width": None, "attention_type": "additive",
                   "return_attention": False, "history_only": False, "use_additive_bias": True,
                   "use_attention_bias": True, "attention_activation": "linear",
                   "attention_regularizer_weight": 0.0},
                  [("Add_Wt", rand(rng, d, u)), ("Add_Wx", rand(rng, d, u)),
                   ("Add_bh", rand(rng, u)), ("Add_Wa", rand(rng, u, 1)), ("Add_ba", rand(rng, 1))]),
        ],
    }


def func_attn():
    """Bidirectional GRU → SeqSelfAttention(return_attention) → a Dense shared by two calls →
    Add → Concatenate with the attention → Flatten → Dense."""
    rng = np.random.default_rng(2)
    gru = {"units": 4, "return_sequences": True, "activation": "tanh",
           "recurrent_activation": "sigmoid", "use_bias": True, "reset_after": False}
    fw = rnn_weights(rng, "GRU", 3, 4, 3)
    bw = rnn_weights(rng, "GRU", 3, 4, 3)
    d, u = 8, 5
    att = [("Add_Wt", rand(rng, d, u)), ("Add_Wx", rand(rng, d, u)), ("Add_bh", rand(rng, u)),
           ("Add_Wa", rand(rng, u, 1)), ("Add_ba", rand(rng, 1))]
    layers = [
        layer("input_x", "InputLayer", {"batch_input_shape": [None, 6, 3], "dtype": "float32"}),
        layer("bidir", "Bidirectional", {"merge_mode": "concat",
                                         "layer": {"class_name": "GRU",
                                                   "config": dict(gru, name="gru_in")}},
              [("forward_gru_in/" + k, v) for k, v in fw] +
              [("backward_gru_in/" + k, v) for k, v in bw]),
        layer("self_att", "SeqSelfAttention",
              {"units": u, "attention_width": None, "attention_type": "additive",
               "return_attention": True, "history_only": False, "use_additive_bias": True,
               "use_attention_bias": True, "attention_activation": "linear",
               "attention_regularizer_weight": 0.0}, att),
        layer("shared", "Dense", {"units": 3, "activation": "linear", "use_bias": True},
              [("kernel", rand(rng, 8, 3)), ("bias", rand(rng, 3))]),
        layer("add", "Add", {}),
        layer("cat", "Concatenate", {"axis": -1}),
        layer("flat", "Flatten", {}),
        layer("out", "Dense", {"units": 1, "activation": "sigmoid", "use_bias": True},
              [("kernel", rand(rng, 54, 1)), ("bias", rand(rng, 1))]),
    ]
    # inbound calls: lists of (layer, node_index, tensor_index)
    calls = {
        "bidir": [[("input_x", 0, 0)]],
        "self_att": [[("bidir", 0, 0)]],
        "shared": [[("self_att", 0, 0)], [("bidir", 0, 0)]],
        "add": [[("shared", 0, 0), ("shared", 1, 0)]],
        "cat": [[("add", 0, 0), ("self_att", 0, 1)]],
        "flat": [[("cat", 0, 0)]],
        "out": [[("flat", 0, 0)]],
    }
    return {"name": "func_attn", "class": "Functional", "layers": layers, "calls": calls,
            "inputs": [("input_x", 0, 0)], "outputs": [("out", 0, 0), ("self_att", 0, 1)]}


def nested():
    """A Sequential (GRU reset_after + Dense) used as a layer of a Functional model."""
    rng = np.random.default_rng(3)
    inner = [
        layer("gru_n", "GRU", {"units": 3, "return_sequences": True, "activation": "tanh",
                               "recurrent_activation": "sigmoid", "use_bias": True,
                               "reset_after": True},
              rnn_weights(rng, "GRU", 2, 3, 3, gru_reset_after=True)),
        layer("dense_n", "Dense", {"units": 2, "activation": "relu", "use_bias": True},
              [("kernel", rand(rng, 3, 2)), ("bias", rand(rng, 2))]),
    ]
    layers = [
        layer("input_n", "InputLayer", {"batch_input_shape": [None, 4, 2], "dtype": "float32"}),
        {"name": "inner", "class_name": "Sequential", "inner": inner, "weights": []},
        layer("pool", "GlobalAveragePooling1D", {"data_format": "channels_last"}),
        layer("head", "Dense", {"units": 1, "activation": "linear", "use_bias": True},
              [("kernel", rand(rng, 2, 1)), ("bias", rand(rng, 1))]),
    ]
    calls = {"inner": [[("input_n", 0, 0)]], "pool": [[("inner", 0, 0)]],
             "head": [[("pool", 0, 0)]]}
    return {"name": "nested", "class": "Functional", "layers": layers, "calls": calls,
            "inputs": [("input_n", 0, 0)], "outputs": [("head", 0, 0)]}


def seq_lambda():
    """A Lambda (Python code) between an LSTM and a Dense: loads, marked unsupported."""
    rng = np.random.default_rng(4)
    return {
        "name": "seq_lambda", "class": "Sequential", "input": ("input_l", [None, 3, 2]),
        "layers": [
            layer("lstm_l", "LSTM", {"units": 3, "return_sequences": True,
                                     "recurrent_activation": "sigmoid"},
                  rnn_weights(rng, "LSTM", 2, 3, 4)),
            layer("lambda_l", "Lambda", {"function": ["4wEAAAAAAAAA", None, None],
                                         "function_type": "lambda", "output_shape": None,
                                         "arguments": {}}),
            layer("dense_l", "Dense", {"units": 1, "activation": "linear", "use_bias": True},
                  [("kernel", rand(rng, 3, 1)), ("bias", rand(rng, 1))]),
        ],
    }


def zoo():
    """One call of (nearly) every layer class of the forward-pass issue, to check config
    parsing, weight checks and output shapes; the expected summary is checked by hand."""
    rng = np.random.default_rng(5)
    L = []
    calls = {}

    def add(name, cls, config, inputs, weights=()):
        L.append(layer(name, cls, config, [(v, rand(rng, *shape)) for v, shape in weights]))
        if inputs is not None:
            calls[name] = [[(i, 0, 0) if isinstance(i, str) else i for i in inputs]]

    rnn = lambda d, u, g, bias: [("kernel", (d, g * u)), ("recurrent_kernel", (u, g * u)),
                                 ("bias", bias)]
    add("tok", "InputLayer", {"batch_input_shape": [None, 8], "dtype": "int32"}, None)
    add("x", "InputLayer", {"batch_input_shape": [None, 10, 3], "dtype": "float32"}, None)
    add("emb", "Embedding", {"input_dim": 20, "output_dim": 4, "mask_zero": True}, ["tok"],
        [("embeddings", (20, 4))])
    add("ssa_mul", "SeqSelfAttention", {"attention_type": "multiplicative", "units": 32,
                                        "attention_width": 3, "history_only": True,
                                        "attention_activation": "sigmoid"}, ["emb"],
        [("Mul_Wa", (4, 4)), ("Mul_ba", (1,))])
    add("mask", "Masking", {"mask_value": 0.0}, ["x"])
    add("c_same", "Conv1D", {"filters": 5, "kernel_size": [3], "strides": [2], "padding": "same",
                             "dilation_rate": [1], "activation": "relu", "use_bias": True},
        ["mask"], [("kernel", (3, 3, 5)), ("bias", (5,))])
    add("c_causal", "Conv1D", {"filters": 4, "kernel_size": [2], "strides": [1],
                               "padding": "causal", "dilation_rate": [2], "activation": "tanh",
                               "use_bias": False}, ["mask"], [("kernel", (2, 3, 4))])
    add("c_valid", "Conv1D", {"filters": 6, "kernel_size": 3, "padding": "valid"}, ["mask"],
        [("kernel", (3, 3, 6)), ("bias", (6,))])
    add("maxpool", "MaxPooling1D", {"pool_size": [2], "strides": [2], "padding": "valid"},
        ["c_causal"])
    add("avgpool", "AveragePooling1D", {"pool_size": [3], "strides": [1], "padding": "same"},
        ["c_valid"])
    add("crop", "Cropping1D", {"cropping": [1, 2]}, ["c_causal"])
    add("zpad", "ZeroPadding1D", {"padding": [2, 2]}, ["maxpool"])
    add("upsample", "UpSampling1D", {"size": 2}, ["maxpool"])
    add("gmax", "GlobalMaxPooling1D", {"data_format": "channels_last"}, ["c_valid"])
    add("gavg", "GlobalAveragePooling1D", {"data_format": "channels_last"}, ["avgpool"])
    add("repeat", "RepeatVector", {"n": 4}, ["gmax"])
    add("permute", "Permute", {"dims": [2, 1]}, ["repeat"])
    add("reshape", "Reshape", {"target_shape": [3, -1]}, ["permute"])
    add("flat", "Flatten", {}, ["reshape"])
    add("td", "TimeDistributed", {"layer": {"class_name": "Dense",
                                            "config": {"name": "td_dense", "units": 3,
                                                       "activation": "linear", "use_bias": True}}},
        ["upsample"], [("kernel", (4, 3)), ("bias", (3,))])
    add("lnorm", "LayerNormalization", {"axis": -1, "epsilon": 0.001}, ["td"],
        [("gamma", (3,)), ("beta", (3,))])
    add("bnorm", "BatchNormalization", {"axis": 2, "center": False, "scale": True}, ["lnorm"],
        [("gamma", (3,)), ("moving_mean", (3,)), ("moving_variance", (3,))])
    add("lstm_state", "LSTM", {"units": 4, "return_sequences": True, "return_state": True,
                               "recurrent_activation": "hard_sigmoid"}, ["x"],
        rnn(3, 4, 4, (16,)))
    add("rnn_state", "SimpleRNN", {"units": 2, "return_state": True, "activation": "relu"},
        ["x"], rnn(3, 2, 1, (2,)))
    add("gru_back", "GRU", {"units": 3, "go_backwards": True, "reset_after": False}, ["x"],
        rnn(3, 3, 3, (9,)))
    add("gru_nobias", "GRU", {"units": 2, "use_bias": False, "reset_after": True}, ["x"],
        [("kernel", (3, 6)), ("recurrent_kernel", (2, 6))])
    add("bi_none", "Bidirectional", {"merge_mode": None, "layer": {"class_name": "GRU", "config": {
        "name": "g", "units": 2, "return_sequences": True, "reset_after": True}}}, ["x"],
        [("forward_g/" + v, sh) for v, sh in rnn(3, 2, 3, (2, 6))] +
        [("backward_g/" + v, sh) for v, sh in rnn(3, 2, 3, (2, 6))])
    add("bi_sum", "Bidirectional", {"merge_mode": "sum", "layer": {"class_name": "SimpleRNN",
        "config": {"name": "s", "units": 2, "return_sequences": True}}}, ["x"],
        [("forward_s/" + v, sh) for v, sh in rnn(3, 2, 1, (2,))] +
        [("backward_s/" + v, sh) for v, sh in rnn(3, 2, 1, (2,))])
    add("swa", "SeqWeightedAttention", {"use_bias": True, "return_attention": True},
        ["lstm_state"], [("W", (4, 1)), ("b", (1,))])
    add("sdpa", "ScaledDotProductAttention", {"return_attention": True, "history_only": False},
        ["lstm_state", "lstm_state", "td"])
    add("att", "Attention", {"use_scale": True, "score_mode": "dot"}, ["lnorm", "td"],
        [("scale", ())])
    add("add_att", "AdditiveAttention", {"use_scale": True}, ["td", "lnorm"], [("scale", (3,))])
    add("mha", "MultiHeadAttention", {"num_heads": 2, "key_dim": 3, "value_dim": None,
                                      "use_bias": True, "output_shape": None,
                                      "attention_axes": None}, ["td", "lstm_state"],
        [("query/kernel", (3, 2, 3)), ("query/bias", (2, 3)), ("key/kernel", (4, 2, 3)),
         ("key/bias", (2, 3)), ("value/kernel", (4, 2, 3)), ("value/bias", (2, 3)),
         ("attention_output/kernel", (2, 3, 3)), ("attention_output/bias", (3,))])
    add("dot", "Dot", {"axes": 2, "normalize": False}, ["td", "lnorm"])
    add("sub", "Subtract", {}, ["td", "lnorm"])
    add("mul", "Multiply", {}, ["td", "lnorm", "att"])
    add("avg", "Average", {}, ["td", "lnorm"])
    add("maxi", "Maximum", {}, ["td", "lnorm"])
    add("mini", "Minimum", {}, ["td", "lnorm"])
    add("softmax", "Activation", {"activation": "softmax"}, ["mini"])
    add("relu6", "ReLU", {"max_value": 6.0, "negative_slope": 0.0, "threshold": 0.0}, ["softmax"])
    add("lrelu", "LeakyReLU", {"alpha": 0.1}, ["relu6"])
    add("elu", "ELU", {"alpha": 1.0}, ["lrelu"])
    add("smax", "Softmax", {"axis": -1}, ["elu"])
    add("drop", "Dropout", {"rate": 0.5}, ["smax"])
    add("sdrop", "SpatialDropout1D", {"rate": 0.5}, ["drop"])
    add("noise", "GaussianNoise", {"stddev": 0.1}, ["sdrop"])
    add("cudnn_lstm", "CuDNNLSTM", {"units": 2}, ["x"], rnn(3, 2, 4, (16,)))
    add("cudnn_gru", "CuDNNGRU", {"units": 2, "return_sequences": True}, ["x"], rnn(3, 2, 3, (12,)))
    add("cat", "Concatenate", {"axis": 1}, ["gmax", "gavg", "flat", "rnn_state", "gru_back",
                                            "swa", "cudnn_lstm", "gru_nobias"])
    add("dense", "Dense", {"units": 1, "activation": "sigmoid", "use_bias": True}, ["cat"],
        [("kernel", (49, 1)), ("bias", (1,))])
    return {"name": "zoo", "class": "Functional", "layers": L, "calls": calls,
            "inputs": [("tok", 0, 0), ("x", 0, 0)],
            "outputs": [("dense", 0, 0), ("ssa_mul", 0, 0), ("bi_none", 0, 1), ("swa", 0, 1),
                        ("sdpa", 0, 1), ("mha", 0, 0), ("lstm_state", 0, 2), ("noise", 0, 0),
                        ("add_att", 0, 0), ("dot", 0, 0), ("sub", 0, 0), ("mul", 0, 0),
                        ("avg", 0, 0), ("maxi", 0, 0), ("bnorm", 0, 0), ("crop", 0, 0),
                        ("zpad", 0, 0), ("c_same", 0, 0), ("bi_sum", 0, 0),
                        ("cudnn_gru", 0, 0)]}


# ---------------------------------------------------------------------------------------------
# Configs

def k2_layer(l, functional, calls=None, kwargs=True):
    if "inner" in l:
        cfg = {"class_name": "Sequential",
               "config": {"name": l["name"], "layers": [k2_layer(x, False) for x in l["inner"]]}}
    else:
        cfg = {"class_name": l["class_name"], "config": copy.deepcopy(l["config"])}
    if functional:
        cfg["name"] = l["name"]
        cfg["inbound_nodes"] = [[[n, ni, ti, {}] if kwargs else [n, ni, ti]
                                 for (n, ni, ti) in call]
                                for call in (calls or {}).get(l["name"], [])]
    return cfg


def k2_config(model, bare_list=False, explicit_input=False, kwargs=True):
    if model["class"] == "Sequential":
        layers = [k2_layer(l, False) for l in model["layers"]]
        iname, shape = model["input"]
        if explicit_input:
            layers.insert(0, {"class_name": "InputLayer",
                              "config": {"batch_input_shape": shape, "dtype": "float32",
                                         "name": iname}})
        else:
            layers[0]["config"]["batch_input_shape"] = shape
        if bare_list:
            return {"class_name": "Sequential", "config": layers}
        return {"class_name": "Sequential", "config": {"name": model["name"], "layers": layers}}
    layers = [k2_layer(l, True, model["calls"], kwargs) for l in model["layers"]]
    return {"class_name": "Model" if not explicit_input else "Functional",
            "config": {"name": model["name"], "layers": layers,
                       "input_layers": [list(t) for t in model["inputs"]],
                       "output_layers": [list(t) for t in model["outputs"]]}}


def k3_tensor(ref):
    return {"class_name": "__keras_tensor__",
            "config": {"shape": None, "dtype": "float32", "keras_history": list(ref)}}


def k3_layer(l, functional, calls=None):
    if "inner" in l:
        inner = [{"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
                  "config": {"batch_shape": [None, 4, 2], "dtype": "float32",
                             "name": "inner_input"}}]
        inner += [k3_layer(x, False) for x in l["inner"]]
        out = {"module": "keras", "class_name": "Sequential", "registered_name": None,
               "config": {"name": l["name"], "layers": inner}}
    else:
        cfg = copy.deepcopy(l["config"])
        if "batch_input_shape" in cfg:
            cfg["batch_shape"] = cfg.pop("batch_input_shape")
        if l["class_name"] == "Bidirectional":
            back = copy.deepcopy(cfg["layer"])
            back["config"]["go_backwards"] = True
            back["config"]["name"] = "backward_gru_in"
            cfg["backward_layer"] = back
        out = {"module": "keras.layers", "class_name": l["class_name"], "config": cfg,
               "registered_name": None}
    if functional:
        out["name"] = l["name"]
        nodes = []
        for call in (calls or {}).get(l["name"], []):
            tensors = [k3_tensor(r) for r in call]
            if l["class_name"] == "MultiHeadAttention":  # call(query, value=...): a kwarg tensor
                nodes.append({"args": tensors[:1], "kwargs": {"value": tensors[1]}})
            else:
                nodes.append({"args": [tensors] if len(tensors) > 1 else tensors, "kwargs": {}})
        out["inbound_nodes"] = nodes
    return out


def k3_config(model):
    if model["class"] == "Sequential":
        iname, shape = model["input"]
        layers = [{"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
                   "config": {"batch_shape": shape, "dtype": "float32", "name": iname}}]
        layers += [k3_layer(l, False) for l in model["layers"]]
        cfg = {"name": model["name"], "layers": layers}
    else:
        layers = [k3_layer(l, True, model["calls"]) for l in model["layers"]]
        ins, outs = model["inputs"], model["outputs"]
        cfg = {"name": model["name"], "layers": layers,
               # Keras 3 writes a bare triple for a single input
               "input_layers": list(ins[0]) if len(ins) == 1 else [list(t) for t in ins],
               "output_layers": list(outs[0]) if len(outs) == 1 else [list(t) for t in outs]}
    return {"module": "keras", "class_name": model["class"], "config": cfg,
            "registered_name": None}


# ---------------------------------------------------------------------------------------------
# Weights by layer, with each format's names

def weight_layers(model):
    """(top-level layer, [(name inside nested, variable, array)]) for layers with weights."""
    for l in model["layers"]:
        if "inner" in l:
            yield l, [(x["name"], v, a) for x in l["inner"] for v, a in x["weights"]]
        elif l["weights"]:
            yield l, [(l["name"], v, a) for v, a in l["weights"]]


def var_name(style, model, top, owner, var, cls):
    """A weight's name in weight_names for each writer."""
    cell = {"LSTM": "lstm_cell", "GRU": "gru_cell", "SimpleRNN": "simple_rnn_cell"}.get(cls)
    if cls == "SeqSelfAttention":
        var = owner + "_" + var
    if style == "k2":
        return "%s/%s:0" % (owner, var)
    if style == "tfk2":
        if cell:
            return "%s/%s/%s:0" % (owner, cell, var)
        return "%s/%s:0" % (owner, var)
    if style == "k3legacy":
        path = "%s/%s/%s" % (model["name"], owner, cell) if cell else "%s/%s" % (model["name"], owner)
        return "%s/%s" % (path, var)
    if style == "tfjs":
        return "%s/%s" % (owner, var)
    raise ValueError(style)


def layer_class(model, owner):
    for l in model["layers"]:
        for x in l.get("inner", [l]):
            if x["name"] == owner:
                return x["class_name"]
    raise KeyError(owner)


def named_weights(style, model):
    for top, ws in weight_layers(model):
        out = []
        for owner, var, arr in ws:
            out.append((var_name(style, model, top, owner, var, layer_class(model, owner)), arr))
        yield top["name"], out


def expected(model):
    """Weights per node in Keras order: the flattened nested model names its nodes outer/inner."""
    exp = {}
    for l in model["layers"]:
        for x in l.get("inner", [l]):
            name = x["name"] if x is l else "%s/%s" % (l["name"], x["name"])
            for i, (_, a) in enumerate(x["weights"]):
                exp["%s:%d" % (name, i)] = a
    return exp


# ---------------------------------------------------------------------------------------------
# HDF5 writers

def str_attr(obj, key, values, kind):
    """kind: 'fixed' (|S arrays, Keras 2.1-2.3), 'vlen' (h5py str), 'utf8'."""
    if kind == "fixed":
        width = max([len(v) for v in values] + [1])
        obj.attrs.create(key, np.array([v.encode() for v in values], dtype="S%d" % width))
    elif not values:
        obj.attrs.create(key, np.zeros((0,), dtype=np.float64))  # what h5py/Keras write for []
    else:
        enc = "utf-8" if kind == "utf8" else "ascii"
        obj.attrs.create(key, values, dtype=h5py.string_dtype(enc))


def scalar_attr(obj, key, value, kind):
    if kind == "utf8":
        obj.attrs.create(key, value, dtype=h5py.string_dtype("utf-8"))
    else:
        obj.attrs.create(key, value, dtype=h5py.string_dtype("ascii"))


def write_layer_groups(root, model, style, kind, layer_names, split=False):
    if split:
        # Keras splits attributes over 64 KiB into name0, name1, ...: reproduce the form
        half = (len(layer_names) + 1) // 2
        str_attr(root, "layer_names0", layer_names[:half], kind)
        str_attr(root, "layer_names1", layer_names[half:], kind)
    else:
        str_attr(root, "layer_names", layer_names, kind)
    weights = dict(named_weights(style, model))
    for name in layer_names:
        g = root.create_group(name)
        ws = weights.get(name, [])
        str_attr(g, "weight_names", [n for n, _ in ws], kind)
        for n, a in ws:
            g.create_dataset(n, data=a)


def write_h5(path, model, style, config, kind, version, explicit_input=False, split=False):
    with h5py.File(path, "w") as f:
        scalar_attr(f, "keras_version", version, kind)
        scalar_attr(f, "backend", "tensorflow", kind)
        f.attrs.create("model_config", json.dumps(config), dtype=h5py.string_dtype("ascii"))
        mw = f.create_group("model_weights")
        scalar_attr(mw, "keras_version", version, kind)
        scalar_attr(mw, "backend", "tensorflow", kind)
        names = [l["name"] for l in model["layers"]]
        if model["class"] == "Sequential" and explicit_input:
            names.insert(0, model["input"][0])
        write_layer_groups(mw, model, style, kind, names, split)
        if style == "k3legacy":
            g = mw.create_group("top_level_model_weights")
            str_attr(g, "weight_names", [], kind)


def snake(name):
    import re
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def keras3_weights_h5(model, layers_key="layers"):
    """model.weights.h5 of a Keras 3 zip, as bytes (tf.keras 2.13-2.15 "keras_v3" zips name
    the layers group _layer_checkpoint_dependencies)."""
    bio = io.BytesIO()
    with h5py.File(bio, "w") as f:
        f.create_group("vars")

        def put(group, arrays):
            v = group.create_group("vars")
            for i, a in enumerate(arrays):
                v.create_dataset(str(i), data=a)

        def container(base, layers):
            counts = {}
            for l in layers:
                if l["class_name"] == "InputLayer":
                    continue
                s = snake(l["class_name"])
                if s in counts:
                    counts[s] += 1
                    s = "%s_%d" % (s, counts[s])
                else:
                    counts[s] = 0
                g = base.require_group(layers_key).create_group(s)
                if "inner" in l:
                    container(g, l["inner"])
                    put(g, [])
                elif l["class_name"] in ("LSTM", "GRU", "SimpleRNN"):
                    put(g, [])
                    put(g.create_group("cell"), [a for _, a in l["weights"]])
                elif l["class_name"] == "MultiHeadAttention":
                    put(g, [])
                    ws = [a for _, a in l["weights"]]
                    for k, sub in enumerate(("query_dense", "key_dense", "value_dense",
                                             "output_dense")):
                        put(g.create_group(sub), ws[2 * k:2 * k + 2])
                elif l["class_name"] == "TimeDistributed":
                    put(g, [])
                    put(g.create_group("layer"), [a for _, a in l["weights"]])
                elif l["class_name"] == "Bidirectional":
                    put(g, [])
                    half = len(l["weights"]) // 2
                    for sub, ws in (("forward_layer", l["weights"][:half]),
                                    ("backward_layer", l["weights"][half:])):
                        sg = g.create_group(sub)
                        put(sg, [])
                        put(sg.create_group("cell"), [a for _, a in ws])
                else:
                    put(g, [a for _, a in l["weights"]])

        container(f, model["layers"])
        f.create_group("optimizer").create_group("vars")
    return bio.getvalue()


def bfloat16_weights_h5(model):
    """model.weights.h5 with every variable stored as Keras 3 stores bfloat16: the upper 16 bits
    of the float32 as uint16, with a dtype="bfloat16" attribute. Returns (bytes, expected)."""
    bio = io.BytesIO(keras3_weights_h5(model))
    with h5py.File(bio, "a") as f:
        def convert(name, obj):
            if isinstance(obj, h5py.Dataset) and "/vars/" in "/" + name:
                bits = (np.asarray(obj).astype("<f4").view("<u4") >> 16).astype("<u2")
                del f[name]
                ds = f.create_dataset(name, data=bits)
                ds.attrs["dtype"] = "bfloat16"
        names = []
        f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
        for n in names:
            convert(n, f[n])
    exp = {k: (a.astype("<f4").view("<u4") & 0xFFFF0000).view("<f4")
           for k, a in expected(model).items()}
    return bio.getvalue(), exp


def write_keras_zip(path, model, compression, weights_h5=None):
    with zipfile.ZipFile(path, "w", compression) as z:
        for name, data in (
                ("metadata.json", json.dumps({"keras_version": "3.4.1",
                                              "date_saved": "2024-07-23@17:34:40"})),
                ("config.json", json.dumps(k3_config(model))),
                ("model.weights.h5", weights_h5 or keras3_weights_h5(model))):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = compression
            z.writestr(info, data)


# ---------------------------------------------------------------------------------------------
# TF.js

def quantize(a, dtype):
    """As tfjs-converter quantizes: q = round((a - min) / scale)."""
    if dtype == "float16":
        return a.astype("<f2"), {"dtype": "float16"}, a.astype(np.float16).astype(np.float32)
    levels = 255 if dtype == "uint8" else 65535
    lo, hi = float(a.min()), float(a.max())
    scale = (hi - lo) / levels if hi > lo else 1.0
    q = np.round((a - lo) / scale).astype("<u1" if dtype == "uint8" else "<u2")
    deq = (q.astype(np.float64) * scale + lo).astype(np.float32)
    return q, {"dtype": dtype, "scale": scale, "min": lo, "original_dtype": "float32"}, deq


def write_tfjs(dirname, model, quant=None, js=False):
    os.makedirs(dirname, exist_ok=True)
    entries = []
    for _, ws in named_weights("tfjs", model):
        entries.extend(ws)
    entries.sort(key=lambda e: e[0])  # the converter's manifest was alphabetical
    exp = {}
    groups = [entries[: len(entries) // 2], entries[len(entries) // 2:]]
    manifest = []
    for gi, group in enumerate(groups, start=1):
        blob, weights = b"", []
        for k, (name, a) in enumerate(group):
            spec = {"name": name, "shape": list(a.shape), "dtype": "float32"}
            if quant:
                kinds = ("uint8", "uint16", "float16", None)
                q = kinds[k % len(kinds)]
                if q:
                    data, qspec, deq = quantize(a, q)
                    spec["quantization"] = qspec
                    blob += data.tobytes()
                    exp[name] = deq
                    weights.append(spec)
                    continue
            blob += a.astype("<f4").tobytes()
            exp[name] = a
            weights.append(spec)
        # split the first group's bytes across two shards, mid-tensor
        cut = [len(blob) // 2 + 1] if gi == 1 else []
        pieces = np.split(np.frombuffer(blob, dtype=np.uint8), cut)
        paths = []
        for si, piece in enumerate(pieces, start=1):
            fname = "group%d-shard%dof%d.bin" % (gi, si, len(pieces))
            with open(os.path.join(dirname, fname), "wb") as f:
                f.write(piece.tobytes())
            paths.append(fname)
        manifest.append({"paths": paths, "weights": weights})
    topo = {"keras_version": "2.2.5", "backend": "tensorflow", "model_config": k2_config(model)}
    by = "keras v2.2.5"
    if js:  # tfjs-layers' own model.save(): modelTopology is the model config itself
        topo = dict(k2_config(model), keras_version="tfjs-layers 4.22.0", backend="tensor_flow.js")
        by = "TensorFlow.js tfjs-layers v4.22.0"
    doc = {"format": "layers-model", "generatedBy": by,
           "convertedBy": "TensorFlow.js Converter v1.4.0", "modelTopology": topo,
           "weightsManifest": manifest}
    with open(os.path.join(dirname, "model.json"), "w") as f:
        json.dump(doc, f, indent=1)
    return exp


def tfjs_expected(model, by_name):
    """Expected per node from the dequantized arrays (same Keras order as expected())."""
    names = {}
    for top, ws in weight_layers(model):
        for owner, var, arr in ws:
            tf = var_name("tfjs", model, top, owner, var, layer_class(model, owner))
            names.setdefault(owner, []).append(by_name[tf])
    exp = {}
    for l in model["layers"]:
        for x in l.get("inner", [l]):
            node = x["name"] if x is l else "%s/%s" % (l["name"], x["name"])
            for i, a in enumerate(names.get(x["name"], [])):
                exp["%s:%d" % (node, i)] = a
    return exp


# ---------------------------------------------------------------------------------------------

def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    z = zoo()
    np.savez(os.path.join(OUT, "zoo.expect.npz"), **expected(z))
    write_h5(os.path.join(OUT, "zoo.k2.h5"), z, "k2", k2_config(z), "vlen", "2.3.1")
    write_keras_zip(os.path.join(OUT, "zoo.keras"), z, zipfile.ZIP_STORED)
    la = long_attn()
    write_h5(os.path.join(OUT, "long_attn.k2.h5"), la, "k2", k2_config(la), "fixed", "2.2.4")
    lam = seq_lambda()
    np.savez(os.path.join(OUT, "seq_lambda.expect.npz"), **expected(lam))
    write_h5(os.path.join(OUT, "seq_lambda.k2.h5"), lam, "k2", k2_config(lam), "fixed", "2.2.4")
    for model in (seq_lstm(), func_attn(), nested()):
        m = model["name"]
        p = lambda s: os.path.join(OUT, s)
        np.savez(p(m + ".expect.npz"), **expected(model))
        write_h5(p(m + ".k2.h5"), model, "k2", k2_config(model), "fixed", "2.2.4")
        write_keras_zip(p(m + ".keras"), model, zipfile.ZIP_STORED)
        write_tfjs(p("tfjs_" + m), model)
        if model["class"] == "Sequential":
            write_h5(p(m + ".tfk2.h5"), model, "tfk2", k2_config(model, explicit_input=True),
                     "utf8", "2.13.1", explicit_input=True, split=True)
            write_h5(p(m + ".k3legacy.h5"), model, "k3legacy",
                     k2_config(model, explicit_input=True), "vlen", "3.10.0")
            write_h5(p(m + ".k21.h5"), model, "k2", k2_config(model, bare_list=True), "fixed",
                     "2.1.3")
            with open(p(m + ".json"), "w") as f:
                cfg = k2_config(model)
                cfg.update({"keras_version": "2.2.4", "backend": "tensorflow"})
                json.dump(cfg, f)
            with h5py.File(p(m + ".weights.h5"), "w") as f:
                scalar_attr(f, "keras_version", "2.2.4", "fixed")
                scalar_attr(f, "backend", "tensorflow", "fixed")
                write_layer_groups(f, model, "k2", "fixed", [l["name"] for l in model["layers"]])
            write_keras_zip(p(m + ".deflated.keras"), model, zipfile.ZIP_DEFLATED)
            bf16, exp = bfloat16_weights_h5(model)
            write_keras_zip(p(m + ".bf16.keras"), model, zipfile.ZIP_STORED, bf16)
            np.savez(p(m + "_bf16.expect.npz"), **exp)
            write_tfjs(p("tfjs_" + m + "_js"), model, js=True)
            write_keras_zip(p(m + ".tfk_v3.keras"), model, zipfile.ZIP_STORED,
                            keras3_weights_h5(model, "_layer_checkpoint_dependencies"))
            with open(p(m + ".k3.json"), "w") as f:  # Keras 3 to_json() + save_weights
                json.dump(k3_config(model), f)
            with open(p(m + ".k3.weights.h5"), "wb") as f:
                f.write(keras3_weights_h5(model))
            by_name = write_tfjs(p("tfjs_" + m + "_quant"), model, quant=True)
            np.savez(p(m + "_quant.expect.npz"), **tfjs_expected(model, by_name))
        else:
            write_h5(p(m + ".tfk2.h5"), model, "tfk2", k2_config(model, explicit_input=True),
                     "utf8", "2.13.1")
            write_h5(p(m + ".k20.h5"), model, "k2", k2_config(model, kwargs=False), "fixed",
                     "2.0.8")


if __name__ == "__main__":
    main()

"""Forward pass of the core, norm, conv and merge layers against NumPy, for the options and
masks no reference model (tests/ref) covers. Each case runs one layer with
tests/helpers/layertool and compares with Keras' formulas written here in NumPy.
Usage: layers_numpy.py LAYERTOOL SCRATCH_DIR   (prints TAP)"""
import json
import math
import os
import subprocess
import sys

import numpy as np

TOOL, TMP = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(4)
n_tap = 0


def tap(good, what, detail=""):
    global n_tap
    n_tap += 1
    print(("ok %d - %s" if good else "not ok %d - %s") % (n_tap, what))
    if not good and detail:
        for line in str(detail).splitlines():
            print("#   " + line)


def rand(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def tool_args(cls, config, inputs, weights, masks=None, keras=2):
    """layertool's arguments, with the arrays written to the scratch directory."""
    args = [TOOL, cls, json.dumps(config), "--keras", str(keras)]
    for i, w in enumerate(weights):
        path = os.path.join(TMP, "w%d.npy" % i)
        np.save(path, np.asarray(w, np.float32))
        args += ["--weight", path]
    for i, x in enumerate(inputs):
        path = os.path.join(TMP, "x%d.npy" % i)
        np.save(path, np.asarray(x, np.float32))
        args += ["--input", path]
        if masks is not None and masks[i] is not None:
            mpath = os.path.join(TMP, "m%d.npy" % i)
            np.save(mpath, np.asarray(masks[i], np.float32))
            args += ["--mask", mpath]
    return args


def run(cls, config, inputs, weights=(), masks=None, keras=2):
    """Run the layer; returns (output, mask or None) or (None, stderr) on failure."""
    out, mout = os.path.join(TMP, "out.npy"), os.path.join(TMP, "mask.txt")
    args = tool_args(cls, config, inputs, weights, masks, keras) + ["-o", out, "--mask-out", mout]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip()
    with open(mout, "rb") as f:
        none = f.read(4) == b"none"
    return np.load(out), None if none else np.load(mout)


def close(got, want):
    want = np.asarray(want, np.float64)
    if got is None or got.shape != want.shape:
        return False
    scale = max(1.0, float(np.nanmax(np.abs(want)))) if want.size else 1.0
    same_nan = np.array_equal(np.isnan(got), np.isnan(want))
    diff = np.nan_to_num(np.abs(got - want), nan=0.0)
    return same_nan and (diff.size == 0 or float(diff.max()) <= 1e-5 * scale)


def check(what, cls, config, inputs, want, weights=(), masks=None, want_mask="any", keras=2):
    got, mask = run(cls, config, inputs, weights, masks, keras)
    good = close(got, want)
    detail = mask if got is None else "got %s\nwant %s" % (got, np.asarray(want))
    if good and not isinstance(want_mask, str):
        good = (mask is None) if want_mask is None else (
            mask is not None and np.array_equal(mask, np.asarray(want_mask, np.float32)))
        detail = "mask %s, want %s" % (mask, want_mask)
    tap(good, what, detail)


def check_error(what, cls, config, inputs, needle, weights=(), status=1, masks=None):
    args = tool_args(cls, config, inputs, weights, masks) + ["-o", os.path.join(TMP, "out.npy")]
    r = subprocess.run(args, capture_output=True, text=True)
    tap(r.returncode == status and needle in r.stderr, what,
        "exit %d, stderr %s" % (r.returncode, r.stderr))


# ---- Keras' formulas ----

def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def erf(x):
    return np.vectorize(math.erf)(x)


def softplus(x):
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0)


SELU_A, SELU_S = 1.6732632423543772, 1.0507009873554805
ACTIVATIONS = {
    "linear": lambda x: x,
    "tanh": np.tanh,
    "sigmoid": sigmoid,
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": lambda x: SELU_S * np.where(x > 0, x, SELU_A * np.expm1(x)),
    "softplus": softplus,
    "softsign": lambda x: x / (1 + np.abs(x)),
    "exponential": np.exp,
    "swish": lambda x: x * sigmoid(x),
    "gelu": lambda x: 0.5 * x * (1 + erf(x / np.sqrt(2))),
    "mish": lambda x: x * np.tanh(softplus(x)),
    "softmax": softmax,
    "log_softmax": lambda x: np.log(softmax(x)),
    # Keras 3 only, with their default parameters
    "celu": lambda x: np.maximum(x, 0) + np.expm1(np.minimum(x, 0)),
    "squareplus": lambda x: (x + np.sqrt(x * x + 4)) / 2,
    "soft_shrink": lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0)),
    "hard_shrink": lambda x: np.where(np.abs(x) > 0.5, x, 0),
    "sparse_plus": lambda x: np.where(x <= -1, 0, np.where(x < 1, (x + 1) ** 2 / 4, x)),
    "tanh_shrink": lambda x: x - np.tanh(x),
    "hard_tanh": lambda x: np.clip(x, -1, 1),
    "log_sigmoid": lambda x: -softplus(-x),
    "sparse_sigmoid": lambda x: np.where(x <= -1, 0, np.where(x >= 1, 1, (x + 1) / 2)),
    "hard_silu": lambda x: x * np.clip(x / 6 + 0.5, 0, 1),
}


def conv1d(x, k, b, stride=1, dilation=1, padding="valid", groups=1):
    """TensorFlow's conv1d (cross-correlation), one sample x (T, C), kernel (K, C/g, F)."""
    T, C = x.shape
    K, cg, F = k.shape
    span = (K - 1) * dilation + 1
    if padding == "valid":
        n, left = max((T - span) // stride + 1, 0), 0
    elif padding == "same":
        n = -(-T // stride)
        left = max((n - 1) * stride + span - T, 0) // 2
    else:
        n, left = -(-T // stride), span - 1
    xp = np.zeros((T + 2 * span + stride * n, C))
    xp[left:left + T] = x
    y = np.zeros((n, F))
    fg = F // groups
    for t in range(n):
        for j in range(K):
            row = xp[t * stride + j * dilation]
            for g in range(groups):
                y[t, g * fg:(g + 1) * fg] += row[g * cg:(g + 1) * cg] @ k[j, :, g * fg:(g + 1) * fg]
    return y + (b if b is not None else 0)


def pool1d(x, size, stride, padding, average):
    T, C = x.shape
    if padding == "valid":
        n, left = max((T - size) // stride + 1, 0), 0
    else:
        n = -(-T // stride)
        left = max((n - 1) * stride + size - T, 0) // 2
    y = np.zeros((n, C))
    for t in range(n):
        lo, hi = max(t * stride - left, 0), min(t * stride - left + size, T)
        y[t] = x[lo:hi].mean(0) if average else x[lo:hi].max(0)
    return y


def l2n(x, axis):
    return x / np.sqrt(np.maximum((x * x).sum(axis=axis, keepdims=True), 1e-12))


# ---- activations ----
x = rand(2, 3, 5) * 2
for name, f in ACTIVATIONS.items():
    check("Activation %s" % name, "Activation", {"activation": name}, [x], f(x.astype(np.float64)),
          masks=[np.array([[1, 0, 1], [1, 1, 0]])], want_mask=[[1, 0, 1], [1, 1, 0]])
check("hard_sigmoid in Keras 2: clip(0.2x + 0.5)", "Activation", {"activation": "hard_sigmoid"},
      [x], np.clip(0.2 * x + 0.5, 0, 1))
check("hard_sigmoid in Keras 3: clip(x/6 + 0.5)", "Activation", {"activation": "hard_sigmoid"},
      [x * 3], np.clip(x * 3 / 6 + 0.5, 0, 1), keras=3)
check("Softmax layer on axis 1", "Softmax", {"axis": 1}, [x], softmax(x, 1))
check("Softmax layer on axis -2", "Softmax", {"axis": -2}, [x], softmax(x, 1))
xs, ms = rand(2, 5), np.array([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1]])
check("Softmax layer with a mask: masked inputs get -1e9 (Keras 2)", "Softmax", {}, [xs],
      softmax(xs + (1 - ms) * -1e9), masks=[ms], want_mask=ms)
check("Softmax layer with a mask in Keras 3.14: masked outputs are 0", "Softmax", {}, [xs],
      softmax(xs + (1 - ms) * -1e9) * ms, masks=[ms], want_mask=ms, keras="3.14.0")
check("Softmax layer with a mask broadcast over the first axes", "Softmax", {"axis": 1}, [x],
      softmax(x + np.float32(-1e9) * (1 - ms[0]).astype(np.float32), 1),  # float32, as Keras
      masks=[ms[:1]], keras="3.10")
check_error("a mask that does not broadcast to the Softmax input is an error", "Softmax", {},
            [x], "does not broadcast", masks=[ms])
check("ReLU with max_value, threshold, negative_slope", "ReLU",
      {"max_value": 1.0, "threshold": 0.5, "negative_slope": 0.1}, [x],
      np.where(x >= 1.0, 1.0, np.where(x > 0.5, x, 0.1 * (x - 0.5))))
check("LeakyReLU alpha (Keras 2 key)", "LeakyReLU", {"alpha": 0.2}, [x], np.where(x > 0, x, 0.2 * x))
check("LeakyReLU negative_slope (Keras 3 key)", "LeakyReLU", {"negative_slope": 0.05}, [x],
      np.where(x > 0, x, 0.05 * x))
check("ELU alpha", "ELU", {"alpha": 0.7}, [x], np.where(x > 0, x, 0.7 * np.expm1(x)))
check("ThresholdedReLU theta", "ThresholdedReLU", {"theta": 0.3}, [x], np.where(x > 0.3, x, 0))

al = rand(1, 5)
check("PReLU with shared_axes [1]", "PReLU", {"shared_axes": [1]}, [x], np.where(x > 0, x, al * x),
      [al], masks=[np.ones((2, 3))], want_mask=np.ones((2, 3)))
al = rand(3, 5)
check("PReLU without shared axes", "PReLU", {"shared_axes": None}, [x],
      np.where(x > 0, x, al * x), [al])
check_error("PReLU refuses an alpha of the wrong shape", "PReLU", {"shared_axes": None}, [x],
            "the config wants", [rand(1, 5)])
check("Identity (Keras 3)", "Identity", {}, [x], x, keras=3)

# ---- Dense ----
x4 = rand(2, 2, 3, 4)
k, b = rand(4, 5), rand(5)
check("Dense on a rank-4 input with softmax", "Dense", {"units": 5, "activation": "softmax"},
      [x4], softmax(x4 @ k + b), [k, b])
kk = rand(5, 5)
check("Dense without bias passes the mask on", "Dense", {"units": 5, "use_bias": False}, [x],
      x @ kk, [kk],
      masks=[np.array([[1, 1, 0], [0, 1, 1]])], want_mask=[[1, 1, 0], [0, 1, 1]])

q8 = {"module": "keras", "class_name": "QuantizedDTypePolicy",
      "config": {"name": "int8_from_float32", "source_name": "float32"}}
check_error("a quantized Dense (Keras 3 int8) is unsupported, not misread", "Dense",
            {"units": 5, "dtype": q8}, [x], "quantized Dense", [kk, rand(5), rand(5)], status=3)
check("a Dense with a float DTypePolicy runs", "Dense",
      {"units": 5, "use_bias": False,
       "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}}},
      [x], x @ kk, [kk], keras=3)

# ---- identity layers and Masking ----
for cls in ["Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout", "AlphaDropout",
            "ActivityRegularization"]:
    check("%s is the identity at inference, mask passed on" % cls, cls, {"rate": 0.5}, [x], x,
          masks=[np.array([[0, 1, 1], [1, 1, 1]])], want_mask=[[0, 1, 1], [1, 1, 1]])
xm = rand(2, 4, 3)
xm[0, 1] = 0.5
xm[1, 3] = 0.5
xm[1, 0, 0] = 0.5  # only one channel equal: not masked
want = xm.copy()
want[0, 1] = 0
want[1, 3] = 0
check("Masking zeroes and masks the steps equal to mask_value", "Masking", {"mask_value": 0.5},
      [xm], want, masks=[np.ones((2, 4))], want_mask=[[1, 0, 1, 1], [1, 1, 1, 0]])

# ---- Embedding ----
table = rand(6, 3)
ids = np.array([[1, 0, 5, 2], [0, 0, 3, 4]])
check("Embedding looks up rows, mask_zero masks id 0", "Embedding",
      {"input_dim": 6, "output_dim": 3, "mask_zero": True}, [ids], table[ids], [table],
      want_mask=(ids != 0))
check("Embedding without mask_zero gives no mask", "Embedding",
      {"input_dim": 6, "output_dim": 3}, [ids], table[ids], [table], want_mask=None)
check_error("an id outside the table is an error", "Embedding", {"input_dim": 6, "output_dim": 3},
            [np.array([[1, 2], [1, 6]])], "token id 6 (sample 1, position 1)", [table])
check_error("a negative id is an error", "Embedding", {"input_dim": 6, "output_dim": 3},
            [np.array([[-1, 2]])], "outside 0..5", [table])

# ---- shapes ----
check("Reshape with -1", "Reshape", {"target_shape": [-1, 2]}, [x4], x4.reshape(2, -1, 2))
check("Flatten drops the mask", "Flatten", {}, [x], x.reshape(2, -1),
      masks=[np.ones((2, 3))], want_mask=None)
check("Permute on a rank-4 input", "Permute", {"dims": [3, 1, 2]}, [x4], x4.transpose(0, 3, 1, 2))
x2 = rand(3, 4)
check("RepeatVector", "RepeatVector", {"n": 3}, [x2], np.repeat(x2[:, None, :], 3, axis=1))

# ---- normalization ----
g, be, mu, var = rand(3), rand(3), rand(3), np.abs(rand(3)) + 0.1
xb = rand(2, 3, 4)
check("BatchNormalization on axis 1", "BatchNormalization", {"axis": 1, "epsilon": 0.01}, [xb],
      (xb - mu[:, None]) / np.sqrt(var[:, None] + 0.01) * g[:, None] + be[:, None],
      [g, be, mu, var], masks=[np.ones((2, 3))], want_mask=np.ones((2, 3)))
check("BatchNormalization without center and scale", "BatchNormalization",
      {"axis": -1, "center": False, "scale": False, "epsilon": 0.001}, [xb.transpose(0, 2, 1)],
      (xb.transpose(0, 2, 1) - mu) / np.sqrt(var + 0.001), [mu, var])
check("BatchNormalization with scale only", "BatchNormalization",
      {"axis": [2], "center": False}, [xb.transpose(0, 2, 1)],
      (xb.transpose(0, 2, 1) - mu) / np.sqrt(var + 0.001) * g, [g, mu, var])
m1, v1 = xb.mean(1, keepdims=True), xb.var(1, keepdims=True)
check("LayerNormalization on axis 1", "LayerNormalization", {"axis": 1, "epsilon": 0.01}, [xb],
      (xb - m1) / np.sqrt(v1 + 0.01) * g[:, None] + be[:, None], [g, be])
g4 = rand(4)
m2, v2 = xb.mean(2, keepdims=True), xb.var(2, keepdims=True)
check("LayerNormalization on axis [-1] without center", "LayerNormalization",
      {"axis": [-1], "epsilon": 0.001, "center": False}, [xb],
      (xb - m2) / np.sqrt(v2 + 0.001) * g4, [g4], masks=[np.array([[1, 0, 1], [1, 1, 1]])],
      want_mask=[[1, 0, 1], [1, 1, 1]])

g34, b34 = rand(3, 4), rand(3, 4)
m12, v12 = xb.mean((1, 2), keepdims=True), xb.var((1, 2), keepdims=True)
check("LayerNormalization over axes [1, 2]", "LayerNormalization",
      {"axis": [1, 2], "epsilon": 0.001}, [xb], (xb - m12) / np.sqrt(v12 + 0.001) * g34 + b34,
      [g34, b34])
x5 = rand(2, 3, 4, 5)
g35 = rand(3, 5)
m13, v13 = x5.mean((1, 3), keepdims=True), x5.var((1, 3), keepdims=True)
check("LayerNormalization over axes [1, 3] of a rank-4 input", "LayerNormalization",
      {"axis": [1, -1], "epsilon": 0.01, "center": False}, [x5],
      (x5 - m13) / np.sqrt(v13 + 0.01) * g35[:, None, :], [g35])
got_u, err_u = run("LayerNormalization", {"axis": [2, 1]}, [xb], [g34.T, b34.T])
tap(got_u is None and "increasing" in err_u, "LayerNormalization over unsorted axes is refused",
    err_u)

# ---- convolution and pooling ----
xc = rand(2, 9, 4)
for opts in [dict(padding="valid", strides=2, dilation_rate=1, groups=1),
             dict(padding="same", strides=3, dilation_rate=1, groups=2),
             dict(padding="causal", strides=1, dilation_rate=2, groups=4),
             dict(padding="same", strides=1, dilation_rate=3, groups=1)]:
    kc = rand(3, 4 // opts["groups"], 4)
    bc = rand(4)
    want = np.stack([conv1d(s, kc, bc, opts["strides"], opts["dilation_rate"], opts["padding"],
                            opts["groups"]) for s in xc])
    cfg = dict(opts, filters=4, kernel_size=3, activation="relu")
    check("Conv1D %s" % json.dumps(opts), "Conv1D", cfg, [xc], np.maximum(want, 0), [kc, bc],
          masks=[np.ones((2, 9))], want_mask=None)
kc = rand(2, 4, 5)
check("Conv1D without bias", "Conv1D", {"filters": 5, "kernel_size": 2, "use_bias": False}, [xc],
      np.stack([conv1d(s, kc, None) for s in xc]), [kc])
check_error("Conv1D refuses input channels that do not fit its kernel", "Conv1D",
            {"filters": 5, "kernel_size": 2}, [rand(2, 9, 3)], "the config wants", [kc, rand(5)])
for cls, avg in [("MaxPooling1D", False), ("AveragePooling1D", True)]:
    for pad, size, stride in [("same", 3, 2), ("valid", 2, 3), ("same", 4, 4)]:
        check("%s %s pool %d stride %d" % (cls, pad, size, stride), cls,
              {"pool_size": size, "strides": stride, "padding": pad}, [xc],
              np.stack([pool1d(s, size, stride, pad, avg) for s in xc]))
gm = np.array([[1, 1, 0, 0, 1, 0, 0, 0, 1], [0, 1, 1, 1, 1, 1, 1, 1, 0]])
check("GlobalAveragePooling1D averages the unmasked steps", "GlobalAveragePooling1D", {}, [xc],
      (xc * gm[..., None]).sum(1) / gm.sum(1)[:, None], masks=[gm], want_mask=None)
check("GlobalAveragePooling1D keepdims", "GlobalAveragePooling1D", {"keepdims": True}, [xc],
      xc.mean(1, keepdims=True))
check("GlobalMaxPooling1D ignores the mask", "GlobalMaxPooling1D", {}, [xc], xc.max(1),
      masks=[gm], want_mask=None)
check("GlobalMaxPooling1D keepdims", "GlobalMaxPooling1D", {"keepdims": True}, [xc],
      xc.max(1, keepdims=True))
check("Cropping1D", "Cropping1D", {"cropping": [2, 3]}, [xc], xc[:, 2:-3])
check("ZeroPadding1D", "ZeroPadding1D", {"padding": [1, 2]}, [xc],
      np.pad(xc, ((0, 0), (1, 2), (0, 0))))
check("UpSampling1D", "UpSampling1D", {"size": 3}, [xc], np.repeat(xc, 3, axis=1))
# channels_first: input (batch, channels, steps)
xf = xc.transpose(0, 2, 1)
kc, bc = rand(3, 2, 4), rand(4)
check("Conv1D channels_first", "Conv1D",
      {"filters": 4, "kernel_size": 3, "padding": "same", "groups": 2,
       "data_format": "channels_first"}, [xf],
      np.stack([conv1d(s, kc, bc, padding="same", groups=2) for s in xc]).transpose(0, 2, 1),
      [kc, bc])
check("MaxPooling1D channels_first", "MaxPooling1D",
      {"pool_size": 3, "strides": 2, "padding": "same", "data_format": "channels_first"}, [xf],
      np.stack([pool1d(s, 3, 2, "same", False) for s in xc]).transpose(0, 2, 1))
check("GlobalAveragePooling1D channels_first with a mask", "GlobalAveragePooling1D",
      {"data_format": "channels_first"}, [xf], (xc * gm[..., None]).sum(1) / gm.sum(1)[:, None],
      masks=[gm])
check("GlobalMaxPooling1D channels_first keepdims", "GlobalMaxPooling1D",
      {"data_format": "channels_first", "keepdims": True}, [xf], xf.max(2, keepdims=True))
check("ZeroPadding1D channels_first (Keras 3)", "ZeroPadding1D",
      {"padding": 2, "data_format": "channels_first"}, [xf],
      np.pad(xf, ((0, 0), (0, 0), (2, 2))), keras=3)
check_error("pooling refuses causal padding", "MaxPooling1D", {"padding": "causal"}, [xc],
            "causal")

# ---- merge ----
a, b3, c = rand(2, 3, 4), rand(2, 3, 4), rand(2, 1, 4)
ma, mb = np.array([[1, 1, 0], [0, 1, 1]]), np.array([[1, 0, 1], [0, 1, 1]])
check("Add of three inputs, masks combined with and", "Add", {}, [a, b3, a], a + b3 + a,
      masks=[ma, mb, None], want_mask=ma * mb)
check("Subtract", "Subtract", {}, [a, b3], a - b3, masks=[None, None], want_mask=None)
check("Multiply broadcasts an axis of size 1", "Multiply", {}, [a, c], a * c)
check("Average broadcasts an axis of size 1", "Average", {}, [c, a], (a + c) / 2)
check("Maximum", "Maximum", {}, [a, b3], np.maximum(a, b3))
check("Minimum", "Minimum", {}, [a, b3], np.minimum(a, b3))
check("Concatenate on the last axis: masks combined with and", "Concatenate", {"axis": -1},
      [a, b3], np.concatenate([a, b3], -1), masks=[ma, None], want_mask=ma)
check("Concatenate on the steps axis: masks concatenated", "Concatenate", {"axis": 1},
      [a, b3[:, :2]], np.concatenate([a, b3[:, :2]], 1), masks=[ma, None],
      want_mask=np.concatenate([ma, np.ones((2, 2))], 1))
check("Concatenate without masks gives none", "Concatenate", {"axis": 1}, [a, b3],
      np.concatenate([a, b3], 1), want_mask=None)
d1, d2 = rand(2, 3, 4), rand(2, 5, 4)
check("Dot over the channels of two sequences", "Dot", {"axes": [2, 2]}, [d1, d2],
      np.einsum("btc,bsc->bts", d1, d2))
check("Dot over the steps, normalized", "Dot", {"axes": 1, "normalize": True}, [d1, b3],
      np.einsum("btc,btd->bcd", l2n(d1, 1), l2n(b3, 1)))
v1, v2 = rand(3, 4), rand(3, 4)
check("Dot of two vectors keeps a unit axis", "Dot", {"axes": -1}, [v1, v2],
      (v1 * v2).sum(1, keepdims=True))

# Keras 3 (since 3.4) merge masks, with the values of Keras' own merging_test.py: masked
# values take no part in Multiply/Maximum/Minimum, masks combine with or, Concatenate uses any().
k1 = np.array([[[0, 0], [1, 2], [0, 0], [3, 4]]])
k2 = np.array([[[0, 0], [0, 0], [1, 2], [3, 4]]])
km1, km2 = np.array([[0, 1, 0, 1]]), np.array([[0, 0, 1, 1]])
K3_CASES = [
    ("Add", k1, k2, [[[0, 0], [1, 2], [1, 2], [6, 8]]]),
    ("Subtract", k1, k2, [[[0, 0], [1, 2], [-1, -2], [0, 0]]]),
    ("Average", k1, k2, [[[0, 0], [0.5, 1], [0.5, 1], [3, 4]]]),
]
for cls, u, v, want in K3_CASES:
    check("Keras 3 %s, one input masked: no mask" % cls, cls, {}, [u, v], want,
          masks=[km1, None], want_mask=None, keras=3)
    check("Keras 3 %s, both masked: masks or-ed" % cls, cls, {}, [u, v], want,
          masks=[km1, km2], want_mask=[[0, 1, 1, 1]], keras=3)
check("Keras 3 Multiply, one input masked: its masked values count as 1", "Multiply", {},
      [k1, k2], [[[0, 0], [0, 0], [1, 2], [9, 16]]], masks=[km1, None], want_mask=None, keras=3)
check("Keras 3 Multiply, both masked", "Multiply", {}, [k1, k2],
      [[[0, 0], [1, 2], [1, 2], [9, 16]]], masks=[km1, km2], want_mask=[[0, 1, 1, 1]], keras=3)
check("Keras 3 Maximum, one input masked", "Maximum", {}, [-k1, -k2],
      [[[0, 0], [0, 0], [-1, -2], [-3, -4]]], masks=[km1, None], want_mask=None, keras=3)
check("Keras 3 Maximum, both masked", "Maximum", {}, [-k1, -k2],
      [[[0, 0], [-1, -2], [-1, -2], [-3, -4]]], masks=[km1, km2], want_mask=[[0, 1, 1, 1]],
      keras=3)
check("Keras 3 Minimum, one input masked", "Minimum", {}, [k1, k2],
      [[[0, 0], [0, 0], [1, 2], [3, 4]]], masks=[km1, None], want_mask=None, keras=3)
check("Keras 3 Minimum, both masked", "Minimum", {}, [k1, k2],
      [[[0, 0], [1, 2], [1, 2], [3, 4]]], masks=[km1, km2], want_mask=[[0, 1, 1, 1]], keras=3)
check("Keras 3 Concatenate on the steps axis", "Concatenate", {"axis": 1}, [k1, k2],
      np.concatenate([k1, k2], 1), masks=[km1, None], want_mask=[[0, 1, 0, 1, 1, 1, 1, 1]],
      keras=3)
check("Keras 3 Concatenate on the channels: any()", "Concatenate", {"axis": 2}, [k1, k2],
      np.concatenate([k1, k2], 2), masks=[km1, None], want_mask=[[1, 1, 1, 1]], keras=3)
check("Keras 2 Concatenate on the channels: all()", "Concatenate", {"axis": 2}, [k1, k2],
      np.concatenate([k1, k2], 2), masks=[km1, km2], want_mask=km1 * km2)
check("Keras 2 Maximum ignores the masks' values", "Maximum", {}, [-k1, -k2],
      np.maximum(-k1, -k2), masks=[km1, km2], want_mask=km1 * km2)

check_error("merging shapes that do not fit is an error", "Add", {}, [a, rand(2, 4, 4)],
            "cannot merge")
print("1..%d" % n_tap)

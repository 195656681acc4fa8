#!/usr/bin/python3
"""Write tests/data/nan_weights/: the seq_lstm model of make_models.py (LSTM(4), hard_sigmoid
gates, then Dense(2)) with NaN and Inf in its weights, in three formats, an input, and what
Keras computes from them (NumPy, float64, IEEE arithmetic as TensorFlow has it):

  lstm_a/kernel[0, 1]  = +Inf   input gate of unit 1: x > 0, so z = +Inf, hard_sigmoid -> 1
  lstm_a/kernel[1, 10] = -Inf   cell candidate of unit 2: z = -Inf, tanh -> -1
  dense_b/kernel[3, 1] = NaN    output 1 is NaN at every step
  dense_b/bias[0]      = +Inf   output 0 is +Inf (the Dense is made linear to keep it)

The LSTM's outputs stay finite (saturated gates), Dense's carry NaN and Inf: every view must
show and count them (tests/cli/nan_weights.sh).

Run: /usr/bin/python3 tests/data/make_nan_weights.py
"""
import os
import shutil
import sys
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_models as mm  # noqa: E402

OUT = os.path.join(HERE, "nan_weights")


def poisoned_model():
    model = mm.seq_lstm()
    lstm, dense = model["layers"]
    w = dict(lstm["weights"])
    w["kernel"][0, 1] = np.inf
    w["kernel"][1, 10] = -np.inf
    w = dict(dense["weights"])
    w["kernel"][3, 1] = np.nan
    w["bias"][0] = np.inf
    dense["config"]["activation"] = "linear"
    return model


def hard_sigmoid(x, keras_major):  # Keras 2 (and TF.js): 0.2x + 0.5; Keras 3: x/6 + 0.5
    return np.clip((0.2 * x if keras_major == 2 else x / 6) + 0.5, 0.0, 1.0)


def forward(model, x, keras_major):
    """Keras' LSTM (gates i, f, c, o; zero initial states) and Dense, in float64."""
    hs_ = lambda z: hard_sigmoid(z, keras_major)  # noqa: E731
    lstm, dense = model["layers"]
    k, r, b = (a.astype(np.float64) for _, a in lstm["weights"])
    u = r.shape[0]
    h = np.zeros((x.shape[0], u))
    c = np.zeros((x.shape[0], u))
    hs = []
    for t in range(x.shape[1]):
        z = x[:, t].astype(np.float64) @ k + h @ r + b
        i, f = hs_(z[:, :u]), hs_(z[:, u:2 * u])
        c = f * c + i * np.tanh(z[:, 2 * u:3 * u])
        h = hs_(z[:, 3 * u:]) * np.tanh(c)
        hs.append(h)
    seq = np.stack(hs, 1)
    dk, db = (a.astype(np.float64) for _, a in dense["weights"])
    with np.errstate(invalid="ignore"):
        out = seq @ dk + db
    return seq.astype(np.float32), out.astype(np.float32)


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    model = poisoned_model()
    p = lambda s: os.path.join(OUT, s)  # noqa: E731
    mm.write_h5(p("seq_lstm.k2.h5"), model, "k2", mm.k2_config(model), "fixed", "2.2.4")
    mm.write_keras_zip(p("seq_lstm.keras"), model, zipfile.ZIP_STORED)
    mm.write_tfjs(p("tfjs"), model)
    # strictly positive inputs: 0 * Inf would be NaN, which is not what this case is about
    x = np.random.default_rng(7).uniform(0.1, 1.0, (2, 5, 3)).astype(np.float32)
    np.save(p("input.npy"), x)
    expect = {}
    for major in (2, 3):  # the .h5 and TF.js files are Keras 2, the .keras file Keras 3
        expect["lstm_a_k%d" % major], expect["dense_b_k%d" % major] = forward(model, x, major)
    np.savez(p("expect.npz"), **expect)


if __name__ == "__main__":
    main()

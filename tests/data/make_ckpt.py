#!/usr/bin/python3
"""Write tests/data/ckpt/: checkpoints of one small training run, as Keras' ModelCheckpoint
names them, for `diff`, `timeline` and `--watch` (tests/cli/ckpt_diff.sh, ckpt_timeline.sh).
Only Debian's python3-numpy and python3-h5py; the files are Keras 2.2-style .h5 written by
make_models.py's writer.

The model: Input(6, 3) -> LSTM(4, return_sequences, sigmoid gates) -> SeqSelfAttention(additive,
3 units) -> Dense(2). "Training" is a seeded random walk of the weights, growing with the epoch;
epoch 3's LSTM kernel is scaled up so that its gates saturate.

  run/weights.{epoch:02d}-{val_loss:.2f}.h5   epochs 1, 2, 3, 10 (10 sorts last by number)
  numbered/epoch_2.h5, epoch_10.h5              names whose text order is not the epoch order
  gru.h5          the same layers with a GRU in place of the LSTM (architecture differs)
  wide_dense.h5   Dense(3) in place of Dense(2) (a weight's shape differs)
  input.npy       two samples (2, 6, 3)

Run: /usr/bin/python3 tests/data/make_ckpt.py
"""
import copy
import os
import shutil
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_models as mm  # noqa: E402

OUT = os.path.join(HERE, "ckpt")
EPOCHS = (1, 2, 3, 10)


def model(rnn="LSTM", dense_units=2):
    rng = np.random.default_rng(19)
    d, u = 4, 3
    gates = 4 if rnn == "LSTM" else 3
    rnn_cfg = {"units": d, "return_sequences": True, "activation": "tanh",
               "recurrent_activation": "sigmoid", "use_bias": True}
    if rnn == "GRU":
        rnn_cfg["reset_after"] = False
    return {
        "name": "run", "class": "Sequential", "input": ("input_a", [None, 6, 3]),
        "layers": [
            mm.layer("rnn_a", rnn, rnn_cfg, mm.rnn_weights(rng, rnn, 3, d, gates)),
            mm.layer("att_b", "SeqSelfAttention",
                     {"units": u, "attention_width": None, "attention_type": "additive",
                      "return_attention": False, "history_only": False,
                      "use_additive_bias": True, "use_attention_bias": True,
                      "attention_activation": None, "attention_regularizer_weight": 0.0},
                     [("Add_Wt", mm.rand(rng, d, u)), ("Add_Wx", mm.rand(rng, d, u)),
                      ("Add_bh", mm.rand(rng, u)), ("Add_Wa", mm.rand(rng, u, 1)),
                      ("Add_ba", mm.rand(rng, 1))]),
            mm.layer("dense_c", "Dense", {"units": dense_units, "activation": "linear",
                                          "use_bias": True},
                     [("kernel", mm.rand(rng, d, dense_units)), ("bias", mm.rand(rng, dense_units))]),
        ],
    }


def at_epoch(base, epoch):
    m = copy.deepcopy(base)
    rng = np.random.default_rng(1000 + epoch)
    for l in m["layers"]:
        l["weights"] = [(n, (a + 0.05 * epoch * rng.standard_normal(a.shape)).astype(np.float32))
                        for n, a in l["weights"]]
    if epoch == 3:
        n, k = m["layers"][0]["weights"][0]
        m["layers"][0]["weights"][0] = (n, (k * 8).astype(np.float32))
    return m


def write(path, m):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mm.write_h5(path, m, "k2", mm.k2_config(m), "fixed", "2.2.4")


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    base = model()
    for e in EPOCHS:
        write(os.path.join(OUT, "run", "weights.%02d-%.2f.h5" % (e, 1.0 / e)), at_epoch(base, e))
    for e in (2, 10):
        write(os.path.join(OUT, "numbered", "epoch_%d.h5" % e), at_epoch(base, e))
    write(os.path.join(OUT, "gru.h5"), model("GRU"))
    write(os.path.join(OUT, "wide_dense.h5"), model(dense_units=3))
    x = np.random.default_rng(5).uniform(-1, 1, (2, 6, 3)).astype(np.float32)
    np.save(os.path.join(OUT, "input.npy"), x)


if __name__ == "__main__":
    main()

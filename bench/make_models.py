#!/usr/bin/python3
"""Write the forward-pass benchmark's models and inputs (issue 10), seeded, into OUT_DIR:

    make_models.py OUT_DIR [--quick]

  <model>.h5         Keras 2.2.4 full-model HDF5 files, written by tests/ref/kerasfmt.py (the
                     writer of the test fixtures, checked against real Keras files)
  <case>.in.npy      the input of each case (uniform in [-1, 1), float32, batch axis first)
  cases.json         what bench/run.py and bench/peer.py need: per case the model, the input,
                     the layers (for the bounds and for PyTorch) and the repetitions
  big.h5             a ~200 MB model (two LSTMs of 2048 units) for the load-time measurement

The seed's model is the bundled demo (share/rnnscope/demo/demo.h5: LSTM 60 + SeqSelfAttention on
240 x 4) with its bundled input. Files that exist with the same contents are left alone, so a
second run only rewrites what changed (the seeds make every file the same each time).
"""
import hashlib
import json
import os
import sys
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'ref'))
import kerasfmt  # noqa: E402
from numpy_refs import rnn_cfg  # noqa: E402

FEATURES = 32      # input features of the recurrent cases
UNITS = (64, 256, 1024)
ATT_T, ATT_FEATURES, ATT_UNITS = 2048, 64, 32


# ------------------------------------------------------------------ weights ---

def uniform(rng, shape, scale):
    return rng.uniform(-scale, scale, shape).astype(np.float32)


def rnn_weights(rng, cls, d, u, name):
    """Keras order kernel, recurrent_kernel, bias; PyTorch's default scale 1/sqrt(u)."""
    g = 4 if cls == 'LSTM' else 3
    s = 1.0 / np.sqrt(u)
    bias_shape = (g * u,) if cls == 'LSTM' else (2, g * u)  # GRU reset_after: input and recurrent rows
    return [('%s/kernel' % name, uniform(rng, (d, g * u), s)),
            ('%s/recurrent_kernel' % name, uniform(rng, (u, g * u), s)),
            ('%s/bias' % name, uniform(rng, bias_shape, s))]


def rnn_layer(rng, cls, name, d, u):
    cfg = rnn_cfg(cls, name, u, return_sequences=True, reset_after=True)
    return cfg, rnn_weights(rng, cls, d, u, name)


def bidir_layer(rng, name, d, u):
    inner = 'lstm_%s' % name
    cfg = {'name': name, 'trainable': True, 'merge_mode': 'concat',
           'layer': {'class_name': 'LSTM', 'config': rnn_cfg('LSTM', inner, u, return_sequences=True)}}
    weights = (rnn_weights(rng, 'LSTM', d, u, '%s/forward_%s' % (name, inner)) +
               rnn_weights(rng, 'LSTM', d, u, '%s/backward_%s' % (name, inner)))
    return cfg, weights


def attention_layer(rng, name, d, u):
    cfg = {'name': name, 'trainable': True, 'units': u, 'attention_width': None,
           'attention_type': 'additive', 'return_attention': False, 'history_only': False,
           'use_additive_bias': True, 'use_attention_bias': True, 'attention_activation': 'linear',
           'attention_regularizer_weight': 0.0,
           'kernel_initializer': {'class_name': 'GlorotNormal', 'config': {'seed': None}},
           'bias_initializer': {'class_name': 'Zeros', 'config': {}}, 'kernel_regularizer': None,
           'bias_regularizer': None, 'kernel_constraint': None, 'bias_constraint': None}
    s = 1.0 / np.sqrt(d)
    weights = [('%s/%s_Add_Wt' % (name, name), uniform(rng, (d, u), s)),
               ('%s/%s_Add_Wx' % (name, name), uniform(rng, (d, u), s)),
               ('%s/%s_Add_bh' % (name, name), uniform(rng, (u,), 0.1)),
               ('%s/%s_Add_Wa' % (name, name), uniform(rng, (u, 1), 1.0 / np.sqrt(u))),
               ('%s/%s_Add_ba' % (name, name), uniform(rng, (1,), 0.1))]
    return cfg, weights


# ------------------------------------------------------------------- models ---

def sequential(key, input_shape, layers):
    """layers: [(class_name, cfg, weights)] -> kerasfmt.Model (Keras 2.2.4 Sequential)."""
    cfgs = []
    for i, (cls, cfg, _) in enumerate(layers):
        cfg = dict(cfg)
        if i == 0:
            cfg['batch_input_shape'] = [None] + list(input_shape)
        cfgs.append({'class_name': cls, 'config': cfg})
    config = {'class_name': 'Sequential', 'config': {'name': key, 'layers': cfgs}}
    mlayers = [{'name': cfg['name'], 'class_name': cls, 'weights': w} for cls, cfg, w in layers]
    return kerasfmt.Model(key, key, config, mlayers, shapes={})


def digest(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


def write_if_changed(path, write):
    """write(tmp) writes the file; keep the old one when identical (timestamps stay)."""
    tmp = path + '.tmp'
    write(tmp)
    if os.path.exists(path) and digest(path) == digest(tmp):
        os.remove(tmp)
    else:
        os.replace(tmp, path)


def save_model(out, model):
    path = os.path.join(out, model.key + '.h5')
    write_if_changed(path, lambda p: kerasfmt.write_h5_model(model, p, 'k22'))
    return path


def save_input(out, name, x):
    path = os.path.join(out, name.replace(' ', '.') + '.in.npy')
    write_if_changed(path, lambda p: np.save(open(p, 'wb'), x))
    return path


def recurrent_cases(quick):
    """(cell, units, T, batch) in the order they run. Not run: batch 32 at T 4096 beyond 64 units
    (PyTorch alone would take minutes per repetition, see README.md)."""
    if quick:
        return [(cell, u, T, b) for cell in ('LSTM', 'GRU')
                for (u, T, b) in ((64, 256, 1), (256, 256, 1), (256, 256, 32), (1024, 256, 1),
                                  (256, 4096, 1))]
    cases = []
    for cell in ('LSTM', 'GRU'):
        for u in UNITS:
            cases += [(cell, u, 256, 1), (cell, u, 256, 32), (cell, u, 4096, 1)]
        cases.append((cell, 64, 4096, 32))
    return cases


def main():
    out = sys.argv[1]
    quick = '--quick' in sys.argv[2:]
    os.makedirs(out, exist_ok=True)
    cases = []

    def add_case(name, model_path, x, layers, kind, last_layer):
        cases.append({'name': name, 'model': model_path, 'input': save_input(out, name, x),
                      'kind': kind, 'batch': int(x.shape[0]), 'T': int(x.shape[1]),
                      'layers': layers, 'last_layer': last_layer})

    for cell, u, T, batch in recurrent_cases(quick):
        key = '%s%d_t%d' % (cell.lower(), u, T)
        rng = np.random.default_rng(zlib.crc32(key.encode()))
        cfg, w = rnn_layer(rng, cell, cell.lower() + '_1', FEATURES, u)
        path = save_model(out, sequential(key, [T, FEATURES], [(cell, cfg, w)]))
        x = np.random.default_rng(7 + batch).uniform(-1, 1, (batch, T, FEATURES)).astype(np.float32)
        add_case('%s b%d' % (key, batch), path, x,
                 [{'cell': cell, 'in': FEATURES, 'units': u, 'dirs': 1}], 'rnn', cell.lower() + '_1')

    rng = np.random.default_rng(31)
    c1, w1 = bidir_layer(rng, 'bidir_1', FEATURES, 128)
    c2, w2 = bidir_layer(rng, 'bidir_2', 256, 128)
    path = save_model(out, sequential('bilstm2x128_t256', [256, FEATURES],
                                      [('Bidirectional', c1, w1), ('Bidirectional', c2, w2)]))
    layers = [{'cell': 'LSTM', 'in': FEATURES, 'units': 128, 'dirs': 2},
              {'cell': 'LSTM', 'in': 256, 'units': 128, 'dirs': 2}]
    for batch in (1, 32):
        x = np.random.default_rng(40 + batch).uniform(-1, 1, (batch, 256, FEATURES)).astype(np.float32)
        add_case('bilstm2x128_t256 b%d' % batch, path, x, layers, 'bilstm', 'bidir_2')

    demo = os.path.join(HERE, '..', 'share', 'rnnscope', 'demo', 'demo.h5')
    demo_in = np.load(os.path.join(HERE, '..', 'share', 'rnnscope', 'demo', 'demo.inputs.npy'))
    for x in (demo_in[:1], demo_in):
        add_case('seed lstm60+att t240 b%d' % x.shape[0], os.path.abspath(demo),
                 np.ascontiguousarray(x, dtype=np.float32),
                 [{'cell': 'LSTM', 'in': 4, 'units': 60, 'dirs': 1}], 'seed', 'dense_1')

    rng = np.random.default_rng(51)
    cfg, w = attention_layer(rng, 'att_1', ATT_FEATURES, ATT_UNITS)
    path = save_model(out, sequential('attention_t%d' % ATT_T, [ATT_T, ATT_FEATURES],
                                      [('SeqSelfAttention', cfg, w)]))
    x = np.random.default_rng(52).uniform(-1, 1, (1, ATT_T, ATT_FEATURES)).astype(np.float32)
    add_case('attention t%d b1' % ATT_T, path, x, [], 'attention', 'att_1')

    # ~200 MB of weights for the load time: LSTM(2048) on 32 features, then LSTM(2048)
    rng = np.random.default_rng(61)
    ca, wa = rnn_layer(rng, 'LSTM', 'lstm_big_1', FEATURES, 2048)
    cb, wb = rnn_layer(rng, 'LSTM', 'lstm_big_2', 2048, 2048)
    big = save_model(out, sequential('big', [16, FEATURES], [('LSTM', ca, wa), ('LSTM', cb, wb)]))

    with open(os.path.join(out, 'cases.json'), 'w') as f:
        json.dump({'cases': cases, 'big_model': big}, f, indent=1)


if __name__ == '__main__':
    main()

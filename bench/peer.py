#!/usr/bin/python3
"""The peer of the forward-pass benchmark: the same models in PyTorch (Debian's python3-torch)
and, for SeqSelfAttention, which PyTorch lacks, a vectorized NumPy version of keras-self-attention's
maths. A worker process driven by bench/run.py, one per thread count:

    peer.py THREADS        (run.py also sets OMP_NUM_THREADS / OPENBLAS_NUM_THREADS = THREADS)

It reads one JSON request per line on stdin and answers one JSON line on stdout:
  {"op": "forward", "case": {...cases.json entry...}, "out": PATH or null} -> {"secs": s}
      one forward pass timed with time.perf_counter around the forward call only (weights are
      loaded and the input is made a tensor before, once per case), under torch.inference_mode
  {"op": "load", "path": H5} -> {"secs": s}   h5py opening the file and reading every weight
Its first line is {"torch": version, "numpy": version, "threads": torch.get_num_threads()}.
"""
import ctypes
import json
import os
import sys
import time

import h5py
import numpy as np
import torch

ATTENTION_CHUNK = 1 << 24  # elements of the (batch, rows, T, units) block of tanh at a time


# ------------------------------------------------------------------ weights ---

def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def layer_weights(path):
    """{layer name: [arrays in Keras order]} of a Keras 2 full-model HDF5 file."""
    out = {}
    with h5py.File(path, 'r') as f:
        mw = f['model_weights']
        for name in (text(n) for n in mw.attrs['layer_names']):
            g = mw[name]
            names = [text(n) for n in g.attrs.get('weight_names', [])]
            out[name] = [np.asarray(g[n][()], dtype=np.float32) for n in names]
    return out


def by_suffix(arrays_and_names, suffix):
    for name, a in arrays_and_names:
        if name.endswith(suffix):
            return a
    raise KeyError(suffix)


def attention_weights(path, layer):
    with h5py.File(path, 'r') as f:
        g = f['model_weights'][layer]
        named = [(text(n).split(':')[0], np.asarray(g[text(n)][()], dtype=np.float32))
                 for n in g.attrs['weight_names']]
    return [by_suffix(named, s) for s in ('_Add_Wt', '_Add_Wx', '_Add_bh', '_Add_Wa', '_Add_ba')]


# ---------------------------------------------------- Keras -> PyTorch RNNs ---

def gru_rows(m, u):
    """Keras GRU gate blocks z, r, h (columns) -> PyTorch r, z, n (rows)."""
    return np.concatenate([m[..., u:2 * u], m[..., :u], m[..., 2 * u:]], axis=-1)


def set_direction(rnn, layer, suffix, cell, kernel, rec, bias):
    """Keras kernels are (in, G*u): PyTorch's weight_ih is its transpose. Keras LSTM has one bias
    (bias_hh = 0); GRU(reset_after=True) has input and recurrent bias rows."""
    u = rec.shape[0]
    if cell == 'GRU':
        kernel, rec, bias = gru_rows(kernel, u), gru_rows(rec, u), gru_rows(bias, u)
        b_ih, b_hh = bias[0], bias[1]
    else:
        b_ih, b_hh = bias, np.zeros_like(bias)
    params = dict(rnn.named_parameters())
    for name, value in (('weight_ih', kernel.T), ('weight_hh', rec.T), ('bias_ih', b_ih),
                        ('bias_hh', b_hh)):
        p = params['%s_l%d%s' % (name, layer, suffix)]
        assert tuple(p.shape) == value.shape, (name, p.shape, value.shape)
        p.data.copy_(torch.from_numpy(np.ascontiguousarray(value)))


def torch_rnn(layers, weights):
    """layers: cases.json's [{cell, in, units, dirs}] with weights [[k, r, b] * dirs] per layer:
    one nn.LSTM/nn.GRU with num_layers and bidirectional (what Keras' stack computes)."""
    first = layers[0]
    cls = torch.nn.LSTM if first['cell'] == 'LSTM' else torch.nn.GRU
    rnn = cls(first['in'], first['units'], num_layers=len(layers), batch_first=True,
              bidirectional=first['dirs'] == 2)
    for i, (layer, ws) in enumerate(zip(layers, weights)):
        for d in range(layer['dirs']):
            set_direction(rnn, i, '_reverse' if d else '', layer['cell'], *ws[3 * d:3 * d + 3])
    return rnn.eval()


# ------------------------------------------------------------ SeqSelfAttention ---

def seq_self_attention(x, wt, wx, bh, wa, ba, return_attention):
    """keras-self-attention 0.51 SeqSelfAttention, additive, no width, no mask, linear emission:
    h = tanh(x_t Wt + x_t' Wx + bh), e = h Wa + ba, a = softmax over t', v = a x.
    Vectorized over blocks of query rows so the tanh block stays ~64 MB."""
    B, T, _ = x.shape
    u = wt.shape[1]
    q = x @ wt
    k = x @ wx + bh
    rows = max(1, ATTENTION_CHUNK // max(1, B * T * u))
    v = np.empty_like(x)
    a_all = np.empty((B, T, T), dtype=np.float32) if return_attention else None
    for r0 in range(0, T, rows):
        r1 = min(T, r0 + rows)
        h = np.tanh(q[:, r0:r1, None, :] + k[:, None, :, :])
        e = (h @ wa)[..., 0] + ba[0]
        e = np.exp(e - e.max(axis=-1, keepdims=True))
        a = e / e.sum(axis=-1, keepdims=True)
        v[:, r0:r1] = a @ x
        if return_attention:
            a_all[:, r0:r1] = a
    return v, a_all


# -------------------------------------------------------------------- models ---

def build(case):
    """A function x (NumPy) -> output (NumPy or tensor), ready to time."""
    kind, path = case['kind'], case['model']
    if kind in ('rnn', 'bilstm'):
        ws = list(layer_weights(path).values())
        ws = [w for w in ws if w]
        rnn = torch_rnn(case['layers'], ws)
        return lambda x: rnn(x)[0], True
    if kind == 'attention':
        weights = attention_weights(path, case['last_layer'])
        return lambda x: seq_self_attention(x, *weights, return_attention=False)[0], False
    if kind == 'seed':
        ws = layer_weights(path)
        rnn = torch_rnn(case['layers'], [ws['lstm_1']])
        att = attention_weights(path, 'seq_self_attention_1')
        dense_k, dense_b = ws['dense_1']

        def seed(x):
            h = rnn(x)[0].numpy()
            v, a = seq_self_attention(h, *att, return_attention=True)
            z = np.concatenate([v, a], axis=-1).reshape(h.shape[0], -1) @ dense_k + dense_b
            return 1.0 / (1.0 + np.exp(-z))
        return seed, True
    raise ValueError('unknown case kind %r' % kind)


# Untimed calls before each timed one, as bench/forward.c's WARM_SECONDS: an idle CPU of a VM
# runs slowly for a while, and the limits are measured warm too.
WARM_SECONDS = 0.05


class Peer:
    def __init__(self):
        self.name = None
        self.fn = None
        self.wants_tensor = False
        self.x = None

    def forward(self, case, out):
        if case['name'] != self.name:
            self.fn, self.wants_tensor = build(case)
            x = np.load(case['input'])
            self.x = torch.from_numpy(x) if self.wants_tensor else x
            self.name = case['name']
        with torch.inference_mode():
            warm = time.perf_counter()  # untimed calls first, as bench/forward does
            while True:
                self.fn(self.x)
                if time.perf_counter() - warm >= WARM_SECONDS:
                    break
            t0 = time.perf_counter()
            y = self.fn(self.x)
            secs = time.perf_counter() - t0
        if out:
            np.save(out, y.numpy() if isinstance(y, torch.Tensor) else np.asarray(y, np.float32))
        return secs


def load_all(path):
    t0 = time.perf_counter()
    total = 0
    with h5py.File(path, 'r') as f:
        def read(_, obj):
            nonlocal total
            if isinstance(obj, h5py.Dataset):
                total += obj[()].nbytes
        f.visititems(read)
    return time.perf_counter() - t0


def blas_config():
    """The configuration string of the OpenBLAS this process loaded (PyTorch and NumPy call the
    system's BLAS), which names the kernel core it runs; '' when it runs another BLAS."""
    for line in read_text('/proc/self/maps').splitlines():
        path = line.split()[-1]
        if 'openblas' in os.path.basename(path) and path.startswith('/'):
            try:
                lib = ctypes.CDLL(path)
                lib.openblas_get_config.restype = ctypes.c_char_p
                return lib.openblas_get_config().decode()
            except (OSError, AttributeError):
                continue
    return ''


def read_text(path):
    with open(path) as f:
        return f.read()


def main():
    threads = int(sys.argv[1])
    torch.set_num_threads(threads)
    torch.zeros(2, 2) @ torch.zeros(2, 2)  # loads the BLAS, if it is loaded lazily
    np.zeros((2, 2), np.float32) @ np.zeros((2, 2), np.float32)
    print(json.dumps({'torch': torch.__version__, 'numpy': np.__version__,
                      'threads': torch.get_num_threads(), 'blas': blas_config()}), flush=True)
    peer = Peer()
    for line in sys.stdin:
        req = json.loads(line)
        try:
            if req['op'] == 'forward':
                reply = {'secs': peer.forward(req['case'], req.get('out'))}
            elif req['op'] == 'load':
                reply = {'secs': load_all(req['path'])}
            else:
                reply = {'error': 'unknown op %r' % req['op']}
        except Exception as e:  # report to run.py, which prints it and goes on
            reply = {'error': '%s: %s' % (type(e).__name__, e)}
        print(json.dumps(reply), flush=True)


if __name__ == '__main__':
    main()

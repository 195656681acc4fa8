#!/usr/bin/python3
"""PyTorch autograd references for the recurrent layers' reverse passes (issue 17), on
Sequential RNN + Dense models of tests/ref (Keras 2.2 .h5 files): GRU with reset_after (which
TF.js lacks) and before, softsign, go_backwards, no bias; a 1200-step GRU + LSTM. The cells are
written out in torch operations from Keras' formulas (keras-formats.md §5), so autograd
differentiates them independently of rnnscope. Objective: the sum of the output's unit 0.

    /usr/bin/python3 tests/data/make_grad_torch.py

writes tests/data/grad_torch/<model>/input.0.npy (the model's input gradient) and
<layer>.<w>.npy (each weight's gradient, Keras order)."""
import json
import os

import h5py
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, '..', 'ref', 'fixtures')
OUT = os.path.join(HERE, 'grad_torch')
MODELS = ['np_gru_reset_after', 'long_sequence']

ACT = {'tanh': torch.tanh, 'sigmoid': torch.sigmoid, 'softsign': lambda x: x / (1 + x.abs()),
       'relu': torch.relu, 'linear': lambda x: x, None: lambda x: x}


def weights_of(f, name):
    g = f['model_weights'][name]
    names = [n.decode() if isinstance(n, bytes) else n for n in g.attrs['weight_names']]
    return [torch.tensor(np.array(g[n]), dtype=torch.float64, requires_grad=True) for n in names]


def gru(cfg, ws, x):
    u = cfg['units']
    act, ract = ACT[cfg['activation']], ACT[cfg['recurrent_activation']]
    k, r = ws[0], ws[1]
    b = ws[2] if cfg['use_bias'] else torch.zeros((2, 3 * u) if cfg['reset_after'] else (3 * u,),
                                                  dtype=torch.float64)
    bi, br = (b[0], b[1]) if cfg['reset_after'] else (b, torch.zeros(3 * u, dtype=torch.float64))
    h = torch.zeros(x.shape[0], u, dtype=torch.float64)
    steps = range(x.shape[1] - 1, -1, -1) if cfg['go_backwards'] else range(x.shape[1])
    outs = []
    for t in steps:
        xw = x[:, t] @ k + bi
        if cfg['reset_after']:
            hu = h @ r + br
            z = ract(xw[:, :u] + hu[:, :u])
            rr = ract(xw[:, u:2 * u] + hu[:, u:2 * u])
            hh = act(xw[:, 2 * u:] + rr * hu[:, 2 * u:])
        else:
            z = ract(xw[:, :u] + h @ r[:, :u])
            rr = ract(xw[:, u:2 * u] + h @ r[:, u:2 * u])
            hh = act(xw[:, 2 * u:] + (rr * h) @ r[:, 2 * u:])
        h = z * h + (1 - z) * hh
        outs.append(h)
    return torch.stack(outs, 1) if cfg['return_sequences'] else h


def lstm(cfg, ws, x):
    u = cfg['units']
    act, ract = ACT[cfg['activation']], ACT[cfg['recurrent_activation']]
    k, r = ws[0], ws[1]
    b = ws[2] if cfg['use_bias'] else torch.zeros(4 * u, dtype=torch.float64)
    h = torch.zeros(x.shape[0], u, dtype=torch.float64)
    c = torch.zeros(x.shape[0], u, dtype=torch.float64)
    steps = range(x.shape[1] - 1, -1, -1) if cfg['go_backwards'] else range(x.shape[1])
    outs = []
    for t in steps:
        zz = x[:, t] @ k + h @ r + b
        i, f, g, o = ract(zz[:, :u]), ract(zz[:, u:2 * u]), act(zz[:, 2 * u:3 * u]), ract(zz[:, 3 * u:])
        c = f * c + i * g
        h = o * act(c)
        outs.append(h)
    return torch.stack(outs, 1) if cfg['return_sequences'] else h


def main():
    for name in MODELS:
        path = os.path.join(FIX, name, 'keras', 'k22.h5')
        f = h5py.File(path, 'r')
        config = json.loads(f.attrs['model_config'])
        layers = config['config']['layers'] if isinstance(config['config'], dict) else config['config']
        manifest = json.load(open(os.path.join(FIX, 'manifest.json')))
        entry = next(m for m in manifest['models'] if m['name'] == name)
        x = torch.tensor(np.load(os.path.join(FIX, name, entry['inputs'][0]['file'])),
                         dtype=torch.float64, requires_grad=True)
        y, params = x, []
        for layer in layers:
            cls, cfg = layer['class_name'], layer['config']
            if cls == 'InputLayer':
                continue
            ws = weights_of(f, cfg['name'])
            params.append((cfg['name'], ws))
            if cls == 'GRU':
                y = gru(cfg, ws, y)
            elif cls == 'LSTM':
                y = lstm(cfg, ws, y)
            elif cls == 'Dense':
                y = ACT[cfg.get('activation')](y @ ws[0] + (ws[1] if cfg.get('use_bias', True) else 0))
            else:
                raise ValueError(cls)
        y[..., 0].sum().backward()
        out = os.path.join(OUT, name)
        os.makedirs(out, exist_ok=True)
        np.save(os.path.join(out, 'input.0.npy'), x.grad.numpy().astype(np.float32))
        for lname, ws in params:
            for i, w in enumerate(ws):
                np.save(os.path.join(out, '%s.%d.npy' % (lname, i)), w.grad.numpy().astype(np.float32))
        print('%s: %d weights' % (name, sum(len(w) for _, w in params)))


if __name__ == '__main__':
    main()

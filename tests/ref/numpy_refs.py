"""NumPy references for what TensorFlow.js lacks or computes differently.

Each function follows the Keras source it names, statement by statement
(keras/layers/recurrent.py of Keras 2.2.4 / keras/src/layers/rnn of Keras 3,
keras/engine/saving.py `_convert_rnn_weights` for CuDNN weights,
keras_self_attention 0.51.0 for the attention layers).  Computation is in
float64 from float32 weights and inputs; references are stored as float32.

Models (all Sequential chains):
  np_hard_sigmoid_k3  Keras 3 hard_sigmoid = clip(x/6 + 0.5): LSTM, GRU, Activation, plus silu
  np_gru_reset_after  GRU(reset_after=True) both directions, and reset_after=False
  np_cudnn            CuDNNLSTM / CuDNNGRU with double bias, converted as Keras converts them
  np_activations      exponential, ReLU(max_value, negative_slope, threshold), Softmax(axis=1)
  np_conv_groups      Conv1D(groups=2), same/causal/strided
  np_glu_sparsemax    glu in Activation and Dense, sparsemax as released (Keras 3.10 files)
  np_sparsemax_k316   the same saved by Keras 3.16: sparsemax's fixed threshold
It also cross-checks these NumPy layers against TF.js outputs (LSTM, GRU
reset_after=False) and recomputes the masked attention of the `masking` model.
"""
import json
import os

import numpy as np

import kerasfmt

# ------------------------------------------------------------ activations ---


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


ACTIVATIONS = {
    'linear': lambda x: x,
    'tanh': np.tanh,
    'sigmoid': sigmoid,
    'relu': lambda x: np.maximum(x, 0.0),
    'exponential': np.exp,
    'silu': lambda x: x * sigmoid(x),
    'softsign': lambda x: x / (1.0 + np.abs(x)),
}


def glu(x):
    """keras/src/backend/numpy/nn.py glu, axis=-1: x1, x2 = split(x, 2); x1 * sigmoid(x2)."""
    x1, x2 = np.split(x, 2, -1)
    return x1 * sigmoid(x2)


def sparsemax(x, fixed):
    """keras/src/backend/numpy/nn.py sparsemax, axis=-1, statement by statement. Released
    Keras (3.8-3.15) sums the cumulative sums over the support (issue #23425); the fix
    (PR #23469, in 3.16) sums the sorted logits."""
    logits_sorted = -1.0 * np.sort(-1.0 * x, axis=-1)
    logits_cumsum = np.cumsum(logits_sorted, axis=-1)
    r = np.arange(1, x.shape[-1] + 1)
    support = logits_sorted - (logits_cumsum - 1) / r > 0
    k = np.sum(support, axis=-1, keepdims=True)
    safe = np.where(support, logits_sorted if fixed else logits_cumsum, 0.0)
    tau = (np.sum(safe, axis=-1, keepdims=True) - 1) / k
    return np.maximum(x - tau, 0.0)


def activation(name, keras_major, keras_version=None):
    if name == 'glu':
        return glu
    if name == 'sparsemax':
        minor = int(keras_version.split('.')[1]) if keras_version else 8
        return lambda x: sparsemax(x, fixed=minor >= 16)
    if name == 'hard_sigmoid':
        if keras_major >= 3:
            return lambda x: np.clip(x / 6.0 + 0.5, 0.0, 1.0)  # keras 3: relu6(x + 3) / 6
        return lambda x: np.clip(0.2 * x + 0.5, 0.0, 1.0)
    return ACTIVATIONS[name]


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def relu_layer(x, max_value=None, negative_slope=0.0, threshold=0.0):
    """keras ReLU: max_value if x >= max_value; x if threshold <= x < max_value;
    negative_slope * (x - threshold) otherwise."""
    y = np.where(x >= threshold, x, negative_slope * (x - threshold))
    if max_value is not None:
        y = np.where(x >= max_value, max_value, y)
    return y


# ------------------------------------------------------------- recurrent ---

def _steps(T, go_backwards):
    return range(T - 1, -1, -1) if go_backwards else range(T)


def lstm(x, kernel, rec, bias, act, ract, return_sequences, go_backwards=False, mask=None):
    """mask (B, T): at a masked step states and output are carried over
    (K.rnn: tf.where(mask_t, new, previous))."""
    B, T, _ = x.shape
    u = rec.shape[0]
    h = np.zeros((B, u))
    c = np.zeros((B, u))
    outs = []
    for t in _steps(T, go_backwards):
        h_prev, c_prev = h, c
        z = x[:, t] @ kernel + h @ rec
        if bias is not None:
            z = z + bias
        i = ract(z[:, :u])
        f = ract(z[:, u:2 * u])
        c = f * c + i * act(z[:, 2 * u:3 * u])
        o = ract(z[:, 3 * u:])
        h = o * act(c)
        if mask is not None:
            keep = mask[:, t:t + 1] > 0
            h = np.where(keep, h, h_prev)
            c = np.where(keep, c, c_prev)
        outs.append(h)
    return np.stack(outs, 1) if return_sequences else h


def gru(x, kernel, rec, bias, act, ract, return_sequences, go_backwards=False, reset_after=False):
    B, T, _ = x.shape
    u = rec.shape[0]
    h = np.zeros((B, u))
    outs = []
    if bias is None:
        in_b, rec_b = np.zeros(3 * u), np.zeros(3 * u)
    elif reset_after:
        in_b, rec_b = bias[0], bias[1]
    else:
        in_b, rec_b = bias, None
    for t in _steps(T, go_backwards):
        mx = x[:, t] @ kernel + in_b
        x_z, x_r, x_h = mx[:, :u], mx[:, u:2 * u], mx[:, 2 * u:]
        if reset_after:
            inner = h @ rec + rec_b
            z = ract(x_z + inner[:, :u])
            r = ract(x_r + inner[:, u:2 * u])
            hh = act(x_h + r * inner[:, 2 * u:])
        else:
            z = ract(x_z + h @ rec[:, :u])
            r = ract(x_r + h @ rec[:, u:2 * u])
            hh = act(x_h + (r * h) @ rec[:, 2 * u:])
        h = z * h + (1.0 - z) * hh
        outs.append(h)
    return np.stack(outs, 1) if return_sequences else h


# ------------------------------------------------ masked steps, by writer ---
# How each writer's rnn() treats a masked step (recurrent.c mask_writer_of has the table):
#   'state'    tfjs rnn(), Keras <= 2.2.4 K.rnn (while loop): where(mask, output, states[0])
#   'previous' Keras 2.2.5 K.rnn, tf.keras rnn() (Keras 2.3, tf.keras 2, Keras 3):
#              where(mask, output, output_tm1), output_tm1 starting at zeros
#   'zero'     the same with zero_output_for_mask (tf.keras / Keras 3 Bidirectional halves)
# States are kept over a masked step by every writer.

def lstm_cell(w, name):
    kernel, rec, bias = (w['%s/%s' % (name, v)] for v in ('kernel', 'recurrent_kernel', 'bias'))
    u = rec.shape[0]

    def step(x, states):
        h, c = states
        z = x @ kernel + h @ rec + bias
        i, f, o = sigmoid(z[:, :u]), sigmoid(z[:, u:2 * u]), sigmoid(z[:, 3 * u:])
        c = f * c + i * np.tanh(z[:, 2 * u:3 * u])
        h = o * np.tanh(c)
        return h, [h, c]
    return step, u, 2


def gru_cell(w, name):
    """GRU(reset_after=False) with recurrent_activation sigmoid: tfjs' GRU."""
    kernel, rec, bias = (w['%s/%s' % (name, v)] for v in ('kernel', 'recurrent_kernel', 'bias'))
    u = rec.shape[0]

    def step(x, states):
        h = states[0]
        mx = x @ kernel + bias
        z = sigmoid(mx[:, :u] + h @ rec[:, :u])
        r = sigmoid(mx[:, u:2 * u] + h @ rec[:, u:2 * u])
        hh = np.tanh(mx[:, 2 * u:] + (r * h) @ rec[:, 2 * u:])
        h = z * h + (1.0 - z) * hh
        return h, [h]
    return step, u, 1


def simple_cell(w, name):
    kernel, rec, bias = (w['%s/%s' % (name, v)] for v in ('kernel', 'recurrent_kernel', 'bias'))

    def step(x, states):
        h = np.tanh(x @ kernel + states[0] @ rec + bias)
        return h, [h]
    return step, rec.shape[0], 1


def masked_rnn(cell, x, mask, rule, go_backwards=False, initial=None):
    """A recurrent layer returning sequences: outputs in processing order, as Keras does."""
    step, u, n_states = cell
    B, T, _ = x.shape
    states = list(initial) if initial else [np.zeros((B, u)) for _ in range(n_states)]
    prev = np.zeros((B, u))
    outs = []
    for t in _steps(T, go_backwards):
        y, new = step(x[:, t], states)
        keep = mask[:, t:t + 1] > 0
        masked_out = {'state': states[0], 'previous': prev, 'zero': np.zeros((B, u))}[rule]
        y = np.where(keep, y, masked_out)
        states = [np.where(keep, n, s) for n, s in zip(new, states)]
        prev = y
        outs.append(y)
    return np.stack(outs, 1)


def masked_bidirectional(w, name, inner, cell, x, mask, rule, merge):
    """Keras Bidirectional returning sequences: the backward half runs go_backwards, its
    outputs are put back in input order, then merged."""
    fw = masked_rnn(cell(w, '%s/forward_%s' % (name, inner)), x, mask, rule)
    bw = masked_rnn(cell(w, '%s/backward_%s' % (name, inner)), x, mask, rule, go_backwards=True)[:, ::-1]
    return np.concatenate([fw, bw], -1) if merge == 'concat' else fw + bw


def masked_rnn_writers(w, x, rule, bidirectional_rule):
    mask = np.any(x != 0.0, axis=-1).astype(np.float64)
    out = {'masking': x}
    out['bidirectional'] = masked_bidirectional(w, 'bidirectional', 'lstm', lstm_cell, x, mask,
                                                bidirectional_rule, 'concat')
    out['bidirectional_1'] = masked_bidirectional(w, 'bidirectional_1', 'gru', gru_cell, out['bidirectional'],
                                                  mask, bidirectional_rule, 'sum')
    out['simple_rnn'] = masked_rnn(simple_cell(w, 'simple_rnn'), out['bidirectional_1'], mask, rule)
    return out


def masked_rnn_writers_tfkeras(w, inputs):
    """tf.keras 2 and Keras 3: the Bidirectional halves get zero_output_for_mask."""
    return masked_rnn_writers(w, inputs[0], 'previous', 'zero')


def masked_initial_state(w, inputs, rule):
    x, h0 = inputs
    mask = np.any(x != 0.0, axis=-1).astype(np.float64)
    gru_out = masked_rnn(gru_cell(w, 'gru'), x, mask, rule, go_backwards=True, initial=[h0])
    # the GRU returns its sequence in processing order; the mask stays in input order
    return {'masking': x, 'gru': gru_out, 'simple_rnn': masked_rnn(simple_cell(w, 'simple_rnn'), gru_out, mask, rule)}


def masked_initial_state_keras23(w, inputs):
    """Keras 2.2.5 and later: a masked first step outputs zeros, not h0."""
    return masked_initial_state(w, inputs, 'previous')


# ------------------------------------------- TimeDistributed with a mask ---
# Keras 2 TimeDistributed.call (reshape path): the (B, T1, T2) mask reshaped to (B*T1, T2) for
# the inner layer; compute_mask: the inner output mask reshaped back, else any() over T2.
# Keras 3 passes mask[:, t] to each step's call: the same values.

def _inner(x, mask):
    B, T1 = x.shape[:2]
    return x.reshape((B * T1,) + x.shape[2:]), mask.reshape(B * T1, -1)


def _td_lstm(w, x, mask):
    xi, mi = _inner(x, mask)
    last = masked_rnn(lstm_cell(w, 'td_lstm'), xi, mi, 'previous')[:, -1]
    return last.reshape(x.shape[0], x.shape[1], -1)


def td_mask(w, inputs):
    x = inputs[0]
    mask = np.any(x != 0.0, axis=-1).astype(np.float64)
    xi, mi = _inner(x, mask)
    out = {'masking': x, 'td_lstm': _td_lstm(w, x, mask)}
    g = masked_rnn(gru_cell(w, 'td_gru'), xi, mi, 'previous')
    out['td_gru'] = g.reshape(x.shape[:3] + (-1,))
    # GlobalAveragePooling1D with a mask: sum(x * m) / sum(m) over the steps
    pooled = (g * mi[..., None]).sum(1) / mi.sum(1, keepdims=True)
    out['td_pool'] = pooled.reshape(x.shape[0], x.shape[1], -1)
    out['dense'] = out['td_lstm'] @ w['dense/kernel'] + w['dense/bias']
    out['dense_1'] = out['td_pool'] @ w['dense_1/kernel'] + w['dense_1/bias']
    unmasked = _td_lstm(w, x, np.ones_like(mask))
    if np.max(np.abs(unmasked - out['td_lstm'])) < 1e-2:
        raise SystemExit('numpy check td_mask: the inner mask changes nothing')
    return out


def td_mask_stepwise(w, inputs):
    """Standalone Keras 2 with a fixed batch size: TimeDistributed's K.rnn path, no inner mask."""
    x = inputs[0]
    td = _td_lstm(w, x, np.ones(x.shape[:3]))
    return {'masking': x, 'td_lstm': td, 'dense': td @ w['dense/kernel'] + w['dense/bias']}


def td_mask_reshaped(w, inputs):
    """tf.keras 2 (a built-in, not stateful inner layer) and Keras 3: the mask reaches it."""
    x = inputs[0]
    td = _td_lstm(w, x, np.any(x != 0.0, axis=-1).astype(np.float64))
    return {'masking': x, 'td_lstm': td, 'dense': td @ w['dense/kernel'] + w['dense/bias']}


def td_mask_k2(w, inputs):
    x = inputs[0]
    mask = np.any(x != 0.0, axis=-1).astype(np.float64)
    td = _td_lstm(w, x, mask)
    out_mask = np.any(mask > 0, axis=-1).astype(np.float64)  # compute_mask: any() over T2
    return {'masking': x, 'td_lstm': td, 'lstm_1': masked_rnn(lstm_cell(w, 'lstm_1'), td, out_mask, 'previous')}


# ---------------------------------------------------------------- Conv1D ---

def conv1d(x, kernel, bias, strides=1, dilation=1, padding='valid', groups=1):
    """keras Conv1D, channels_last: cross-correlation; 'causal' pads (k-1)*d on the
    left, 'same' pads as TF (total = max((ceil(L/s)-1)*s + (k-1)*d + 1 - L, 0), left
    half rounded down); groups split input and output channels into blocks."""
    B, L, C = x.shape
    k, cin_g, F = kernel.shape
    span = (k - 1) * dilation + 1
    if padding == 'causal':
        left, right = span - 1, 0
    elif padding == 'same':
        total = max((-(-L // strides) - 1) * strides + span - L, 0)
        left, right = total // 2, total - total // 2
    else:
        left = right = 0
    xp = np.pad(x, ((0, 0), (left, right), (0, 0)))
    out_len = (xp.shape[1] - span) // strides + 1
    f_g = F // groups
    y = np.zeros((B, out_len, F))
    for t in range(out_len):
        for j in range(k):
            xt = xp[:, t * strides + j * dilation, :]
            for g in range(groups):
                y[:, t, g * f_g:(g + 1) * f_g] += xt[:, g * cin_g:(g + 1) * cin_g] @ kernel[j, :, g * f_g:(g + 1) * f_g]
    return y + bias if bias is not None else y


# --------------------------------------------------------------- CuDNN -----

def _transform_kernels(kernels, func, n_gates):
    return np.hstack([func(k) for k in np.hsplit(kernels, n_gates)])


def _transpose_input_from_cudnn(kernel):
    return kernel.T.reshape(kernel.shape, order='F')


def convert_cudnn_lstm(weights):
    """keras/engine/saving.py _convert_rnn_weights, CuDNNLSTM -> LSTM."""
    kernel = _transform_kernels(weights[0], _transpose_input_from_cudnn, 4)
    rec = _transform_kernels(weights[1], lambda k: k.T, 4)
    bias = np.sum(np.split(weights[2], 2, axis=0), axis=0)
    return kernel, rec, bias


def convert_cudnn_gru(weights):
    """CuDNNGRU -> GRU(reset_after=True)."""
    kernel = _transform_kernels(weights[0], _transpose_input_from_cudnn, 3)
    rec = _transform_kernels(weights[1], lambda k: k.T, 3)
    bias = np.array(weights[2]).reshape((2, -1))
    return kernel, rec, bias


# ------------------------------------------------------------ model specs ---

def _init(name):
    return {'class_name': name, 'config': {}}


def rnn_cfg(cls, name, units, **kw):
    cfg = {'name': name, 'trainable': True, 'units': units, 'activation': kw.get('activation', 'tanh'),
           'recurrent_activation': kw.get('recurrent_activation', 'sigmoid'), 'use_bias': kw.get('use_bias', True),
           'kernel_initializer': _init('GlorotUniform'), 'recurrent_initializer': _init('Orthogonal'),
           'bias_initializer': _init('Zeros'), 'kernel_regularizer': None, 'recurrent_regularizer': None,
           'bias_regularizer': None, 'activity_regularizer': None, 'kernel_constraint': None,
           'recurrent_constraint': None, 'bias_constraint': None, 'dropout': 0.0, 'recurrent_dropout': 0.0,
           'return_sequences': kw.get('return_sequences', False), 'return_state': False,
           'go_backwards': kw.get('go_backwards', False), 'stateful': False, 'unroll': False}
    if cls == 'GRU':
        cfg['reset_after'] = kw.get('reset_after', False)
    if cls == 'LSTM':
        cfg['unit_forget_bias'] = True
    return cfg


def cudnn_cfg(cls, name, units, return_sequences):
    cfg = {'name': name, 'trainable': True, 'units': units,
           'kernel_initializer': _init('GlorotUniform'), 'recurrent_initializer': _init('Orthogonal'),
           'bias_initializer': _init('Zeros'), 'kernel_regularizer': None, 'recurrent_regularizer': None,
           'bias_regularizer': None, 'activity_regularizer': None, 'kernel_constraint': None,
           'recurrent_constraint': None, 'bias_constraint': None,
           'return_sequences': return_sequences, 'return_state': False, 'go_backwards': False, 'stateful': False}
    if cls == 'CuDNNLSTM':
        cfg['unit_forget_bias'] = True
    return cfg


def dense_cfg(name, units, act='linear'):
    return {'name': name, 'trainable': True, 'units': units, 'activation': act, 'use_bias': True,
            'kernel_initializer': _init('GlorotUniform'), 'bias_initializer': _init('Zeros'),
            'kernel_regularizer': None, 'bias_regularizer': None, 'activity_regularizer': None,
            'kernel_constraint': None, 'bias_constraint': None}


class Builder:
    """A Sequential chain computed layer by layer in NumPy."""

    def __init__(self, name, input_shape, batch, seed, keras_major, keras3_version=None):
        self.keras3_version = keras3_version
        self.name = name
        self.rng = np.random.default_rng(seed)
        self.x = self.rng.uniform(-1, 1, (batch,) + tuple(input_shape)).astype(np.float32)
        self.input_shape = list(input_shape)
        self.cur = self.x.astype(np.float64)
        self.layers = []
        self.keras_major = keras_major

    def weight(self, shape, scale=None):
        if scale is None:
            fan_in = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
            scale = min(0.8, 2.0 / np.sqrt(fan_in))
        return self.rng.uniform(-scale, scale, shape).astype(np.float32)

    def add(self, cls, cfg, weights, fn):
        """weights: [(var, array)] in Keras order; fn(cur, arrays64) -> output."""
        if not self.layers:
            cfg['batch_input_shape'] = [None] + self.input_shape
        name = cfg['name']
        arrays = [a.astype(np.float64) for _, a in weights]
        self.cur = fn(self.cur, arrays)
        self.layers.append({'class_name': cls, 'config': cfg,
                            'weights': [('%s/%s' % (name, var), a) for var, a in weights],
                            'output': self.cur.astype(np.float32)})

    def act(self, name):
        return activation(name, self.keras_major, self.keras3_version)

    # layer helpers
    def dense(self, name, units, act='linear', scale=None):
        d = self.cur.shape[-1]
        w = [('kernel', self.weight((d, units), scale)), ('bias', self.weight((units,), 0.3))]
        self.add('Dense', dense_cfg(name, units, act), w, lambda x, a: self.act(act)(x @ a[0] + a[1]))

    def lstm(self, name, units, **kw):
        d = self.cur.shape[-1]
        w = [('kernel', self.weight((d, 4 * units))), ('recurrent_kernel', self.weight((units, 4 * units))),
             ('bias', self.weight((4 * units,), 0.3))]
        cfg = rnn_cfg('LSTM', name, units, **kw)
        self.add('LSTM', cfg, w, lambda x, a: lstm(x, a[0], a[1], a[2], self.act(cfg['activation']),
                                                   self.act(cfg['recurrent_activation']),
                                                   cfg['return_sequences'], cfg['go_backwards']))

    def gru(self, name, units, **kw):
        d = self.cur.shape[-1]
        cfg = rnn_cfg('GRU', name, units, **kw)
        bshape = (2, 3 * units) if cfg['reset_after'] else (3 * units,)
        w = [('kernel', self.weight((d, 3 * units))), ('recurrent_kernel', self.weight((units, 3 * units)))]
        if cfg['use_bias']:
            w.append(('bias', self.weight(bshape, 0.3)))
        self.add('GRU', cfg, w, lambda x, a: gru(x, a[0], a[1], a[2] if len(a) > 2 else None,
                                                 self.act(cfg['activation']),
                                                 self.act(cfg['recurrent_activation']),
                                                 cfg['return_sequences'], cfg['go_backwards'],
                                                 cfg['reset_after']))

    def conv1d(self, name, filters, k, strides=1, dilation=1, padding='valid', groups=1):
        cin = self.cur.shape[-1]
        w = [('kernel', self.weight((k, cin // groups, filters))), ('bias', self.weight((filters,), 0.3))]
        cfg = {'name': name, 'trainable': True, 'filters': filters, 'kernel_size': [k], 'strides': [strides],
               'padding': padding, 'data_format': 'channels_last', 'dilation_rate': [dilation], 'groups': groups,
               'activation': 'linear', 'use_bias': True, 'kernel_initializer': _init('GlorotUniform'),
               'bias_initializer': _init('Zeros'), 'kernel_regularizer': None, 'bias_regularizer': None,
               'activity_regularizer': None, 'kernel_constraint': None, 'bias_constraint': None}
        self.add('Conv1D', cfg, w, lambda x, a: conv1d(x, a[0], a[1], strides, dilation, padding, groups))

    def activation(self, name, act):
        self.add('Activation', {'name': name, 'trainable': True, 'activation': act}, [],
                 lambda x, a: self.act(act)(x))

    def meta(self, root, semantics):
        d = os.path.join(root, self.name)
        for sub in ('inputs', 'outputs'):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        np.save(os.path.join(d, 'inputs/input.npy'), self.x)
        layers = []
        for layer in self.layers:
            name = layer['config']['name']
            f = 'outputs/%s.0.0.npy' % name
            np.save(os.path.join(d, f), layer['output'])
            layers.append({'name': name, 'class_name': layer['class_name'],
                           'weights': [{'name': n, 'shape': list(a.shape)} for n, a in layer['weights']],
                           'outputs': [{'node': 0, 'tensor': 0, 'file': f, 'shape': list(layer['output'].shape)}]})
        meta = {'name': self.name, 'model_name': self.name, 'source': 'numpy', 'semantics': semantics,
                'batch': int(self.x.shape[0]),
                'inputs': [{'layer': 'input', 'file': 'inputs/input.npy', 'shape': list(self.x.shape),
                            'dtype': 'float32'}],
                'outputs': [{'layer': layers[-1]['name'], 'node': 0, 'tensor': 0}], 'layers': layers}
        with open(os.path.join(d, 'meta.json'), 'w') as f:
            json.dump(meta, f, indent=1)
        return meta

    def model(self):
        config = {'class_name': 'Sequential',
                  'config': {'name': self.name, 'layers': [{'class_name': l['class_name'], 'config': l['config']}
                                                           for l in self.layers]}}
        shapes = {(l['config']['name'], 0, 0): list(l['output'].shape[1:]) for l in self.layers}
        layers = [{'name': l['config']['name'], 'class_name': l['class_name'], 'weights': l['weights']}
                  for l in self.layers]
        return kerasfmt.Model(self.name, self.name, config, layers, shapes, keras3_version=self.keras3_version)


K3 = ['keras3_legacy_h5', 'keras3_zip', 'keras3_zip_deflated']


def build_hard_sigmoid_k3():
    b = Builder('np_hard_sigmoid_k3', (6, 3), 2, 301, keras_major=3)
    b.lstm('lstm', 5, recurrent_activation='hard_sigmoid', return_sequences=True)
    b.gru('gru', 4, recurrent_activation='hard_sigmoid', reset_after=True, return_sequences=True)
    b.dense('dense', 4, scale=2.0)
    b.activation('activation', 'hard_sigmoid')
    b.dense('dense_1', 3, scale=2.0)
    b.activation('activation_1', 'silu')
    return b, 'keras3', K3


def build_gru_reset_after():
    b = Builder('np_gru_reset_after', (7, 3), 2, 302, keras_major=2)
    b.gru('gru_1', 5, reset_after=True, return_sequences=True)
    b.gru('gru_2', 4, reset_after=True, return_sequences=True, go_backwards=True, activation='softsign')
    b.gru('gru_3', 3, reset_after=False, use_bias=False)
    b.dense('dense_1', 2)
    return b, 'any', ['keras22_h5', 'tfkeras2_h5', 'keras3_legacy_h5', 'keras3_zip', 'weights_only_h5']


def build_cudnn():
    b = Builder('np_cudnn', (6, 3), 2, 303, keras_major=2)
    u1, u2 = 5, 4
    w1 = [('kernel', b.weight((3, 4 * u1))), ('recurrent_kernel', b.weight((u1, 4 * u1))),
          ('bias', b.weight((8 * u1,), 0.3))]

    def run_lstm(x, a):
        k, r, bias = convert_cudnn_lstm(a)
        return lstm(x, k, r, bias, np.tanh, sigmoid, True)
    b.add('CuDNNLSTM', cudnn_cfg('CuDNNLSTM', 'cu_dnnlstm_1', u1, True), w1, run_lstm)
    w2 = [('kernel', b.weight((u1, 3 * u2))), ('recurrent_kernel', b.weight((u2, 3 * u2))),
          ('bias', b.weight((6 * u2,), 0.3))]

    def run_gru(x, a):
        k, r, bias = convert_cudnn_gru(a)
        return gru(x, k, r, bias, np.tanh, sigmoid, False, reset_after=True)
    b.add('CuDNNGRU', cudnn_cfg('CuDNNGRU', 'cu_dnngru_1', u2, False), w2, run_gru)
    b.dense('dense_1', 1)
    return b, 'keras2', ['keras22_h5', 'weights_only_h5']


def build_activations():
    b = Builder('np_activations', (5, 4), 2, 304, keras_major=2)
    b.dense('dense_1', 6, scale=1.5)
    b.add('ReLU', {'name': 're_lu_1', 'trainable': True, 'max_value': 0.8, 'negative_slope': 0.1,
                   'threshold': 0.2}, [], lambda x, a: relu_layer(x, 0.8, 0.1, 0.2))
    b.dense('dense_2', 6, scale=1.0)
    b.activation('activation_1', 'exponential')
    b.dense('dense_3', 5, scale=0.5)
    b.add('Softmax', {'name': 'softmax_1', 'trainable': True, 'axis': 1}, [], lambda x, a: softmax(x, axis=1))
    return b, 'any', ['keras22_h5', 'keras3_zip']


def build_conv_groups():
    b = Builder('np_conv_groups', (12, 4), 2, 305, keras_major=2)
    b.conv1d('conv1d', 4, 3, padding='same', groups=2)
    b.conv1d('conv1d_1', 6, 3, padding='causal', dilation=2, groups=2)
    b.conv1d('conv1d_2', 4, 2, strides=2, groups=2)
    b.dense('dense', 1)
    return b, 'any', ['tfkeras2_h5', 'keras3_zip']


def _glu_sparsemax(name, version):
    """glu last: Keras 3's compute_output_shape keeps the axis glu halves, so a layer with
    weights after it gets weights for the whole axis and fails when run."""
    b = Builder(name, (5, 4), 2, 306, keras_major=3, keras3_version=version)
    b.dense('dense', 8, scale=1.5)
    b.activation('activation', 'sparsemax')
    b.dense('dense_1', 8, act='sparsemax', scale=1.5)
    b.dense('dense_2', 8, act='glu', scale=1.5)
    b.activation('activation_1', 'glu')
    return b


def build_glu_sparsemax():
    """glu (Keras 3.7+) in Activation and Dense, sparsemax (3.8+) as released up to 3.15."""
    return _glu_sparsemax('np_glu_sparsemax', '3.10.0'), 'keras3', K3


def build_sparsemax_fixed():
    """The same model saved by Keras 3.16: sparsemax with the fixed threshold; the outputs
    must differ from the released formula's (or the model tests nothing)."""
    b = _glu_sparsemax('np_sparsemax_k316', '3.16.0')
    old = _glu_sparsemax('np_glu_sparsemax', '3.10.0')
    diff = max(float(np.max(np.abs(a['output'] - c['output']))) for a, c in zip(b.layers, old.layers))
    supports = (b.layers[1]['output'] > 0).sum(-1)
    if diff < 1e-2 or supports.max() < 2:
        raise SystemExit('np_sparsemax_k316: the fixed threshold changes nothing (%.3g)' % diff)
    print('numpy check sparsemax: released and fixed thresholds differ by up to %.2g' % diff)
    return b, 'keras3', K3


def build_all(root):
    out = []
    for build in (build_hard_sigmoid_k3, build_gru_reset_after, build_cudnn, build_activations, build_conv_groups,
                  build_glu_sparsemax, build_sparsemax_fixed):
        b, semantics, plan = build()
        meta = b.meta(root, semantics)
        out.append((b.model(), meta, plan))
    return out


# ----------------------------------------------------------- cross-checks ---

def _close(name, ours, ref):
    err = float(np.max(np.abs(ours - ref)))
    tol = 1e-5 * max(1.0, float(np.max(np.abs(ref))))
    if not err <= tol:
        raise SystemExit('numpy check %s: max error %.3g > %.3g' % (name, err, tol))
    print('numpy check %s: max error %.2g' % (name, err))


def _tfjs_weights(root, key):
    import write_keras
    return write_keras.load_tfjs(os.path.join(root, key, 'tfjs'))[1]


def seq_self_attention(x, mask, Wt, Wx, bh, Wa, ba):
    """keras_self_attention 0.51.0 SeqSelfAttention.call, additive, no width."""
    q = np.expand_dims(x @ Wt, 2)
    k = np.expand_dims(x @ Wx, 1)
    h = np.tanh(q + k + bh)
    e = (h @ Wa)[..., 0] + ba[0]
    m = np.expand_dims(mask.astype(np.float64), -1)
    e = e - 10000.0 * ((1.0 - m) * (1.0 - np.transpose(m, (0, 2, 1))))
    e = np.exp(e - e.max(-1, keepdims=True))
    a = e / e.sum(-1, keepdims=True)
    return a @ x, a


def seq_weighted_attention(x, mask, W, b):
    logits = (x @ W)[..., 0] + b[0]
    logits = logits - 10000.0 * (1.0 - mask)
    ai = np.exp(logits - logits.max(-1, keepdims=True))
    att = ai / (ai.sum(1, keepdims=True) + 1e-7)
    return (x * att[..., None]).sum(1), att


def check_masked_writers(root):
    """The masked recurrences above, by tfjs' rule, give tfjs' outputs; by the other rules
    they differ (so the variants test something)."""
    for key, fn, other in (('masked_rnn_writers', lambda w, i: masked_rnn_writers(w, i[0], 'state', 'state'),
                            masked_rnn_writers_tfkeras),
                           ('masked_initial_state', lambda w, i: masked_initial_state(w, i, 'state'),
                            masked_initial_state_keras23)):
        d = os.path.join(root, key)
        with open(os.path.join(d, 'meta.json')) as f:
            meta = json.load(f)
        w = {k: v.astype(np.float64) for k, v in _tfjs_weights(root, key).items()}
        inputs = [np.load(os.path.join(d, i['file'])).astype(np.float64) for i in meta['inputs']]
        ours, theirs = fn(w, inputs), other(w, inputs)
        for layer in meta['layers']:
            for o in layer['outputs']:
                ref = np.load(os.path.join(d, o['file']))
                _close('%s %s by tfjs\' rule vs tfjs' % (key, layer['name']), ours[layer['name']], ref)
        diff = max(float(np.max(np.abs(theirs[n] - ours[n]))) for n in ours)
        if diff < 1e-3:
            raise SystemExit('numpy check %s: the other writers\' rule changes nothing' % key)
        print('numpy check %s: the other writers\' outputs differ by up to %.2g' % (key, diff))


def residual_attention(q, k, v, prev, mask, history_only):
    """keras_self_attention 0.51.0 real_former.py ResidualScaledDotProductAttention.call."""
    e = q @ np.transpose(k, (0, 2, 1)) / np.sqrt(q.shape[-1])
    new_prev = e = e + prev
    if history_only:
        t = np.arange(k.shape[1])
        e = e - 10000.0 * (t[None, :] > np.arange(q.shape[1])[:, None])
    e = e - 10000.0 * (1.0 - mask[:, None, :])
    e = np.exp(e - e.max(-1, keepdims=True))
    a = e / e.sum(-1, keepdims=True)
    return a @ v, new_prev, a


def check_residual_attention(root):
    d = os.path.join(root, 'residual_attention')
    w = {k: v.astype(np.float64) for k, v in _tfjs_weights(root, 'residual_attention').items()}

    def out(name):
        return np.load(os.path.join(d, 'outputs', name + '.npy')).astype(np.float64)
    x = np.load(os.path.join(d, 'inputs/input_1.npy'))
    prev = np.load(os.path.join(d, 'inputs/input_prev.npy')).astype(np.float64)
    mask = np.any(x != 0.0, axis=-1).astype(np.float64)
    lstm_out = out('lstm.0.0')
    v1, p1, a1 = residual_attention(lstm_out, lstm_out, lstm_out, prev, mask, True)
    for got, name in ((v1, '0.0'), (p1, '0.1'), (a1, '0.2')):
        _close('ResidualScaledDotProductAttention [x, prev] ' + name, got, out('residual_attention.' + name))
    q = out('residual_attention.0.0') @ w['dense_q/kernel'] + w['dense_q/bias']
    k = lstm_out @ w['dense_k/kernel'] + w['dense_k/bias']
    v2, p2, _ = residual_attention(q, k, lstm_out, out('residual_attention.0.1'), mask, False)
    _close('ResidualScaledDotProductAttention [q, k, v, prev] values', v2, out('residual_attention_1.0.0'))
    _close('ResidualScaledDotProductAttention [q, k, v, prev] residual', p2, out('residual_attention_1.0.1'))


def cross_checks(root):
    """The `masking` model's attention outputs (TF.js custom layers) against
    this independent NumPy version with the Masking layer's mask."""
    check_masked_writers(root)
    check_residual_attention(root)
    d = os.path.join(root, 'masking')
    w = {k: v.astype(np.float64) for k, v in _tfjs_weights(root, 'masking').items()}
    x_in = np.load(os.path.join(d, 'inputs/input_1.npy'))
    mask = np.any(x_in != 0.0, axis=-1).astype(np.float64)
    lstm_out = np.load(os.path.join(d, 'outputs/lstm_1.0.0.npy')).astype(np.float64)
    ours = lstm(x_in.astype(np.float64), w['lstm_1/kernel'], w['lstm_1/recurrent_kernel'], w['lstm_1/bias'],
                np.tanh, sigmoid, True, mask=mask)
    _close('masked LSTM', ours, lstm_out)
    n = 'seq_self_attention_1'
    v, a = seq_self_attention(lstm_out, mask, *[w['%s/%s_Add_%s' % (n, n, s)] for s in ('Wt', 'Wx', 'bh', 'Wa', 'ba')])
    _close('masked SeqSelfAttention v', v, np.load(os.path.join(d, 'outputs/%s.0.0.npy' % n)))
    _close('masked SeqSelfAttention a', a, np.load(os.path.join(d, 'outputs/%s.0.1.npy' % n)))
    n = 'seq_weighted_attention_1'
    r, att = seq_weighted_attention(lstm_out, mask, w['%s/%s_W' % (n, n)], w['%s/%s_b' % (n, n)])
    _close('masked SeqWeightedAttention', r, np.load(os.path.join(d, 'outputs/%s.0.0.npy' % n)))
    _close('masked SeqWeightedAttention att', att, np.load(os.path.join(d, 'outputs/%s.0.1.npy' % n)))
    # ScaledDotProductAttention (history_only) of the `attention` model
    d = os.path.join(root, 'attention')
    x = np.load(os.path.join(d, 'outputs/lstm_1.0.0.npy')).astype(np.float64)
    e = x @ np.transpose(x, (0, 2, 1)) / np.sqrt(x.shape[-1])
    t = np.arange(x.shape[1])
    e = e - 10000.0 * (t[None, :] > t[:, None])
    e = np.exp(e - e.max(-1, keepdims=True))
    a = e / e.sum(-1, keepdims=True)
    _close('ScaledDotProductAttention history_only', a @ x, np.load(os.path.join(d, 'outputs/sdpa_history.0.0.npy')))
    # Keras Attention / AdditiveAttention of the `attention` model
    w = {k: v.astype(np.float64) for k, v in _tfjs_weights(root, 'attention').items()}
    q = np.load(os.path.join(d, 'outputs/dense_q6.0.0.npy')).astype(np.float64)
    k = np.load(os.path.join(d, 'outputs/dense_k6.0.0.npy')).astype(np.float64)

    def attend(scores, value):
        return softmax(scores, -1) @ value
    _close('Attention dot, use_scale', attend(w['attention/scale'] * (q @ np.transpose(x, (0, 2, 1))), x),
           np.load(os.path.join(d, 'outputs/attention.0.0.npy')))
    s = w['attention_concat/concat_score_weight'] * np.tanh(
        w['attention_concat/scale'] * (q[:, :, None, :] + k[:, None, :, :])).sum(-1)
    _close('Attention concat', attend(s, x), np.load(os.path.join(d, 'outputs/attention_concat.0.0.npy')))
    s = (w['additive_attention/scale'] * np.tanh(q[:, :, None, :] + x[:, None, :, :])).sum(-1)
    _close('AdditiveAttention', attend(s, x), np.load(os.path.join(d, 'outputs/additive_attention.0.0.npy')))
    # keras-multi-head MultiHeadAttention(head_num=2, relu), self-attention
    n = 'multi_head_attention'
    W = {p: w['%s/%s_%s' % (n, n, p)] for p in ('Wq', 'bq', 'Wk', 'bk', 'Wv', 'bv', 'Wo', 'bo')}
    relu = ACTIVATIONS['relu']
    heads = 2

    def split(t):
        b, s_, f = t.shape
        return t.reshape(b, s_, heads, f // heads).transpose(0, 2, 1, 3)
    qh, kh, vh = (split(relu(x @ W['W' + c] + W['b' + c])) for c in 'qkv')
    y = softmax(qh @ kh.transpose(0, 1, 3, 2) / np.sqrt(qh.shape[-1]), -1) @ vh
    y = y.transpose(0, 2, 1, 3).reshape(x.shape[0], x.shape[1], -1)
    _close('keras-multi-head MultiHeadAttention', relu(y @ W['Wo'] + W['bo']),
           np.load(os.path.join(d, 'outputs/%s.0.0.npy' % n)))
    # Keras' own MultiHeadAttention (keras_mha model, first layer: 2 heads, key_dim 3, self)
    d = os.path.join(root, 'keras_mha')
    w = {k: v.astype(np.float64) for k, v in _tfjs_weights(root, 'keras_mha').items()}
    x = np.load(os.path.join(d, 'outputs/dense.0.0.npy')).astype(np.float64)
    n = 'multi_head_attention'
    proj = {p: np.einsum('abc,cde->abde', x, w['%s/%s/kernel' % (n, p)]) + w['%s/%s/bias' % (n, p)]
            for p in ('query', 'key', 'value')}
    q = proj['query'] / np.sqrt(3.0)
    a = softmax(np.einsum('aecd,abcd->acbe', proj['key'], q), -1)
    o = np.einsum('acbe,aecd->abcd', a, proj['value'])
    y = np.einsum('abcd,cde->abe', o, w[n + '/attention_output/kernel']) + w[n + '/attention_output/bias']
    _close('Keras MultiHeadAttention', y, np.load(os.path.join(d, 'outputs/%s.0.0.npy' % n)))
    # NumPy Conv1D against tfjs (and the causal Conv1D written for tfjs)
    d = os.path.join(root, 'conv_pool')
    w = {k: v.astype(np.float64) for k, v in _tfjs_weights(root, 'conv_pool').items()}
    x = np.load(os.path.join(d, 'inputs/input_1.npy')).astype(np.float64)
    c1 = np.load(os.path.join(d, 'outputs/conv1d_valid.0.0.npy')).astype(np.float64)
    for name, src, kw in (('conv1d_valid', x, {}), ('conv1d_same_s2', c1, {'strides': 2, 'padding': 'same'}),
                          ('conv1d_causal_d2', x, {'dilation': 2, 'padding': 'causal'}),
                          ('conv1d_valid_s3', x, {'strides': 3})):
        y = conv1d(src, w[name + '/kernel'], w[name + '/bias'], **kw)
        if name == 'conv1d_valid':
            y = np.maximum(y, 0.0)
        _close('Conv1D ' + name, y, np.load(os.path.join(d, 'outputs/%s.0.0.npy' % name)))
    y = conv1d(x, w['conv1d_same_d3/kernel'], None, dilation=3, padding='same')
    _close('Conv1D conv1d_same_d3', y, np.load(os.path.join(d, 'outputs/conv1d_same_d3.0.0.npy')))
    # the NumPy recurrent layers used above against TF.js
    w = {k: v.astype(np.float64) for k, v in _tfjs_weights(root, 'lstm_stack').items()}
    with open(os.path.join(root, 'lstm_stack/meta.json')) as f:
        x = np.load(os.path.join(root, 'lstm_stack', json.load(f)['inputs'][0]['file'])).astype(np.float64)
    ours = lstm(x, w['lstm_1/kernel'], w['lstm_1/recurrent_kernel'], w['lstm_1/bias'], np.tanh, sigmoid, True)
    _close('numpy LSTM vs tfjs', ours, np.load(os.path.join(root, 'lstm_stack/outputs/lstm_1.0.0.npy')))
    # quantized TF.js weights as the Python reader dequantizes them gave tfjs' outputs
    w = {k: v.astype(np.float64) for k, v in _tfjs_weights(root, 'quantized').items()}
    with open(os.path.join(root, 'quantized/meta.json')) as f:
        x = np.load(os.path.join(root, 'quantized', json.load(f)['inputs'][0]['file'])).astype(np.float64)
    ours = lstm(x, w['lstm/kernel'], w['lstm/recurrent_kernel'], w['lstm/bias'], np.tanh, sigmoid, True)
    _close('dequantized weights vs tfjs', ours, np.load(os.path.join(root, 'quantized/outputs/lstm.0.0.npy')))
    d = os.path.join(root, 'hard_sigmoid_k2')
    w = {k: v.astype(np.float64) for k, v in _tfjs_weights(root, 'hard_sigmoid_k2').items()}
    x = np.load(os.path.join(d, 'outputs/lstm_1.0.0.npy')).astype(np.float64)
    ours = gru(x, w['gru_1/kernel'], w['gru_1/recurrent_kernel'], w['gru_1/bias'], np.tanh,
               activation('hard_sigmoid', 2), True)
    _close('numpy GRU(reset_after=False, hard_sigmoid) vs tfjs', ours, np.load(os.path.join(d, 'outputs/gru_1.0.0.npy')))

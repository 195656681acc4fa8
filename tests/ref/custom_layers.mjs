// Keras layers that TensorFlow.js lacks, written as tfjs custom layers so the
// reference models can use them.  The class names and config keys are the ones
// Keras (or keras-self-attention 0.51.0) writes, so the saved files look like
// files written by Keras.  Everything is built from differentiable tf ops: the
// attention layers are also used to train the bundled demo model.
//
// SeqSelfAttention / SeqWeightedAttention follow keras_self_attention 0.51.0
// (seq_self_attention.py, seq_weighted_attention.py) statement by statement;
// the comments quote the Keras backend call each line stands for.
import * as tf from '@tensorflow/tfjs';

const EPSILON = 1e-7; // K.epsilon()

// K.dot(x, w) for x of any rank >= 2 and a 2-D w: contract the last axis of x.
function kdot(x, w) {
  const lead = x.shape.slice(0, -1);
  const y = tf.matMul(tf.reshape(x, [-1, x.shape[x.shape.length - 1]]), w);
  return tf.reshape(y, [...lead, w.shape[1]]);
}

function attentionActivation(name) {
  switch (name) {
    case null: case undefined: case 'linear': return (x) => x;
    case 'sigmoid': return (x) => tf.sigmoid(x);
    case 'tanh': return (x) => tf.tanh(x);
    case 'relu': return (x) => tf.relu(x);
    case 'softmax': return (x) => tf.softmax(x, -1);
    default: throw new Error(`attention_activation ${name} not supported here`);
  }
}

// A constructor argument under its Keras (snake_case) name, or the camelCase
// name tfjs' deserializer turns config keys into when it loads a model.json.
function arg(args, key, fallback) {
  const camel = key.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
  return args[key] ?? args[camel] ?? fallback;
}

const glorotNormal = { class_name: 'GlorotNormal', config: { seed: null } };
const zeros = { class_name: 'Zeros', config: {} };

// Base config of a tf.keras 2 layer: name, trainable, dtype (+ batch_input_shape
// when the layer was given one).  tfjs' own getConfig() provides exactly these.
function baseConfig(layer) {
  const base = tf.layers.Layer.prototype.getConfig.call(layer);
  const out = {};
  for (const k of ['name', 'trainable', 'batchInputShape', 'dtype']) {
    if (base[k] !== undefined) out[k] = base[k];
  }
  return out;
}

export class SeqSelfAttention extends tf.layers.Layer {
  static className = 'SeqSelfAttention';

  constructor(args = {}) {
    super(args);
    this.supportsMasking = true;
    this.units = args.units ?? 32;
    this.attentionWidth = arg(args, 'attention_width', null);
    this.attentionType = arg(args, 'attention_type', 'additive');
    this.returnAttention = arg(args, 'return_attention', false);
    this.historyOnly = arg(args, 'history_only', false);
    if (this.historyOnly && this.attentionWidth === null) this.attentionWidth = 1e9; // int(1e9)
    this.useAdditiveBias = arg(args, 'use_additive_bias', true);
    this.useAttentionBias = arg(args, 'use_attention_bias', true);
    this.attentionActivationName = arg(args, 'attention_activation', null);
    this.attentionActivation = attentionActivation(this.attentionActivationName);
    if (this.attentionType !== 'additive' && this.attentionType !== 'multiplicative') {
      throw new Error('No implementation for attention type : ' + this.attentionType);
    }
  }

  build(inputShape) {
    const d = inputShape[2];
    const n = this.name;
    const init = tf.initializers.glorotNormal({});
    const zero = tf.initializers.zeros();
    if (this.attentionType === 'additive') {
      this.Wt = this.addWeight(`${n}_Add_Wt`, [d, this.units], 'float32', init);
      this.Wx = this.addWeight(`${n}_Add_Wx`, [d, this.units], 'float32', init);
      if (this.useAdditiveBias) this.bh = this.addWeight(`${n}_Add_bh`, [this.units], 'float32', zero);
      this.Wa = this.addWeight(`${n}_Add_Wa`, [this.units, 1], 'float32', init);
      if (this.useAttentionBias) this.ba = this.addWeight(`${n}_Add_ba`, [1], 'float32', zero);
    } else {
      this.Wa = this.addWeight(`${n}_Mul_Wa`, [d, d], 'float32', init);
      if (this.useAttentionBias) this.ba = this.addWeight(`${n}_Mul_ba`, [1], 'float32', zero);
    }
    this.built = true;
  }

  additiveEmission(x) {
    const [b, t] = x.shape;
    // q = K.expand_dims(K.dot(inputs, Wt), 2); k = K.expand_dims(K.dot(inputs, Wx), 1)
    const q = tf.expandDims(kdot(x, this.Wt.read()), 2);
    const k = tf.expandDims(kdot(x, this.Wx.read()), 1);
    let h = tf.add(q, k);
    if (this.useAdditiveBias) h = tf.add(h, this.bh.read());
    h = tf.tanh(h); // (B, T, T, units)
    let e = kdot(h, this.Wa.read()); // K.dot(h, Wa) -> (B, T, T, 1)
    if (this.useAttentionBias) e = tf.add(e, this.ba.read());
    return tf.reshape(e, [b, t, t]);
  }

  multiplicativeEmission(x) {
    // K.batch_dot(K.dot(inputs, Wa), K.permute_dimensions(inputs, (0, 2, 1)))
    let e = tf.matMul(kdot(x, this.Wa.read()), x, false, true);
    if (this.useAttentionBias) e = tf.add(e, tf.slice(this.ba.read(), [0], [1]).reshape([])); // ba[0]
    return e;
  }

  call(inputs, kwargs) {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      let mask = kwargs && kwargs.mask ? kwargs.mask : null;
      if (Array.isArray(mask)) mask = mask[0];
      const t = x.shape[1];
      let e = this.attentionType === 'additive' ? this.additiveEmission(x) : this.multiplicativeEmission(x);
      e = this.attentionActivation(e);
      if (this.attentionWidth !== null) {
        const w = this.attentionWidth;
        const ar = tf.range(0, t, 1, 'int32');
        // int32 as in Keras (K.arange): in float32, t - (1e9 - 1) + 1e9 rounds and the
        // causal window of history_only's saved width 1e9 would vanish
        const int = (v) => tf.scalar(v, 'int32');
        let lower = this.historyOnly ? tf.sub(ar, int(w - 1)) : tf.sub(ar, int(Math.floor(w / 2)));
        lower = tf.expandDims(lower, -1);
        const upper = tf.add(lower, int(w));
        const indices = tf.expandDims(ar, 0);
        // e -= 10000 * (1 - (lower <= indices) * (indices < upper))
        const inside = tf.mul(tf.cast(tf.lessEqual(lower, indices), 'float32'),
                              tf.cast(tf.less(indices, upper), 'float32'));
        e = tf.sub(e, tf.mul(10000.0, tf.sub(1.0, inside)));
      }
      if (mask) {
        const m = tf.expandDims(tf.cast(mask, 'float32'), -1); // (B, T, 1)
        // e -= 10000 * ((1 - mask) * (1 - mask^T)): only pairs of two padded steps
        const pen = tf.mul(tf.sub(1.0, m), tf.sub(1.0, tf.transpose(m, [0, 2, 1])));
        e = tf.sub(e, tf.mul(10000.0, pen));
      }
      e = tf.exp(tf.sub(e, tf.max(e, -1, true)));
      const a = tf.div(e, tf.sum(e, -1, true));
      const v = tf.matMul(a, x); // K.batch_dot(a, inputs)
      return this.returnAttention ? [v, a] : v;
    });
  }

  computeOutputShape(inputShape) {
    if (this.returnAttention) return [inputShape, [inputShape[0], inputShape[1], inputShape[1]]];
    return inputShape;
  }

  computeMask(inputs, mask) {
    let m = Array.isArray(mask) ? mask[0] : mask;
    m = m ?? null;
    // tfjs' executor gives every output of a layer the first output's mask
    return this.returnAttention ? [m, null] : m;
  }

  getConfig() {
    return {
      ...baseConfig(this),
      units: this.units,
      attention_width: this.attentionWidth,
      attention_type: this.attentionType,
      return_attention: this.returnAttention,
      history_only: this.historyOnly,
      use_additive_bias: this.useAdditiveBias,
      use_attention_bias: this.useAttentionBias,
      kernel_initializer: glorotNormal,
      bias_initializer: zeros,
      kernel_regularizer: null,
      bias_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
      attention_activation: this.attentionActivationName ?? 'linear',
      attention_regularizer_weight: 0.0,
    };
  }
}

export class SeqWeightedAttention extends tf.layers.Layer {
  static className = 'SeqWeightedAttention';

  constructor(args = {}) {
    super(args);
    this.supportsMasking = true;
    this.useBias = arg(args, 'use_bias', true);
    this.returnAttention = arg(args, 'return_attention', false);
  }

  build(inputShape) {
    const n = this.name;
    this.W = this.addWeight(`${n}_W`, [inputShape[2], 1], 'float32',
                            tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05 }));
    if (this.useBias) this.b = this.addWeight(`${n}_b`, [1], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  call(inputs, kwargs) {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      let mask = kwargs && kwargs.mask ? kwargs.mask : null;
      if (Array.isArray(mask)) mask = mask[0];
      const [b, t] = x.shape;
      let logits = kdot(x, this.W.read());
      if (this.useBias) logits = tf.add(logits, this.b.read());
      logits = tf.reshape(logits, [b, t]);
      if (mask) logits = tf.sub(logits, tf.mul(10000.0, tf.sub(1.0, tf.cast(mask, 'float32'))));
      const ai = tf.exp(tf.sub(logits, tf.max(logits, -1, true)));
      const att = tf.div(ai, tf.add(tf.sum(ai, 1, true), EPSILON));
      const result = tf.sum(tf.mul(x, tf.expandDims(att, -1)), 1);
      return this.returnAttention ? [result, att] : result;
    });
  }

  computeOutputShape(s) {
    if (this.returnAttention) return [[s[0], s[2]], [s[0], s[1]]];
    return [s[0], s[2]];
  }

  computeMask(inputs, mask) {
    return this.returnAttention ? [null, null] : null;
  }

  getConfig() {
    return { ...baseConfig(this), use_bias: this.useBias, return_attention: this.returnAttention };
  }
}

// keras-self-attention's scaled dot attention: q k^T / sqrt(d), then (from scores e) the
// history_only and mask penalties of 1e4, softmax, weights times value.
function scores(query, key) {
  return tf.div(tf.matMul(query, key, false, true), Math.sqrt(query.shape[query.shape.length - 1]));
}

function scaledDot(query, key, value, e, mask, historyOnly) {
  if (historyOnly) {
    const indices = tf.expandDims(tf.range(0, key.shape[1], 1, 'int32'), 0);
    const upper = tf.expandDims(tf.range(0, query.shape[1], 1, 'int32'), -1);
    e = tf.sub(e, tf.mul(10000.0, tf.expandDims(tf.cast(tf.greater(indices, upper), 'float32'), 0)));
  }
  if (mask) e = tf.sub(e, tf.mul(10000.0, tf.sub(1.0, tf.cast(tf.expandDims(mask, -2), 'float32'))));
  e = tf.exp(tf.sub(e, tf.max(e, -1, true)));
  const a = tf.div(e, tf.sum(e, -1, true));
  return { v: tf.matMul(a, value), a };
}

// keras_self_attention 0.51.0 ScaledDotProductAttention: no weights; inputs
// [query, key, value] or one tensor used as all three; the key mask (mask[1]
// of a list) penalizes padded keys.
export class ScaledDotProductAttention extends tf.layers.Layer {
  static className = 'ScaledDotProductAttention';

  constructor(args = {}) {
    super(args);
    this.supportsMasking = true;
    this.returnAttention = arg(args, 'return_attention', false);
    this.historyOnly = arg(args, 'history_only', false);
  }

  call(inputs, kwargs) {
    return tf.tidy(() => {
      const [query, key, value] = Array.isArray(inputs) && inputs.length === 3 ? inputs
        : [0, 0, 0].map(() => (Array.isArray(inputs) ? inputs[0] : inputs));
      let mask = kwargs && kwargs.mask ? kwargs.mask : null;
      if (Array.isArray(mask)) mask = mask.length === 3 ? mask[1] : mask[0];
      // K.batch_dot(query, key, axes=2) / sqrt(d)
      const { v, a } = scaledDot(query, key, value, scores(query, key), mask, this.historyOnly);
      return this.returnAttention ? [v, a] : v;
    });
  }

  computeOutputShape(s) {
    const [q, k, v] = Array.isArray(s[0]) ? s : [s, s, s];
    const out = [...q.slice(0, -1), v[v.length - 1]];
    return this.returnAttention ? [out, [q[0], q[1], k[1]]] : out;
  }

  computeMask(inputs, mask) {
    let m = Array.isArray(mask) ? mask[0] : mask;
    m = m ?? null;
    return this.returnAttention ? [m, null] : m;
  }

  getConfig() {
    return { ...baseConfig(this), return_attention: this.returnAttention, history_only: this.historyOnly };
  }
}

// keras-self-attention 0.51.0 ResidualScaledDotProductAttention (real_former.py, RealFormer):
// inputs [x, prev] (q = k = v = x) or [q, k, v, prev], prev (Tq, Tk) the previous layer's
// scores; outputs [v, new_prev(, attention)] with new_prev = q k^T / sqrt(d) + prev taken
// before the history and mask penalties. Mask: mask[0] with two inputs, mask[1] (the key's)
// with four. Its compute_mask returns [mask, mask[-1]] (a slice of the mask tensor); here the
// values keep the query's mask and the rest have none.
export class ResidualScaledDotProductAttention extends ScaledDotProductAttention {
  static className = 'ResidualScaledDotProductAttention';

  call(inputs, kwargs) {
    return tf.tidy(() => {
      const four = inputs.length === 4;
      const [query, key, value, prev] = four ? inputs : [inputs[0], inputs[0], inputs[0], inputs[1]];
      let mask = kwargs && kwargs.mask ? kwargs.mask : null;
      if (Array.isArray(mask)) mask = four ? mask[1] : mask[0];
      const newPrev = tf.add(scores(query, key), prev);
      const { v, a } = scaledDot(query, key, value, newPrev, mask, this.historyOnly);
      return this.returnAttention ? [v, newPrev, a] : [v, newPrev];
    });
  }

  computeOutputShape(s) {
    const four = s.length === 4;
    const [q, k, v] = four ? s : [s[0], s[0], s[0]];
    const out = [...q.slice(0, -1), v[v.length - 1]];
    const scores = [q[0], q[1], k[1]];
    return this.returnAttention ? [out, scores, scores] : [out, scores];
  }

  computeMask(inputs, mask) {
    const m = Array.isArray(mask) ? mask[0] ?? null : mask ?? null;
    return this.returnAttention ? [m, null, null] : [m, null];
  }
}

// keras.layers.Attention (Luong, score_mode 'dot' or 'concat', use_scale) and
// AdditiveAttention (Bahdanau), following keras/src/layers/attention: inputs
// [query, value] or [query, value, key]; masks [query_mask, value_mask].
export class Attention extends tf.layers.Layer {
  static className = 'Attention';

  constructor(args = {}) {
    super(args);
    this.supportsMasking = true;
    this.useScale = arg(args, 'use_scale', false);
    this.scoreMode = arg(args, 'score_mode', 'dot');
    this.dropout = arg(args, 'dropout', 0.0);
  }

  build(inputShape) {
    if (this.useScale) this.scale = this.addWeight('scale', [], 'float32', tf.initializers.ones());
    if (this.scoreMode === 'concat') {
      this.concatScoreWeight = this.addWeight('concat_score_weight', [], 'float32', tf.initializers.ones());
    }
    this.built = true;
  }

  scores(query, key) {
    if (this.scoreMode === 'dot') {
      const s = tf.matMul(query, key, false, true);
      return this.useScale ? tf.mul(s, this.scale.read()) : s;
    }
    let sum = tf.add(tf.expandDims(query, -2), tf.expandDims(key, -3)); // (B, Tq, Tv, dim)
    if (this.useScale) sum = tf.mul(this.scale.read(), sum);
    return tf.mul(this.concatScoreWeight.read(), tf.sum(tf.tanh(sum), -1));
  }

  call(inputs, kwargs) {
    return tf.tidy(() => {
      const [q, v] = inputs;
      const k = inputs.length > 2 ? inputs[2] : v;
      const mask = kwargs && Array.isArray(kwargs.mask) ? kwargs.mask : null;
      let scores = this.scores(q, k);
      if (mask && mask[1]) {
        // scores -= 1e9 * (1 - value_mask), value mask as (B, 1, Tv)
        const pad = tf.sub(1.0, tf.cast(tf.expandDims(mask[1], -2), 'float32'));
        scores = tf.sub(scores, tf.mul(1.0e9, pad));
      }
      let result = tf.matMul(tf.softmax(scores, -1), v);
      if (mask && mask[0]) result = tf.mul(result, tf.expandDims(tf.cast(mask[0], 'float32'), -1));
      return result;
    });
  }

  computeOutputShape(s) { return [...s[0].slice(0, -1), s[1][s[1].length - 1]]; }

  computeMask(inputs, mask) { return Array.isArray(mask) && mask[0] ? mask[0] : null; }

  getConfig() {
    return { ...baseConfig(this), use_scale: this.useScale, score_mode: this.scoreMode, dropout: this.dropout };
  }
}

export class AdditiveAttention extends Attention {
  static className = 'AdditiveAttention';

  constructor(args = {}) {
    super({ ...args, use_scale: arg(args, 'use_scale', true) });
  }

  build(inputShape) {
    const dim = inputShape[0][inputShape[0].length - 1];
    if (this.useScale) this.scale = this.addWeight('scale', [dim], 'float32', tf.initializers.glorotUniform({}));
    this.built = true;
  }

  scores(query, key) {
    const t = tf.tanh(tf.add(tf.expandDims(query, -2), tf.expandDims(key, -3)));
    return tf.sum(this.useScale ? tf.mul(this.scale.read(), t) : t, -1);
  }

  getConfig() {
    const { score_mode: _unused, ...config } = super.getConfig();
    return config;
  }
}

// keras-multi-head 0.29.0 MultiHeadAttention(head_num, activation='relu',
// use_bias, history_only): q, k, v = act(x W + b); heads split from the feature
// axis; ScaledDotProductAttention per head; heads merged; act(y Wo + bo).
export class MultiHeadAttention extends tf.layers.Layer {
  static className = 'MultiHeadAttention';

  constructor(args = {}) {
    super(args);
    this.supportsMasking = true;
    this.headNum = arg(args, 'head_num');
    this.activationName = arg(args, 'activation', 'relu');
    this.useBias = arg(args, 'use_bias', true);
    this.historyOnly = arg(args, 'history_only', false);
  }

  build(inputShape) {
    const [q, k, v] = Array.isArray(inputShape[0]) ? inputShape : [inputShape, inputShape, inputShape];
    const f = v[v.length - 1];
    if (f % this.headNum !== 0) throw new Error(`Invalid head number ${this.headNum} with the given input dim ${f}`);
    const n = this.name;
    const init = tf.initializers.glorotNormal({});
    const zero = tf.initializers.zeros();
    this.w = {};
    for (const [key, rows] of [['q', q[q.length - 1]], ['k', k[k.length - 1]], ['v', f]]) {
      this.w[`W${key}`] = this.addWeight(`${n}_W${key}`, [rows, f], 'float32', init);
      if (this.useBias) this.w[`b${key}`] = this.addWeight(`${n}_b${key}`, [f], 'float32', zero);
    }
    this.w.Wo = this.addWeight(`${n}_Wo`, [f, f], 'float32', init);
    if (this.useBias) this.w.bo = this.addWeight(`${n}_bo`, [f], 'float32', zero);
    this.built = true;
  }

  project(x, key) {
    let y = kdot(x, this.w[`W${key}`].read());
    if (this.useBias) y = tf.add(y, this.w[`b${key}`].read());
    return this.activationName === 'linear' || this.activationName === null ? y : tf.layers.activation({ activation: this.activationName }).apply(y);
  }

  call(inputs, kwargs) {
    return tf.tidy(() => {
      const [xq, xk, xv] = Array.isArray(inputs) && inputs.length === 3 ? inputs
        : [0, 0, 0].map(() => (Array.isArray(inputs) ? inputs[0] : inputs));
      const h = this.headNum;
      const split = (x) => { // (B, T, F) -> (B, H, T, F/H)
        const [b, t, f] = x.shape;
        return tf.transpose(tf.reshape(x, [b, t, h, f / h]), [0, 2, 1, 3]);
      };
      const q = split(this.project(xq, 'q'));
      const k = split(this.project(xk, 'k'));
      const v = split(this.project(xv, 'v'));
      let e = tf.div(tf.matMul(q, k, false, true), Math.sqrt(q.shape[3]));
      if (this.historyOnly) {
        const indices = tf.expandDims(tf.range(0, k.shape[2], 1, 'int32'), 0);
        const upper = tf.expandDims(tf.range(0, q.shape[2], 1, 'int32'), -1);
        e = tf.sub(e, tf.mul(10000.0, tf.cast(tf.greater(indices, upper), 'float32')));
      }
      let mask = kwargs && kwargs.mask ? kwargs.mask : null;
      if (Array.isArray(mask)) mask = mask.length === 3 ? mask[1] : mask[0];
      if (mask) e = tf.sub(e, tf.mul(10000.0, tf.sub(1.0, tf.reshape(tf.cast(mask, 'float32'), [mask.shape[0], 1, 1, -1]))));
      e = tf.exp(tf.sub(e, tf.max(e, -1, true)));
      const a = tf.div(e, tf.sum(e, -1, true));
      const y = tf.matMul(a, v); // (B, H, Tq, F/H)
      const [b, , t, d] = y.shape;
      const merged = tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [b, t, h * d]);
      return this.project(merged, 'o');
    });
  }

  computeOutputShape(s) {
    if (Array.isArray(s[0])) return [...s[0].slice(0, -1), s[2][s[2].length - 1]];
    return s;
  }

  computeMask(inputs, mask) {
    const m = Array.isArray(mask) ? mask[0] : mask;
    return m ?? null;
  }

  getConfig() {
    return {
      ...baseConfig(this), head_num: this.headNum, activation: this.activationName, use_bias: this.useBias,
      kernel_initializer: glorotNormal, bias_initializer: zeros, kernel_regularizer: null, bias_regularizer: null,
      kernel_constraint: null, bias_constraint: null, history_only: this.historyOnly,
    };
  }
}

// Keras' own keras.layers.MultiHeadAttention (keras/src/layers/attention/
// multi_head_attention.py, default attention axes): called as layer(query,
// value[, key]); EinsumDense projections query/key/value (dim, heads, key_dim
// or value_dim) + bias (heads, dim), query scaled by 1/sqrt(key_dim), softmax
// over keys, output projection attention_output (heads, value_dim, out_dim).
// Same class name as keras-multi-head's layer, so it is not registered with
// tfjs' serializer (tfjs cannot reload the model that uses it).
export class KerasMultiHeadAttention extends tf.layers.Layer {
  static className = 'MultiHeadAttention';

  constructor(args = {}) {
    super(args);
    this.supportsMasking = true;
    this.numHeads = arg(args, 'num_heads');
    this.keyDim = arg(args, 'key_dim');
    this.valueDim = arg(args, 'value_dim', null) ?? this.keyDim;
    this.useBias = arg(args, 'use_bias', true);
  }

  build(inputShape) {
    const [q, v] = inputShape;
    const k = inputShape.length > 2 ? inputShape[2] : v;
    const last = (s) => s[s.length - 1];
    this.outDim = last(q);
    const init = tf.initializers.glorotUniform({});
    const zero = tf.initializers.zeros();
    this.p = {};
    for (const [name, inDim, width] of [['query', last(q), this.keyDim], ['key', last(k), this.keyDim],
      ['value', last(v), this.valueDim]]) {
      this.p[name] = this.addWeight(`${name}/kernel`, [inDim, this.numHeads, width], 'float32', init);
      if (this.useBias) this.p[`${name}_b`] = this.addWeight(`${name}/bias`, [this.numHeads, width], 'float32', zero);
    }
    this.p.out = this.addWeight('attention_output/kernel', [this.numHeads, this.valueDim, this.outDim], 'float32', init);
    if (this.useBias) this.p.out_b = this.addWeight('attention_output/bias', [this.outDim], 'float32', zero);
    this.built = true;
  }

  project(x, name) { // einsum "abc,cde->abde" (+ bias "de")
    const [b, t, c] = x.shape;
    const w = this.p[name].read();
    let y = tf.reshape(tf.matMul(tf.reshape(x, [b * t, c]), tf.reshape(w, [c, -1])), [b, t, w.shape[1], w.shape[2]]);
    if (this.useBias) y = tf.add(y, this.p[`${name}_b`].read());
    return y;
  }

  call(inputs) {
    return tf.tidy(() => {
      const [xq, xv] = inputs;
      const xk = inputs.length > 2 ? inputs[2] : xv;
      const q = tf.mul(this.project(xq, 'query'), 1.0 / Math.sqrt(this.keyDim));
      const k = this.project(xk, 'key');
      const v = this.project(xv, 'value');
      // scores = einsum("aecd,abcd->acbe", key, query): (B, H, Tq, Tk)
      const scores = tf.matMul(tf.transpose(q, [0, 2, 1, 3]), tf.transpose(k, [0, 2, 1, 3]), false, true);
      const a = tf.softmax(scores, -1);
      // einsum("acbe,aecd->abcd", a, value): (B, Tq, H, value_dim)
      const o = tf.transpose(tf.matMul(a, tf.transpose(v, [0, 2, 1, 3])), [0, 2, 1, 3]);
      const [b, t] = o.shape;
      // einsum("abcd,cde->abe", o, W_out) + bias
      let y = tf.reshape(tf.matMul(tf.reshape(o, [b * t, -1]), tf.reshape(this.p.out.read(), [-1, this.outDim])),
        [b, t, this.outDim]);
      if (this.useBias) y = tf.add(y, this.p.out_b.read());
      return y;
    });
  }

  computeOutputShape(s) { return [...s[0].slice(0, -1), s[0][s[0].length - 1]]; }

  computeMask() { return null; }

  getConfig() {
    return {
      ...baseConfig(this), num_heads: this.numHeads, key_dim: this.keyDim, value_dim: this.valueDim,
      dropout: 0.0, use_bias: this.useBias, output_shape: null, attention_axes: null,
      kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: zeros,
      kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null,
      kernel_constraint: null, bias_constraint: null,
    };
  }
}

// keras.layers.ActivityRegularization: identity at inference (adds a loss in training).
export class ActivityRegularization extends tf.layers.Layer {
  static className = 'ActivityRegularization';
  constructor(args = {}) { super(args); this.l1 = arg(args, 'l1', 0.0); this.l2 = arg(args, 'l2', 0.0); this.supportsMasking = true; }
  call(inputs) { return tf.tidy(() => tf.clone(Array.isArray(inputs) ? inputs[0] : inputs)); }
  getConfig() { return { ...baseConfig(this), l1: this.l1, l2: this.l2 }; }
}

// keras.layers.Subtract: x0 - x1.
export class Subtract extends tf.layers.Layer {
  static className = 'Subtract';
  call(inputs) { return tf.tidy(() => tf.sub(inputs[0], inputs[1])); }
  computeOutputShape(s) { return s[0]; }
  getConfig() { return baseConfig(this); }
}

// keras.layers.Cropping1D(cropping=(a, b)): x[:, a:T-b, :].
export class Cropping1D extends tf.layers.Layer {
  static className = 'Cropping1D';
  constructor(args) { super(args); this.cropping = arg(args, 'cropping'); }
  call(inputs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const [a, b] = this.cropping;
    return tf.tidy(() => tf.slice(x, [0, a, 0], [-1, x.shape[1] - a - b, -1]));
  }
  computeOutputShape(s) { return [s[0], s[1] - this.cropping[0] - this.cropping[1], s[2]]; }
  getConfig() { return { ...baseConfig(this), cropping: this.cropping }; }
}

// keras.layers.ZeroPadding1D(padding=(a, b)): a zero steps before, b after.
export class ZeroPadding1D extends tf.layers.Layer {
  static className = 'ZeroPadding1D';
  constructor(args) { super(args); this.padding = arg(args, 'padding'); }
  call(inputs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => tf.pad(x, [[0, 0], this.padding, [0, 0]]));
  }
  computeOutputShape(s) { return [s[0], s[1] + this.padding[0] + this.padding[1], s[2]]; }
  getConfig() { return { ...baseConfig(this), padding: this.padding }; }
}

// keras.layers.UpSampling1D(size=n): each step repeated n times (K.repeat_elements).
export class UpSampling1D extends tf.layers.Layer {
  static className = 'UpSampling1D';
  constructor(args) { super(args); this.size = args.size ?? 2; }
  call(inputs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const [b, t, c] = x.shape;
    return tf.tidy(() => tf.reshape(tf.tile(tf.expandDims(x, 2), [1, 1, this.size, 1]), [b, t * this.size, c]));
  }
  computeOutputShape(s) { return [s[0], s[1] * this.size, s[2]]; }
  getConfig() { return { ...baseConfig(this), size: this.size }; }
}

for (const cls of [SeqSelfAttention, SeqWeightedAttention, ScaledDotProductAttention, ResidualScaledDotProductAttention,
  Attention, AdditiveAttention,
  MultiHeadAttention, ActivityRegularization, Subtract, Cropping1D, ZeroPadding1D, UpSampling1D]) {
  tf.serialization.registerClass(cls);
}

// Conv1D(padding='causal'), which tfjs does not implement: Keras pads
// (kernel_size-1)*dilation_rate zero steps on the left and runs a 'valid'
// convolution (keras Conv1D._compute_causal_padding).  The subclass keeps
// the class name Conv1D and writes padding='causal' in its config.
const Conv1DBase = tf.layers.conv1d({ filters: 1, kernelSize: 1 }).constructor;
export class CausalConv1D extends Conv1DBase {
  static className = 'Conv1D';
  constructor(args) {
    super({ ...args, padding: 'valid' });
    this.leftPad = (this.kernelSize[0] - 1) * this.dilationRate[0];
  }
  call(inputs, kwargs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return super.call(tf.pad(x, [[0, 0], [this.leftPad, 0], [0, 0]]), kwargs);
  }
  computeOutputShape(s) {
    const out = super.computeOutputShape([s[0], s[1] === null ? null : s[1] + this.leftPad, s[2]]);
    return out;
  }
  getConfig() { return { ...super.getConfig(), padding: 'causal' }; }
}

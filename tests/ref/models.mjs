// The reference models built with TensorFlow.js.  Each entry returns
// { model, inputs: [input spec per model input], save: {tfjs save options},
//   semantics } where semantics is 'keras2' when the model uses hard_sigmoid
// (tfjs computes Keras 2's 0.2x+0.5, so Keras 3 files of it would be wrong),
// otherwise 'any'.
import * as tf from '@tensorflow/tfjs';
import { SeqSelfAttention, SeqWeightedAttention, ScaledDotProductAttention, ResidualScaledDotProductAttention,
  Attention, AdditiveAttention,
  MultiHeadAttention, KerasMultiHeadAttention, ActivityRegularization, Subtract, Cropping1D, ZeroPadding1D, UpSampling1D, CausalConv1D }
  from './custom_layers.mjs';

const L = tf.layers;
const f = (shape, extra = {}) => ({ kind: 'float', shape, ...extra });

// Sequential helper: first layer gets the input shape.
function seq(name, inputShape, layers) {
  const m = tf.sequential({ name });
  // the first layer carries inputShape (checked here so a typo shows early)
  const first = layers[0].batchInputShape;
  if (!first || JSON.stringify(first.slice(1)) !== JSON.stringify(inputShape)) {
    throw new Error(`${name}: first layer needs inputShape ${inputShape}`);
  }
  layers.forEach((layer) => m.add(layer));
  return m;
}

export const MODELS = {
  // Stacked LSTMs, relu cell activation, Dense with tanh.
  lstm_stack: () => ({
    model: seq('lstm_stack', [6, 3], [
      L.lstm({ name: 'lstm_1', units: 8, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [6, 3] }),
      L.lstm({ name: 'lstm_2', units: 5, activation: 'relu', recurrentActivation: 'sigmoid' }),
      L.dense({ name: 'dense_1', units: 3, activation: 'tanh' }),
    ]),
    inputs: [f([6, 3])],
  }),

  // Keras-2 hard_sigmoid (0.2x+0.5) as recurrent activation and as Activation.
  hard_sigmoid_k2: () => ({
    model: seq('hard_sigmoid_k2', [7, 2], [
      L.lstm({ name: 'lstm_1', units: 6, returnSequences: true, recurrentActivation: 'hardSigmoid', inputShape: [7, 2] }),
      L.gru({ name: 'gru_1', units: 4, returnSequences: true, recurrentActivation: 'hardSigmoid' }),
      L.simpleRNN({ name: 'simple_rnn_1', units: 4, activation: 'relu', returnSequences: true }),
      L.activation({ name: 'activation_1', activation: 'hardSigmoid' }),
      L.flatten({ name: 'flatten_1' }),
      L.dense({ name: 'dense_1', units: 1 }),
    ]),
    inputs: [f([7, 2], { scale: 3 })],
    semantics: 'keras2',
  }),

  // return_state, go_backwards, use_bias=false, GRU reset_after=false.
  rnn_options: () => {
    const inp = tf.input({ shape: [6, 3], name: 'input_1' });
    const [seqOut, h, c] = L.lstm({ name: 'lstm_state', units: 5, returnSequences: true, returnState: true,
      recurrentActivation: 'sigmoid' }).apply(inp);
    const back = L.lstm({ name: 'lstm_back', units: 4, returnSequences: true, goBackwards: true,
      recurrentActivation: 'sigmoid' }).apply(seqOut);
    const nobias = L.lstm({ name: 'lstm_nobias', units: 3, useBias: false, recurrentActivation: 'sigmoid' }).apply(back);
    const [gseq, gh] = L.gru({ name: 'gru_state', units: 4, returnSequences: true, returnState: true,
      recurrentActivation: 'sigmoid', activation: 'softsign' }).apply(inp);
    const gb = L.gru({ name: 'gru_back', units: 3, goBackwards: true, useBias: false,
      recurrentActivation: 'sigmoid' }).apply(gseq);
    const [sseq, sh] = L.simpleRNN({ name: 'srnn_state', units: 3, returnSequences: true, returnState: true,
      activation: 'elu' }).apply(inp);
    const sb = L.simpleRNN({ name: 'srnn_back', units: 3, goBackwards: true, returnSequences: true }).apply(sseq);
    const sbl = L.simpleRNN({ name: 'srnn_nobias', units: 2, useBias: false }).apply(sb);
    const [bseq, bhf, bcf, bhb, bcb] = L.bidirectional({ name: 'bidirectional_state', mergeMode: 'concat',
      layer: L.lstm({ name: 'lstm_bs', units: 2, returnSequences: true, returnState: true, recurrentActivation: 'sigmoid' }) }).apply(inp);
    const bsl = L.flatten({ name: 'flatten_bs' }).apply(bseq);
    const cat = L.concatenate({ name: 'concat_states' }).apply([h, c, nobias, gh, gb, sh, sbl, bsl, bhf, bcf, bhb, bcb]);
    const out = L.dense({ name: 'dense_out', units: 2, activation: 'sigmoid' }).apply(cat);
    return { model: tf.model({ inputs: inp, outputs: out, name: 'rnn_options' }), inputs: [f([6, 3])] };
  },

  // Bidirectional with every merge mode, merge_mode=None giving two outputs.
  bidirectional: () => {
    const inp = tf.input({ shape: [7, 3], name: 'input_1' });
    const rs = { returnSequences: true, recurrentActivation: 'sigmoid' };
    const b1 = L.bidirectional({ name: 'bidirectional_1', mergeMode: 'concat',
      layer: L.lstm({ name: 'lstm_1', units: 4, ...rs }) }).apply(inp);
    const b2 = L.bidirectional({ name: 'bidirectional_2', mergeMode: 'sum',
      layer: L.gru({ name: 'gru_1', units: 3, ...rs }) }).apply(b1);
    const b3 = L.bidirectional({ name: 'bidirectional_3', mergeMode: 'mul',
      layer: L.simpleRNN({ name: 'simple_rnn_1', units: 3, returnSequences: true }) }).apply(b2);
    const b4 = L.bidirectional({ name: 'bidirectional_4', mergeMode: 'ave',
      layer: L.lstm({ name: 'lstm_2', units: 3, ...rs }) }).apply(b3);
    const [fw, bw] = L.bidirectional({ name: 'bidirectional_5', mergeMode: null,
      layer: L.lstm({ name: 'lstm_3', units: 2, recurrentActivation: 'sigmoid' }) }).apply(b4);
    const b6 = L.bidirectional({ name: 'bidirectional_6', mergeMode: 'concat',
      layer: L.gru({ name: 'gru_2', units: 2, recurrentActivation: 'sigmoid' }) }).apply(b4);
    const cat = L.concatenate({ name: 'concatenate_1' }).apply([fw, bw, b6]);
    const out = L.dense({ name: 'dense_1', units: 1 }).apply(cat);
    return { model: tf.model({ inputs: inp, outputs: out, name: 'bidirectional' }), inputs: [f([7, 3])],
      save: { groups: 3, shardBytes: 700 } };
  },

  // Every Keras activation tfjs has (hard_sigmoid is in hard_sigmoid_k2), on a 3-D Dense.
  activations: () => {
    const inp = tf.input({ shape: [5, 4], name: 'input_1' });
    const d = L.dense({ name: 'dense_3d', units: 6 }).apply(inp);
    const acts = ['tanh', 'sigmoid', 'relu', 'elu', 'selu', 'softplus', 'softsign', 'swish', 'gelu', 'softmax', 'linear'];
    const branches = acts.map((a) => L.activation({ name: `act_${a}`, activation: a }).apply(d));
    branches.push(L.reLU({ name: 're_lu_1', maxValue: 1.5 }).apply(d));
    branches.push(L.leakyReLU({ name: 'leaky_re_lu_1', alpha: 0.2 }).apply(d));
    branches.push(L.elu({ name: 'elu_1', alpha: 1.0 }).apply(d));
    branches.push(L.thresholdedReLU({ name: 'thresholded_re_lu_1', theta: 0.3 }).apply(d));
    branches.push(L.dense({ name: 'dense_relu', units: 3, activation: 'relu' }).apply(d));
    branches.push(L.dense({ name: 'dense_softmax', units: 3, activation: 'softmax' }).apply(d));
    const cat = L.concatenate({ name: 'concatenate_1' }).apply(branches);
    const out = L.dense({ name: 'dense_out', units: 2, activation: 'softmax' }).apply(L.flatten({ name: 'flatten_1' }).apply(cat));
    return { model: tf.model({ inputs: inp, outputs: out, name: 'activations' }), inputs: [f([5, 4])] };
  },

  // Activations that exist in Keras 3 but not in Keras 2 (Keras-3 formats only).
  activations_k3: () => {
    const inp = tf.input({ shape: [5, 4], name: 'input_layer' });
    const d = L.dense({ name: 'dense', units: 6 }).apply(inp);
    const branches = ['relu6', 'mish', 'swish', 'gelu'].map((a) => L.activation({ name: `activation_${a}`, activation: a }).apply(d));
    const cat = L.concatenate({ name: 'concatenate' }).apply(branches);
    return { model: tf.model({ inputs: inp, outputs: cat, name: 'activations_k3' }), inputs: [f([5, 4], { scale: 4 })],
      weightScale: { dense: 2.0 } };
  },

  // Embedding, BatchNormalization, LayerNormalization.
  embed_norm: () => ({
    model: seq('embed_norm', [8], [
      L.embedding({ name: 'embedding_1', inputDim: 20, outputDim: 5, inputLength: 8, inputShape: [8] }),
      L.batchNormalization({ name: 'batch_normalization_1', epsilon: 0.001 }),
      L.layerNormalization({ name: 'layer_normalization_1', epsilon: 0.001 }),
      L.lstm({ name: 'lstm_1', units: 4, recurrentActivation: 'sigmoid', returnSequences: true }),
      L.batchNormalization({ name: 'batch_normalization_2', epsilon: 0.01, center: false }),
      L.globalAveragePooling1d({ name: 'global_average_pooling1d_1' }),
      L.dense({ name: 'dense_1', units: 2 }),
    ]),
    inputs: [{ kind: 'int', shape: [8], vocab: 20 }],
  }),

  // Embedding(mask_zero=True): the mask flows through the RNNs.
  embed_mask: () => ({
    model: seq('embed_mask', [9], [
      L.embedding({ name: 'embedding', inputDim: 12, outputDim: 4, maskZero: true, inputLength: 9, inputShape: [9] }),
      L.lstm({ name: 'lstm', units: 5, returnSequences: true, recurrentActivation: 'sigmoid' }),
      L.gru({ name: 'gru', units: 3, returnSequences: true, recurrentActivation: 'sigmoid' }),
      L.simpleRNN({ name: 'simple_rnn', units: 3 }),
      L.dense({ name: 'dense', units: 2 }),
    ]),
    inputs: [{ kind: 'int', shape: [9], vocab: 12, zeroTail: [0, 3] }],
  }),

  // Masking: mask through LSTM, Bidirectional, SeqSelfAttention (0.46+ rule),
  // SeqWeightedAttention.  Only outputs whose value Keras versions agree on:
  // no return_sequences Bidirectional (tf.keras zeroes its masked steps,
  // zero_output_for_mask) and no global pooling (tfjs ignores the mask there).
  masking: () => {
    const inp = tf.input({ shape: [8, 3], name: 'input_1' });
    const m = L.masking({ name: 'masking_1', maskValue: 0 }).apply(inp);
    const l = L.lstm({ name: 'lstm_1', units: 4, returnSequences: true, recurrentActivation: 'sigmoid' }).apply(m);
    const bi = L.bidirectional({ name: 'bidirectional_1', layer: L.gru({ name: 'gru_1', units: 2,
      recurrentActivation: 'sigmoid' }) }).apply(m);
    const [v, a] = new SeqSelfAttention({ name: 'seq_self_attention_1', units: 4, return_attention: true }).apply(l);
    const [w, wa] = new SeqWeightedAttention({ name: 'seq_weighted_attention_1', return_attention: true }).apply(l);
    const flat = L.flatten({ name: 'flatten_1' }).apply(v);
    const cat = L.concatenate({ name: 'concatenate_1' }).apply([flat, w, wa, bi]);
    const out = L.dense({ name: 'dense_1', units: 1 }).apply(cat);
    return { model: tf.model({ inputs: inp, outputs: [out, a], name: 'masking' }),
      inputs: [f([8, 3], { maskTail: [[0, 2], [1, 5]] })] };
  },

  // Conv1D (valid/same/causal, strides, dilation), pooling, global pooling.
  conv_pool: () => {
    const inp = tf.input({ shape: [16, 3], name: 'input_1' });
    const c1 = L.conv1d({ name: 'conv1d_valid', filters: 4, kernelSize: 3, activation: 'relu' }).apply(inp);
    const c2 = L.conv1d({ name: 'conv1d_same_s2', filters: 4, kernelSize: 3, padding: 'same', strides: 2 }).apply(c1);
    const c3 = new CausalConv1D({ name: 'conv1d_causal_d2', filters: 3, kernelSize: 2, dilationRate: 2 }).apply(inp);
    const c4 = L.conv1d({ name: 'conv1d_same_d3', filters: 2, kernelSize: 3, padding: 'same', dilationRate: 3, useBias: false }).apply(inp);
    const c5 = L.conv1d({ name: 'conv1d_valid_s3', filters: 2, kernelSize: 4, strides: 3 }).apply(inp);
    const mp = L.maxPooling1d({ name: 'max_pooling1d_1', poolSize: 2 }).apply(c3);
    const mp2 = L.maxPooling1d({ name: 'max_pooling1d_same', poolSize: 3, strides: 2, padding: 'same' }).apply(c4);
    const ap = L.averagePooling1d({ name: 'average_pooling1d_1', poolSize: 3, strides: 1 }).apply(c1);
    const ap2 = L.averagePooling1d({ name: 'average_pooling1d_same', poolSize: 2, padding: 'same' }).apply(c3);
    const g = [c2, mp, mp2, ap, ap2, c5].flatMap((t, i) => [
      L.globalMaxPooling1d({ name: `global_max_pooling1d_${i + 1}` }).apply(t),
      L.globalAveragePooling1d({ name: `global_average_pooling1d_${i + 1}` }).apply(t)]);
    const cat = L.concatenate({ name: 'concatenate_1' }).apply(g);
    const out = L.dense({ name: 'dense_1', units: 2 }).apply(cat);
    return { model: tf.model({ inputs: inp, outputs: out, name: 'conv_pool' }), inputs: [f([16, 3])] };
  },

  // Rescaling (added by HACKING.md's new-layer recipe): before an LSTM on (steps, channels),
  // and a negative scale on its last state, before a Dense(1).
  rescaling: () => ({
    model: seq('rescaling', [5, 3], [
      L.rescaling({ name: 'rescaling_1', scale: 0.5, offset: -0.25, inputShape: [5, 3] }),
      L.lstm({ name: 'lstm_1', units: 4, recurrentActivation: 'sigmoid' }),
      L.rescaling({ name: 'rescaling_2', scale: -2, offset: 0.125 }),
      L.dense({ name: 'dense_1', units: 1 }),
    ]),
    inputs: [f([5, 3])],
  }),

  // Shape layers, TimeDistributed(Dense), padding/cropping/upsampling, inference no-ops.
  shapes: () => ({
    model: seq('shapes', [6, 4], [
      L.reshape({ name: 'reshape_1', targetShape: [4, 6], inputShape: [6, 4] }),
      L.permute({ name: 'permute_1', dims: [2, 1] }),
      L.dropout({ name: 'dropout_1', rate: 0.3 }),
      L.flatten({ name: 'flatten_1' }),
      L.repeatVector({ name: 'repeat_vector_1', n: 3 }),
      L.timeDistributed({ name: 'time_distributed_1', layer: L.dense({ name: 'dense_1', units: 5, activation: 'tanh' }) }),
      new ZeroPadding1D({ name: 'zero_padding1d_1', padding: [1, 2] }),
      new UpSampling1D({ name: 'up_sampling1d_1', size: 2 }),
      new Cropping1D({ name: 'cropping1d_1', cropping: [2, 1] }),
      L.spatialDropout1d({ name: 'spatial_dropout1d_1', rate: 0.2 }),
      L.gaussianNoise({ name: 'gaussian_noise_1', stddev: 0.5 }),
      L.gaussianDropout({ name: 'gaussian_dropout_1', rate: 0.2 }),
      new ActivityRegularization({ name: 'activity_regularization_1', l1: 0.01, l2: 0.0 }),
      L.alphaDropout({ name: 'alpha_dropout_1', rate: 0.1 }),
      L.dense({ name: 'dense_2', units: 3 }),
      L.reshape({ name: 'reshape_2', targetShape: [-1] }),
    ]),
    inputs: [f([6, 4])],
    save: { wrap: true },
  }),

  // Merge layers on two inputs.
  merge: () => {
    const a = tf.input({ shape: [5, 4], name: 'input_a' });
    const b = tf.input({ shape: [5, 4], name: 'input_b' });
    const da = L.dense({ name: 'dense_a', units: 4 }).apply(a);
    const merged = [
      L.add({ name: 'add_1' }).apply([da, b]),
      new Subtract({ name: 'subtract_1' }).apply([da, b]),
      L.multiply({ name: 'multiply_1' }).apply([da, b]),
      L.average({ name: 'average_1' }).apply([da, b]),
      L.maximum({ name: 'maximum_1' }).apply([da, b]),
      L.minimum({ name: 'minimum_1' }).apply([da, b]),
      L.add({ name: 'add_3' }).apply([da, b, a]),
    ];
    const cat1 = L.concatenate({ name: 'concatenate_axis1', axis: 1 }).apply([da, b]);
    const dot = L.dot({ name: 'dot_1', axes: 2 }).apply([da, b]);
    const dotn = L.dot({ name: 'dot_normalize', axes: 1, normalize: true }).apply([da, b]);
    const all = L.concatenate({ name: 'concatenate_all' }).apply(merged);
    const fl = [all, cat1, dot, dotn].map((t, i) => L.flatten({ name: `flatten_${i + 1}` }).apply(t));
    const out = L.dense({ name: 'dense_out', units: 2 }).apply(L.concatenate({ name: 'concatenate_flat' }).apply(fl));
    return { model: tf.model({ inputs: [a, b], outputs: out, name: 'merge' }), inputs: [f([5, 4]), f([5, 4])] };
  },

  // Shared layer (two nodes), a layer with several outputs, two model outputs,
  // and a Sequential model nested as a layer.
  functional_nested: () => {
    const a = tf.input({ shape: [6, 3], name: 'input_a' });
    const b = tf.input({ shape: [6, 3], name: 'input_b' });
    const shared = L.lstm({ name: 'shared_lstm', units: 4, returnSequences: true, recurrentActivation: 'sigmoid' });
    const sa = shared.apply(a);
    const sb = shared.apply(b);
    const inner = tf.sequential({ name: 'inner_seq' });
    inner.add(L.dense({ name: 'inner_dense_1', units: 5, activation: 'relu', inputShape: [6, 4] }));
    inner.add(L.gru({ name: 'inner_gru', units: 3, recurrentActivation: 'sigmoid' }));
    inner.add(L.dense({ name: 'inner_dense_2', units: 2 }));
    const nested = inner.apply(sb);
    const [o, h, c] = L.lstm({ name: 'lstm_multi', units: 3, returnState: true, recurrentActivation: 'sigmoid' }).apply(sa);
    const sharedDense = L.dense({ name: 'shared_dense', units: 2, activation: 'tanh' });
    const d1 = sharedDense.apply(h);
    const d2 = sharedDense.apply(c);
    const cat = L.concatenate({ name: 'concatenate_1' }).apply([o, d1, d2, nested]);
    const out1 = L.dense({ name: 'out_1', units: 1, activation: 'sigmoid' }).apply(cat);
    const out2 = L.dense({ name: 'out_2', units: 3, activation: 'softmax' }).apply(nested);
    return { model: tf.model({ inputs: [a, b], outputs: [out1, out2], name: 'functional_nested' }),
      inputs: [f([6, 3]), f([6, 3])] };
  },

  // Every SeqSelfAttention / SeqWeightedAttention option.
  attention: () => {
    const inp = tf.input({ shape: [8, 3], name: 'input_1' });
    const l = L.lstm({ name: 'lstm_1', units: 6, returnSequences: true, recurrentActivation: 'sigmoid' }).apply(inp);
    const S = (name, cfg) => new SeqSelfAttention({ name, ...cfg }).apply(l);
    const outs = [
      S('ssa_additive', { units: 4 }),
      S('ssa_width3', { units: 4, attention_width: 3 }),
      S('ssa_width4', { units: 3, attention_width: 4 }),
      S('ssa_history', { units: 4, history_only: true }),
      S('ssa_history_w3', { units: 3, attention_width: 3, history_only: true }),
      S('ssa_softmax', { units: 5, attention_activation: 'softmax' }),
      S('ssa_sigmoid_nobias', { units: 4, attention_activation: 'sigmoid', use_additive_bias: false, use_attention_bias: false }),
      S('ssa_mul', { attention_type: 'multiplicative' }),
      S('ssa_mul_nobias_w5', { attention_type: 'multiplicative', use_attention_bias: false, attention_width: 5 }),
      S('ssa_mul_history', { attention_type: 'multiplicative', history_only: true, attention_activation: 'tanh' }),
    ];
    const [rv, ra] = new SeqSelfAttention({ name: 'ssa_return', units: 4, return_attention: true }).apply(l);
    const [mv, ma] = new SeqSelfAttention({ name: 'ssa_mul_return', attention_type: 'multiplicative', return_attention: true }).apply(l);
    const sd = new ScaledDotProductAttention({ name: 'sdpa' }).apply(l);
    const [sdh, sdha] = new ScaledDotProductAttention({ name: 'sdpa_history', history_only: true, return_attention: true }).apply(l);
    const q = L.dense({ name: 'dense_q', units: 4 }).apply(l);
    const k = L.dense({ name: 'dense_k', units: 4 }).apply(l);
    const sdqkv = new ScaledDotProductAttention({ name: 'sdpa_qkv' }).apply([q, k, l]);
    const q6 = L.dense({ name: 'dense_q6', units: 6 }).apply(l);
    const k6 = L.dense({ name: 'dense_k6', units: 6, activation: 'tanh' }).apply(l);
    const kerasAtt = [
      new Attention({ name: 'attention', use_scale: true }).apply([q6, l]),
      new Attention({ name: 'attention_concat', score_mode: 'concat', use_scale: true }).apply([q6, l, k6]),
      new Attention({ name: 'attention_plain' }).apply([l, l]),
      new AdditiveAttention({ name: 'additive_attention' }).apply([q6, l]),
      new AdditiveAttention({ name: 'additive_attention_noscale', use_scale: false }).apply([q6, l, k6]),
    ];
    // keras-multi-head MultiHeadAttention (class name clashes with Keras' own layer of that name)
    kerasAtt.push(new MultiHeadAttention({ name: 'multi_head_attention', head_num: 2 }).apply(l));
    kerasAtt.push(new MultiHeadAttention({ name: 'multi_head_attention_qkv', head_num: 3, activation: 'tanh',
      history_only: true }).apply([q6, k6, l]));
    kerasAtt.push(new MultiHeadAttention({ name: 'multi_head_attention_nobias', head_num: 1, use_bias: false,
      activation: 'linear' }).apply(l));
    const w1 = new SeqWeightedAttention({ name: 'swa_bias' }).apply(l);
    const w2 = new SeqWeightedAttention({ name: 'swa_nobias', use_bias: false }).apply(l);
    const [w3, w3a] = new SeqWeightedAttention({ name: 'swa_return', return_attention: true }).apply(l);
    const cat = L.concatenate({ name: 'concatenate_seq' }).apply([...outs, rv, mv, ra, ma, sd, sdh, sdha, sdqkv, ...kerasAtt]);
    const pooled = L.globalAveragePooling1d({ name: 'global_average_pooling1d_1' }).apply(cat);
    const all = L.concatenate({ name: 'concatenate_all' }).apply([pooled, w1, w2, w3, w3a]);
    const out = L.dense({ name: 'dense_1', units: 1, activation: 'sigmoid' }).apply(all);
    return { model: tf.model({ inputs: inp, outputs: out, name: 'attention' }), inputs: [f([8, 3])],
      save: { groups: 2, shardBytes: 1024 } };
  },

  // Keras' own MultiHeadAttention, called as mha(query, value[, key]).
  keras_mha: () => {
    const inp = tf.input({ shape: [6, 4], name: 'input_1' });
    const x = L.dense({ name: 'dense', units: 8 }).apply(inp);
    const k = L.dense({ name: 'dense_1', units: 5, activation: 'tanh' }).apply(inp);
    const m1 = new KerasMultiHeadAttention({ name: 'multi_head_attention', num_heads: 2, key_dim: 3 }).apply([x, x]);
    const m2 = new KerasMultiHeadAttention({ name: 'multi_head_attention_1', num_heads: 3, key_dim: 2, value_dim: 4,
      use_bias: false }).apply([m1, inp, k]);
    const out = L.dense({ name: 'dense_2', units: 1 }).apply(L.flatten({ name: 'flatten' }).apply(m2));
    return { model: tf.model({ inputs: inp, outputs: out, name: 'keras_mha' }), inputs: [f([6, 4])] };
  },

  // The seed's model: LSTM -> SeqSelfAttention(return_attention) -> concatenate -> Flatten -> Dense.
  seed_selfattention: () => {
    const ipt = tf.input({ shape: [240, 4], name: 'input_1' });
    const x = L.lstm({ name: 'lstm_1', units: 60, activation: 'tanh', returnSequences: true,
      recurrentActivation: 'sigmoid' }).apply(ipt);
    const va = new SeqSelfAttention({ name: 'seq_self_attention_1', return_attention: true }).apply(x);
    const c = L.concatenate({ name: 'concatenate_1' }).apply(va);
    const fl = L.flatten({ name: 'flatten_1' }).apply(c);
    const out = L.dense({ name: 'dense_1', units: 1, activation: 'sigmoid' }).apply(fl);
    return { model: tf.model({ inputs: ipt, outputs: out, name: 'model_1' }), inputs: [f([240, 4], { lo: 0, hi: 1 })],
      batch: 1, weightScale: { dense_1: 0.02, seq_self_attention_1: 1.0 } };
  },

  // The seed answer's SeqWeightedAttention variant (no Flatten).
  seed_weightedattention: () => {
    const ipt = tf.input({ shape: [240, 4], name: 'input_1' });
    const x = L.lstm({ name: 'lstm_1', units: 60, activation: 'tanh', returnSequences: true,
      recurrentActivation: 'sigmoid' }).apply(ipt);
    const va = new SeqWeightedAttention({ name: 'seq_weighted_attention_1', return_attention: true }).apply(x);
    const c = L.concatenate({ name: 'concatenate_1' }).apply(va);
    const out = L.dense({ name: 'dense_1', units: 1, activation: 'sigmoid' }).apply(c);
    return { model: tf.model({ inputs: ipt, outputs: out, name: 'model_1' }), inputs: [f([240, 4], { lo: 0, hi: 1 })],
      batch: 2, weightScale: { seq_weighted_attention_1: 1.5 } };
  },

  // TF.js quantized weights (uint8, uint16, float16 in turn), dequantized by the reader.
  quantized: () => ({
    model: seq('quantized', [6, 3], [
      L.lstm({ name: 'lstm', units: 6, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [6, 3] }),
      L.gru({ name: 'gru', units: 4, recurrentActivation: 'sigmoid' }),
      L.dense({ name: 'dense', units: 3 }),
    ]),
    inputs: [f([6, 3])],
    quantize: true,
    save: { groups: 2 },
  }),

  // stateful=True (fixed batch in batch_input_shape): a fresh model starts from
  // zero state, so the reference is the first call.  TimeDistributed of an RNN
  // and of a Conv1D on 4-D input.
  stateful_timedistributed: () => {
    const inp = tf.input({ batchShape: [2, 3, 5, 2], name: 'input_1' });
    const td = L.timeDistributed({ name: 'time_distributed_lstm', layer: L.lstm({ name: 'lstm_td', units: 4,
      recurrentActivation: 'sigmoid' }) }).apply(inp);
    const tdc = L.timeDistributed({ name: 'time_distributed_conv', layer: L.conv1d({ name: 'conv1d_td', filters: 2,
      kernelSize: 2 }) }).apply(inp);
    const tdf = L.timeDistributed({ name: 'time_distributed_flatten', layer: L.flatten({ name: 'flatten_td' }) }).apply(tdc);
    const cat = L.concatenate({ name: 'concatenate_1' }).apply([td, tdf]);
    const s1 = L.lstm({ name: 'lstm_stateful', units: 3, stateful: true, returnSequences: true,
      recurrentActivation: 'sigmoid' }).apply(cat);
    const s2 = L.gru({ name: 'gru_stateful', units: 2, stateful: true, recurrentActivation: 'sigmoid' }).apply(s1);
    const out = L.dense({ name: 'dense_1', units: 1 }).apply(s2);
    return { model: tf.model({ inputs: inp, outputs: out, name: 'stateful_timedistributed' }),
      inputs: [f([3, 5, 2])] };
  },

  // Masked steps as each writer runs them (README "What it reads", recurrent.c mask_writer_of):
  // tfjs (and standalone Keras <= 2.3) leave a Bidirectional's halves alone at masked steps,
  // tf.keras and Keras 3 zero them (NumPy variant masked_rnn_writers_tfkeras, write_keras.py).
  masked_rnn_writers: () => {
    const inp = tf.input({ shape: [7, 3], name: 'input_1' });
    const m = L.masking({ name: 'masking', maskValue: 0 }).apply(inp);
    const rs = { returnSequences: true, recurrentActivation: 'sigmoid' };
    const b1 = L.bidirectional({ name: 'bidirectional', mergeMode: 'concat',
      layer: L.lstm({ name: 'lstm', units: 3, ...rs }) }).apply(m);
    const b2 = L.bidirectional({ name: 'bidirectional_1', mergeMode: 'sum',
      layer: L.gru({ name: 'gru', units: 2, ...rs }) }).apply(b1);
    const s = L.simpleRNN({ name: 'simple_rnn', units: 2, returnSequences: true }).apply(b2);
    return { model: tf.model({ inputs: inp, outputs: s, name: 'masked_rnn_writers' }),
      inputs: [f([7, 3], { maskTail: [[0, 5], [1, 4]] })] };
  },

  // A masked first step from an initial state: tfjs and Keras <= 2.2.4 output the state h0 there,
  // Keras 2.2.5 and later zeros (NumPy variant masked_initial_state_keras23). go_backwards makes
  // the first step processed the masked last one.
  masked_initial_state: () => {
    const inp = tf.input({ shape: [7, 3], name: 'input_1' });
    const h0 = tf.input({ shape: [3], name: 'input_h0' });
    const m = L.masking({ name: 'masking', maskValue: 0 }).apply(inp);
    const g = L.gru({ name: 'gru', units: 3, returnSequences: true, goBackwards: true,
      recurrentActivation: 'sigmoid' }).apply(m, { initialState: [h0] });
    const srnn = L.simpleRNN({ name: 'simple_rnn', units: 2, returnSequences: true });
    const s = srnn.apply(g);
    const model = tf.model({ inputs: [inp, h0], outputs: s, name: 'masked_initial_state' });
    // tfjs cannot execute a graph with initialState (its apply refuses an input list with it):
    // the same layers called one by one, the mask passed as the graph would pass it
    const eager = ([x, h]) => {
      const [masking, gru] = ['masking', 'gru'].map((n) => model.getLayer(n));
      const mx = masking.apply(x);
      const mask = masking.computeMask(x);
      const gx = gru.call(mx, { mask, initialState: [h] });
      return { masking: mx, gru: gx, simple_rnn: srnn.call(gx, { mask }) };
    };
    return { model, eager, inputs: [f([7, 3], { maskTail: [[0, 5], [1, 4]] }), f([3])] };
  },

  // TimeDistributed over a 4-D masked input (batch, 3, 5, 2): the mask over the inner steps
  // reaches TimeDistributed(LSTM), TimeDistributed(GRU) and TimeDistributed(GlobalAveragePooling1D)
  // (Keras' TimeDistributed.call; see wrappers.c). tfjs fails on it (it hands the inner layer
  // the whole mask): numpy_refs.td_mask computes the outputs. Dense after them keeps any mask
  // in every Keras, so every format holds it.
  td_mask: () => {
    const inp = tf.input({ shape: [3, 5, 2], name: 'input_1' });
    const m = L.masking({ name: 'masking', maskValue: 0 }).apply(inp);
    const tl = L.timeDistributed({ name: 'td_lstm', layer: L.lstm({ name: 'lstm', units: 4,
      recurrentActivation: 'sigmoid' }) }).apply(m);
    const d1 = L.dense({ name: 'dense', units: 2 }).apply(tl);
    const tg = L.timeDistributed({ name: 'td_gru', layer: L.gru({ name: 'gru', units: 2, returnSequences: true,
      recurrentActivation: 'sigmoid' }) }).apply(m);
    const tp = L.timeDistributed({ name: 'td_pool', layer: L.globalAveragePooling1d({ name: 'gap' }) }).apply(tg);
    const d2 = L.dense({ name: 'dense_1', units: 1 }).apply(tp);
    return { model: tf.model({ inputs: inp, outputs: [d1, d2], name: 'td_mask' }), numpy: true,
      inputs: [f([3, 5, 2], { zeroSteps: [[0, 0, 4], [0, 0, 3], [0, 1, 1], [0, 2, 0], [1, 1, 4], [1, 2, 2]] })] };
  },

  // Keras 2's output mask of TimeDistributed(LSTM) (the inner steps' mask reduced with any()),
  // read by the LSTM after it; Keras 3 keeps the 4-D mask there and fails: Keras 2 formats only.
  td_mask_k2: () => {
    const inp = tf.input({ shape: [3, 5, 2], name: 'input_1' });
    const m = L.masking({ name: 'masking', maskValue: 0 }).apply(inp);
    const tl = L.timeDistributed({ name: 'td_lstm', layer: L.lstm({ name: 'lstm', units: 4,
      recurrentActivation: 'sigmoid' }) }).apply(m);
    const l = L.lstm({ name: 'lstm_1', units: 3, returnSequences: true, recurrentActivation: 'sigmoid' }).apply(tl);
    return { model: tf.model({ inputs: inp, outputs: l, name: 'td_mask_k2' }), numpy: true,
      inputs: [f([3, 5, 2], { zeroSteps: [[0, 0, 4], [0, 1, 0], [0, 1, 1], [0, 1, 2], [0, 1, 3], [0, 1, 4],
        [1, 0, 3], [1, 2, 1]] })] };
  },

  // A fixed batch size: standalone Keras 2 runs TimeDistributed step by step and gives the
  // inner layer no mask (numpy_refs.td_mask_stepwise); tf.keras and Keras 3 still pass it
  // (variant td_mask_fixed_batch_tfkeras).
  td_mask_fixed_batch: () => {
    const inp = tf.input({ batchShape: [2, 3, 5, 2], name: 'input_1' });
    const m = L.masking({ name: 'masking', maskValue: 0 }).apply(inp);
    const tl = L.timeDistributed({ name: 'td_lstm', layer: L.lstm({ name: 'lstm', units: 4,
      recurrentActivation: 'sigmoid' }) }).apply(m);
    const d = L.dense({ name: 'dense', units: 2 }).apply(tl);
    return { model: tf.model({ inputs: inp, outputs: d, name: 'td_mask_fixed_batch' }), numpy: true,
      inputs: [f([3, 5, 2], { zeroSteps: [[0, 0, 4], [0, 1, 2], [0, 1, 3], [0, 1, 4], [1, 2, 0]] })] };
  },

  // keras-self-attention's ResidualScaledDotProductAttention (RealFormer): the first on [x, prev]
  // (prev a model input), history_only, returning its attention; the second on [q, k, v, prev]
  // with the first's residual scores. Masked steps (the key's mask).
  residual_attention: () => {
    const inp = tf.input({ shape: [6, 3], name: 'input_1' });
    const prev = tf.input({ shape: [6, 6], name: 'input_prev' });
    const m = L.masking({ name: 'masking', maskValue: 0 }).apply(inp);
    const l = L.lstm({ name: 'lstm', units: 4, returnSequences: true, recurrentActivation: 'sigmoid' }).apply(m);
    const [v1, p1, a1] = new ResidualScaledDotProductAttention({ name: 'residual_attention', history_only: true,
      return_attention: true }).apply([l, prev]);
    const q = L.dense({ name: 'dense_q', units: 4 }).apply(v1);
    const k = L.dense({ name: 'dense_k', units: 4 }).apply(l);
    const [v2, p2] = new ResidualScaledDotProductAttention({ name: 'residual_attention_1' }).apply([q, k, l, p1]);
    return { model: tf.model({ inputs: [inp, prev], outputs: [v2, p2, a1], name: 'residual_attention' }),
      inputs: [f([6, 3], { maskTail: [[0, 4], [1, 5]] }), f([6, 6])] };
  },

  // A long sequence (T >= 1000).
  long_sequence: () => ({
    model: seq('long_sequence', [1200, 2], [
      L.gru({ name: 'gru', units: 3, recurrentActivation: 'sigmoid', returnSequences: true, inputShape: [1200, 2] }),
      L.lstm({ name: 'lstm', units: 3, recurrentActivation: 'sigmoid' }),
      L.dense({ name: 'dense', units: 1 }),
    ]),
    inputs: [f([1200, 2])],
  }),

  // A wide recurrent layer (units >= 256).
  wide_units: () => ({
    model: seq('wide_units', [5, 3], [
      L.simpleRNN({ name: 'simple_rnn', units: 256, returnSequences: true, inputShape: [5, 3] }),
      L.globalMaxPooling1d({ name: 'global_max_pooling1d' }),
      L.dense({ name: 'dense', units: 1 }),
    ]),
    inputs: [f([5, 3])],
    save: { shardBytes: 65536 },
  }),
};

// Trains rnnscope's bundled demo: the seed's model (Input(240, 4) -> LSTM(60,
// return_sequences) -> SeqSelfAttention(return_attention) -> concatenate([v, a])
// -> Flatten -> Dense(1, sigmoid)) on a synthetic task where attention has
// something to find: is there a 10-step burst of a fixed shape somewhere in
// 240 steps of 4-channel noise?  Everything is seeded (data, initial weights,
// batch order) and tfjs' pure-JS CPU backend is deterministic, so the same
// command gives the same files.
//
//   node train_demo.mjs OUTDIR        (normally run by tests/ref/make_demo)
//
// Writes OUTDIR/tfjs/model.json + weights.bin (the trained model), OUTDIR/meta.json
// (layer list in generate.mjs' format, read by write_demo.py), OUTDIR/inputs.npy,
// labels.npy, predictions.npy, attention.npy (the shipped sample batch and tfjs'
// outputs on it) and OUTDIR/train.json (task, burst positions, test accuracy).
// DEMO_TRAIN / DEMO_EPOCHS override the training size (for timing runs only).
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MODELS } from './models.mjs';
import { writeNpy } from './npy.mjs';
import { SeqSelfAttention } from './custom_layers.mjs';
import { FastSeqSelfAttention } from './fast_attention.mjs';

const T = 240;
const C = 4;
const BURST = 10;
const TASK = {
  steps: T, channels: C, burst_steps: BURST,
  noise: 'Gaussian, standard deviation 0.35, every channel',
  burst: 'a 10-step burst added at a uniformly random start step in [8, 222]: channel 0 a hump '
    + '+1.6·sin(π(k+0.5)/10), channel 2 a ramp from −1.2 to +1.2 (k = 0..9); channels 1 and 3 noise only',
  decoy: 'noise only, or (every other class-0 sample) a decoy: the same ramp on channel 1 alone at a random start',
};
const TRAIN = Number(process.env.DEMO_TRAIN ?? 448);
const TEST = 256;
const BATCH = 16;
const EPOCHS = Number(process.env.DEMO_EPOCHS ?? 1);
const LEARNING_RATE = 2e-3;
const FORGET_BIAS = -4;
const SHIPPED = 8; // samples shipped with the demo (half of each class)

// mulberry32: small, seedable, identical on every platform.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Box-Muller on the seeded uniform stream.
function gaussian(rnd) {
  const u = 1 - rnd();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

const hump = (k) => 1.6 * Math.sin((Math.PI * (k + 0.5)) / BURST);
const ramp = (k) => -1.2 + (2.4 * k) / (BURST - 1);

// One sample into x at offset: noise, plus the burst (label 1) or maybe a decoy
// (label 0).  Returns where it put them: { burst, decoy } (start step or -1).
function fillSample(x, offset, label, rnd, decoy) {
  for (let i = 0; i < T * C; i++) x[offset + i] = 0.35 * gaussian(rnd);
  if (label === 0 && !decoy) return { burst: -1, decoy: -1 };
  const start = 8 + Math.floor(rnd() * (T - BURST - 16 + 1));
  for (let k = 0; k < BURST; k++) {
    const row = offset + (start + k) * C;
    if (label === 1) {
      x[row + 0] += hump(k);
      x[row + 2] += ramp(k);
    } else {
      x[row + 1] += ramp(k);
    }
  }
  return label === 1 ? { burst: start, decoy: -1 } : { burst: -1, decoy: start };
}

// n samples, classes alternating 1, 0, 1, 0 ...; every other class-0 sample has a decoy.
function makeSet(n, seed) {
  const rnd = prng(seed);
  const x = new Float32Array(n * T * C);
  const y = new Float32Array(n);
  const starts = [];
  const decoys = [];
  for (let i = 0; i < n; i++) {
    y[i] = i % 2 === 0 ? 1 : 0;
    const put = fillSample(x, i * T * C, y[i], rnd, i % 4 === 3);
    starts.push(put.burst);
    decoys.push(put.decoy);
  }
  return { x, y, starts, decoys, n };
}

// Initial weights from the seeded stream: glorot-uniform kernels, scaled
// uniform recurrent kernels, zero biases, except the LSTM forget gate's bias:
// FORGET_BIAS (not Keras' +1) gives the LSTM a short memory, so the model has to
// look back at the burst through the attention instead of carrying "seen a
// burst" in the LSTM state (with +1 it latches, and the attention then avoids
// the burst's columns and looks at the steps after it).
function initWeights(model, seed) {
  const rnd = prng(seed);
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      const name = w.originalName.split('/').pop();
      const n = w.shape.reduce((a, b) => a * b, 1);
      const v = new Float32Array(n);
      if (/(bias|_bh|_ba)$/.test(name)) {
        if (name === 'bias' && layer.getClassName() === 'LSTM') v.fill(FORGET_BIAS, n / 4, n / 2);
      } else {
        const fanIn = w.shape[0];
        const fanOut = w.shape[w.shape.length - 1];
        const limit = name === 'recurrent_kernel' ? 1 / Math.sqrt(fanIn) : Math.sqrt(6 / (fanIn + fanOut));
        for (let i = 0; i < n; i++) v[i] = limit * (2 * rnd() - 1);
      }
      w.write(tf.tensor(v, w.shape));
    }
  }
}

function batchOf(set, idx) {
  const x = new Float32Array(idx.length * T * C);
  const y = new Float32Array(idx.length);
  idx.forEach((s, i) => {
    x.set(set.x.subarray(s * T * C, (s + 1) * T * C), i * T * C);
    y[i] = set.y[s];
  });
  return { x: tf.tensor3d(x, [idx.length, T, C]), y: tf.tensor2d(y, [idx.length, 1]) };
}

async function accuracy(model, set) {
  let right = 0;
  for (let s = 0; s < set.n; s += 32) {
    const idx = [...Array(Math.min(32, set.n - s)).keys()].map((i) => s + i);
    const { x, y } = batchOf(set, idx);
    const p = await model.predict(x).data();
    const yv = await y.data();
    for (let i = 0; i < idx.length; i++) if ((p[i] > 0.5 ? 1 : 0) === yv[i]) right++;
    tf.dispose([x, y]);
  }
  return right / set.n;
}

// Attention mass on the burst's columns relative to a uniform share, averaged
// over the class-1 samples of set (what write_demo.py checks on the shipped batch).
function burstAttention(model, set) {
  const layer = model.getLayer('seq_self_attention_1');
  const probe = tf.model({ inputs: model.inputs, outputs: layer.inboundNodes[0].outputTensors[1] });
  const a = probe.predict(tf.tensor3d(set.x, [set.n, T, C])).arraySync();
  let sum = 0;
  let count = 0;
  set.starts.forEach((s, i) => {
    if (s < 0) return;
    let mass = 0;
    for (let t = 0; t < T; t++) for (let k = s; k < s + BURST; k++) mass += a[i][t][k];
    sum += mass / T / (BURST / T);
    count++;
  });
  return sum / count;
}

async function train(model, set, seed, watch) {
  const rnd = prng(seed);
  model.compile({ optimizer: tf.train.adam(LEARNING_RATE), loss: 'binaryCrossentropy' });
  const order = [...Array(set.n).keys()];
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    for (let i = order.length - 1; i > 0; i--) { // Fisher-Yates with the seeded stream
      const j = Math.floor(rnd() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const began = Date.now();
    let loss = 0;
    let batches = 0;
    for (let s = 0; s + BATCH <= set.n; s += BATCH) {
      const { x, y } = batchOf(set, order.slice(s, s + BATCH));
      loss += await model.trainOnBatch(x, y);
      batches++;
      tf.dispose([x, y]);
    }
    console.log(`epoch ${epoch}/${EPOCHS}: loss ${(loss / batches).toFixed(4)}, attention on the burst `
      + `${burstAttention(model, watch).toFixed(1)}x uniform (${((Date.now() - began) / 1000).toFixed(0)} s)`);
  }
}

// The seed's model with the fast attention layer (same names, same weights
// layout) for training; the trained weights then go into models.mjs' own seed
// model, which computes every shipped output.
function trainingModel() {
  const L = tf.layers;
  const ipt = tf.input({ shape: [T, C], name: 'input_1' });
  const x = L.lstm({ name: 'lstm_1', units: 60, activation: 'tanh', returnSequences: true,
    recurrentActivation: 'sigmoid' }).apply(ipt);
  const va = new FastSeqSelfAttention({ name: 'seq_self_attention_1', return_attention: true }).apply(x);
  const c = L.concatenate({ name: 'concatenate_1' }).apply(va);
  const fl = L.flatten({ name: 'flatten_1' }).apply(c);
  const out = L.dense({ name: 'dense_1', units: 1, activation: 'sigmoid' }).apply(fl);
  return tf.model({ inputs: ipt, outputs: out, name: 'model_1' });
}

// The fast layer must equal custom_layers.mjs' layer: outputs and gradients
// with respect to the input and every weight, on a small random case.
function checkFastLayer() {
  const rnd = prng(99);
  const x = tf.tensor3d(Float32Array.from({ length: 2 * 7 * 5 }, () => 2 * rnd() - 1), [2, 7, 5]);
  const ref = new SeqSelfAttention({ units: 4, return_attention: true });
  const fast = new FastSeqSelfAttention({ units: 4, return_attention: true });
  ref.build(x.shape);
  fast.build(x.shape);
  fast.setWeights(ref.getWeights().map((w) => tf.add(w, tf.randomUniform(w.shape, 0.1, 0.3, 'float32', 5))));
  ref.setWeights(fast.getWeights());
  const loss = (layer) => () => {
    const [v, a] = layer.call(x, {});
    return tf.add(tf.sum(tf.mul(v, tf.sin(v))), tf.sum(tf.mul(a, tf.cos(a))));
  };
  const grads = (layer) => {
    const { value, grads: g } = tf.variableGrads(loss(layer), layer.trainableWeights.map((w) => w.read()));
    const dx = tf.grad((xx) => { const [v, a] = layer.call(xx, {}); return tf.add(tf.sum(tf.mul(v, tf.sin(v))), tf.sum(tf.mul(a, tf.cos(a)))); })(x);
    return [value, dx, ...Object.values(g)];
  };
  const [r, f] = [grads(ref), grads(fast)];
  r.forEach((rt, i) => {
    const diff = tf.max(tf.abs(tf.sub(rt, f[i]))).dataSync()[0];
    const scale = Math.max(1, tf.max(tf.abs(rt)).dataSync()[0]);
    if (!(diff <= 1e-4 * scale)) throw new Error(`fast attention differs from custom_layers.mjs (term ${i}: ${diff})`);
  });
  console.log('fast attention layer = custom_layers.mjs SeqSelfAttention (outputs and gradients)');
}

async function saveTfjs(model, dir) {
  fs.mkdirSync(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (a) => {
    fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(a.weightData));
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({
      format: 'layers-model', generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`, convertedBy: null,
      modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
  }));
}

// The layer list write_keras.py's helpers expect (generate.mjs' meta.json).
function meta(model, outputs) {
  return {
    name: 'demo', model_name: model.name, source: 'tfjs', semantics: 'any', batch: SHIPPED,
    inputs: [{ layer: model.inputs[0].sourceLayer.name, file: 'inputs.npy', shape: [SHIPPED, T, C], dtype: 'float32' }],
    outputs: model.outputs.map((t) => ({ layer: t.sourceLayer.name, node: t.nodeIndex, tensor: t.tensorIndex })),
    layers: model.layers.map((layer) => ({
      name: layer.name, class_name: layer.getClassName(),
      weights: layer.weights.map((w) => ({ name: w.originalName, shape: w.shape })),
      outputs: layer.getClassName() === 'InputLayer' ? []
        : layer.inboundNodes[0].outputTensors.map((t, k) => ({ node: 0, tensor: k, shape: outputs(t) })),
    })),
    tfjs_version: tf.version_layers,
  };
}

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: node train_demo.mjs OUTDIR');
  process.exit(2);
}
await tf.setBackend('cpu');
checkFastLayer();
const { model } = MODELS.seed_selfattention();
const trainee = trainingModel();
initWeights(trainee, 0xde70);
const trainSet = makeSet(TRAIN, 1);
const testSet = makeSet(TEST, 2);
const shipped = makeSet(SHIPPED, 3);
console.log(`training on ${TRAIN} samples, batch ${BATCH}, ${EPOCHS} epochs, Adam ${LEARNING_RATE}`);
await train(trainee, trainSet, 4, shipped);
const testAccuracy = await accuracy(trainee, testSet);
model.setWeights(trainee.getWeights());
console.log(`test accuracy: ${(100 * testAccuracy).toFixed(1)}% on ${TEST} held-out samples`);

fs.mkdirSync(outDir, { recursive: true });
await saveTfjs(model, path.join(outDir, 'tfjs'));
const attentionLayer = model.getLayer('seq_self_attention_1');
const probe = tf.model({ inputs: model.inputs, outputs: [model.outputs[0], attentionLayer.inboundNodes[0].outputTensors[1]] });
const x = tf.tensor3d(shipped.x, [SHIPPED, T, C]);
const [pred, att] = probe.predict(x);
// the reference layer must agree with the trained one on the shipped batch
const fastPred = trainee.predict(x);
const gap = tf.max(tf.abs(tf.sub(fastPred, pred))).dataSync()[0];
if (!(gap < 1e-4)) throw new Error(`trained and reference models differ by ${gap}`);
writeNpy(path.join(outDir, 'inputs.npy'), shipped.x, [SHIPPED, T, C]);
writeNpy(path.join(outDir, 'labels.npy'), shipped.y, [SHIPPED]);
writeNpy(path.join(outDir, 'predictions.npy'), await pred.data(), pred.shape);
writeNpy(path.join(outDir, 'attention.npy'), await att.data(), att.shape);
fs.writeFileSync(path.join(outDir, 'meta.json'), JSON.stringify(meta(model, (t) => [SHIPPED, ...t.shape.slice(1)]), null, 1));
fs.writeFileSync(path.join(outDir, 'train.json'), JSON.stringify({
  task: TASK, train_samples: TRAIN, test_samples: TEST, batch: BATCH, epochs: EPOCHS, learning_rate: LEARNING_RATE,
  forget_bias: FORGET_BIAS, test_accuracy: testAccuracy, shipped_burst_starts: shipped.starts, shipped_decoy_starts: shipped.decoys, tfjs_version: tf.version_layers,
}, null, 1));
console.log(`written to ${outDir}`);

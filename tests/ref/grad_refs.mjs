// Gradient references for `rnnscope grad` (issue 17), computed by TensorFlow.js autodiff
// (tf.grads for the inputs, tf.variableGrads for the weights) on the TF.js fixtures:
//   node grad_refs.mjs FIXTURES_DIR
// For each model below and each objective, writes
//   <model>/grads/<objective>/input.<k>.npy            d objective / d model input k
//   <model>/grads/<objective>/<layer>.<w>.npy          d objective / d weight w of a layer
//                                                      (nested layers: <outer>_<inner>)
//   <model>/grads/<objective>/objective.json           {"value": ...}
// Objectives: "unit0" = sum over the batch (and timesteps) of the model output's unit 0
// ("unit0_out1": of the second model output, for the models with several);
// "bce" = binary cross-entropy (tf.metrics.binaryCrossentropy, mean over the batch) against
// <model>/grads/labels.npy, for the models in BCE_MODELS (their Keras files carry the loss).
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import './custom_layers.mjs';
import { writeNpy } from './npy.mjs';
import { readNpy, loadModel } from './tfjs_files.mjs';
import { MODELS } from './models.mjs';

function writeTensor(file, t) {
  writeNpy(file, t.dataSync(), t.shape);
}

// Models whose every layer has a reverse pass in rnnscope and that tfjs can differentiate.
export const GRAD_MODELS = ['activations', 'lstm_stack', 'hard_sigmoid_k2', 'rnn_options',
  'bidirectional', 'seed_selfattention', 'seed_weightedattention', 'merge', 'functional_nested',
  'long_sequence', 'quantized', 'masking', 'embed_mask', 'conv_pool', 'embed_norm', 'shapes', 'stateful_timedistributed', 'wide_units', 'attention', 'keras_mha'];
export const BCE_MODELS = ['seed_selfattention'];

// Comparisons and reductions to booleans (ThresholdedReLU's and Masking's masks) are flat: tfjs
// has no gradient registered for them, TensorFlow's is zero.
for (const kernelName of ['Greater', 'GreaterEqual', 'Less', 'LessEqual', 'Equal', 'NotEqual']) {
  tf.registerGradient({ kernelName, inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({ a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) }) });
}
for (const kernelName of ['Any', 'All']) {
  tf.registerGradient({ kernelName, inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.zeros(x.shape) }) });
}

// tfjs' Conv1D cannot run padding 'causal' (the generator's CausalConv1D pads and runs 'valid';
// a reloaded file gets tfjs' own class) and has no gradient for dilation > 1: such layers run
// here as the same convolution with the taps spread out (zeros between them, dilation 1),
// after padding on the left for 'causal'. The gradient reaches the kernel through the spreading.
function spreadKernel(kernel, d) {
  if (d === 1) return kernel;
  const [k, cin, f] = kernel.shape, parts = [];
  for (let j = 0; j < k; j++) {
    parts.push(tf.slice(kernel, [j, 0, 0], [1, cin, f]));
    if (j < k - 1) parts.push(tf.zeros([d - 1, cin, f]));
  }
  return tf.concat(parts, 0);
}

function plainConvolutions(model) {
  for (const l of model.layers) {
    if (l.layers) plainConvolutions(l);
    if (l.getClassName() !== 'Conv1D' || (l.padding !== 'causal' && l.dilationRate[0] === 1)) continue;
    const d = l.dilationRate[0], causal = l.padding === 'causal';
    const left = (l.kernelSize[0] - 1) * d;
    l.call = (inputs) => tf.tidy(() => {
      let x = Array.isArray(inputs) ? inputs[0] : inputs;
      const T = x.shape[1], s = l.strides[0], span = left + 1;
      if (causal) x = tf.pad(x, [[0, 0], [left, 0], [0, 0]]);
      if (l.padding === 'same') { // the padding 'same' gives the dilated kernel, explicitly
        const total = Math.max((Math.ceil(T / s) - 1) * s + span - T, 0);
        x = tf.pad(x, [[0, 0], [Math.floor(total / 2), total - Math.floor(total / 2)], [0, 0]]);
      }
      let y = tf.conv1d(x, spreadKernel(l.kernel.read(), d), s, 'valid');
      if (l.useBias) y = tf.add(y, l.bias.read());
      return l.activation.apply(y);
    });
  }
}

// A maximum taken by several steps (overlapping pooling windows repeat a value): tfjs gives
// each the whole gradient, TensorFlow shares it out (reduce_max's gradient), which is the
// derivative (float64 finite differences agree). Global max pooling here shares it.
const sharedMax = tf.customGrad((x, save) => {
  const y = tf.max(x, 1);
  save([x, y]);
  return { value: y, gradFunc: (dy, [xs, ys]) => {
    const hits = tf.cast(tf.equal(xs, tf.expandDims(ys, 1)), 'float32');
    return tf.mul(tf.div(hits, tf.sum(hits, 1, true)), tf.expandDims(dy, 1));
  } };
});

function sharedGlobalMax(model) {
  for (const l of model.layers)
    if (l.getClassName() === 'GlobalMaxPooling1D')
      l.call = (inputs) => sharedMax(Array.isArray(inputs) ? inputs[0] : inputs);
}

// tfjs' batch-norm gradient fails (center or scale false; none for the moving statistics):
// BatchNormalization at inference is the affine map (x - mean) / sqrt(var + eps) * gamma + beta
// of its four weights, written out.
function plainBatchNorm(model) {
  for (const l of model.layers) {
    if (l.getClassName() !== 'BatchNormalization') continue;
    l.call = (inputs) => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      let y = tf.div(tf.sub(x, l.movingMean.read()), tf.sqrt(tf.add(l.movingVariance.read(), l.epsilon)));
      if (l.scale) y = tf.mul(y, l.gamma.read());
      return l.center ? tf.add(y, l.beta.read()) : y;
    };
  }
}

// Every layer holding weights, with the file prefix of its weights: nested models flattened.
function weightLayers(model, prefix = '') {
  return model.layers.flatMap((l) => (l.layers ? weightLayers(l, `${prefix}${l.name}_`)
    : l.weights.length ? [{ layer: l, name: `${prefix}${l.name}` }] : []));
}

// A model tfjs cannot load back from its file (custom layers needing their input shapes at
// build): built again by models.mjs, with the file's weights.
async function modelOf(name, dir) {
  try {
    return await loadModel(dir);
  } catch (e) {
    const model = MODELS[name]().model;
    const mj = JSON.parse(fs.readFileSync(path.join(dir, 'model.json')));
    const specs = mj.weightsManifest.flatMap((g) => g.weights);
    const data = Buffer.concat(mj.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p)))));
    const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.length);
    model.loadWeights(tf.io.decodeWeights(buffer, specs));
    return model;
  }
}

function firstOutput(out, k = 0) {
  return Array.isArray(out) ? out[k] : out;
}

function objective(kind, model, inputs, labels) {
  return () => {
    model.resetStates(); // a stateful RNN starts from zeros on every evaluation, as rnnscope does
    const y = firstOutput(model.apply(inputs.length === 1 ? inputs[0] : inputs), kind === 'unit0_out1' ? 1 : 0);
    if (kind === 'bce') return tf.mean(tf.metrics.binaryCrossentropy(labels, y));
    return tf.sum(tf.gather(y, [0], y.rank - 1));
  };
}

function writeGrads(dir, kind, model, inputs, labels) {
  const out = path.join(dir, 'grads', kind);
  fs.mkdirSync(out, { recursive: true });
  const f = objective(kind, model, inputs, labels);
  const floats = inputs.map((x, k) => ({ x, k })).filter(({ x }) => x.dtype === 'float32');
  // one input at a time: an input the objective does not depend on gets zeros (tfjs refuses)
  floats.forEach(({ x, k }) => {
    let g;
    try {
      g = tf.grad((xk) => {
        const all = inputs.slice();
        all[k] = xk;
        return objective(kind, model, all, labels)();
      })(x);
    } catch (e) {
      if (!e.message.startsWith('Cannot compute gradient of y=f(x) with respect to x')) throw e;
      g = tf.zerosLike(x);
    }
    writeTensor(path.join(out, `input.${k}.npy`), g);
  });
  const layers = weightLayers(model);
  const vars = layers.flatMap(({ layer }) => layer.weights.map((w) => w.val));
  const { value, grads } = tf.variableGrads(f, vars);
  layers.forEach(({ layer, name }) => layer.weights.forEach((w, i) => {
    const g = grads[w.val.name];
    writeTensor(path.join(out, `${name}.${i}.npy`), g || tf.zerosLike(w.val));
  }));
  fs.writeFileSync(path.join(out, 'objective.json'), JSON.stringify({ value: value.dataSync()[0] }) + '\n');
}

const root = process.argv[2];
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'manifest.json')));
for (const m of manifest.models) {
  if (!GRAD_MODELS.includes(m.name) || !m.formats.tfjs) continue;
  const dir = path.join(root, m.name);
  const model = await modelOf(m.name, path.join(dir, 'tfjs'));
  plainConvolutions(model);
  sharedGlobalMax(model);
  plainBatchNorm(model);
  const inputs = m.inputs.map((i) => readNpy(path.join(dir, i.file)));
  writeGrads(dir, 'unit0', model, inputs, null);
  if (model.outputs.length > 1) writeGrads(dir, 'unit0_out1', model, inputs, null);
  if (BCE_MODELS.includes(m.name)) {
    const y = firstOutput(model.predict(inputs.length === 1 ? inputs[0] : inputs));
    // labels: alternating 0/1, away from the predictions so the loss is not flat
    const labels = tf.tensor(Array.from({ length: y.size }, (_, i) => i % 2), y.shape);
    writeTensor(path.join(dir, 'grads', 'labels.npy'), labels);
    writeGrads(dir, 'bce', model, inputs, labels);
  }
  console.log(`${m.name}: gradients written`);
}

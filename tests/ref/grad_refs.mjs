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

function writeTensor(file, t) {
  writeNpy(file, t.dataSync(), t.shape);
}

// Models whose every layer has a reverse pass in rnnscope and that tfjs can differentiate.
export const GRAD_MODELS = ['activations', 'lstm_stack', 'hard_sigmoid_k2', 'rnn_options',
  'bidirectional', 'seed_selfattention', 'seed_weightedattention', 'merge', 'functional_nested',
  'long_sequence', 'quantized', 'masking', 'embed_mask'];
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

// Every layer holding weights, with the file prefix of its weights: nested models flattened.
function weightLayers(model, prefix = '') {
  return model.layers.flatMap((l) => (l.layers ? weightLayers(l, `${prefix}${l.name}_`)
    : l.weights.length ? [{ layer: l, name: `${prefix}${l.name}` }] : []));
}

function firstOutput(out, k = 0) {
  return Array.isArray(out) ? out[k] : out;
}

function objective(kind, model, inputs, labels) {
  return () => {
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
  const model = await loadModel(path.join(dir, 'tfjs'));
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

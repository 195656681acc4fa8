// Loss references for rnnscope grad's objective (issue 17): tfjs' Keras losses and their
// gradients with respect to the model output, on fixed outputs and labels:
//   node grad_losses.mjs FIXTURES_DIR
// writes FIXTURES_DIR/losses/: probs.npy (4, 3, 5) softmax-like outputs, logits.npy, binary.npy
// (4, 3, 5) labels of 0/1, onehot.npy, ids.npy (4, 3) class ids, and per case <case>.grad.npy,
// with cases.json {case: {loss, from_logits, label_smoothing, output, labels, value}}.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeNpy } from './npy.mjs';

const out = path.join(process.argv[2], 'losses');
fs.mkdirSync(out, { recursive: true });
const save = (name, t) => writeNpy(path.join(out, name), t.dataSync(), t.shape);

// seeded values (a linear congruential generator: no Math.random)
let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const shape = [4, 3, 5];
const n = shape.reduce((a, b) => a * b, 1);
const logits = tf.tensor(Array.from({ length: n }, () => 4 * rand() - 2), shape);
const probs = tf.softmax(logits);
const sig = tf.sigmoid(logits);
const binary = tf.tensor(Array.from({ length: n }, () => (rand() < 0.5 ? 0 : 1)), shape);
const ids = tf.tensor(Array.from({ length: 12 }, () => Math.floor(rand() * 5)), [4, 3], 'int32');
const onehot = tf.oneHot(ids, 5).cast('float32');
save('logits.npy', logits); save('probs.npy', probs); save('sigmoid.npy', sig);
save('binary.npy', binary); save('onehot.npy', onehot); save('ids.npy', ids.cast('float32'));

const smooth = (y, s, k) => tf.add(tf.mul(y, 1 - s), s / k);
const cases = {
  mse: { output: 'probs', labels: 'onehot', f: (y) => tf.mean(tf.metrics.meanSquaredError(onehot, y)) },
  mae: { output: 'probs', labels: 'onehot', f: (y) => tf.mean(tf.metrics.meanAbsoluteError(onehot, y)) },
  bce: { output: 'sigmoid', labels: 'binary', f: (y) => tf.mean(tf.metrics.binaryCrossentropy(binary, y)) },
  bce_smooth: { output: 'sigmoid', labels: 'binary', label_smoothing: 0.2,
    f: (y) => tf.mean(tf.metrics.binaryCrossentropy(smooth(binary, 0.2, 2), y)) },
  bce_logits: { output: 'logits', labels: 'binary', from_logits: true,
    f: (y) => tf.losses.sigmoidCrossEntropy(binary, y) },
  bce_logits_smooth: { output: 'logits', labels: 'binary', from_logits: true, label_smoothing: 0.1,
    f: (y) => tf.losses.sigmoidCrossEntropy(binary, y, undefined, 0.1) },
  cce: { output: 'probs', labels: 'onehot', f: (y) => tf.mean(tf.metrics.categoricalCrossentropy(onehot, y)) },
  cce_smooth: { output: 'probs', labels: 'onehot', label_smoothing: 0.1,
    f: (y) => tf.mean(tf.metrics.categoricalCrossentropy(smooth(onehot, 0.1, 5), y)) },
  cce_logits: { output: 'logits', labels: 'onehot', from_logits: true,
    f: (y) => tf.losses.softmaxCrossEntropy(onehot, y) },
  scce: { output: 'probs', labels: 'ids', loss: 'sparse_categorical_crossentropy',
    f: (y) => tf.mean(tf.metrics.categoricalCrossentropy(onehot, y)) },
  scce_logits: { output: 'logits', labels: 'ids', loss: 'sparse_categorical_crossentropy', from_logits: true,
    f: (y) => tf.losses.softmaxCrossEntropy(onehot, y) },
};
const names = { mse: 'mean_squared_error', mae: 'mean_absolute_error', bce: 'binary_crossentropy',
  cce: 'categorical_crossentropy' };
const outputs = { probs, logits, sigmoid: sig };
const manifest = {};
for (const [name, c] of Object.entries(cases)) {
  const y = outputs[c.output];
  const { value, grad } = tf.valueAndGrad(c.f)(y);
  save(`${name}.grad.npy`, grad);
  manifest[name] = { loss: c.loss || names[name.split('_')[0]], from_logits: !!c.from_logits,
    label_smoothing: c.label_smoothing || 0, output: `${c.output}.npy`, labels: `${c.labels}.npy`,
    value: value.dataSync()[0] };
}
fs.writeFileSync(path.join(out, 'cases.json'), JSON.stringify(manifest, null, 1) + '\n');
console.log(`losses: ${Object.keys(cases).length} cases written`);

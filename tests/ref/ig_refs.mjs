// Integrated-gradients references for `rnnscope grad --method ig` (issue 18), from TensorFlow.js
// autodiff on the same path rnnscope takes: the gradient of the objective (the sum of the model
// output's unit 0) at b + α (x − b), α = (s + 0.5) / steps, s < steps (midpoint rule), averaged
// and multiplied by x − b.
//   node ig_refs.mjs FIXTURES_DIR
// For each model below writes into <model>/grads/ig/:
//   zeros.npy          integrated gradients from a baseline of zeros, 32 steps
//   baseline.npy       a baseline of one sample's shape (seeded uniform [-0.5, 0.5))
//   with_baseline.npy  integrated gradients from that baseline, 32 steps
//   steps4.npy         from zeros in 4 steps (the step count matters)
//   completeness.json  {"zeros": {f_input, f_baseline, sum}, "with_baseline": {...}}
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import './custom_layers.mjs';
import { writeNpy } from './npy.mjs';
import { readNpy, loadModel } from './tfjs_files.mjs';

const IG_MODELS = ['seed_selfattention', 'bidirectional'];

function unit0(model) {
  return (x) => {
    const y = model.apply(x);
    return tf.sum(tf.gather(Array.isArray(y) ? y[0] : y, [0], y.rank - 1));
  };
}

function integrated(model, x, b, steps) {
  const f = unit0(model), grad = tf.grad(f);
  let sum = tf.zerosLike(x);
  for (let s = 0; s < steps; s++) {
    const alpha = (s + 0.5) / steps;
    sum = tf.add(sum, grad(tf.add(b, tf.mul(alpha, tf.sub(x, b)))));
  }
  const ig = tf.mul(tf.div(sum, steps), tf.sub(x, b));
  const fx = f(x).dataSync()[0], fb = f(tf.add(tf.zerosLike(x), b)).dataSync()[0];
  return { ig, info: { f_input: fx, f_baseline: fb, sum: tf.sum(ig).dataSync()[0] } };
}

// A seeded uniform [-0.5, 0.5) (a linear congruential generator: reproducible anywhere).
function seeded(n, seed) {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  });
}

const root = process.argv[2];
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'manifest.json')));
for (const m of manifest.models) {
  if (!IG_MODELS.includes(m.name)) continue;
  const dir = path.join(root, m.name), out = path.join(dir, 'grads', 'ig');
  fs.mkdirSync(out, { recursive: true });
  const model = await loadModel(path.join(dir, 'tfjs'));
  const x = readNpy(path.join(dir, m.inputs[0].file));
  const sampleShape = x.shape.slice(1);
  const b = tf.tensor(seeded(sampleShape.reduce((p, q) => p * q, 1), 18), sampleShape);
  writeNpy(path.join(out, 'baseline.npy'), b.dataSync(), b.shape);
  const zeros = integrated(model, x, tf.zerosLike(x), 32);
  const based = integrated(model, x, b, 32);
  const four = integrated(model, x, tf.zerosLike(x), 4);
  writeNpy(path.join(out, 'zeros.npy'), zeros.ig.dataSync(), x.shape);
  writeNpy(path.join(out, 'with_baseline.npy'), based.ig.dataSync(), x.shape);
  writeNpy(path.join(out, 'steps4.npy'), four.ig.dataSync(), x.shape);
  fs.writeFileSync(path.join(out, 'completeness.json'),
    JSON.stringify({ zeros: zeros.info, with_baseline: based.info }) + '\n');
  console.log(`${m.name}: integrated gradients written`);
}

// Loads every TF.js fixture back with tfjs itself (tf.loadLayersModel) and
// checks that its predictions equal the stored reference outputs: the files
// are valid TF.js files, and the manifest's outputs are the model's.
//   node verify.mjs FIXTURES_DIR
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import './custom_layers.mjs';
import { readNpy, loadModel } from './tfjs_files.mjs';

const root = process.argv[2];
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'manifest.json')));
let failures = 0;
for (const m of manifest.models) {
  if (!m.formats.tfjs) continue;
  const dir = path.join(root, m.name);
  let model;
  try {
    model = await loadModel(path.join(dir, 'tfjs'));
  } catch (e) {
    console.log(`${m.name}: tfjs cannot load it (${e.message.split('\n')[0]})`);
    continue;
  }
  const inputs = m.inputs.map((i) => readNpy(path.join(dir, i.file)));
  let preds;
  try {
    preds = model.predict(inputs.length === 1 ? inputs[0] : inputs);
  } catch (e) {
    console.log(`${m.name}: tfjs cannot run it (${e.message.split('\n')[0]})`);
    continue;
  }
  if (!Array.isArray(preds)) preds = [preds];
  let worst = 0;
  m.model_outputs.forEach((o, k) => {
    const layer = m.layers.find((l) => l.name === o.layer);
    const ref = layer.outputs.find((x) => x.node === o.node && x.tensor === o.tensor);
    const want = readNpy(path.join(dir, ref.file));
    worst = Math.max(worst, tf.max(tf.abs(tf.sub(preds[k], want))).dataSync()[0]);
  });
  const ok = worst <= 1e-5;
  if (!ok) failures++;
  console.log(`${m.name}: reloaded with tfjs, max |pred - ref| = ${worst.toExponential(2)}${ok ? '' : '  FAIL'}`);
}
process.exit(failures ? 1 : 0);

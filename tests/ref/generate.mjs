// Builds the reference models of models.mjs with TensorFlow.js (pure JS CPU
// backend), gives them seeded non-zero weights, saves them in the TF.js layers
// format, and writes a batch of inputs and the output of every layer as .npy.
//
//   node generate.mjs OUTDIR [MODEL ...]
//
// Per model it writes OUTDIR/<model>/: tfjs/model.json + shards, inputs/*.npy,
// outputs/*.npy and meta.json (read by write_keras.py, which writes the Keras
// files and the top-level manifest.json).
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MODELS } from './models.mjs';
import { writeNpy } from './npy.mjs';
import { quantizeModel } from './quantize.mjs';

const Container = Object.getPrototypeOf(tf.LayersModel);

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

function hashString(s) {
  let h = 2166136261;
  for (const ch of s) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h;
}

const prod = (shape) => shape.reduce((a, b) => a * b, 1);

// Values chosen by the weight's role so every term matters: biases are never
// zero, variances positive, kernels scaled by fan-in so activations stay in
// the non-saturated range where errors show.
function weightValues(name, shape, rnd, scaleOverride) {
  const last = name.split('/').pop();
  const n = prod(shape);
  const v = new Float32Array(n);
  const u = () => 2 * rnd() - 1;
  let gen;
  if (/moving_variance$/.test(last)) gen = () => 0.5 + rnd();
  else if (/gamma$/.test(last)) gen = () => 1 + 0.3 * u();
  else if (/(moving_mean|beta)$/.test(last)) gen = () => 0.4 * u();
  else if (/(bias|_b|_bh|_ba)$/.test(last)) gen = () => 0.3 * u();
  else if (/embeddings$/.test(last)) gen = () => u();
  else {
    const fanIn = shape.length >= 2 ? prod(shape.slice(0, -1)) : 1;
    const s = scaleOverride ?? Math.min(0.8, 2 / Math.sqrt(fanIn));
    gen = () => s * u();
  }
  for (let i = 0; i < n; i++) v[i] = gen();
  return v;
}

function fillWeights(model, seed, scales = {}) {
  const rnd = prng(seed);
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      const vals = weightValues(w.originalName, w.shape, rnd, scales[layer.name]);
      w.write(tf.tensor(vals, w.shape));
    }
  }
}

function makeInput(spec, batch, rnd) {
  const shape = [batch, ...spec.shape];
  const n = prod(shape);
  if (spec.kind === 'int') {
    const v = new Int32Array(n);
    const per = n / batch;
    for (let i = 0; i < n; i++) v[i] = 1 + Math.floor(rnd() * (spec.vocab - 1));
    // sample 0 gets trailing padding zeros (mask_zero); one zero mid-sequence too
    if (spec.zeroTail) {
      const [sample, count] = spec.zeroTail;
      for (let t = per - count; t < per; t++) v[sample * per + t] = 0;
      v[(sample + 1) * per + 2] = 0;
    }
    return { data: v, shape, dtype: 'int32' };
  }
  const lo = spec.lo ?? -(spec.scale ?? 1);
  const hi = spec.hi ?? (spec.scale ?? 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = lo + (hi - lo) * rnd();
  if (spec.zeroSteps) {
    // [sample, index...]: the last-axis vector there becomes zeros (masked by Masking(0))
    const strides = shape.map((_, i) => prod(shape.slice(i + 1)));
    const d = shape[shape.length - 1];
    for (const at of spec.zeroSteps) {
      const off = at.reduce((o, k, i) => o + k * strides[i], 0);
      v.fill(0, off, off + d);
    }
  }
  if (spec.maskTail) {
    // [sample, first masked step]: those steps become all-zero (Masking(0))
    const [T, D] = spec.shape;
    for (const [sample, from] of spec.maskTail) {
      for (let t = from; t < T; t++) for (let d = 0; d < D; d++) v[(sample * T + t) * D + d] = 0;
    }
    v.fill(0, (1 * T + 1) * D, (1 * T + 2) * D); // and a masked step in the middle of sample 1
  }
  return { data: v, shape, dtype: 'float32' };
}

// Nodes of a layer as the saved config numbers them (tfjs/Keras renumber so
// only nodes inside the model count; a nested model's numbering starts at 1).
function configNodes(model, layer) {
  if (!(model.containerNodes instanceof Set) || model.containerNodes.size === 0) return layer.inboundNodes.map((node, i) => ({ node, index: i }));
  const out = [];
  let kept = layer instanceof Container ? 1 : 0;
  layer.inboundNodes.forEach((node, i) => {
    if (model.containerNodes.has(Container.nodeKey(layer, i))) out.push({ node, index: kept++ });
  });
  return out;
}

const safe = (s) => s.replace(/[^A-Za-z0-9_.-]/g, '_');

// Split the weights into `groups` manifest groups and each group's bytes into
// shards of at most shardBytes (tensors may straddle shards).  Quantized
// weights (quant: name -> {bytes, quantization}) replace their float32 bytes.
function writeTfjs(dir, artifacts, opts, quant = {}) {
  fs.mkdirSync(dir, { recursive: true });
  const data = Buffer.from(artifacts.weightData);
  let offset = 0;
  const specs = artifacts.weightSpecs.map((spec) => {
    const n = prod(spec.shape) * 4;
    const q = quant[spec.name];
    const bytes = q ? q.bytes : data.subarray(offset, offset + n);
    offset += n;
    return { spec: q ? { ...spec, quantization: q.quantization } : spec, bytes };
  });
  const groups = Math.max(1, Math.min(opts.groups ?? 1, specs.length));
  const shardBytes = opts.shardBytes ?? 4 * 1024 * 1024;
  const manifest = [];
  let specIndex = 0;
  for (let g = 0; g < groups; g++) {
    const count = Math.ceil((specs.length - specIndex) / (groups - g));
    const groupSpecs = specs.slice(specIndex, specIndex + count);
    specIndex += count;
    const buf = Buffer.concat(groupSpecs.map((s) => s.bytes));
    const bytes = buf.length;
    const nShards = Math.max(1, Math.ceil(bytes / shardBytes));
    const paths = [];
    for (let s = 0; s < nShards; s++) {
      const p = `group${g + 1}-shard${s + 1}of${nShards}.bin`;
      fs.writeFileSync(path.join(dir, p), buf.subarray(s * shardBytes, Math.min(bytes, (s + 1) * shardBytes)));
      paths.push(p);
    }
    manifest.push({ paths, weights: groupSpecs.map((s) => s.spec) });
  }
  if (offset !== data.length) throw new Error('weight bytes left over');
  // converter style wraps the Keras config; tfjs-layers' own save does not
  const topology = opts.wrap
    ? { keras_version: '2.2.5', backend: 'tensorflow', model_config: artifacts.modelTopology }
    : artifacts.modelTopology;
  const modelJson = {
    format: 'layers-model',
    generatedBy: opts.wrap ? 'keras v2.2.5' : `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: opts.wrap ? 'TensorFlow.js Converter v1.4.0' : null,
    modelTopology: topology,
    weightsManifest: manifest,
  };
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
}

async function saveArtifacts(model) {
  let captured;
  await model.save(tf.io.withSaveHandler(async (a) => {
    captured = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return captured;
}

function layerInfo(layer) {
  return layer.weights.map((w) => ({ name: w.originalName, shape: w.shape }));
}

async function generateModel(outRoot, key) {
  const def = MODELS[key]();
  const { model } = def;
  const seed = hashString(key);
  fillWeights(model, seed, def.weightScale);
  const quant = def.quantize ? quantizeModel(model) : {};
  const dir = path.join(outRoot, key);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const sub of ['inputs', 'outputs']) fs.mkdirSync(path.join(dir, sub), { recursive: true });

  const batch = def.batch ?? 2;
  const rnd = prng(seed ^ 0x5eed);
  const inputs = def.inputs.map((spec) => makeInput(spec, batch, rnd));
  const inputTensors = inputs.map((x) => tf.tensor(x.data, x.shape, x.dtype));
  const inputMeta = model.inputs.map((t, i) => {
    const file = `inputs/${safe(t.sourceLayer.name)}.npy`;
    writeNpy(path.join(dir, file), inputs[i].data, inputs[i].shape);
    return { layer: t.sourceLayer.name, file, shape: inputs[i].shape, dtype: inputs[i].dtype };
  });

  // One model that outputs every (layer, node, tensor) of the graph.
  const targets = [];
  const layers = [];
  for (const layer of model.layers) {
    const entry = { name: layer.name, class_name: layer.getClassName(), weights: layerInfo(layer), outputs: [] };
    layers.push(entry);
    if (entry.class_name === 'InputLayer') continue;
    for (const { node, index } of configNodes(model, layer)) {
      node.outputTensors.forEach((t, k) => targets.push({ entry, node: index, tensor: k, sym: t, layer }));
    }
  }
  let values;
  if (def.numpy) { // tfjs cannot run it: numpy_refs.py computes the outputs (write_keras.py)
    values = targets.map((t) => tf.zeros(t.sym.shape.map((s) => s ?? batch)));
  } else if (def.eager) { // layers called by hand, for graphs tfjs cannot execute: {layer: output}
    const byName = def.eager(inputTensors);
    values = targets.map((t) => byName[t.entry.name]);
  } else {
    const probe = tf.model({ inputs: model.inputs, outputs: targets.map((t) => t.sym) });
    values = probe.predict(inputTensors.length === 1 ? inputTensors[0] : inputTensors);
  }
  if (!Array.isArray(values)) values = [values];
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i];
    const file = `outputs/${safe(t.entry.name)}.${t.node}.${t.tensor}.npy`;
    if (!def.numpy) writeNpy(path.join(dir, file), await values[i].data(), values[i].shape);
    t.entry.outputs.push({ node: t.node, tensor: t.tensor, file, shape: values[i].shape });
  }

  // Layers of a nested model: apply them one by one to the nested model's input.
  for (const t of targets) {
    if (!(t.layer instanceof Container) || t.tensor !== 0) continue;
    const node = t.layer.inboundNodes[t.node];
    const feed = tf.model({ inputs: model.inputs, outputs: node.inputTensors });
    let x = feed.predict(inputTensors.length === 1 ? inputTensors[0] : inputTensors);
    for (const inner of t.layer.layers) {
      if (inner.getClassName() === 'InputLayer') continue;
      x = inner.apply(x);
      const name = `${t.layer.name}/${inner.name}`;
      const file = `outputs/${safe(name)}.${t.node}.0.npy`;
      writeNpy(path.join(dir, file), await x.data(), x.shape);
      layers.push({ name, class_name: inner.getClassName(), nested_in: t.layer.name, weights: [],
        outputs: [{ node: t.node, tensor: 0, file, shape: x.shape }] });
    }
  }

  const artifacts = await saveArtifacts(model);
  writeTfjs(path.join(dir, 'tfjs'), artifacts, def.save ?? {}, quant);
  const meta = {
    name: key,
    model_name: model.name,
    source: def.numpy ? 'numpy' : 'tfjs',
    ...(def.numpy ? { numpy_outputs: true } : {}), // write_keras.py: numpy_refs computes them
    semantics: def.semantics ?? 'any',
    formats: def.formats ?? null,
    batch,
    inputs: inputMeta,
    outputs: model.outputs.map((t) => ({ layer: t.sourceLayer.name, node: t.nodeIndex, tensor: t.tensorIndex })),
    layers,
    tfjs_version: tf.version_layers,
  };
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(meta, null, 1));
  tf.dispose([...inputTensors, ...values]);
  console.log(`${key}: ${layers.length} layers, ${targets.length} outputs`);
}

const [outRoot, ...only] = process.argv.slice(2);
if (!outRoot) {
  console.error('usage: node generate.mjs OUTDIR [MODEL ...]');
  process.exit(2);
}
await tf.setBackend('cpu');
for (const key of only.length ? only : Object.keys(MODELS)) await generateModel(outRoot, key);

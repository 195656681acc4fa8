// Reading the fixtures back with tfjs: .npy inputs and outputs, and TF.js model files from
// memory (no tfjs-node). Used by verify.mjs and grad_refs.mjs.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

export function readNpy(file) {
  const buf = fs.readFileSync(file);
  const hlen = buf.readUInt16LE(8);
  const header = buf.subarray(10, 10 + hlen).toString('latin1');
  const shape = JSON.parse(header.match(/'shape': \(([^)]*)\)/)[1].replace(/,\s*$/, '').replace(/^/, '[') + ']');
  const body = buf.subarray(10 + hlen);
  const copy = new Uint8Array(body).buffer;
  const data = header.includes('<i4') ? new Int32Array(copy) : new Float32Array(copy);
  return tf.tensor(data, shape, header.includes('<i4') ? 'int32' : 'float32');
}

export async function loadModel(dir) {
  const mj = JSON.parse(fs.readFileSync(path.join(dir, 'model.json')));
  const specs = mj.weightsManifest.flatMap((g) => g.weights);
  const data = Buffer.concat(mj.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p)))));
  const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.length);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: mj.modelTopology, weightSpecs: specs, weightData: buffer }));
}

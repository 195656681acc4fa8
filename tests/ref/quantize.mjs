// TF.js weight quantization as the tfjs converter writes it (per-weight
// "quantization" entry in the weights manifest):
//   uint8 / uint16: q = round((w - min) / scale), value = float32(q * scale + min)
//   (computed in double, rounded once to float32, as tfjs' decodeWeights does)
//   float16: IEEE half.
// The model's weights are replaced by the dequantized values, so the reference outputs are those of the file's weights.
import * as tf from '@tensorflow/tfjs';

const f32 = Math.fround;

function halfBits(value) {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value);
  const x = view.getUint32(0);
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  const mant = x & 0x7fffff;
  if (exp >= 31) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    const m = mant | 0x800000;
    return sign | Math.round(m / 2 ** (14 - exp));
  }
  const h = sign | (exp << 10) | (mant >> 13);
  return (mant & 0x1fff) > 0x1000 || ((mant & 0x1fff) === 0x1000 && (h & 1)) ? h + 1 : h;
}

function halfValue(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function quantizeValues(values, dtype) {
  const n = values.length;
  if (dtype === 'float16') {
    const bits = new Uint16Array(n);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) { bits[i] = halfBits(values[i]); out[i] = halfValue(bits[i]); }
    return { bytes: Buffer.from(bits.buffer), values: out, quantization: { dtype: 'float16', original_dtype: 'float32' } };
  }
  const levels = dtype === 'uint8' ? 255 : 65535;
  let lo = Infinity; let hi = -Infinity;
  for (const v of values) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const min = f32(lo);
  const scale = f32(hi > lo ? (hi - lo) / levels : 1);
  const q = dtype === 'uint8' ? new Uint8Array(n) : new Uint16Array(n);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    q[i] = Math.min(levels, Math.max(0, Math.round((values[i] - min) / scale)));
    out[i] = q[i] * scale + min; // in double, rounded once on store (tfjs io_utils)
  }
  return { bytes: Buffer.from(q.buffer), values: out, quantization: { dtype, scale, min, original_dtype: 'float32' } };
}

// Quantizes every weight, cycling through uint8, uint16, float16; returns
// { weightName: { bytes, quantization } } for writeTfjs.
export function quantizeModel(model) {
  const kinds = ['uint8', 'uint16', 'float16'];
  const result = {};
  let i = 0;
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      const q = quantizeValues(w.read().dataSync(), kinds[i++ % kinds.length]);
      w.write(tf.tensor(q.values, w.shape));
      result[w.originalName] = { bytes: q.bytes, quantization: q.quantization };
    }
  }
  return result;
}

// Minimal .npy (format 1.0) writer: little-endian float32 or int32, C order.
import fs from 'node:fs';

export function npyBytes(data, shape) {
  const descr = data instanceof Int32Array ? '<i4' : '<f4';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1; head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
}

export function writeNpy(path, data, shape) {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== data.length) throw new Error(`${path}: ${data.length} values for shape ${shape}`);
  fs.writeFileSync(path, npyBytes(data, shape));
}

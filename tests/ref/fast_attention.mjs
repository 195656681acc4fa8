// A faster SeqSelfAttention for training the demo (train_demo.mjs) only.
//
// custom_layers.mjs' SeqSelfAttention builds the additive emission from tfjs
// ops: the broadcast sum q_t + k_t' of shape (B, T, T, units) goes through
// tfjs' generic broadcasting path, about 2 s forward for a batch of 16 at
// T = 240 and far more backward, which makes training in pure JS too slow.
// This subclass computes the same emission
//     e[b,t,t'] = sum_u Wa[u] * tanh(q[b,t,u] + k[b,t',u] + bh[u])   (+ ba after)
// in plain loops, with its gradient written out (tf.customGrad).  Everything
// else (softmax, v = a x, config) is inherited.  The shipped reference outputs
// are computed afterwards with custom_layers.mjs' own layer, not this one.
import * as tf from '@tensorflow/tfjs';
import { SeqSelfAttention } from './custom_layers.mjs';

// K.dot(x, w) for a 3-D x and a 2-D w.
function dot3(x, w) {
  const [b, t, d] = x.shape;
  return tf.reshape(tf.matMul(tf.reshape(x, [b * t, d]), w), [b, t, w.shape[1]]);
}

// (q (B,T,U), k (B,T,U), bh (U), Wa (U,1)) -> e (B,T,T), with its gradient.
const emission = tf.customGrad((q, k, bh, wa) => {
  const [B, T, U] = q.shape;
  const qv = q.dataSync();
  const kv = k.dataSync();
  const bv = bh.dataSync();
  const wv = wa.dataSync();
  const h = new Float32Array(B * T * T * U); // tanh values, kept for the gradient
  const e = new Float32Array(B * T * T);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const qo = (b * T + t) * U;
      for (let s = 0; s < T; s++) {
        const ko = (b * T + s) * U;
        const ho = ((b * T + t) * T + s) * U;
        let sum = 0;
        for (let u = 0; u < U; u++) {
          const v = Math.tanh(qv[qo + u] + kv[ko + u] + bv[u]);
          h[ho + u] = v;
          sum += v * wv[u];
        }
        e[(b * T + t) * T + s] = sum;
      }
    }
  }
  const gradFunc = (dy) => {
    const g = dy.dataSync();
    const dq = new Float32Array(B * T * U);
    const dk = new Float32Array(B * T * U);
    const dbh = new Float64Array(U);
    const dwa = new Float64Array(U);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const qo = (b * T + t) * U;
        for (let s = 0; s < T; s++) {
          const gs = g[(b * T + t) * T + s];
          const ko = (b * T + s) * U;
          const ho = ((b * T + t) * T + s) * U;
          for (let u = 0; u < U; u++) {
            const v = h[ho + u];
            const dpre = gs * wv[u] * (1 - v * v);
            dq[qo + u] += dpre;
            dk[ko + u] += dpre;
            dbh[u] += dpre;
            dwa[u] += gs * v;
          }
        }
      }
    }
    return [tf.tensor(dq, [B, T, U]), tf.tensor(dk, [B, T, U]),
      tf.tensor(Float32Array.from(dbh), [U]), tf.tensor(Float32Array.from(dwa), [U, 1])];
  };
  return { value: tf.tensor(e, [B, T, T]), gradFunc };
});

export class FastSeqSelfAttention extends SeqSelfAttention {
  additiveEmission(x) {
    if (!this.useAdditiveBias || !this.useAttentionBias) throw new Error('FastSeqSelfAttention: both biases needed');
    const e = emission(dot3(x, this.Wt.read()), dot3(x, this.Wx.read()), this.bh.read(), this.Wa.read());
    return tf.add(e, this.ba.read());
  }
}

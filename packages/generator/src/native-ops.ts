// Building blocks written with kernels that have native implementations in @cvc/compute
// (conv, batched matmul, same-shape / trailing-axis elementwise, sigmoid). tfjs's own versions of
// per-sample broadcasts ([n, 1, 1, c] against [n, h, w, c]), Transpose, Concat/SplitV, Tanh and
// Relu's gradient run in plain JS and dominated the first diffusion step (see README).
import type * as tfTypes from '@tensorflow/tfjs';
import type { Tf } from './weights.ts';

type T4 = tfTypes.Tensor4D;
type T2 = tfTypes.Tensor2D;

/** Constant tensors by shape, kept across tidy scopes (never disposed: a few small tensors per shape). */
const constants = new Map<string, tfTypes.Tensor>();
function ones(tf: Tf, shape: number[]): tfTypes.Tensor {
  const key = shape.join('x');
  let t = constants.get(key);
  if (!t || t.isDisposed) {
    t = tf.keep(tf.ones(shape));
    constants.set(key, t);
  }
  return t;
}

/** v [n, c] → [n, h, w, c] (each sample's vector at every pixel), as a k = 1 batched matmul. */
export function spread(tf: Tf, v: T2, h: number, w: number): T4 {
  const [n, c] = v.shape;
  return tf.matMul(ones(tf, [n, h * w, 1]) as tfTypes.Tensor3D, v.reshape([n, 1, c])).reshape([n, h, w, c]) as T4;
}

/** Mean over space per sample and channel: [n, h, w, c] → [n, c], as a batched matmul. */
export function spatialMean(tf: Tf, x: T4): T2 {
  const [n, h, w, c] = x.shape;
  return tf.div(tf.matMul(ones(tf, [n, 1, h * w]) as tfTypes.Tensor3D, x.reshape([n, h * w, c])), h * w).reshape([n, c]) as T2;
}

/** Block-averaging matrix [c, c]: entry (i, j) = 1/g when channels i and j share one of c/g groups. */
function groupAverager(tf: Tf, c: number, groups: number): T2 {
  const key = `group-${c}-${groups}`;
  let t = constants.get(key);
  if (!t || t.isDisposed) {
    const size = c / groups;
    const m = new Float32Array(c * c);
    for (let i = 0; i < c; i++) for (let j = 0; j < c; j++) if (Math.floor(i / size) === Math.floor(j / size)) m[i * c + j] = 1 / size;
    t = tf.keep(tf.tensor2d(m, [c, c]));
    constants.set(key, t);
  }
  return t as T2;
}

/** Group norm (Wu & He 2018) without the affine part: statistics per sample over space and a group of channels. */
export function groupNorm(tf: Tf, x: T4, groups: number): T4 {
  const [, h, w, c] = x.shape;
  if (c % groups !== 0) throw new Error(`groupNorm: ${c} channels not divisible into ${groups} groups`);
  const avg = groupAverager(tf, c, groups);
  const mean = tf.matMul(spatialMean(tf, x), avg) as T2; // [n, c], each channel its group's mean
  const centred = tf.sub(x, spread(tf, mean, h, w));
  const variance = tf.matMul(spatialMean(tf, tf.square(centred) as T4), avg) as T2;
  return tf.mul(centred, spread(tf, tf.rsqrt(tf.add(variance, 1e-5)) as T2, h, w)) as T4;
}

/** SiLU x·σ(x) (native sigmoid and multiply; their gradients too). */
export function silu<T extends tfTypes.Tensor>(tf: Tf, x: T): T {
  return tf.mul(x, tf.sigmoid(x));
}

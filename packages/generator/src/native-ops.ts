// Building blocks written with kernels that have native implementations in @cvc/compute.
// (Group norm with its gain, FiLM and SiLU is @cvc/compute's normalizeScaleAct: one native kernel
// each way; tfjs's own composition ran in plain JS and dominated the first diffusion step.)
import type * as tfTypes from '@tensorflow/tfjs';
import type { Tf } from './weights.ts';

/** SiLU x·σ(x) (native sigmoid and multiply; their gradients too). */
export function silu<T extends tfTypes.Tensor>(tf: Tf, x: T): T {
  return tf.mul(x, tf.sigmoid(x));
}

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

/**
 * v [n, c] → [n, h, w, c] (each sample's vector at every pixel), as a k = 1 batched matmul: the
 * autoencoder's FiLM after pixel norm (tfjs's [n, 1, 1, c] broadcast against [n, h, w, c] ran in plain JS; README, Speed).
 */
export function spread(tf: Tf, v: tfTypes.Tensor2D, h: number, w: number): tfTypes.Tensor4D {
  const [n, c] = v.shape;
  return tf.matMul(ones(tf, [n, h * w, 1]) as tfTypes.Tensor3D, v.reshape([n, 1, c])).reshape([n, h, w, c]) as tfTypes.Tensor4D;
}

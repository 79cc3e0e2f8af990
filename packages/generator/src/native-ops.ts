// Building blocks written with kernels that have native implementations in @cvc/compute.
// (Group norm with its gain, FiLM and SiLU is @cvc/compute's normalizeScaleAct: one native kernel
// each way; tfjs's own composition ran in plain JS and dominated the first diffusion step.)
import type * as tfTypes from '@tensorflow/tfjs';
import type { Tf } from './weights.ts';

/** SiLU x·σ(x) (native sigmoid and multiply; their gradients too). */
export function silu<T extends tfTypes.Tensor>(tf: Tf, x: T): T {
  return tf.mul(x, tf.sigmoid(x));
}

// Training-mode batch normalisation over the last axis, differentiable: y = x̂·gamma + beta with
// x̂ = (x − mean) / sqrt(var + eps) on the batch's statistics. On the native cpu path the forward
// and backward are one kernel each (kernels/norm.ts; a resnet step ran ~15 tfjs kernels per
// layer for this, most of its elementwise time); elsewhere the same maths composed from tfjs ops,
// with the closed-form gradient  dx = gamma·invStd · (dy − mean(dy) − x̂ · mean(dy·x̂)).
// Both paths compute the same float32 operations in the same order: equal results bit for bit.
import type * as tfjs from '@tensorflow/tfjs';
import { nativeInstalled } from './native-kernels.ts';
import { BN_TRAIN, BN_TRAIN_GRAD } from './kernels/norm.ts';
import type { TF } from './kernels/util.ts';

type Tensor = tfjs.Tensor;

/**
 * y [..., C] for x [..., C], gamma [C], beta [C]. `onMoments(mean, variance)` (each [C]; biased
 * variance) is called with the batch statistics, e.g. to update moving averages; the tensors are
 * valid during the call only (clone what must outlive it).
 */
export function batchNormTraining(tf: TF, x: Tensor, gamma: Tensor, beta: Tensor, epsilon: number,
  onMoments?: (mean: Tensor, variance: Tensor) => void, leakyAlpha?: number): Tensor {
  const C = x.shape[x.shape.length - 1]!;
  // One channel: tfjs's Sum/Mean then sum in another order than the fused kernel; keep them.
  const native = tf.getBackend() === 'cpu' && nativeInstalled(tf) && x.dtype === 'float32' && C >= 2;
  return normalise(tf, x, gamma, beta, epsilon, native, onMoments, leakyAlpha);
}

/** The composed path on any backend (tests compare the native kernels with it bit for bit). */
export function composedBatchNormTraining(tf: TF, x: Tensor, gamma: Tensor, beta: Tensor, epsilon: number,
  onMoments?: (mean: Tensor, variance: Tensor) => void, leakyAlpha?: number): Tensor {
  return normalise(tf, x, gamma, beta, epsilon, false, onMoments, leakyAlpha);
}

/**
 * With `leakyAlpha`, a leaky ReLU follows (the native kernels apply it and its gradient inside
 * their passes: one pass and one kernel fewer each way than a LeakyRelu after; same bits).
 */
function normalise(tf: TF, x: Tensor, gamma: Tensor, beta: Tensor, epsilon: number, native: boolean,
  onMoments?: (mean: Tensor, variance: Tensor) => void, leakyAlpha?: number): Tensor {
  const C = x.shape[x.shape.length - 1]!;
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  // tfjs runs a custom gradient's forward pass in a tidy of its own: the statistics leave it kept,
  // reach onMoments, and are disposed after it.
  let moments: Tensor[] = [];
  const f = tf.customGrad((...args: unknown[]) => {
    const [xIn, g, b] = args as [Tensor, Tensor, Tensor];
    const save = args[3] as (tensors: Tensor[]) => void;
    if (native) {
      const attrs = { epsilon, ...(leakyAlpha !== undefined ? { leakyAlpha } : {}) };
      const [y, mean, variance] = tf.engine().runKernel(BN_TRAIN, { x: xIn, gamma: g, beta: b }, attrs) as Tensor[];
      if (onMoments) moments = [tf.keep(mean!), tf.keep(variance!)];
      // (tfjs clones each saved tensor: beta only when the fused activation needs it)
      save([xIn, mean!, variance!, g, ...(leakyAlpha !== undefined ? [b] : [])]);
      return {
        value: y!,
        gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
          const [xs, m, v, gs, bs] = saved as Tensor[];
          return tf.engine().runKernel(BN_TRAIN_GRAD, { dy: dy as Tensor, x: xs!, mean: m!, variance: v!, gamma: gs!, beta: bs ?? gs! }, attrs) as Tensor[];
        },
      };
    }
    const { mean, variance } = tf.moments(xIn, axes); // [C] each
    if (onMoments) moments = [tf.keep(mean), tf.keep(variance)];
    const invStd = tf.rsqrt(tf.add(variance, epsilon)); // [C]
    const xHat = tf.mul(tf.sub(xIn, mean), invStd); // [..., C]
    save([xHat, tf.mul(g, invStd)]);
    return {
      value: tf.add(tf.mul(xHat, g), b),
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const d = dy as Tensor;
        const [hat, gammaInvStd] = saved as [Tensor, Tensor];
        const count = d.size / C;
        const dBeta = tf.sum(d, axes); // [C]
        const dGamma = tf.sum(tf.mul(d, hat), axes); // [C]
        const centred = tf.sub(tf.sub(d, tf.div(dBeta, count)), tf.mul(hat, tf.div(dGamma, count)));
        return [tf.mul(centred, gammaInvStd), dGamma, dBeta];
      },
    };
  });
  let y = f(x, gamma, beta) as Tensor;
  if (leakyAlpha !== undefined && !native) y = tf.leakyRelu(y, leakyAlpha);
  if (onMoments) {
    onMoments(moments[0]!, moments[1]!);
    tf.dispose(moments);
  }
  return y;
}

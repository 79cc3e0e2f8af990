// Normalise → scale and shift per channel (or per sample and channel) → activation, as one
// differentiable op: the GAN's conditional batch norm + ReLU and the UNet's group norm (+ FiLM)
// + SiLU. On the native cpu path forward and backward are one kernel each (kernels/norm.ts);
// tfjs composed them from ~20 kernels each way (moments, broadcasts, matmul-based group means,
// sigmoid). Elsewhere the same maths in tfjs ops, differentiated by tfjs.
import type * as tfjs from '@tensorflow/tfjs';
import { nativeInstalled } from './native-kernels.ts';
import { NORM_ACT, NORM_ACT_GRAD, NORM_ACTIVATIONS } from './kernels/norm.ts';
import type { TF } from './kernels/util.ts';

type Tensor = tfjs.Tensor;

export interface NormActOptions {
  /** Channels per statistics group (group norm: statistics per sample over space and the group); 0 / absent: batch statistics per channel (batch norm). */
  groupSize?: number;
  epsilon: number;
  /** Gain, per channel ([C]) or per sample and channel ([N, C], any shape of that size such as [N, 1, 1, C]); absent = 1. */
  scale?: Tensor;
  /** Offset, shaped like scale; absent = 0. */
  shift?: Tensor;
  activation?: keyof typeof NORM_ACTIVATIONS;
  /** Slope of leakyrelu below 0 (relu: 0). */
  alpha?: number;
  /** Called with the batch statistics (mean, biased variance; [C] or [N, C / groupSize]), tensors of the caller's scope. */
  onMoments?: (mean: Tensor, variance: Tensor) => void;
}

/** y = act(x̂·scale + shift) for x [N, ..., C]; x̂ = (x − mean) / sqrt(var + eps) on the batch's (or each sample's group's) statistics. */
export function normalizeScaleAct(tf: TF, x: Tensor, o: NormActOptions): Tensor {
  if (x.rank < 2) throw new Error(`normalizeScaleAct: x must have a batch and a channel axis (shape [${x.shape}])`);
  const N = x.shape[0]!, C = x.shape[x.rank - 1]!, S = x.size / (N * C);
  const group = o.groupSize ?? 0;
  if (group < 0 || (group > 0 && C % group !== 0)) throw new Error(`normalizeScaleAct: ${C} channels do not split into groups of ${group}`);
  const rows = (t: Tensor | undefined, what: string): number => {
    if (!t) return 0;
    if (t.size === C) return 1;
    if (t.size === N * C && t.shape[0] === N && t.shape[t.rank - 1] === C) return N;
    throw new Error(`normalizeScaleAct: ${what} of shape [${t.shape}] is neither [${C}] nor [${N}, ${C}]`);
  };
  const aRows = rows(o.scale, 'scale'), bRows = rows(o.shift, 'shift');
  const activation = o.activation ?? 'linear';
  const alpha = activation === 'relu' ? 0 : (o.alpha ?? 0.2);
  const native = tf.getBackend() === 'cpu' && nativeInstalled(tf) && x.dtype === 'float32' && S > 0;
  if (!native) return composed(tf, x, o, group, activation, alpha);

  const attrs = { N, S, C, group, epsilon: o.epsilon, act: NORM_ACTIVATIONS[activation], alpha, aRows, bRows };
  const inputs: Tensor[] = [x, ...(o.scale ? [o.scale] : []), ...(o.shift ? [o.shift] : [])];
  // tfjs runs a custom gradient's forward pass in a tidy of its own: the statistics leave it kept,
  // and reach onMoments as clones owned by the caller's scope.
  let moments: Tensor[] = [];
  const f = tf.customGrad((...args: unknown[]) => {
    const save = args[inputs.length] as (tensors: Tensor[]) => void;
    const [xIn, ...rest] = args.slice(0, inputs.length) as Tensor[];
    const scale = o.scale ? rest[0] : undefined, shift = o.shift ? rest[o.scale ? 1 : 0] : undefined;
    const named = { x: xIn!, ...(scale ? { scale } : {}), ...(shift ? { shift } : {}) };
    const [y, mean, variance] = tf.engine().runKernel(NORM_ACT, named, attrs as never) as Tensor[];
    if (o.onMoments) moments = [tf.keep(mean!), tf.keep(variance!)];
    save([xIn!, mean!, variance!, ...(scale ? [scale] : []), ...(shift ? [shift] : [])]);
    return {
      value: y!,
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const [xs, m, v, ...ab] = saved as Tensor[];
        const sc = scale ? ab[0] : undefined, sh = shift ? ab[scale ? 1 : 0] : undefined;
        const [dx, dA, dB] = tf.engine().runKernel(NORM_ACT_GRAD,
          { dy: dy as Tensor, x: xs!, mean: m!, variance: v!, ...(sc ? { scale: sc } : {}), ...(sh ? { shift: sh } : {}) }, attrs as never) as Tensor[];
        // Per-sample gradients [N, C]: summed over samples for a per-channel parameter.
        const back = (d: Tensor, t: Tensor) => (t.size === C ? tf.sum(d, 0).reshape(t.shape) : d.reshape(t.shape));
        return [dx!, ...(sc ? [back(dA!, sc)] : []), ...(sh ? [back(dB!, sh)] : [])];
      },
    };
  });
  const y = f(...inputs) as Tensor;
  if (o.onMoments) {
    o.onMoments(tf.clone(moments[0]!), tf.clone(moments[1]!));
    tf.dispose(moments);
  }
  return y;
}

/** The same maths in tfjs ops (any backend; tfjs differentiates it). */
function composed(tf: TF, x: Tensor, o: NormActOptions, group: number, activation: string, alpha: number): Tensor {
  const N = x.shape[0]!, C = x.shape[x.rank - 1]!;
  let xhat: Tensor;
  if (group === 0) {
    const { mean, variance } = tf.moments(x, x.shape.slice(0, -1).map((_, i) => i));
    o.onMoments?.(mean, variance);
    xhat = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, o.epsilon)));
  } else {
    const g = x.reshape([N, -1, C / group, group]); // [N, S, groups, group]
    const { mean, variance } = tf.moments(g, [1, 3], true); // [N, 1, groups, 1]
    o.onMoments?.(mean.reshape([N, C / group]), variance.reshape([N, C / group]));
    xhat = tf.mul(tf.sub(g, mean), tf.rsqrt(tf.add(variance, o.epsilon))).reshape(x.shape);
  }
  const perSample = (t: Tensor) => (t.size === C ? t.reshape([C]) : t.reshape([N, ...x.shape.slice(1, -1).map(() => 1), C]));
  let z = o.scale ? tf.mul(xhat, perSample(o.scale)) : xhat;
  if (o.shift) z = tf.add(z, perSample(o.shift));
  if (activation === 'silu') return tf.mul(z, tf.sigmoid(z));
  if (activation === 'relu' || activation === 'leakyrelu') return tf.leakyRelu(z, alpha);
  return z;
}

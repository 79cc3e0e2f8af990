// Weight averages (EMA) of many variables in one native call: average ← average·d + weight·(1 − d).
// tfjs ran three kernels per variable (≈ 80 per GAN step, ≈ 150 per diffusion step, most of them
// tiny); the float32 operations here are the same (Multiply, Multiply, Add, no FMA): same bits.
// Averages are written in place under the optimizers' rule (optimizer-buffers.ts), else anew.
import type * as tfjs from '@tensorflow/tfjs';
import { loadAddon } from './addon.ts';
import { nativeInstalled } from './native-kernels.ts';
import { alloc, type TF } from './kernels/util.ts';
import { valuesOf, writableInPlace, type CpuBackendData } from './optimizer-buffers.ts';

/** The update for every pair on the native path; false (nothing done) elsewhere. */
export function emaUpdateNative(tf: TF, pairs: readonly (readonly [average: tfjs.Variable, weight: tfjs.Tensor])[], decay: number): boolean {
  const addon = tf.getBackend() === 'cpu' && nativeInstalled(tf) ? loadAddon().addon : null;
  if (!addon || pairs.some(([a, w]) => a.dtype !== 'float32' || w.dtype !== 'float32' || a.size !== w.size)) return false;
  const backend = tf.backend() as unknown as CpuBackendData;
  const assigns: { target: tfjs.Variable; values: Float32Array }[] = [];
  const slots = pairs.map(([average, weight]) => {
    const a = valuesOf(backend, average, 'emaUpdate');
    let out = writableInPlace(backend, average, a);
    if (!out) {
      out = alloc(average.size);
      assigns.push({ target: average, values: out });
    }
    return [a, valuesOf(backend, weight, 'emaUpdate'), out];
  });
  addon.emaAll(slots, decay, 1 - decay);
  if (assigns.length > 0) tf.tidy(() => { for (const { target, values } of assigns) target.assign(tf.tensor(values, target.shape, 'float32')); });
  return true;
}

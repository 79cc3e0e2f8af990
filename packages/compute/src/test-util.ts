// Helpers shared by the spec files: run a kernel natively and through the saved original
// tfjs-backend-cpu kernel on the same inputs, and compare.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { fallbackCounts } from './kernels/util.ts';
import { originalCpuKernel } from './native-kernels.ts';
import { seededRandom } from './reference-cnn.ts';

export type TI = tf.TensorInfo;

export function rng(seed: number) {
  const r = seededRandom(seed);
  return {
    float: () => r() * 2 - 1,
    int: (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!,
    tensor: (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1), shape),
  };
}

function read(t: TI): Float32Array {
  return tf.backend().readSync(t.dataId) as Float32Array;
}

/** Runs `name` natively (registered kernel) and via the original cpu kernel; returns both. */
export function runBoth(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>) {
  const before = fallbackCounts.get(name) ?? 0;
  const nat = tf.engine().runKernel(name, inputs, attrs as never) as tf.Tensor | tf.Tensor[];
  const usedFallback = (fallbackCounts.get(name) ?? 0) !== before;
  const orig = originalCpuKernel(tf, name);
  if (!orig) throw new Error(`no original kernel saved for ${name}`);
  const ref = orig({ inputs, attrs, backend: tf.backend() } as never) as TI | TI[];
  const nats = Array.isArray(nat) ? nat : [nat];
  const refs = Array.isArray(ref) ? ref : [ref];
  const out = nats.map((n, i) => ({ shape: n.shape, got: n.dataSync() as Float32Array, want: read(refs[i]!), wantShape: refs[i]!.shape }));
  nats.forEach((n) => n.dispose());
  refs.forEach((r) => tf.backend().disposeData(r.dataId));
  return { out, usedFallback };
}

/** max |a-b| <= tol * max(1, max|b|) */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-4, what = '') {
  expect(got.length, `${what} length`).toBe(want.length);
  let scale = 1, worst = 0, at = -1;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    if (!(d <= worst)) { worst = d; at = i; }
  }
  expect(worst, `${what} worst diff at ${at}: got ${got[at]} want ${want[at]}`).toBeLessThanOrEqual(tol * scale);
}

/** Compare a native kernel with the original; it must not have delegated. */
export function checkKernel(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>, tol = 1e-4, what = '') {
  const { out, usedFallback } = runBoth(name, inputs, attrs);
  expect(usedFallback, `${name} ${what} should run natively`).toBe(false);
  for (const o of out) {
    expect(o.shape, `${name} ${what} shape`).toEqual(o.wantShape);
    expectClose(o.got, o.want, tol, `${name} ${what}`);
  }
}

// normalizeScaleAct: the native kernels vs tfjs's own composed ops (moments, broadcasts, sigmoid)
// differentiated by tfjs on the pure cpu backend, on randomized shapes and options, and across
// thread counts.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useFastestBackend } from './backend.ts';
import { fallbackCounts } from './kernels/util.ts';
import { NORM_ACT, NORM_ACT_GRAD } from './kernels/norm.ts';
import { normalizeScaleAct, type NormActOptions } from './norm-act.ts';
import { expectClose, rng } from './test-util.ts';

beforeAll(async () => {
  expect((await useFastestBackend(tf, { force: 'native' })).name).toBe('native');
});

interface Case { shape: number[]; groupSize: number; scale: 'none' | 'channel' | 'sample'; shift: 'none' | 'channel' | 'sample'; activation: NonNullable<NormActOptions['activation']> }

/** y, the statistics and the gradients w.r.t. x, scale, shift for an upstream gradient dy. */
function run(c: Case, x: tf.Tensor, scale: tf.Tensor | undefined, shift: tf.Tensor | undefined, dy: tf.Tensor): Float32Array[] {
  let stats: Float32Array[] = [];
  const f = (...a: tf.Tensor[]) => normalizeScaleAct(tf, a[0]!, {
    groupSize: c.groupSize, epsilon: 1e-5, activation: c.activation, alpha: 0.2,
    ...(scale ? { scale: a[1]! } : {}), ...(shift ? { shift: a[scale ? 2 : 1]! } : {}),
    onMoments: (m, v) => { stats = [m.dataSync() as Float32Array, v.dataSync() as Float32Array]; },
  });
  const args = [x, ...(scale ? [scale] : []), ...(shift ? [shift] : [])];
  const y = tf.tidy(() => f(...args).dataSync() as Float32Array);
  const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), dy)))(args);
  return [y, ...stats, ...grads.map((g) => g.dataSync() as Float32Array)];
}

describe('normalizeScaleAct', () => {
  it('native equals tfjs’s composed ops (values, statistics, gradients) on random shapes and options', async () => {
    const R = rng(41);
    const cases: Case[] = [
      { shape: [64, 4, 4, 128], groupSize: 0, scale: 'sample', shift: 'sample', activation: 'relu' }, // GAN CBN
      { shape: [16, 8, 8, 32], groupSize: 8, scale: 'channel', shift: 'none', activation: 'silu' }, // UNet norm + SiLU
      { shape: [8, 16, 16, 32], groupSize: 8, scale: 'sample', shift: 'sample', activation: 'silu' }, // UNet FiLM
      { shape: [3, 5, 7, 6], groupSize: 3, scale: 'none', shift: 'none', activation: 'linear' },
      { shape: [5, 3, 3, 10], groupSize: 0, scale: 'channel', shift: 'channel', activation: 'leakyrelu' },
      { shape: [12, 20], groupSize: 0, scale: 'none', shift: 'channel', activation: 'silu' },
      { shape: [2, 9, 4], groupSize: 2, scale: 'sample', shift: 'none', activation: 'relu' },
    ];
    const inputs = cases.map((c) => {
      const [N, C] = [c.shape[0]!, c.shape.at(-1)!];
      const p = (kind: Case['scale']) => (kind === 'none' ? undefined : kind === 'channel' ? R.tensor([C]).add(1) : R.tensor([N, ...c.shape.slice(1, -1).map(() => 1), C]).add(1));
      return { x: R.tensor(c.shape).mul(2).add(0.3), scale: p(c.scale), shift: p(c.shift), dy: R.tensor(c.shape) };
    });
    const before = [NORM_ACT, NORM_ACT_GRAD].map((k) => fallbackCounts.get(k) ?? 0);
    const ours = cases.map((c, i) => run(c, inputs[i]!.x, inputs[i]!.scale, inputs[i]!.shift, inputs[i]!.dy));
    expect([NORM_ACT, NORM_ACT_GRAD].map((k) => fallbackCounts.get(k) ?? 0)).toEqual(before);
    await useFastestBackend(tf, { force: 'cpu' });
    try {
      cases.forEach((c, i) => {
        const ref = run(c, inputs[i]!.x, inputs[i]!.scale, inputs[i]!.shift, inputs[i]!.dy);
        expect(ours[i]!.length).toBe(ref.length);
        ref.forEach((r, k) => expectClose(ours[i]![k]!, r, 2e-4, `${JSON.stringify(c)} output ${k}`));
      });
    } finally {
      await useFastestBackend(tf, { force: 'native' });
    }
  });

  it('rejects a scale of the wrong shape, naming it', () => {
    const x = tf.zeros([4, 2, 2, 8]);
    expect(() => normalizeScaleAct(tf, x, { epsilon: 1e-5, scale: tf.ones([4, 4]) })).toThrow(/scale of shape \[4,4\]/);
    expect(() => normalizeScaleAct(tf, x, { epsilon: 1e-5, groupSize: 3 })).toThrow(/groups of 3/);
  });

  it('is bit-identical with 1, 2 and 3 threads', async () => {
    const { spawnSync } = await import('node:child_process');
    const { defaultAddonPath } = await import('./addon.ts');
    const script = `
      const a = require(${JSON.stringify(defaultAddonPath)});
      const f = (n, k) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * k) * 2 + 0.3);
      let h = 0;
      const mix = (arr) => { for (const v of new Uint32Array(arr.buffer)) h = (Math.imul(h, 31) + v) >>> 0; };
      for (const [N, S, C, group, act] of [[64, 16, 128, 0, 1], [64, 256, 32, 8, 2], [64, 1024, 16, 8, 2]]) {
        const x = f(N * S * C, 0.37), A = f(N * C, 0.5), B = f(N * C, 0.7), dy = f(N * S * C, 0.23);
        const stats = group ? N * C / group : C;
        const y = new Float32Array(x.length), m = new Float32Array(stats), v = new Float32Array(stats);
        a.normAct(x, y, m, v, N, S, C, group, 1e-5, act, 0, A, N, B, N);
        const dx = new Float32Array(x.length), dA = new Float32Array(N * C), dB = new Float32Array(N * C);
        a.normActGrad(dy, x, m, v, dx, dA, dB, N, S, C, group, 1e-5, act, 0, A, N, B, N);
        [y, m, v, dx, dA, dB].forEach(mix);
      }
      console.log(h);`;
    const once = (threads: string) => {
      const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, CVC_THREADS: threads }, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    const one = once('1');
    expect(one).toMatch(/^\d+$/);
    expect(once('2')).toBe(one);
    expect(once('3')).toBe(one);
  });
});

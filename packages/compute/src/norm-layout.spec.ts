// The training batch norm, Concat/SplitV/Tile and fastMomentum: native vs the composed / original
// tfjs computations, on randomized shapes, gradients included, and across thread counts.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useFastestBackend } from './backend.ts';
import { batchNormTraining, composedBatchNormTraining } from './batch-norm.ts';
import { fastMomentum, fastMomentumStats } from './fast-momentum.ts';
import { fallbackCounts } from './kernels/util.ts';
import { BN_TRAIN, BN_TRAIN_GRAD } from './kernels/norm.ts';
import { checkKernel, expectClose, rng } from './test-util.ts';

beforeAll(async () => {
  expect((await useFastestBackend(tf, { force: 'native' })).name).toBe('native');
});

const bits = (t: tf.Tensor) => Buffer.from((t.dataSync() as Float32Array).slice().buffer);

/** y, the moments and the gradients (for a random upstream gradient) of a batch-norm implementation. */
function bnRun(impl: typeof batchNormTraining, x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, dy: tf.Tensor, eps: number, leakyAlpha?: number) {
  let moments: tf.Tensor[] = [];
  const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => impl(tf, a, g, b, eps, (m, v) => { moments = [tf.keep(m.clone()), tf.keep(v.clone())]; }, leakyAlpha);
  const y = tf.tidy(() => f(x, gamma, beta));
  const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, g, b), dy)))([x, gamma, beta]);
  return { y, moments, grads };
}

describe('training batch norm', () => {
  // [shape]: small; C < 64 (sums in one sequential chunk); C ≥ 64 and big (row chunks, both threads); 2-D input.
  const shapes = [[2, 3, 3, 5], [4, 7, 5, 24], [16, 16, 16, 48], [32, 8, 8, 96], [9, 4, 4, 130], [40, 64], [3, 2, 2, 2]];

  it('native kernels equal the composed tfjs ops (bit for bit with 64+ channels; values, moments, gradients)', () => {
    const R = rng(31);
    for (const shape of shapes) {
      const C = shape.at(-1)!;
      const x = R.tensor(shape).mul(3).add(0.5), dy = R.tensor(shape), gamma = R.tensor([C]), beta = R.tensor([C]);
      const before = [BN_TRAIN, BN_TRAIN_GRAD].map((k) => fallbackCounts.get(k) ?? 0);
      // Every other shape with the leaky ReLU fused (composed: a LeakyRelu kernel after).
      const leaky = shapes.indexOf(shape) % 2 === 0 ? 0.1 : undefined;
      const nat = bnRun(batchNormTraining, x, gamma, beta, dy, 1e-3, leaky);
      const ref = bnRun(composedBatchNormTraining, x, gamma, beta, dy, 1e-3, leaky);
      expect([BN_TRAIN, BN_TRAIN_GRAD].map((k) => fallbackCounts.get(k) ?? 0)).toEqual(before);
      const what = `shape ${shape}${leaky ? ' + leaky ReLU' : ''}`;
      // Fewer than 64 channels in a big tensor: the kernel sums rows in chunks (both cores),
      // tfjs's Sum in one pass: equal up to rounding. Else the same summation order: same bits.
      const sameOrder = C >= 64 || shape.reduce((a, b) => a * b, 1) < 32768;
      const same = (a: tf.Tensor, b: tf.Tensor, w: string) => {
        if (sameOrder) expect(bits(a).equals(bits(b)), `${what}: ${w}`).toBe(true);
        else expectClose(a.dataSync(), b.dataSync(), 1e-5, `${what}: ${w}`);
      };
      same(nat.y, ref.y, 'y');
      nat.moments.forEach((m, i) => same(m, ref.moments[i]!, `moment ${i}`));
      nat.grads.forEach((g, i) => same(g, ref.grads[i]!, `gradient ${i}`));
      tf.dispose([x, dy, gamma, beta, nat.y, ref.y, ...nat.moments, ...ref.moments, ...nat.grads, ...ref.grads]);
    }
  });

  it('matches tfjs’s own batch norm (moments + batchNorm, autodiff) on the pure cpu backend', async () => {
    const R = rng(32);
    const cases = shapes.map((shape) => {
      const C = shape.at(-1)!;
      return { shape, x: R.tensor(shape).mul(2), dy: R.tensor(shape), gamma: R.tensor([C]), beta: R.tensor([C]) };
    });
    const ours = cases.map((c) => {
      const r = bnRun(batchNormTraining, c.x, c.gamma, c.beta, c.dy, 1e-3);
      return [r.y, ...r.moments, ...r.grads].map((t) => t.dataSync() as Float32Array);
    });
    await useFastestBackend(tf, { force: 'cpu' });
    try {
      cases.forEach((c, k) => {
        const axes = c.shape.slice(0, -1).map((_, i) => i);
        const own = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const { mean, variance } = tf.moments(a, axes);
          return tf.batchNorm(a, mean, variance, b, g, 1e-3);
        };
        const { mean, variance } = tf.moments(c.x, axes);
        const y = own(c.x, c.gamma, c.beta);
        const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(own(a, g, b), c.dy)))([c.x, c.gamma, c.beta]);
        [y, mean, variance, ...grads].forEach((t, i) => expectClose(ours[k]![i]!, t.dataSync(), 2e-4, `shape ${c.shape} output ${i}`));
      });
    } finally {
      await useFastestBackend(tf, { force: 'native' });
    }
  });
});

describe('Concat, SplitV, Tile vs tfjs-backend-cpu', () => {
  it('random shapes and axes', () => {
    const R = rng(33);
    for (let t = 0; t < 30; t++) {
      const rank = R.int(1, 4);
      const shape = Array.from({ length: rank }, () => R.int(1, 6));
      const axis = R.int(0, rank - 1);
      const parts = Array.from({ length: R.int(2, 4) }, () => { const s = [...shape]; s[axis] = R.int(1, 5); return R.tensor(s); });
      checkKernel('Concat', parts as unknown as Record<string, tf.Tensor>, { axis }, 0, `${parts.map((p) => p.shape).join(' | ')} axis ${axis}`);
      const whole = tf.concat(parts, axis);
      checkKernel('SplitV', { x: whole }, { numOrSizeSplits: parts.map((p) => p.shape[axis]!), axis }, 0, `${whole.shape} axis ${axis}`);
      const reps = shape.map(() => R.int(1, 3));
      checkKernel('Tile', { x: parts[0]! }, { reps }, 0, `${parts[0]!.shape} reps ${reps}`);
      tf.dispose([...parts, whole]);
    }
    // Large enough for both threads: the VAE's label channels on a 16x16 map.
    const a = R.tensor([64, 16, 16, 32]), b = R.tensor([64, 16, 16, 2]);
    checkKernel('Concat', [a, b] as unknown as Record<string, tf.Tensor>, { axis: 3 }, 0);
    checkKernel('SplitV', { x: tf.concat([a, b], 3) }, { numOrSizeSplits: [32, 2], axis: 3 }, 0);
    checkKernel('Tile', { x: R.tensor([64, 1, 1, 2]) }, { reps: [1, 16, 16, 1] }, 0);
  });
});

describe('Relu gradient (one native kernel)', () => {
  it('equals tfjs’s dy · step(x) on the pure cpu backend bit for bit, NaN and ±0 included', async () => {
    const R = rng(37);
    const x = tf.concat([R.tensor([4000]), tf.tensor1d([0, -0, NaN, 1e-30, -1e-30])]);
    const dy = tf.concat([R.tensor([4000]), tf.tensor1d([-2, 3, 1, -0, 5])]);
    const grad = () => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), dy)))(x);
    const before = fallbackCounts.get('CvcReluGrad') ?? 0;
    const ours = grad();
    expect(fallbackCounts.get('CvcReluGrad') ?? 0).toBe(before);
    await useFastestBackend(tf, { force: 'cpu' });
    try {
      expect(bits(ours).equals(bits(grad()))).toBe(true);
    } finally {
      await useFastestBackend(tf, { force: 'native' });
    }
  });
});

describe('fastMomentum', () => {
  it('equals tf.train.momentum + the decay loop bit for bit, and updates in place once it owns the buffers', () => {
    for (const nesterov of [true, false]) {
      const R = rng(nesterov ? 34 : 35);
      const make = () => [tf.variable(R.tensor([5, 7])), tf.variable(R.tensor([7])), tf.variable(R.tensor([3, 3, 4, 6]))];
      const init = make();
      const a = init.map((v) => tf.variable(v.clone())), b = init.map((v) => tf.variable(v.clone()));
      const decayedA = [a[0]!, a[2]!], decayedB = [b[0]!, b[2]!];
      const ours = fastMomentum(tf, 0.1, 0.9, nesterov), theirs = tf.train.momentum(0.1, 0.9, nesterov);
      const stats0 = { ...fastMomentumStats };
      for (let step = 0; step < 4; step++) {
        const lr = 0.1 / (step + 1);
        ours.setLearningRate(lr);
        theirs.setLearningRate(lr);
        const grads = init.map((v) => R.tensor(v.shape));
        ours.applyGradientsAndDecay(a.map((v, i) => ({ name: v.name, tensor: grads[i]! })), { variables: decayedA, factor: 1 - lr * 5e-4 });
        theirs.applyGradients(b.map((v, i) => ({ name: v.name, tensor: grads[i]! })));
        tf.tidy(() => { for (const w of decayedB) w.assign(tf.mul(w, 1 - lr * 5e-4)); });
        a.forEach((v, i) => expect(bits(v).equals(bits(b[i]!)), `nesterov ${nesterov} step ${step} variable ${i}`).toBe(true));
        tf.dispose(grads);
      }
      // Each step reads the variables (dataSync above), so they are written anew; not in place.
      expect(fastMomentumStats.assigned - stats0.assigned).toBeGreaterThan(0);
      tf.dispose([...init, ...a, ...b]);
      ours.dispose();
      theirs.dispose();
    }
  });

  it('writes in place when nobody else sees the buffers', () => {
    const R = rng(36);
    const v = tf.variable(R.tensor([64, 32]));
    const opt = fastMomentum(tf, 0.05, 0.9, true);
    const stats0 = { ...fastMomentumStats };
    for (let step = 0; step < 3; step++) tf.tidy(() => opt.applyGradients([{ name: v.name, tensor: R.tensor([64, 32]) }]));
    expect(fastMomentumStats.inPlace - stats0.inPlace).toBeGreaterThanOrEqual(4); // steps 2 and 3: variable and accumulator
    tf.dispose(v);
    opt.dispose();
  });
});

describe('determinism across thread counts', () => {
  it('batch norm forward/backward and momentumAll are bit-identical with 1 and 2 threads, and with or without AVX-512', async () => {
    const { spawnSync } = await import('node:child_process');
    const { defaultAddonPath } = await import('./addon.ts');
    const script = `
      const a = require(${JSON.stringify(defaultAddonPath)});
      const f = (n, k) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * k) * 2 + 0.3);
      let h = 0;
      const mix = (arr) => { for (const v of new Uint32Array(arr.buffer)) h = (Math.imul(h, 31) + v) >>> 0; };
      const shapes = process.env.BN_SHAPES ? JSON.parse(process.env.BN_SHAPES) : [[128 * 16 * 16, 24, 1], [128 * 4 * 4, 96, 0], [64 * 8 * 8, 64, 1]];
      for (const [R, C, act] of shapes) {
        const x = f(R * C, 0.37), g = f(C, 0.5), b = f(C, 0.7), dy = f(R * C, 0.23);
        const y = new Float32Array(R * C), m = new Float32Array(C), v = new Float32Array(C);
        a.bnTrain(x, g, b, C, 1e-3, y, m, v, act, 0.1);
        const dx = new Float32Array(R * C), dg = new Float32Array(C), db = new Float32Array(C);
        a.bnTrainGrad(dy, x, m, v, g, b, C, 1e-3, dx, dg, db, act, 0.1);
        [y, m, v, dx, dg, db].forEach(mix);
      }
      const vars = [f(70000, 0.1), f(300, 0.2)], grads = [f(70000, 0.3), f(300, 0.4)], accs = [f(70000, 0.5), f(300, 0.6)];
      a.momentumAll(vars.map((v, i) => [v, grads[i], accs[i], v, accs[i]]), Float32Array.of(0.9995, NaN), 0.9, -0.05, true);
      [...vars, ...accs].forEach(mix);
      console.log(h);`;
    const run = (threads: string, env: Record<string, string> = {}) => {
      const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, CVC_THREADS: threads, ...env }, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    const one = run('1');
    expect(one).toMatch(/^\d+$/);
    expect(run('2')).toBe(one);
    expect(run('3')).toBe(one);
    // The batch norm's AVX-512 passes (channels in multiples of 8: the classifier's stem and
    // blocks, 1–17 vectors, several register segments) against the scalar loops (CVC_ARCH=avx2),
    // leaky ReLU fused or not: the same bits.
    const shapes = JSON.stringify([[32 * 32 * 32, 24, 1], [32 * 16 * 16, 24, 0], [32 * 8 * 8, 48, 1], [32 * 4 * 4, 96, 1],
      [1000, 8, 0], [777, 40, 1], [300, 136, 0], [5000, 64, 1], [33, 20, 1]]);
    const vec = run('2', { BN_SHAPES: shapes });
    expect(vec).toMatch(/^\d+$/);
    expect(run('2', { BN_SHAPES: shapes, CVC_ARCH: 'avx2' })).toBe(vec);
  });
});

// Every native kernel against the original tfjs-backend-cpu kernel on randomized shapes:
// strides 1 and 2, same/valid/explicit padding, odd sizes, batch 1, channel counts that are
// not multiples of 8 or 16, shapes big enough to use both threads.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAddon } from './addon.ts';
import { useFastestBackend } from './backend.ts';
import { fallbackCounts } from './kernels/util.ts';
import { checkKernel, rng, runBoth } from './test-util.ts';

beforeAll(async () => {
  const r = await useFastestBackend(tf, { force: 'native' });
  expect(r.name).toBe('native');
});

const PADS = ['same', 'valid', 1, 2] as const;

describe('convolution kernels vs tfjs-backend-cpu', () => {
  it('Conv2D / FusedConv2D on random shapes', () => {
    const R = rng(11);
    for (let t = 0; t < 40; t++) {
      const N = R.pick([1, 2, 3]), H = R.int(1, 11), W = R.int(1, 11), C = R.pick([1, 3, 5, 7, 10, 17, 24]);
      const F = R.pick([1, 5, 9, 18, 33, 40]), kh = R.int(1, 3), kw = R.int(1, 3);
      const s = R.pick([1, 2]), pad = R.pick(PADS), dil = s === 1 ? R.pick([1, 1, 2]) : 1;
      if (pad === 'valid' && (H < (kh - 1) * dil + 1 || W < (kw - 1) * dil + 1)) continue;
      const x = R.tensor([N, H, W, C]), w = R.tensor([kh, kw, C, F]);
      const attrs = { strides: [s, s], pad, dataFormat: 'NHWC', dilations: [dil, dil] };
      const what = `x=${[N, H, W, C]} w=${[kh, kw, C, F]} s=${s} pad=${pad} d=${dil}`;
      checkKernel('Conv2D', { x, filter: w }, attrs, 1e-4, what);
      const activation = R.pick(['linear', 'relu', 'leakyrelu', 'elu', 'sigmoid', 'relu6']);
      const bias = R.pick([R.tensor([F]), R.tensor([1])]);
      checkKernel('FusedConv2D', { x, filter: w, bias }, { ...attrs, activation, leakyreluAlpha: 0.1 }, 1e-4, `${what} ${activation}`);
      tf.dispose([x, w, bias]);
    }
  });

  it('Conv2D large enough to use every thread (and is deterministic)', () => {
    const R = rng(12);
    const x = R.tensor([4, 17, 15, 20]), w = R.tensor([3, 3, 20, 45]);
    const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1] };
    checkKernel('Conv2D', { x, filter: w }, attrs);
    const a = runBoth('Conv2D', { x, filter: w }, attrs).out[0]!.got;
    const b = runBoth('Conv2D', { x, filter: w }, attrs).out[0]!.got;
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  });

  it('Conv2DBackpropInput (conv2dTranspose path) on random shapes', () => {
    const R = rng(13);
    for (let t = 0; t < 30; t++) {
      const N = R.pick([1, 2]), H = R.int(2, 12), W = R.int(2, 12), C = R.pick([1, 3, 7, 10, 17]), F = R.pick([1, 5, 9, 18, 33]);
      const kh = R.int(1, 3), kw = R.int(1, 3), s = R.pick([1, 2]), pad = R.pick(PADS);
      if (pad === 'valid' && (H < kh || W < kw)) continue;
      const ci = tf.backend_util.computeConv2DInfo([N, H, W, C], [kh, kw, C, F], s, 1, pad);
      if (ci.outHeight <= 0 || ci.outWidth <= 0) continue;
      const dy = R.tensor([N, ci.outHeight, ci.outWidth, F]), w = R.tensor([kh, kw, C, F]);
      checkKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: [s, s], pad, dataFormat: 'NHWC', inputShape: [N, H, W, C] },
        1e-4, `x=${[N, H, W, C]} w=${[kh, kw, C, F]} s=${s} pad=${pad}`);
      tf.dispose([dy, w]);
    }
    const big = rng(14);
    const dy = big.tensor([3, 16, 16, 40]), w = big.tensor([3, 3, 24, 40]);
    checkKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [3, 16, 16, 24] });
    // Stride 2 with 16+ input channels (the phase-split path): the generators' 4x4 transposed
    // convs, the resnet's 3x3 and 1x1 stride-2 layers, odd sizes, explicit and valid padding.
    const phases: [number[], number, number, number, 'same' | 'valid' | number][] = [
      [[2, 8, 8, 32], 4, 2, 64, 'same'], [[2, 16, 16, 24], 3, 2, 48, 'same'], [[2, 16, 16, 24], 1, 2, 48, 'same'],
      [[1, 9, 7, 17], 3, 2, 5, 'valid'], [[2, 11, 10, 20], 4, 3, 9, 1], [[1, 6, 6, 16], 2, 2, 33, 0], [[2, 7, 9, 18], 5, 2, 7, 2],
    ];
    for (const [shape, k, s, F, pad] of phases) {
      const ci = tf.backend_util.computeConv2DInfo(shape as [number, number, number, number], [k, k, shape[3]!, F], s, 1, pad);
      const dy2 = big.tensor([shape[0]!, ci.outHeight, ci.outWidth, F]), w2 = big.tensor([k, k, shape[3]!, F]);
      checkKernel('Conv2DBackpropInput', { dy: dy2, filter: w2 }, { strides: [s, s], pad, dataFormat: 'NHWC', inputShape: shape },
        1e-4, `x=${shape} k=${k} s=${s} F=${F} pad=${pad}`);
      tf.dispose([dy2, w2]);
    }
  });

  it('Conv2DBackpropFilter on random shapes (both native paths)', () => {
    const R = rng(15);
    for (let t = 0; t < 30; t++) {
      const N = R.pick([1, 2, 3]), H = R.int(2, 12), W = R.int(2, 12), C = R.pick([1, 3, 5, 8, 10, 17]), F = R.pick([1, 5, 9, 18, 33]);
      const kh = R.int(1, 3), kw = R.int(1, 3), s = R.pick([1, 2]), pad = R.pick(PADS);
      if (pad === 'valid' && (H < kh || W < kw)) continue;
      const ci = tf.backend_util.computeConv2DInfo([N, H, W, C], [kh, kw, C, F], s, 1, pad);
      if (ci.outHeight <= 0 || ci.outWidth <= 0) continue;
      const x = R.tensor([N, H, W, C]), dy = R.tensor([N, ci.outHeight, ci.outWidth, F]);
      checkKernel('Conv2DBackpropFilter', { x, dy }, { strides: [s, s], pad, dataFormat: 'NHWC', filterShape: [kh, kw, C, F] },
        1e-4, `x=${[N, H, W, C]} w=${[kh, kw, C, F]} s=${s} pad=${pad}`);
      tf.dispose([x, dy]);
    }
    const big = rng(16);
    for (const C of [3, 20]) {
      const x = big.tensor([4, 16, 16, C]), dy = big.tensor([4, 16, 16, 36]);
      checkKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, C, 36] });
    }
  });

  it('delegates NCHW to the original kernel', () => {
    const R = rng(17);
    const x = R.tensor([1, 3, 5, 5]), w = R.tensor([3, 3, 3, 4]);
    const { usedFallback, out } = runBoth('Conv2D', { x, filter: w }, { strides: 1, pad: 'same', dataFormat: 'NCHW', dilations: 1 });
    expect(usedFallback).toBe(true);
    expect(Array.from(out[0]!.got)).toEqual(Array.from(out[0]!.want));
  });
});

describe('matmul kernels vs tfjs-backend-cpu', () => {
  it('BatchMatMul / _FusedMatMul with transposes, broadcasting and odd sizes', () => {
    const R = rng(21);
    for (let t = 0; t < 30; t++) {
      const M = R.int(1, 40), N = R.int(1, 40), K = R.int(1, 70), ta = R.pick([false, true]), tb = R.pick([false, true]);
      const [ba, bb] = R.pick([[1, 1], [3, 3], [1, 4], [2, 1]] as const);
      const a = R.tensor([ba, ta ? K : M, ta ? M : K]), b = R.tensor([bb, tb ? N : K, tb ? K : N]);
      const what = `M=${M} N=${N} K=${K} ta=${ta} tb=${tb} batch=${ba},${bb}`;
      checkKernel('BatchMatMul', { a, b }, { transposeA: ta, transposeB: tb }, 1e-4, what);
      const bias = R.tensor([N]);
      const activation = R.pick(['linear', 'relu', 'leakyrelu', 'sigmoid']);
      checkKernel('_FusedMatMul', { a, b, bias }, { transposeA: ta, transposeB: tb, activation, leakyreluAlpha: 0.3 }, 1e-4, what);
      tf.dispose([a, b, bias]);
    }
    const R2 = rng(22);
    const a = R2.tensor([1, 300, 200]), b = R2.tensor([1, 200, 150]);  // threaded
    checkKernel('BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
  });
});

describe('pooling kernels vs tfjs-backend-cpu', () => {
  it('MaxPool / AvgPool and their gradients', () => {
    const R = rng(31);
    for (let t = 0; t < 30; t++) {
      const N = R.pick([1, 2]), H = R.int(1, 13), W = R.int(1, 13), C = R.pick([1, 3, 7, 17, 32]);
      const f = R.int(1, 3), s = R.pick([1, 2]), pad = R.pick(['same', 'valid'] as const);
      if (pad === 'valid' && (H < f || W < f)) continue;
      const x = R.tensor([N, H, W, C]);
      const attrs = { filterSize: [f, f], strides: [s, s], pad };
      const what = `x=${[N, H, W, C]} f=${f} s=${s} ${pad}`;
      checkKernel('MaxPool', { x }, attrs, 1e-6, what);
      checkKernel('AvgPool', { x }, attrs, 1e-5, what);
      const ci = tf.backend_util.computePool2DInfo([N, H, W, C], [f, f], [s, s], 1, pad);
      const dy = R.tensor(ci.outShape);
      const y = tf.engine().runKernel('MaxPool', { x }, attrs as never) as tf.Tensor;
      checkKernel('MaxPoolGrad', { dy, input: x, output: y }, attrs, 1e-5, what);
      checkKernel('AvgPoolGrad', { dy, input: x }, attrs, 1e-5, what);
      tf.dispose([x, dy, y]);
    }
  });
});

describe('elementwise and reduction kernels vs tfjs-backend-cpu', () => {
  it('binary ops with every broadcasting pattern', () => {
    const R = rng(41);
    const pairs: [number[], number[]][] = [[[4, 5], [4, 5]], [[4, 5], []], [[1], [3, 4]], [[2, 3, 4], [4]], [[2, 3, 4], [1, 4]],
      [[2, 1, 4], [2, 3, 1]], [[2, 3, 4], [2, 1, 1]], [[5, 1], [1, 6]], [[300, 257], [257]], [[2, 300, 129], [2, 1, 129]]];
    for (const name of ['Add', 'Sub', 'Multiply', 'RealDiv', 'Maximum', 'Minimum', 'SquaredDifference']) {
      for (const [sa, sb] of pairs) {
        const a = R.tensor(sa), b = R.tensor(sb);
        checkKernel(name, { a, b }, {}, 1e-5, `${sa} ${sb}`);
        checkKernel(name, { a: b, b: a }, {}, 1e-5, `${sb} ${sa}`);
        tf.dispose([a, b]);
      }
    }
  });

  it('unary ops, LeakyRelu, Select', () => {
    const R = rng(42);
    const x = R.tensor([3, 7, 11]), pos = tf.add(tf.abs(x), 0.1);
    for (const name of ['Square', 'Neg', 'Relu', 'Exp', 'Abs', 'Sigmoid']) checkKernel(name, { x }, {}, 1e-5, name);
    for (const name of ['Sqrt', 'Log', 'Rsqrt', 'Reciprocal']) checkKernel(name, { x: pos }, {}, 1e-5, name);
    checkKernel('LeakyRelu', { x }, { alpha: 0.1 });
    const big = R.tensor([70000]);
    checkKernel('LeakyRelu', { x: big }, { alpha: 0.2 });
    const cond = tf.greater(x, 0), e = R.tensor([3, 7, 11]);
    checkKernel('Select', { condition: cond, t: x, e }, {});
    tf.dispose([x, pos, big, cond, e]);
  });

  it('Sum / Mean over contiguous axes, GatherV2 rows, FusedBatchNorm', () => {
    const R = rng(43);
    const x = R.tensor([3, 5, 7, 9]);
    for (const axis of [[0], [0, 1, 2], [3], [2, 3], [1, 2], [1], [0, 1, 2, 3], -1]) {
      for (const keepDims of [false, true]) {
        checkKernel('Sum', { x }, { axis, keepDims }, 1e-5, `axis=${axis}`);
        checkKernel('Mean', { x }, { axis, keepDims }, 1e-5, `axis=${axis}`);
      }
    }
    const big = R.tensor([64, 32, 32, 17]);
    checkKernel('Sum', { x: big }, { axis: [0, 1, 2], keepDims: false });
    const idx = tf.tensor1d([2, 0, 1, 2], 'int32');
    checkKernel('GatherV2', { x, indices: idx }, { axis: 0, batchDims: 0 });
    const mean = R.tensor([9]), variance = tf.add(tf.abs(R.tensor([9])), 0.5), offset = R.tensor([9]), scale = R.tensor([1]);
    checkKernel('FusedBatchNorm', { x, mean, variance, offset, scale }, { varianceEpsilon: 1e-3 });
    tf.dispose([x, big, idx, mean, variance, offset, scale]);
  });

  it("Mean's gradient (one native kernel) equals tfjs's formula bit for bit", async () => {
    const R = rng(44);
    for (const [shape, axis] of [[[4, 6, 6, 10], [1, 2]], [[3, 5, 7], 0], [[3, 5, 7], -1], [[2, 3, 4, 5], [0, 1, 2, 3]], [[32, 4, 4, 128], [1, 2]]] as const) {
      const x = R.tensor([...shape]);
      const axes = tf.util.parseAxisParam(axis as number | number[], [...shape]);
      const outShape = shape.filter((_, i) => !axes.includes(i));
      const dy = R.tensor(outShape);
      const before = fallbackCounts.get('CvcMeanGrad') ?? 0;
      let got = x;
      const prof = await tf.profile(() => { got = tf.grad((t: tf.Tensor) => tf.mean(t, axis as number | number[]))(x, dy); return got; });
      expect(prof.kernelNames).toContain('CvcMeanGrad');
      expect(prof.kernelNames).not.toContain('Multiply');
      expect(fallbackCounts.get('CvcMeanGrad') ?? 0).toBe(before);
      const n = axes.reduce((p, a) => p * shape[a]!, 1);
      const want = tf.div(tf.mul(tf.reshape(dy, shape.map((d, i) => (axes.includes(i) ? 1 : d))), tf.ones([...shape])), n);
      expect(Array.from(got.dataSync()), `shape ${shape} axis ${axis}`).toEqual(Array.from(want.dataSync()));
      tf.dispose([x, dy, got, want]);
    }
  });

  it('native kernels are actually registered', () => {
    const { addon } = loadAddon();
    expect(addon?.info().threads).toBeGreaterThanOrEqual(1);
    expect(['avx512', 'avx2', 'generic']).toContain(addon?.info().arch);
  });
});

describe('thread count', () => {
  it('defaults to the cores the process may use (os.availableParallelism, the affinity mask); CVC_THREADS overrides', async () => {
    const { spawnSync } = await import('node:child_process');
    const { defaultAddonPath } = await import('./addon.ts');
    const script = `const a = require(${JSON.stringify(defaultAddonPath)}); console.log(a.info().threads, require('node:os').availableParallelism());`;
    const env = { ...process.env };
    delete env['CVC_THREADS'];
    const run = (cmd: string, args: string[], extra: Record<string, string> = {}) => {
      const r = spawnSync(cmd, args, { env: { ...env, ...extra }, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim().split(' ').map(Number);
    };
    const [threads, cores] = run(process.execPath, ['-e', script]);
    expect(threads).toBe(cores);
    expect(run('taskset', ['-c', '0', process.execPath, '-e', script])).toEqual([1, 1]); // util-linux, always there on Debian
    expect(run(process.execPath, ['-e', script], { CVC_THREADS: '3' })[0]).toBe(3);
  });
});

describe('determinism across thread counts', () => {
  it('conv, filter gradient and matmul are bit-identical with CVC_THREADS=1 and the default', async () => {
    const { spawnSync } = await import('node:child_process');
    const { defaultAddonPath } = await import('./addon.ts');
    // Plain-JS child: same fixed inputs, prints a checksum of the output bits.
    const script = `
      const a = require(${JSON.stringify(defaultAddonPath)});
      const f = (n, k) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * k));
      const x = f(4 * 20 * 20 * 24, 0.37), w = f(3 * 3 * 24 * 40, 0.11), dy = f(4 * 20 * 20 * 40, 0.23);
      const g = Int32Array.from([4, 20, 20, 24, 20, 20, 3, 3, 1, 1, 1, 1, 1, 1]);
      const y = new Float32Array(dy.length), dw = new Float32Array(w.length), c = new Float32Array(300 * 40);
      a.conv2d(x, w, y, g, 40, null, false, 0, 0);
      a.conv2dBackpropFilter(x, dy, dw, g, 40);
      a.matmul(f(300 * 1500, 0.29), f(1500 * 40, 0.5), c, 1, 300, 40, 1500, false, false, 0, 0, null, false, 0, 0);
      // First-layer shape: 3 channels, bias + leaky relu in the tile epilogue, whole-window dW.
      const x3 = f(8 * 32 * 32 * 3, 0.41), w3 = f(3 * 3 * 3 * 32, 0.13), dy3 = f(8 * 32 * 32 * 32, 0.17);
      const g3 = Int32Array.from([8, 32, 32, 3, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1]);
      const y3 = new Float32Array(dy3.length), dw3 = new Float32Array(w3.length);
      a.conv2d(x3, w3, y3, g3, 32, f(32, 0.7), false, 3, 0.1);
      a.conv2dBackpropFilter(x3, dy3, dw3, g3, 32);
      // The same filter gradients as background tasks, with other kernels run meanwhile.
      const dwA = new Float32Array(w.length), dw3A = new Float32Array(w3.length), yA = new Float32Array(y.length);
      const t1 = a.conv2dBackpropFilterAsync(x, dy, dwA, g, 40), t2 = a.conv2dBackpropFilterAsync(x3, dy3, dw3A, g3, 32);
      a.conv2d(x, w, yA, g, 40, null, false, 0, 0);
      a.waitTask(t2); a.waitTask(t1);
      for (let i = 0; i < dw.length; i++) if (dwA[i] !== dw[i] && process.env.CHECK_ASYNC) throw new Error('async dW differs at ' + i);
      for (let i = 0; i < dw3.length; i++) if (dw3A[i] !== dw3[i] && process.env.CHECK_ASYNC) throw new Error('async dW3 differs at ' + i);
      let h = 0;
      for (const arr of [y, dw, c, y3, dw3, dwA, dw3A, yA]) for (const v of new Uint32Array(arr.buffer)) h = (Math.imul(h, 31) + v) >>> 0;
      console.log(h);`;
    const run = (env: Record<string, string>) => {
      const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    const one = run({ CVC_THREADS: '1' }), many = run({ CVC_THREADS: '2' }), again = run({ CVC_THREADS: '2' });
    expect(one).toMatch(/^\d+$/);
    expect(run({ CVC_THREADS: '2', CHECK_ASYNC: '1' })).toBe(one);
    expect(many).toBe(one);
    expect(again).toBe(one);
  });
});

// The backend chain and the wasm fallback's composed gradient kernels.
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backendFromEnv, useFastestBackend } from './backend.ts';
import { nativeInstalled } from './native-kernels.ts';
import { expectClose, rng } from './test-util.ts';

afterEach(() => {
  delete process.env['CVC_ADDON_PATH'];
  vi.restoreAllMocks();
});

describe('useFastestBackend', () => {
  it('skips tfjs-node (not installed) and picks the native kernels; idempotent', async () => {
    const a = await useFastestBackend(tf);
    expect(a.name).toBe('native');
    expect(a.detail).toMatch(/^native kernels: (avx512|avx2|generic), \d+ threads?/);
    const b = await useFastestBackend(tf);
    expect(b).toEqual(a);
    expect(tf.getBackend()).toBe('cpu');
    expect(nativeInstalled(tf)).toBe(true);
  });

  it('forcing an unavailable backend throws a clear error', async () => {
    await expect(useFastestBackend(tf, { force: 'tfjs-node' })).rejects.toThrow(/tfjs-node.*unavailable/);
    await expect(useFastestBackend(tf, { force: 'bogus' as never })).rejects.toThrow(/unknown backend/);
    expect(() => backendFromEnv('gpu')).toThrow(/CVC_BACKEND/);
    expect(backendFromEnv('')).toBeUndefined();
  });

  it('falls back to wasm with one warning when the addon binary is missing', async () => {
    process.env['CVC_ADDON_PATH'] = '/nonexistent/cvc_compute.node';
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const r = await useFastestBackend(tf);
    expect(r.name).toBe('wasm');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/native addon not built/);
    await expect(useFastestBackend(tf, { force: 'native' })).rejects.toThrow(/native.*unavailable/);
  });

  it('forced cpu removes the native kernels; forced native brings them back', async () => {
    expect((await useFastestBackend(tf, { force: 'cpu' })).name).toBe('cpu');
    expect(nativeInstalled(tf)).toBe(false);
    expect((await useFastestBackend(tf, { force: 'native' })).name).toBe('native');
    expect(nativeInstalled(tf)).toBe(true);
  });
});

describe('wasm fallback: composed kernels vs tfjs cpu', () => {
  async function onBackends<T>(fn: () => T): Promise<{ wasm: T; cpu: T }> {
    await useFastestBackend(tf, { force: 'wasm' });
    const wasm = fn();
    await useFastestBackend(tf, { force: 'cpu' });
    const cpu = fn();
    return { wasm, cpu };
  }

  it('Conv2DBackpropFilter on random shapes (strides 1/2, same/valid/explicit, odd sizes, batch 1)', async () => {
    const R = rng(61);
    const cases: { x: number[]; dy: number[]; attrs: Record<string, unknown>; xv: Float32Array; dyv: Float32Array }[] = [];
    for (let t = 0; t < 16; t++) {
      const N = R.pick([1, 2]), H = R.int(3, 11), W = R.int(3, 11), C = R.pick([1, 3, 5, 10]), F = R.pick([1, 7, 9, 18]);
      const kh = R.int(1, 3), kw = R.int(1, 3), s = R.pick([1, 2]), pad = R.pick(['same', 'valid', 1] as const);
      const ci = tf.backend_util.computeConv2DInfo([N, H, W, C], [kh, kw, C, F], s, 1, pad);
      const rnd = (n: number) => Float32Array.from({ length: n }, () => R.float());
      cases.push({ x: [N, H, W, C], dy: ci.outShape, xv: rnd(N * H * W * C), dyv: rnd(ci.outShape.reduce((a, b) => a * b, 1)),
        attrs: { strides: [s, s], pad, dataFormat: 'NHWC', filterShape: [kh, kw, C, F] } });
    }
    const { wasm, cpu } = await onBackends(() => cases.map((c) => {
      const x = tf.tensor(c.xv, c.x), dy = tf.tensor(c.dyv, c.dy);
      const out = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, c.attrs as never) as tf.Tensor;
      const v = out.dataSync().slice();
      tf.dispose([x, dy, out]);
      return v;
    }));
    cases.forEach((c, i) => expectClose(wasm[i]!, cpu[i]!, 1e-4, JSON.stringify(c.attrs)));
  });

  it('training gradients of a small conv net through tf.grads', async () => {
    const R = rng(62);
    const raw = [[2, 8, 8, 3], [3, 3, 3, 8], [8], [3, 3, 8, 5]].map((s) => ({ s, v: Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => R.float()) }));
    const f = (x: tf.Tensor, w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor) => {
      const h = tf.leakyRelu(tf.add(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'same'), b1), 0.1);
      const p = tf.maxPool(h as tf.Tensor4D, 2, 2, 'valid');
      return tf.sum(tf.square(tf.conv2d(p, w2 as tf.Tensor4D, 2, 'same')));
    };
    const { wasm, cpu } = await onBackends(() => {
      const ts = raw.map((r) => tf.tensor(r.v, r.s));
      const gs = tf.grads(f)(ts);
      const out = gs.map((g) => g.dataSync().slice());
      tf.dispose([...ts, ...gs]);
      return out;
    });
    wasm.forEach((g, i) => expectClose(g, cpu[i]!, 1e-4, `grad ${i}`));
  });
});

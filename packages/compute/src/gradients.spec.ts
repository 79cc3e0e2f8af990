// Gradients through tf.grads and a whole training run: native kernels vs pure tfjs cpu.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useFastestBackend } from './backend.ts';
import { fastAdam } from './fast-adam.ts';
import { referenceData, referenceModel } from './reference-cnn.ts';
import { expectClose, rng } from './test-util.ts';

async function onBoth<T>(fn: (backend: 'native' | 'cpu') => T | Promise<T>): Promise<{ native: T; cpu: T }> {
  await useFastestBackend(tf, { force: 'native' });
  const native = await fn('native');
  await useFastestBackend(tf, { force: 'cpu' });
  const cpu = await fn('cpu');
  await useFastestBackend(tf, { force: 'native' });
  return { native, cpu };
}

describe('gradients: native vs tfjs cpu', () => {
  it('tf.grads through conv2d (strides 1/2, same/valid), conv2dTranspose, pools, leakyRelu, dense', async () => {
    const R = rng(51);
    const vals = {
      x: R.tensor([2, 9, 7, 5]), w1: R.tensor([3, 3, 5, 10]), b1: R.tensor([10]), w2: R.tensor([2, 2, 10, 6]),
      wt: R.tensor([3, 3, 4, 6]), wd: R.tensor([4, 3]),
    };
    const f = (x: tf.Tensor, w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, wt: tf.Tensor, wd: tf.Tensor) => {
      let h = tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w1 as tf.Tensor4D, strides: 1, pad: 'same', bias: b1 });
      h = tf.leakyRelu(h, 0.1);
      const p = tf.maxPool(h as tf.Tensor4D, 2, 1, 'valid');
      const c2 = tf.conv2d(p, w2 as tf.Tensor4D, 2, 'valid');  // [2, 4, 3, 6]
      const a = tf.avgPool(c2, 2, 1, 'same');
      const up = tf.conv2dTranspose(a, wt as tf.Tensor4D, [2, 8, 6, 4], 2, 'same');  // [2, 8, 6, 4]
      const g = tf.mean(up, [1, 2]);  // [2, 4]
      return tf.sum(tf.square(tf.matMul(g, wd)));
    };
    const grads = tf.grads(f);
    const names = Object.keys(vals) as (keyof typeof vals)[];
    const { native, cpu } = await onBoth(() => {
      const gs = grads(names.map((n) => vals[n]));
      const out = gs.map((g) => g.dataSync().slice());
      tf.dispose(gs);
      return out;
    });
    names.forEach((n, i) => expectClose(native[i]!, cpu[i]!, 1e-4, `d/d${n}`));
  });
});

describe('whole model: reference CNN, 5 Adam steps', () => {
  it('gives the same losses on native (fast Adam) and pure cpu (tf.train.adam)', async () => {
    // Pure-JS cpu backprop is very slow, so: 16x16 images, batch 2, the same data for both.
    const size = 16, batch = 2, steps = 5;
    const d = referenceData(batch * steps, 7, size);
    const run = async (backend: 'native' | 'cpu') => {
      const model = referenceModel(tf, 3, size);
      model.compile({ optimizer: backend === 'native' ? fastAdam(tf, 1e-3) : tf.train.adam(1e-3), loss: 'binaryCrossentropy' });
      const losses: number[] = [];
      const px = size * size * 3;
      for (let s = 0; s < steps; s++) {
        const xs = tf.tensor4d(d.x.subarray(s * batch * px, (s + 1) * batch * px), [batch, size, size, 3]);
        const ys = tf.tensor2d(d.y.subarray(s * batch, (s + 1) * batch), [batch, 1]);
        losses.push(Number(await model.trainOnBatch(xs, ys)));
        tf.dispose([xs, ys]);
      }
      model.dispose();
      return losses;
    };
    const { native, cpu } = await onBoth(run);
    expect(native.length).toBe(steps);
    expect(new Set(native.map((l) => l.toFixed(6))).size).toBeGreaterThan(1);  // it trains
    native.forEach((l, i) => expect(Math.abs(l - cpu[i]!) / Math.abs(cpu[i]!), `step ${i}: ${l} vs ${cpu[i]}`).toBeLessThanOrEqual(1e-4));
  });
});

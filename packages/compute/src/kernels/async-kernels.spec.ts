// CVC_ASYNC_CONVS=1 / CVC_ASYNC_NORM_GRAD=1: forward and input-gradient convs, and the batch-norm
// gradient, start on the pool's worker and return at once; the first read of a result waits for
// it. The values are those of the synchronous kernels, bit for bit, and inputs stay untouched
// until the task is done.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadAddon, type NativeAddon } from '../addon.ts';
import { useFastestBackend } from '../backend.ts';
import { batchNormTraining } from '../batch-norm.ts';
import { rng } from '../test-util.ts';
import { poolEnabled } from './buffer-pool.ts';

let addon: NativeAddon;
beforeAll(async () => {
  expect((await useFastestBackend(tf, { force: 'native' })).name).toBe('native');
  addon = loadAddon().addon!;
});
afterEach(() => { delete process.env['CVC_ASYNC_CONVS']; delete process.env['CVC_ASYNC_NORM_GRAD']; });

const bits = (t: tf.Tensor) => Buffer.from((t.dataSync() as Float32Array).slice().buffer).toString('base64');

/** Loss and gradients of a small conv net (conv + bias + leaky ReLU, stride-2 conv, 1x1 conv) for fixed inputs. */
function step(seed: number): string[] {
  const R = rng(seed);
  const x = R.tensor([4, 12, 12, 8]) as tf.Tensor4D;
  const w1 = tf.variable(R.tensor([3, 3, 8, 16]).mul(0.2)) as tf.Variable<tf.Rank.R4>, b1 = tf.variable(R.tensor([16]));
  const w2 = tf.variable(R.tensor([3, 3, 16, 24]).mul(0.2)) as tf.Variable<tf.Rank.R4>, w3 = tf.variable(R.tensor([1, 1, 24, 8]).mul(0.2)) as tf.Variable<tf.Rank.R4>;
  const { value, grads } = tf.variableGrads(() => {
    const h1 = tf.fused.conv2d({ x, filter: w1, bias: b1, strides: 1, pad: 'same', activation: 'leakyrelu', leakyreluAlpha: 0.1 }); // [4, 12, 12, 16]
    const h2 = tf.conv2d(h1, w2, 2, 'same'); // [4, 6, 6, 24]
    const h3 = tf.conv2d(tf.leakyRelu(h2, 0.1), w3, 1, 'same'); // [4, 6, 6, 8]
    return tf.mean(tf.square(h3));
  }, [w1, b1, w2, w3]);
  const out = [bits(value), ...[w1, b1, w2, w3].map((w) => bits(grads[w.name]!))];
  tf.dispose([x, w1, b1, w2, w3, value, ...Object.values(grads)]);
  return out;
}

describe('convs started in the background (CVC_ASYNC_CONVS=1)', () => {
  it('give the synchronous kernels’ loss and gradients bit for bit, and run on the worker when there is one', () => {
    process.env['CVC_ASYNC_CONVS'] = '0';
    const sync = step(41);
    // Count the queued tasks (whether the worker or the first reader then runs one is timing).
    const [fwd, bwd] = [addon.conv2dAsync, addon.conv2dBackpropInputAsync];
    let queued = 0;
    addon.conv2dAsync = (...args) => { queued++; return fwd.apply(addon, args); };
    addon.conv2dBackpropInputAsync = (...args) => { queued++; return bwd.apply(addon, args); };
    try {
      process.env['CVC_ASYNC_CONVS'] = '1';
      const runs = [step(41), step(41), step(41)];
      runs.forEach((r) => expect(r).toEqual(sync));
    } finally {
      [addon.conv2dAsync, addon.conv2dBackpropInputAsync] = [fwd, bwd];
    }
    // Per step 3 forward convs and 2 input gradients (x is not differentiated). One thread, or no
    // buffer pool (disposals unwatched): the kernels run in the call as before.
    expect(queued).toBe(addon.info().threads > 1 && poolEnabled() ? 3 * 5 : 0);
  });

  it('a forward result disposed unread waits for its task before its inputs can be reused', () => {
    const filter = tf.tensor4d(rng(43).tensor([3, 3, 8, 16]).dataSync() as Float32Array, [3, 3, 8, 16]);
    const want: string[] = [];
    process.env['CVC_ASYNC_CONVS'] = '0';
    for (let i = 0; i < 4; i++) {
      const x = tf.leakyRelu(rng(50 + i).tensor([8, 16, 16, 8]), 0.1);  // a native output (pooled buffer) as input
      want.push(bits(tf.conv2d(x as tf.Tensor4D, filter, 1, 'same')));
      tf.dispose(x);
    }
    process.env['CVC_ASYNC_CONVS'] = '1';
    for (let i = 0; i < 4; i++) {
      const x = tf.leakyRelu(rng(50 + i).tensor([8, 16, 16, 8]), 0.1);
      const unread = tf.conv2d(x as tf.Tensor4D, filter, 1, 'same'), kept = tf.conv2d(x as tf.Tensor4D, filter, 1, 'same');
      tf.dispose([x, unread]);  // x is still read by both tasks
      const junk = [0, 1, 2, 3].map(() => tf.leakyRelu(tf.fill([8, 16, 16, 8], 7), 0.1));  // would take x's buffer if it were free
      expect(bits(kept), `round ${i}`).toBe(want[i]);
      tf.dispose([kept, ...junk]);
    }
    filter.dispose();
  });
});

describe('batch-norm gradient started in the background (CVC_ASYNC_NORM_GRAD=1)', () => {
  /** Gradients of Σ(bn(x)·dy) with respect to x, gamma, beta (leaky ReLU fused or not). */
  function grads(leaky: number | undefined): string[] {
    const R = rng(61);
    const x = R.tensor([8, 10, 10, 24]).mul(2), dy = R.tensor([8, 10, 10, 24]), gamma = R.tensor([24]), beta = R.tensor([24]);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(batchNormTraining(tf, a, b, c, 1e-3, undefined, leaky), dy)))([x, gamma, beta]);
    const out = g.map(bits);
    tf.dispose([x, dy, gamma, beta, ...g]);
    return out;
  }

  it('gives the synchronous kernel’s gradients bit for bit', () => {
    process.env['CVC_ASYNC_NORM_GRAD'] = '0';
    const sync = [grads(undefined), grads(0.1)];
    // Count the queued tasks (whether the worker or the first reader then runs one is timing).
    const queue = addon.bnTrainGradAsync;
    let queued = 0;
    addon.bnTrainGradAsync = (...args) => { queued++; return queue.apply(addon, args); };
    try {
      process.env['CVC_ASYNC_NORM_GRAD'] = '1';
      for (let r = 0; r < 3; r++) expect([grads(undefined), grads(0.1)]).toEqual(sync);
    } finally {
      addon.bnTrainGradAsync = queue;
    }
    // One thread, or no buffer pool (disposals unwatched): the kernel runs in the call as before.
    expect(queued).toBe(addon.info().threads > 1 && poolEnabled() ? 6 : 0);
  });
});

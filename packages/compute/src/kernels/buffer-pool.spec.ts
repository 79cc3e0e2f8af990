// The native output buffer pool: disposed outputs are reused, but never a buffer someone can
// still see (dataSync'd arrays, slice views, inputs kept by lazy gradients).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useFastestBackend } from '../backend.ts';
import { rng } from '../test-util.ts';
import { poolStats } from './buffer-pool.ts';

beforeAll(async () => {
  const r = await useFastestBackend(tf, { force: 'native' });
  expect(r.name).toBe('native');
});

/** The backing array of a tensor, read without going through readSync (no escape). */
function storage(t: tf.Tensor): Float32Array {
  return (tf.backend() as unknown as { data: { get(id: object): { values: Float32Array } } }).data.get(t.dataId).values;
}

describe('native output buffer pool', () => {
  it('reuses the buffer of a disposed native output of the same size', () => {
    const x = rng(1).tensor([3, 1000]);
    const a = tf.leakyRelu(x, 0.1);
    const bufA = storage(a), want = Float32Array.from(bufA);
    a.dispose();
    const reusedBefore = poolStats.reused;
    const b = tf.leakyRelu(x, 0.1);
    expect(storage(b)).toBe(bufA);
    expect(poolStats.reused).toBe(reusedBefore + 1);
    expect(Array.from(b.dataSync())).toEqual(Array.from(want));
    tf.dispose([x, b]);
  });

  it('never reuses an array handed out by dataSync()', () => {
    const R = rng(2);
    const x = R.tensor([2, 777]), x2 = R.tensor([2, 777]);
    const a = tf.leakyRelu(x, 0.1);
    const seen = a.dataSync();
    const copy = Float32Array.from(seen);
    a.dispose();
    const b = tf.leakyRelu(x2, 0.1);
    expect(storage(b)).not.toBe(seen);
    expect(Array.from(seen)).toEqual(Array.from(copy));
    tf.dispose([x, x2, b]);
  });

  it('never reuses a buffer that a slice view still shares', () => {
    const R = rng(3);
    const x = R.tensor([4, 513]), x2 = R.tensor([4, 513]);
    const a = tf.leakyRelu(x, 0.1);
    const s = tf.slice(a, [0, 0], [2, 513]);  // tfjs-cpu: a subarray view of a's buffer
    const want = Float32Array.from(storage(s));
    a.dispose();
    const b = tf.leakyRelu(x2, 0.1);
    expect(storage(b).buffer).not.toBe(storage(s).buffer);
    expect(Array.from(s.dataSync())).toEqual(Array.from(want));
    tf.dispose([x, x2, s, b]);
  });

  it('keeps inputs of a lazy input gradient out of the pool until it is computed', () => {
    const R = rng(4);
    const x = R.tensor([2, 6, 6, 5]), w = R.tensor([3, 3, 5, 7]) as tf.Tensor4D;
    const dyRaw = R.tensor([2, 6, 6, 7]) as tf.Tensor4D;
    const dy = tf.leakyRelu(dyRaw, 1);  // a native (pooled) buffer, equal to dyRaw
    const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w },
      { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', inputShape: x.shape }) as tf.Tensor;
    const dyBuf = storage(dy);
    dy.dispose();
    // Same size as dy: must not get dy's buffer while dx still needs it.
    const other = tf.leakyRelu(R.tensor([2, 6, 6, 7]), 0.5);
    expect(storage(other)).not.toBe(dyBuf);
    const want = tf.conv2dTranspose(dyRaw, w, x.shape as [number, number, number, number], 1, 'same');
    const got = dx.dataSync(), ref = want.dataSync();
    for (let i = 0; i < ref.length; i++) expect(Math.abs(got[i]! - ref[i]!)).toBeLessThan(1e-4);
    tf.dispose([x, w, dyRaw, dx, other, want]);
  });

  it('trains the reference CNN with the pool reusing buffers every step', async () => {
    const { referenceData, referenceModel } = await import('../reference-cnn.ts');
    const d = referenceData(16, 5, 16);
    const xs = tf.tensor4d(d.x, d.shape), ys = tf.tensor2d(d.y, [16, 1]);
    const model = referenceModel(tf, 7, 16);
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'binaryCrossentropy' });
    const before = { ...poolStats };
    await model.fit(xs, ys, { batchSize: 4, epochs: 2, shuffle: false, verbose: 0 });
    const allocated = poolStats.allocated - before.allocated, reused = poolStats.reused - before.reused;
    expect(reused).toBeGreaterThan(allocated);  // steady state: most outputs come from the pool
    tf.dispose([xs, ys]);
    model.dispose();
  });
});

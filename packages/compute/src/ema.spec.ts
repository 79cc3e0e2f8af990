// emaUpdateNative: the same bits as tfjs's average·d + weight·(1 − d), in place or not.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useFastestBackend } from './backend.ts';
import { emaUpdateNative } from './ema.ts';
import { rng } from './test-util.ts';

beforeAll(async () => {
  expect((await useFastestBackend(tf, { force: 'native' })).name).toBe('native');
});

const bits = (t: tf.Tensor) => Buffer.from((t.dataSync() as Float32Array).slice().buffer);

describe('emaUpdateNative', () => {
  it('equals tfjs’s ops bit for bit over several steps (big and tiny variables)', () => {
    const R = rng(51);
    const weights = [tf.variable(R.tensor([300, 200])), tf.variable(R.tensor([7])), tf.variable(R.tensor([3, 3, 16, 8]))];
    const ours = weights.map((w) => tf.variable(w.add(0.5), false)), theirs = weights.map((w) => tf.variable(w.add(0.5), false));
    for (let step = 1; step <= 4; step++) {
      const d = Math.min(0.999, (1 + step) / (10 + step));
      tf.tidy(() => weights.forEach((w) => w.assign(tf.add(w, R.tensor(w.shape)))));
      expect(emaUpdateNative(tf, ours.map((a, i) => [a, weights[i]!] as const), d)).toBe(true);
      tf.tidy(() => theirs.forEach((a, i) => a.assign(tf.add(tf.mul(a, d), tf.mul(weights[i]!, 1 - d)))));
      ours.forEach((a, i) => expect(bits(a).equals(bits(theirs[i]!)), `step ${step} variable ${i}`).toBe(true));
    }
    // An average whose values were handed out (dataSync above) keeps its old array unchanged.
    const snapshot = ours[0]!.dataSync().slice(), handed = ours[0]!.dataSync();
    emaUpdateNative(tf, [[ours[0]!, weights[0]!]], 0.5);
    expect(Buffer.from(handed.buffer, handed.byteOffset, handed.byteLength).equals(Buffer.from(snapshot.buffer))).toBe(true);
    tf.dispose([...weights, ...ours, ...theirs]);
  });
});

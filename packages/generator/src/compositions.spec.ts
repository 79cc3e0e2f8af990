// The contrast blend: the plain average's mean, the parts' mean spread, and a gradient to both parts;
// the inset: b inside the centred disc, a outside it.
import { beforeAll, describe, expect, it } from 'vitest';
import { initCompute, tf } from '@cvc/core/backend';
import { contrastBlend, insetComposite } from './compositions.ts';

beforeAll(async () => { await initCompute(() => {}); });

/** A picture [1, 32, 32, 3] of pixel values f(i) for flat index i. */
const picture = (f: (i: number) => number) => tf.tensor4d(Float32Array.from({ length: 3072 }, (_, i) => f(i)), [1, 32, 32, 3]);
const stats = (x: tf.Tensor) => { const m = tf.moments(x); return { mean: m.mean.dataSync()[0]!, std: Math.sqrt(m.variance.dataSync()[0]!) }; };

describe('contrastBlend', () => {
  // Two uncorrelated stripe patterns about 0.5: their average has half the spread of either (orthogonal ±0.2 patterns).
  const a = picture((i) => 0.5 + (i % 2 ? 0.2 : -0.2));
  const b = picture((i) => 0.5 + (Math.floor(i / 2) % 2 ? 0.2 : -0.2));

  it('keeps the plain blend\'s mean and restores the parts\' spread', () => {
    const plain = stats(tf.mul(tf.add(a, b), 0.5));
    const out = stats(contrastBlend(tf, a as tf.Tensor4D, b as tf.Tensor4D));
    expect(plain.std).toBeCloseTo(0.2 / Math.SQRT2, 4);
    expect(out.mean).toBeCloseTo(plain.mean, 5);
    expect(out.std).toBeCloseTo(0.2, 3);
  });

  it('clips to [0, 1] and passes a gradient to both parts', () => {
    const bright = picture((i) => (i % 2 ? 1 : 0.1));
    const out = contrastBlend(tf, bright as tf.Tensor4D, b as tf.Tensor4D);
    expect(tf.max(out).dataSync()[0]).toBeLessThanOrEqual(1);
    expect(tf.min(out).dataSync()[0]).toBeGreaterThanOrEqual(0);
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(contrastBlend(tf, x as tf.Tensor4D, y as tf.Tensor4D))))([a, b]);
    expect(tf.sum(tf.abs(ga!)).dataSync()[0]).toBeGreaterThan(0);
    expect(tf.sum(tf.abs(gb!)).dataSync()[0]).toBeGreaterThan(0);
  });
});

describe('insetComposite', () => {
  it('shows b inside the centred disc and a outside it', () => {
    const out = insetComposite(tf, tf.zeros([1, 32, 32, 3]) as tf.Tensor4D, tf.ones([1, 32, 32, 3]) as tf.Tensor4D, 10).dataSync();
    const at = (row: number, col: number) => out[(row * 32 + col) * 3]!;
    expect(at(16, 16)).toBeGreaterThan(0.99); // centre
    expect(at(16, 22)).toBeGreaterThan(0.99); // 6.5 px from the centre
    expect(at(16, 30)).toBeLessThan(0.01); // 14.5 px
    expect(at(0, 0)).toBeLessThan(0.01); // corner
    expect(at(16, 25) + at(16, 26)).toBeCloseTo(1, 1); // the edge at 10 px: 9.5 and 10.5 px from the centre, symmetric about ½
  });
});

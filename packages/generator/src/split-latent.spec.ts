// The split latent: a clock label reads the first half of z, a crocodile label the second, a soft
// label their mix — and the gradient reaches only the half that was read.
import { beforeAll, describe, expect, it } from 'vitest';
import { initCompute, tf } from '@cvc/core/backend';
import { mixLabels, type ConditionalGenerator } from './model.ts';
import { splitLatentGenerator } from './split-latent.ts';

beforeAll(async () => { await initCompute(() => {}); });

/** A stand-in generator of latent size 2: every pixel of image i is z[i, 0] + 10·z[i, 1] + 100·p(crocodile). */
const standIn: ConditionalGenerator = {
  latentDim: 2,
  decode: (z, y) => tf.tidy(() => {
    const v = tf.add(tf.matMul(z, tf.tensor2d([[1], [10]])), tf.mul(100, tf.slice(y, [0, 1], [-1, 1]))); // [n, 1]
    return tf.tile(v.reshape([-1, 1, 1, 1]), [1, 32, 32, 3]) as tf.Tensor4D;
  }),
};

describe('splitLatentGenerator', () => {
  const split = splitLatentGenerator(tf, standIn);
  const z = tf.tensor2d([[1, 2, 3, 4]]); // [1, 4]: z_clock (1, 2), z_crocodile (3, 4)
  const pixel = (mix: number) => split.decode(z, mixLabels(tf, [mix])).dataSync()[0];

  it('doubles the latent and lets each one-hot label read its own half', () => {
    expect(split.latentDim).toBe(4);
    expect(pixel(0)).toBeCloseTo(1 + 20);
    expect(pixel(1)).toBeCloseTo(3 + 40 + 100);
    expect(pixel(0.5)).toBeCloseTo(2 + 30 + 50); // a soft label mixes the halves
  });

  it('sends the gradient only to the half the label read', () => {
    const g = tf.grad((x: tf.Tensor) => tf.sum(split.decode(x as tf.Tensor2D, mixLabels(tf, [0]))))(z).dataSync();
    expect(Array.from(g)).toEqual([3072, 30720, 0, 0]); // 32·32·3 pixels
  });
});

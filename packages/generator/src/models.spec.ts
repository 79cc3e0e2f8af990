// Output shapes and ranges of the models, and that DiffAugment moves pixels as it says.
import { describe, expect, it, beforeAll } from 'vitest';
import { createRng } from '@cvc/core';
import { initCompute, tf } from '@cvc/core/backend';
import { createVae } from './vae.ts';
import { createDiffusion } from './diffusion.ts';
import { createGan } from './gan.ts';
import { diffAugment, shiftMatrices, cutoutMask } from './diffaugment.ts';
import { mixLabels, normalLatents } from './model.ts';
import { tinyDiffusion, tinyGan, tinyVae, twoClassImages } from '../testing/fixtures.ts';

beforeAll(async () => { await initCompute(() => {}); });

describe('model shapes', () => {
  it('VAE: encode [n, latent], decode [n, 32, 32, 3] in [0, 1]; a step gives finite losses', () => {
    const vae = createVae(tf, tinyVae, createRng(1));
    const data = twoClassImages(3);
    const x = tf.tensor4d(data.pixels, [6, 32, 32, 3]);
    const y = mixLabels(tf, data.labels);
    expect(vae.encode!({ x, y }).shape).toEqual([6, tinyVae.latentDim]);
    const img = vae.decode(normalLatents(tf, 5, tinyVae.latentDim, createRng(2)), mixLabels(tf, [0, 0.25, 0.5, 0.75, 1]));
    expect(img.shape).toEqual([5, 32, 32, 3]);
    expect(tf.min(img).dataSync()[0]).toBeGreaterThanOrEqual(0);
    expect(tf.max(img).dataSync()[0]).toBeLessThanOrEqual(1);
    const losses = vae.step({ x, y }, createRng(3));
    expect(Object.keys(losses)).toEqual(['loss', 'recon', 'kl']);
    for (const v of Object.values(losses)) expect(Number.isFinite(v)).toBe(true);
    vae.dispose();
  });

  it('GAN: decode [n, 32, 32, 3] in [0, 1]; a step gives finite D and G losses and leaks no tensors', () => {
    const gan = createGan(tf, tinyGan, createRng(1));
    const data = twoClassImages(2);
    const x = tf.tensor4d(data.pixels, [4, 32, 32, 3]);
    const y = mixLabels(tf, data.labels);
    const img = gan.decode(normalLatents(tf, 3, 8, createRng(2)), mixLabels(tf, [0, 0.5, 1]));
    expect(img.shape).toEqual([3, 32, 32, 3]);
    expect(tf.min(img).dataSync()[0]).toBeGreaterThanOrEqual(0);
    gan.step({ x, y }, createRng(3));
    const before = tf.memory().numTensors;
    const losses = gan.step({ x, y }, createRng(4));
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(losses['lossD']!) && Number.isFinite(losses['lossG']!)).toBe(true);
    gan.dispose();
  });

  it('GAN: z reaches the output, and sampling does not depend on the batch (standing batch-norm statistics)', () => {
    const gan = createGan(tf, tinyGan, createRng(1));
    const data = twoClassImages(2);
    gan.step({ x: tf.tensor4d(data.pixels, [4, 32, 32, 3]), y: mixLabels(tf, data.labels) }, createRng(3));
    const z = normalLatents(tf, 4, 8, createRng(2));
    const y = mixLabels(tf, [0, 0, 0, 0]);
    const batch = gan.decode(z, y).arraySync();
    const alone = gan.decode(z.slice([1, 0], [1, 8]) as tf.Tensor2D, mixLabels(tf, [0])).arraySync();
    expect(alone[0]).toEqual(batch[1]);
    const diff = tf.tidy(() => tf.mean(tf.abs(tf.sub(tf.tensor(batch[0]!), tf.tensor(batch[1]!)))).dataSync()[0]!);
    expect(diff).toBeGreaterThan(1e-3); // two z, two different images
    gan.dispose();
  });

  it('diffusion: decode [n, 32, 32, 3] in [0, 1], deterministic per z; a step gives a finite loss and leaks no tensors', () => {
    const model = createDiffusion(tf, tinyDiffusion, createRng(1));
    const data = twoClassImages(2);
    const x = tf.tensor4d(data.pixels, [4, 32, 32, 3]);
    const y = mixLabels(tf, data.labels);
    model.step({ x, y }, createRng(3));
    const before = tf.memory().numTensors;
    const losses = model.step({ x, y }, createRng(4));
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(losses['loss']!)).toBe(true);
    const z = normalLatents(tf, 3, model.latentDim, createRng(2));
    const img = model.decode(z, mixLabels(tf, [0, 0.5, 1]));
    expect(img.shape).toEqual([3, 32, 32, 3]);
    expect(tf.min(img).dataSync()[0]).toBeGreaterThanOrEqual(0);
    expect(tf.max(img).dataSync()[0]).toBeLessThanOrEqual(1);
    expect(Array.from(model.decode(z, mixLabels(tf, [0, 0.5, 1])).dataSync())).toEqual(Array.from(img.dataSync()));
    model.dispose();
  });
});

describe('DiffAugment', () => {
  it('shift matrices move row i to i + shift with zero fill', () => {
    const m = shiftMatrices([2], 4); // [1, 4, 4]
    const x = [1, 2, 3, 4];
    const out = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].reduce((s, k) => s + m[i * 4 + k]! * x[k]!, 0));
    expect(out).toEqual([0, 0, 1, 2]);
  });

  it('cutout zeroes a square of half the side (clipped at the border)', () => {
    const mask = cutoutMask(8, 32, 32, createRng(5));
    for (let b = 0; b < 8; b++) {
      const zeros = mask.subarray(b * 1024, (b + 1) * 1024).filter((v) => v === 0).length;
      expect(zeros).toBeGreaterThan(0);
      expect(zeros).toBeLessThanOrEqual(256);
    }
  });

  it('keeps the shape, is differentiable, and translation alone only moves pixels', () => {
    const x = tf.randomUniform([4, 32, 32, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
    const moved = diffAugment(tf, x, createRng(6), { color: false, translation: true, cutout: false });
    expect(moved.shape).toEqual([4, 32, 32, 3]);
    // Every output value is 0 (fill) or one of the input's values.
    const inputs = new Set(Array.from(x.dataSync()));
    expect(Array.from(moved.dataSync()).every((v) => v === 0 || inputs.has(v))).toBe(true);
    const grad = tf.grad((a: tf.Tensor) => tf.sum(diffAugment(tf, a as tf.Tensor4D, createRng(6), { color: true, translation: true, cutout: true })))(x);
    expect(grad.shape).toEqual([4, 32, 32, 3]);
    expect(tf.sum(tf.abs(grad)).dataSync()[0]).toBeGreaterThan(0);
  });
});

// The autoencoder generator: shapes and ranges, what a soft label means, per-level codes, the ex-post
// density, a tiny model learning to reconstruct a synthetic set; the Gaussian fit and the code-space
// boundary on known answers.
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@cvc/core';
import { initCompute, tf } from '@cvc/core/backend';
import { createAutoencoder } from './autoencoder.ts';
import { fitGaussian } from './gaussian.ts';
import { boundaryHybridCodes, fitLinearBoundary } from './latent-boundary.ts';
import { mixLabels, normalLatents } from './model.ts';
import { tinyAutoencoder, tinyTrunk, twoClassImages } from '../testing/fixtures.ts';

beforeAll(async () => { await initCompute(() => {}); });

const diff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

describe('autoencoder generator', () => {
  it('decodes [n, 32, 32, 3] in [0, 1]; mix 0 / 1 decode a class code with that label, mix ½ the mean code; a step leaks nothing', () => {
    const data = twoClassImages(4);
    const trunk = tinyTrunk(tf);
    const ae = createAutoencoder(tf, tinyAutoencoder, createRng(1), trunk);
    const x = tf.tensor4d(data.pixels, [8, 32, 32, 3]);
    const y = mixLabels(tf, data.labels);
    ae.step({ x, y }, createRng(2));
    const before = tf.memory().numTensors;
    const losses = ae.step({ x, y }, createRng(3));
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(losses)).toEqual(['loss', 'pixel', 'perceptual']);
    ae.fitDensity(data.pixels, data.labels);
    const d = tinyAutoencoder.codeDim;
    expect(ae.latentDim).toBe(2 * d);
    const z = normalLatents(tf, 3, 2 * d, createRng(4));
    const img = ae.decode(z, mixLabels(tf, [0, 0.5, 1]));
    expect(img.shape).toEqual([3, 32, 32, 3]);
    expect(tf.min(img).dataSync()[0]).toBeGreaterThanOrEqual(0);
    expect(tf.max(img).dataSync()[0]).toBeLessThanOrEqual(1);
    const clock = ae.classCodes(0, tf.slice(z, [0, 0], [3, d]) as tf.Tensor2D);
    const croc = ae.classCodes(1, tf.slice(z, [0, d], [3, d]) as tf.Tensor2D);
    const one = (t: tf.Tensor4D, i: number) => t.slice([i, 0, 0, 0], [1, 32, 32, 3]);
    expect(diff(one(img, 0), one(ae.decodeCodes([clock], [mixLabels(tf, [0, 0, 0])]), 0))).toBeLessThan(1e-6);
    expect(diff(one(img, 2), one(ae.decodeCodes([croc], [mixLabels(tf, [1, 1, 1])]), 2))).toBeLessThan(1e-6);
    const mean = tf.div(tf.add(clock, croc), 2) as tf.Tensor2D;
    expect(diff(one(img, 1), one(ae.decodeCodes([mean], [mixLabels(tf, [0.5, 0.5, 0.5])]), 1))).toBeLessThan(1e-5);
    // Per-level codes: the same code at every level is plain decoding; mixed levels give a third image.
    const yc = mixLabels(tf, [0, 0, 0]);
    expect(diff(ae.decodeCodes([clock, clock, clock, clock], [yc]), ae.decodeCodes([clock], [yc]))).toBe(0);
    const mixed = ae.decodeCodes([clock, clock, croc, croc], [yc, yc, mixLabels(tf, [1, 1, 1])]);
    expect(diff(mixed, ae.decodeCodes([clock], [yc]))).toBeGreaterThan(0);
    // Sampling does not depend on the batch.
    const alone = ae.decode(z.slice([1, 0], [1, 2 * d]) as tf.Tensor2D, mixLabels(tf, [0.5]));
    expect(diff(alone, one(img, 1))).toBe(0);
    ae.dispose();
    trunk.dispose();
  });

  it('the ex-post density is fitted to the training codes: its class means are the codes\' means', () => {
    const data = twoClassImages(6);
    const trunk = tinyTrunk(tf);
    const ae = createAutoencoder(tf, tinyAutoencoder, createRng(1), trunk);
    ae.step({ x: tf.tensor4d(data.pixels, [12, 32, 32, 3]), y: mixLabels(tf, data.labels) }, createRng(2));
    ae.fitDensity(data.pixels, data.labels);
    const codes = ae.encodeImages(tf.tensor4d(data.pixels, [12, 32, 32, 3])).arraySync();
    const d = tinyAutoencoder.codeDim;
    for (const cls of [0, 1] as const) {
      const members = codes.filter((_, i) => data.labels[i] === cls);
      const expected = Array.from({ length: d }, (_, j) => members.reduce((s, c) => s + c[j]!, 0) / members.length);
      const atZero = ae.classCodes(cls, tf.zeros([1, d]) as tf.Tensor2D).arraySync()[0]!;
      atZero.forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 4));
    }
    ae.dispose();
    trunk.dispose();
  });

  it('a tiny autoencoder learns to reconstruct a 2-class synthetic set', () => {
    const data = twoClassImages(8);
    const trunk = tinyTrunk(tf);
    const ae = createAutoencoder(tf, { ...tinyAutoencoder, flip: false }, createRng(1), trunk);
    const x = tf.tensor4d(data.pixels, [16, 32, 32, 3]);
    const y = mixLabels(tf, data.labels);
    const error = () => tf.tidy(() => tf.mean(tf.square(tf.sub(ae.decodeCodes([ae.encodeImages(x)], [y]), x))).dataSync()[0]!);
    const before = error();
    const rng = createRng(2);
    for (let s = 0; s < 150; s++) ae.step({ x, y }, rng);
    const after = error();
    console.log(`autoencoder reconstruction MSE ${before.toFixed(4)} → ${after.toFixed(4)}`);
    expect(after).toBeLessThan(before / 4);
    expect(after).toBeLessThan(0.04); // seen: 0.247 → 0.028
    ae.dispose();
    trunk.dispose();
  }, 60_000);

  it('training without a feature network says so', () => {
    const ae = createAutoencoder(tf, tinyAutoencoder, createRng(1));
    const data = twoClassImages(1);
    expect(() => ae.step({ x: tf.tensor4d(data.pixels, [2, 32, 32, 3]), y: mixLabels(tf, data.labels) }, createRng(2))).toThrow(/feature network/);
    ae.dispose();
  });
});

describe('Gaussian fit and code-space boundary', () => {
  it('fitGaussian recovers a known covariance (L Lᵀ) and mean; shrinkage pulls it toward the mean variance', () => {
    const rng = createRng(1);
    const n = 4000;
    const pts = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      const a = rng.normal(), b = rng.normal();
      pts[2 * i] = 1 + 2 * a; // var 4
      pts[2 * i + 1] = -1 + a + b; // var 2, cov 2
    }
    const all = Array.from({ length: n }, (_, i) => i);
    const { mean, chol } = fitGaussian(pts, all, 2, 0);
    expect(mean[0]).toBeCloseTo(1, 1);
    expect(mean[1]).toBeCloseTo(-1, 1);
    const cov = (a: number, b: number) => chol[a * 2]! * chol[b * 2]! + chol[a * 2 + 1]! * chol[b * 2 + 1]!;
    expect(cov(0, 0)).toBeCloseTo(4, 0);
    expect(cov(1, 0)).toBeCloseTo(2, 0);
    expect(cov(1, 1)).toBeCloseTo(2, 0);
    const shrunk = fitGaussian(pts, all, 2, 1).chol; // all the way: (trace / d)·I = 3·I
    expect(shrunk[0]! ** 2).toBeCloseTo(cov(0, 0) / 2 + cov(1, 1) / 2, 3);
    expect(shrunk[2]).toBeCloseTo(0, 6);
    expect(() => fitGaussian(pts, [0], 2, 0)).toThrow(/at least 2/);
  });

  it('the LDA boundary separates two clusters, and a pair\'s hybrid code lies on it', () => {
    const rng = createRng(2);
    const d = 3, n = 200;
    const codes = new Float32Array(n * d);
    const labels = Array.from({ length: n }, (_, i) => i % 2);
    labels.forEach((l, i) => { for (let j = 0; j < d; j++) codes[i * d + j] = (l === 1 ? 3 : 0) * (j === 0 ? 1 : 0) + rng.normal() * 0.5; });
    const boundary = fitLinearBoundary(codes, labels, d, 0.1);
    expect(boundary.accuracy).toBeGreaterThan(0.98);
    const a = Float32Array.from([0, 0.2, -0.1]), b = Float32Array.from([3, -0.3, 0.4]);
    const { codes: h, mixes } = boundaryHybridCodes(boundary, a, b, d, [0.1, 0.9]);
    let score = boundary.b;
    for (let j = 0; j < d; j++) score += boundary.w[j]! * h[j]!;
    expect(Math.abs(score)).toBeLessThan(1e-4);
    expect(mixes[0]).toBeGreaterThan(0.3);
    expect(mixes[0]).toBeLessThan(0.7);
    // A pair that does not cross in the expected direction gets the middle.
    expect(boundaryHybridCodes(boundary, b, a, d, [0.1, 0.9]).mixes).toEqual([0.5]);
  });
});

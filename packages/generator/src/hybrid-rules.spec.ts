// The autoencoder's hybrid rules on fixture data: shapes, ranges and labels; each rule checked against
// what it says it decodes (recomputed by hand from the same rng draws); determinism from the rng; the
// projections' need for the training images; and that the rule never enters the checkpoint key.
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@cvc/core';
import { initCompute, tf } from '@cvc/core/backend';
import { createAutoencoder, type AutoencoderConfig } from './autoencoder.ts';
import { blendImages, frequencyHybrid } from './baselines.ts';
import { HYBRID_RULES, type HybridRule } from './hybrid-rules.ts';
import { mixLabels, normalLatents } from './model.ts';
import { trainingDigest } from './models.ts';
import { tinyAutoencoder, tinyTrunk, twoClassImages } from '../testing/fixtures.ts';

beforeAll(async () => { await initCompute(() => {}); });

const PX = 32 * 32 * 3;
const data = twoClassImages(5); // 10 images, labels 0, 1, 0, 1, …
const bytesOf = (i: number) => Uint8Array.from(data.pixels.subarray(i * PX, (i + 1) * PX), (v) => Math.round(v * 255));
const clocks = data.labels.flatMap((l, i) => (l === 0 ? [i] : []));
const crocodiles = data.labels.flatMap((l, i) => (l === 1 ? [i] : []));

/** A briefly trained tiny autoencoder with the given rule, its density fitted and training images kept. */
function trained(hybrid: HybridRule) {
  const trunk = tinyTrunk(tf);
  const ae = createAutoencoder(tf, { ...tinyAutoencoder, hybrid } as AutoencoderConfig, createRng(1), trunk);
  const x = tf.tensor4d(data.pixels, [10, 32, 32, 3]);
  const y = mixLabels(tf, data.labels);
  for (let s = 0; s < 3; s++) ae.step({ x, y }, createRng(10 + s));
  ae.afterTraining!(data);
  tf.dispose([x, y]);
  trunk.dispose();
  return ae;
}

const d = tinyAutoencoder.codeDim;
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

describe('autoencoder hybrid rules', () => {
  it.each(HYBRID_RULES)('%s: [n, 32, 32, 3] in [0, 1], byte-identical for the same rng, different for another', (rule) => {
    const ae = trained(rule);
    const z = normalLatents(tf, 6, 2 * d, createRng(3));
    const a = ae.hybridsFor(z, createRng(7));
    const b = ae.hybridsFor(z, createRng(7));
    expect(a.images.shape).toEqual([6, 32, 32, 3]);
    expect(a.mixes).toHaveLength(6);
    expect(tf.min(a.images).dataSync()[0]).toBeGreaterThanOrEqual(0);
    expect(tf.max(a.images).dataSync()[0]).toBeLessThanOrEqual(1);
    expect(maxDiff(a.images, b.images)).toBe(0);
    // Another draw: other noise for the code rules, other training pairs for the projections.
    const other = rule.startsWith('project') ? ae.hybridsFor(z, createRng(8)) : ae.hybridsFor(normalLatents(tf, 6, 2 * d, createRng(4)), createRng(7));
    expect(maxDiff(a.images, other.images)).toBeGreaterThan(0);
    ae.dispose();
  });

  it('project-frequency decodes, with the label (½, ½), the code of the frequency hybrid of the training pair the rng draws (even: clock low + crocodile high, odd: the reverse)', () => {
    const ae = trained('project-frequency');
    const z = normalLatents(tf, 4, 2 * d, createRng(3));
    const { images, mixes } = ae.hybridsFor(z, createRng(21));
    expect(mixes).toEqual([0.5, 0.5, 0.5, 0.5]);
    // The same draws by hand: per hybrid one clock, then one crocodile of the training images.
    const rng = createRng(21);
    const inputs = new Float32Array(4 * PX);
    for (let i = 0; i < 4; i++) {
      const a = bytesOf(clocks[rng.int(clocks.length)]!);
      const b = bytesOf(crocodiles[rng.int(crocodiles.length)]!);
      const h = i % 2 === 0 ? frequencyHybrid(a, b, tinyAutoencoder.hybridSigma) : frequencyHybrid(b, a, tinyAutoencoder.hybridSigma);
      inputs.set(Float32Array.from(h, (v) => v / 255), i * PX);
    }
    const codes = ae.encodeImages(tf.tensor4d(inputs, [4, 32, 32, 3]));
    const expected = ae.decodeCodes([codes], [mixLabels(tf, mixes)]);
    expect(maxDiff(images, expected)).toBeLessThan(1e-5);
    ae.dispose();
  });

  it('project-blend decodes the code of the pixel average of the drawn pair', () => {
    const ae = trained('project-blend');
    const z = normalLatents(tf, 3, 2 * d, createRng(3));
    const { images } = ae.hybridsFor(z, createRng(22));
    const rng = createRng(22);
    const inputs = new Float32Array(3 * PX);
    for (let i = 0; i < 3; i++) {
      const a = bytesOf(clocks[rng.int(clocks.length)]!);
      const b = bytesOf(crocodiles[rng.int(crocodiles.length)]!);
      inputs.set(Float32Array.from(blendImages(a, b, 0.5), (v) => v / 255), i * PX);
    }
    const expected = ae.decodeCodes([ae.encodeImages(tf.tensor4d(inputs, [3, 32, 32, 3]))], [mixLabels(tf, [0.5, 0.5, 0.5])]);
    expect(maxDiff(images, expected)).toBeLessThan(1e-5);
    ae.dispose();
  });

  it('swap decodes a clock code with the crocodile label (even hybrids) and a crocodile code with the clock label (odd)', () => {
    const ae = trained('swap');
    const z = normalLatents(tf, 4, 2 * d, createRng(5));
    const { images, mixes } = ae.hybridsFor(z, createRng(1));
    expect(mixes).toEqual([1, 0, 1, 0]);
    const clock = ae.classCodes(0, tf.slice(z, [0, 0], [4, d]) as tf.Tensor2D);
    const croc = ae.classCodes(1, tf.slice(z, [0, d], [4, d]) as tf.Tensor2D);
    const asCroc = ae.decodeCodes([clock], [mixLabels(tf, [1, 1, 1, 1])]);
    const asClock = ae.decodeCodes([croc], [mixLabels(tf, [0, 0, 0, 0])]);
    const one = (t: tf.Tensor4D, i: number) => t.slice([i, 0, 0, 0], [1, 32, 32, 3]);
    expect(maxDiff(one(images, 0), one(asCroc, 0))).toBeLessThan(1e-6);
    expect(maxDiff(one(images, 2), one(asCroc, 2))).toBeLessThan(1e-6);
    expect(maxDiff(one(images, 1), one(asClock, 1))).toBeLessThan(1e-6);
    expect(maxDiff(one(images, 3), one(asClock, 3))).toBeLessThan(1e-6);
    ae.dispose();
  });

  it.each(['boundary-cycle', 'project-frequency-cycle'] as const)('%s: at each hybrid\'s share t the decoded image, encoded again, crosses the codes\' LDA boundary (or t is an end of [0.2, 0.8])', (rule) => {
    const ae = trained(rule);
    const n = 8;
    const z = normalLatents(tf, n, 2 * d, createRng(3));
    const { images, mixes } = ae.hybridsFor(z, createRng(9));
    const density = ae.stores[1]!;
    const w = density.get('boundary/w').reshape([d, 1]) as tf.Tensor2D;
    const b = density.get('boundary/b').dataSync()[0]!;
    // The hybrids' own codes: re-encoding the returned images scores near the boundary where t is inside the range.
    const plain = rule === 'boundary-cycle' ? trained('boundary') : trained('project-frequency');
    const start = plain.hybridsFor(z, createRng(9));
    expect(mixes).not.toEqual(start.mixes); // the cycle moved the shares
    const half = 0.6 / 2 ** 9; // half the final bisection bracket
    // Score of the image decoded at share s for hybrid i: rebuild the same code the rule decodes.
    const scoreAt = (s: number[]): Float32Array => tf.tidy(() => {
      let code: tf.Tensor2D;
      if (rule === 'boundary-cycle') {
        const a = ae.classCodes(0, tf.slice(z, [0, 0], [n, d]) as tf.Tensor2D);
        const c = ae.classCodes(1, tf.slice(z, [0, d], [n, d]) as tf.Tensor2D);
        code = tf.add(a, tf.mul(tf.sub(c, a), tf.tensor2d(s, [n, 1]))) as tf.Tensor2D;
      } else {
        // The projected code does not depend on s: re-encode the rule's input by re-drawing the same pairs.
        const rng = createRng(9);
        const inputs = new Float32Array(n * PX);
        for (let i = 0; i < n; i++) {
          const a = bytesOf(clocks[rng.int(clocks.length)]!);
          const c = bytesOf(crocodiles[rng.int(crocodiles.length)]!);
          inputs.set(Float32Array.from(i % 2 === 0 ? frequencyHybrid(a, c, tinyAutoencoder.hybridSigma) : frequencyHybrid(c, a, tinyAutoencoder.hybridSigma), (v) => v / 255), i * PX);
        }
        code = ae.encodeImages(tf.tensor4d(inputs, [n, 32, 32, 3]));
      }
      const out = ae.decodeCodes([code], [mixLabels(tf, s)]);
      return tf.add(tf.matMul(ae.encodeImages(out), w), b).dataSync() as Float32Array;
    });
    const below = scoreAt(mixes.map((t) => t - half));
    const above = scoreAt(mixes.map((t) => t + half));
    // The final bracket [t − half, t + half]: its low end was tested on the clock side (score ≤ 0) unless it is the range's
    // start, its high end on the crocodile side (score > 0) unless it is the range's end.
    let checked = 0;
    mixes.forEach((t, i) => {
      if (t - half > 0.2 + 1e-9) { expect(below[i]!).toBeLessThanOrEqual(1e-4); checked++; }
      if (t + half < 0.8 - 1e-9) { expect(above[i]!).toBeGreaterThan(-1e-4); checked++; }
    });
    expect(checked).toBeGreaterThanOrEqual(n);
    expect(images.shape).toEqual([n, 32, 32, 3]);
    tf.dispose([w]);
    ae.dispose();
    plain.dispose();
  });

  it('levels decodes the clock code and label at the coarse levels and the crocodile\'s at the fine ones (even), the reverse (odd)', () => {
    const ae = trained('levels');
    const z = normalLatents(tf, 2, 2 * d, createRng(6));
    const { images, mixes } = ae.hybridsFor(z, createRng(1));
    expect(mixes).toEqual([0.5, 0.5]);
    const clock = ae.classCodes(0, tf.slice(z, [0, 0], [2, d]) as tf.Tensor2D);
    const croc = ae.classCodes(1, tf.slice(z, [0, d], [2, d]) as tf.Tensor2D);
    const yc = mixLabels(tf, [0, 0]), yk = mixLabels(tf, [1, 1]);
    const layoutClock = ae.decodeCodes([clock, clock, croc, croc], [yc, yc, yk, yk]);
    const layoutCroc = ae.decodeCodes([croc, croc, clock, clock], [yk, yk, yc, yc]);
    const one = (t: tf.Tensor4D, i: number) => t.slice([i, 0, 0, 0], [1, 32, 32, 3]);
    expect(maxDiff(one(images, 0), one(layoutClock, 0))).toBeLessThan(1e-6);
    expect(maxDiff(one(images, 1), one(layoutCroc, 1))).toBeLessThan(1e-6);
    expect(maxDiff(one(images, 0), one(ae.decodeCodes([clock], [yc]), 0))).toBeGreaterThan(1e-3);
    ae.dispose();
  });

  it('a projection rule without the training images (a restored checkpoint before afterTraining) says what it needs', () => {
    const ae = createAutoencoder(tf, { ...tinyAutoencoder, hybrid: 'project-frequency' }, createRng(1));
    expect(() => ae.hybridsFor(normalLatents(tf, 2, 2 * d, createRng(3)), createRng(4))).toThrow(/"project-frequency" needs the training images/);
    ae.dispose();
  });

  it('the hybrid rule and its σ are not part of the checkpoint key; training params are', () => {
    const key = (c: AutoencoderConfig) => trainingDigest('autoencoder', c, 'data', 1, 'code');
    const base = key(tinyAutoencoder);
    expect(key({ ...tinyAutoencoder, hybrid: 'project-frequency', hybridSigma: 3 })).toBe(base);
    expect(key({ ...tinyAutoencoder, codePenalty: 0.01 })).not.toBe(base);
  });
});

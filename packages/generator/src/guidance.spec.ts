// Guided sampling: the guide is the classifier it is read from; on a synthetic generator the steps
// move samples toward the target class (or undecided), the anchor limits how far, and the result is
// deterministic; loading names what is wrong.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@cvc/core';
import { initCompute, tf } from '@cvc/core/backend';
import { buildModel } from '@cvc/vision';
import { crossoverLatents, guideFromModel, guideLatents, guidedDraw, loadGuides, nearestSquaredDistance, settingsFor, type GuideLogit, type GuidanceSettings, type Realism } from './guidance.ts';
import type { ConditionalGenerator } from './model.ts';
import type { ResnetArchitecture } from './feature-trunk.ts';
import { writeFixtureClassifiers, writeFixtureResnetClassifier } from '../testing/stage-workspace.ts';

beforeAll(async () => { await initCompute(() => {}); });

const arch: ResnetArchitecture & { dense: number; dropout: number } = { kind: 'resnet', widths: [8, 16, 16], blocksPerStage: 1, dense: 8, dropout: 0, stemPool: true };
const norm = { mean: [0.5, 0.45, 0.4], std: [0.25, 0.24, 0.26] };

describe('guide from a resnet classifier', () => {
  it('gives the logit of the classifier it is read from (batch norm folded)', () => {
    const model = buildModel(arch, 3);
    let k = 0;
    for (const l of model.layers) if (l.name.endsWith('_bn')) l.setWeights(l.getWeights().map((t) => tf.add(t, tf.randomUniform(t.shape, 0.1, 0.5, 'float32', ++k))));
    const { logit, trunk } = guideFromModel(tf, model, arch, norm, 'test');
    const x = tf.randomUniform([4, 32, 32, 3], 0, 1, 'float32', 9) as tf.Tensor4D; // [4, 32, 32, 3] in [0, 1]
    const ours = tf.sigmoid(logit(x)).dataSync();
    const theirs = (model.predict(tf.div(tf.sub(x, tf.tensor1d(norm.mean)), tf.tensor1d(norm.std))) as tf.Tensor).dataSync();
    expect(Math.max(...Array.from(ours).map((v, i) => Math.abs(v - theirs[i]!)))).toBeLessThan(1e-4);
    expect(Math.max(...theirs) - Math.min(...theirs)).toBeGreaterThan(1e-3); // the images get different answers
    trunk.dispose();
  });
});

describe('guided latents on a synthetic generator', () => {
  // Generator: z [n, 4] → sigmoid(z·W) as [n, 32, 32, 3]; guide: "crocodile" = redder than blue (logit 20·(R̄ − B̄));
  // realism features: each channel's mean; real clocks bluish, real crocodiles reddish.
  const W = tf.keep(tf.randomNormal([4, 32 * 32 * 3], 0, 1, 'float32', 4));
  const gen: ConditionalGenerator = { latentDim: 4, decode: (z) => tf.sigmoid(tf.matMul(z, W)).reshape([-1, 32, 32, 3]) as tf.Tensor4D };
  const guide: GuideLogit = (x) => tf.mul(20, tf.sub(tf.mean(tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, 1]), [1, 2, 3]), tf.mean(tf.slice(x, [0, 0, 0, 2], [-1, -1, -1, 1]), [1, 2, 3]))) as tf.Tensor1D;
  const realism: Realism = {
    features: (x) => tf.mean(x, [1, 2]) as tf.Tensor2D,
    real: [tf.keep(tf.tensor2d([[0.3, 0.5, 0.7], [0.35, 0.5, 0.65]])), tf.keep(tf.tensor2d([[0.7, 0.5, 0.3], [0.65, 0.5, 0.35]]))],
    scale: 0.01,
  };
  const rng = createRng(5);
  const z0 = Float32Array.from({ length: 16 * 4 }, () => rng.normal());
  const settings: GuidanceSettings = { steps: 30, learningRate: 0.1, prior: 0, anchor: 0, realism: 0 };
  const logits = (z: Float32Array) => tf.tidy(() => Array.from(guide(gen.decode(tf.tensor2d(z, [16, 4]), tf.zeros([16, 2]))).dataSync()));
  const distance = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));

  it('moves every sample toward its class, and hybrids toward undecided', () => {
    const before = logits(z0);
    const clocks = logits(guideLatents(tf, gen, z0, 0, 0, [guide], realism, settings));
    const crocs = logits(guideLatents(tf, gen, z0, 1, 1, [guide], realism, settings));
    clocks.forEach((l, i) => expect(l).toBeLessThan(before[i]!));
    crocs.forEach((l, i) => expect(l).toBeGreaterThan(before[i]!));
    const undecided = logits(guideLatents(tf, gen, z0, 0.5, 'undecided', [guide], realism, settings));
    const meanAbs = (v: number[]) => v.reduce((s, x) => s + Math.abs(x), 0) / v.length;
    expect(meanAbs(undecided)).toBeLessThan(meanAbs(before) / 2);
  });

  it('keeps samples nearer their start with an anchor, nearer 0 with a prior, and does nothing in 0 steps', () => {
    const free = guideLatents(tf, gen, z0, 0, 0, [guide], realism, settings);
    const anchored = guideLatents(tf, gen, z0, 0, 0, [guide], realism, { ...settings, anchor: 5 });
    expect(distance(anchored, z0)).toBeLessThan(distance(free, z0) / 2);
    const norm = (z: Float32Array) => Math.sqrt(z.reduce((s, v) => s + v * v, 0));
    expect(norm(guideLatents(tf, gen, z0, 0, 0, [guide], realism, { ...settings, prior: 5 }))).toBeLessThan(norm(free));
    expect(guideLatents(tf, gen, z0, 0, 0, [guide], realism, { ...settings, steps: 0 })).toEqual(z0);
  });

  it('pulls toward the nearest real image of the class when the guide is silent', () => {
    const silent: GuideLogit = (x) => tf.mul(0, tf.mean(x, [1, 2, 3])) as tf.Tensor1D;
    const feats = (z: Float32Array) => tf.tidy(() => realism.features(gen.decode(tf.tensor2d(z, [16, 4]), tf.zeros([16, 2]))).arraySync() as number[][]);
    const blueMinusRed = (z: Float32Array) => feats(z).reduce((s, f) => s + f[2]! - f[0]!, 0);
    const pulled = guideLatents(tf, gen, z0, 0, 0, [silent], realism, { ...settings, realism: 1 });
    expect(blueMinusRed(pulled)).toBeGreaterThan(blueMinusRed(z0));
  });

  it('is deterministic', () => {
    expect(guideLatents(tf, gen, z0, 0.5, 'undecided', [guide], realism, settings)).toEqual(guideLatents(tf, gen, z0, 0.5, 'undecided', [guide], realism, settings));
  });

  it('with random views: still moves samples to their class, reproducible from the rng, and needs one', () => {
    const viewed = { ...settings, views: 3 };
    const before = logits(z0);
    const clocks = guideLatents(tf, gen, z0, 0, 0, [guide], realism, viewed, createRng(8));
    logits(clocks).forEach((l, i) => expect(l).toBeLessThan(before[i]!));
    expect(guideLatents(tf, gen, z0, 0, 0, [guide], realism, viewed, createRng(8))).toEqual(clocks);
    // A guide that reads one corner sees different pixels in different views: the path differs from the unviewed one.
    const corner: GuideLogit = (x) => tf.mul(20, tf.mean(tf.slice(x, [0, 0, 0, 0], [-1, 4, 4, 1]), [1, 2, 3])) as tf.Tensor1D;
    expect(guideLatents(tf, gen, z0, 0, 0, [corner], realism, viewed, createRng(8))).not.toEqual(guideLatents(tf, gen, z0, 0, 0, [corner], realism, settings));
    expect(() => guideLatents(tf, gen, z0, 0, 0, [guide], realism, viewed)).toThrow('guideLatents: random views need an rng');
  });
});

describe('settings per draw', () => {
  it('gives hybrids their own views and class samples theirs', () => {
    const s = { steps: 1, learningRate: 0.1, prior: 0, anchor: 0, realism: 0, views: 3, hybridViews: 1 };
    expect(settingsFor(0, s).views).toBe(3);
    expect(settingsFor(1, s).views).toBe(3);
    expect(settingsFor('undecided', s).views).toBe(1);
  });

  it('gives hybrids their own step count when one is set, else the class samples\'', () => {
    const s = { steps: 20, learningRate: 0.1, prior: 0, anchor: 0, realism: 0 };
    expect(settingsFor(0, { ...s, hybridSteps: 60 }).steps).toBe(20);
    expect(settingsFor('undecided', { ...s, hybridSteps: 60 }).steps).toBe(60);
    expect(settingsFor('undecided', s).steps).toBe(20);
  });
});

describe('blend hybrids', () => {
  // A generator whose label matters: the clock label (1, 0) adds blue, the crocodile label (0, 1) more red (the plain blend
  // leans crocodile); z [n, 4] sets the rest.
  // z₀ adds red, z₁ blue everywhere; z₂, z₃ texture.
  const W = tf.keep(tf.concat([tf.tensor2d([Array.from({ length: 3072 }, (_, i) => (i % 3 === 0 ? 1 : 0)), Array.from({ length: 3072 }, (_, i) => (i % 3 === 2 ? 1 : 0))]), tf.randomNormal([2, 3072], 0, 0.3, 'float32', 6)]));
  const tint = tf.keep(tf.tensor2d([Array.from({ length: 3072 }, (_, i) => (i % 3 === 2 ? 2 : -2)), Array.from({ length: 3072 }, (_, i) => (i % 3 === 0 ? 4 : -2))])); // [2, 3072]
  const gen: ConditionalGenerator = { latentDim: 4, decode: (z, y) => tf.sigmoid(tf.add(tf.matMul(z, W), tf.matMul(y, tint))).reshape([-1, 32, 32, 3]) as tf.Tensor4D };
  const guide: GuideLogit = (x) => tf.mul(20, tf.sub(tf.mean(tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, 1]), [1, 2, 3]), tf.mean(tf.slice(x, [0, 0, 0, 2], [-1, -1, -1, 1]), [1, 2, 3]))) as tf.Tensor1D;
  const realism: Realism = { features: (x) => tf.mean(x, [1, 2]) as tf.Tensor2D, real: [tf.keep(tf.tensor2d([[0.2, 0.5, 0.8]])), tf.keep(tf.tensor2d([[0.8, 0.5, 0.2]]))], scale: 0.01 };
  const rng = createRng(9);
  const z0 = Float32Array.from({ length: 8 * 4 }, () => rng.normal());
  const blend: GuidanceSettings = { steps: 0, learningRate: 0.1, prior: 0, anchor: 0, realism: 0, hybrid: 'blend' };

  it('draws a hybrid as the pixel mean of the clock decoded from z and the crocodile decoded from z', () => {
    const { images } = guidedDraw(tf, gen, z0, 0.5, 'undecided', [guide], realism, blend);
    const expected = tf.tidy(() => {
      const z = tf.tensor2d(z0, [8, 4]);
      const part = (c: number) => gen.decode(z, tf.tensor2d(Array.from({ length: 8 }, () => (c === 0 ? [1, 0] : [0, 1]))));
      return tf.round(tf.mul(tf.mul(tf.add(part(0), part(1)), 0.5), 255)).dataSync();
    });
    expect(Math.max(...Array.from(images).map((v, i) => Math.abs(v - expected[i]!)))).toBeLessThanOrEqual(1);
  });

  it('guides the blend toward undecided while each part keeps its class', () => {
    const decided = (z: Float32Array) => tf.tidy(() => {
      const y = (c: number) => tf.tensor2d(Array.from({ length: 8 }, () => (c === 0 ? [1, 0] : [0, 1])));
      const zt = tf.tensor2d(z, [8, 4]);
      return { blend: Array.from(guide(tf.mul(tf.add(gen.decode(zt, y(0)), gen.decode(zt, y(1))), 0.5) as tf.Tensor4D).dataSync()), clock: Array.from(guide(gen.decode(zt, y(0))).dataSync()) };
    });
    const z = guideLatents(tf, gen, z0, 0.5, 'undecided', [guide], realism, { ...blend, steps: 40, realism: 0.01 });
    const meanAbs = (v: number[]) => v.reduce((s, x) => s + Math.abs(x), 0) / v.length;
    expect(meanAbs(decided(z).blend)).toBeLessThan(meanAbs(decided(z0).blend) / 2);
    decided(z).clock.forEach((l) => expect(l).toBeLessThan(0)); // the clock part is still a clock to the guide
  });
  const parts = (z: Float32Array) => tf.tidy(() => {
    const zt = tf.tensor2d(z, [8, 4]);
    const y = (c: number) => tf.tensor2d(Array.from({ length: 8 }, () => (c === 0 ? [1, 0] : [0, 1])));
    return [gen.decode(zt, y(0)), gen.decode(zt, y(1))].map((x) => tf.round(tf.mul(x, 255)).dataSync());
  });

  it('inset: draws the crocodile part inside the centred disc and the clock part outside it', () => {
    const { images } = guidedDraw(tf, gen, z0, 0.5, 'undecided', [guide], realism, { ...blend, hybrid: 'inset', insetRadius: 10 });
    const [clock, crocodile] = parts(z0);
    const at = (row: number, col: number) => (8 - 1) * 3072 + (row * 32 + col) * 3; // last image, red channel
    for (const [row, col] of [[0, 0], [31, 31], [16, 30]] as const) expect(Math.abs(images[at(row, col)]! - clock![at(row, col)]!)).toBeLessThanOrEqual(1);
    for (const [row, col] of [[16, 16], [12, 19]] as const) expect(Math.abs(images[at(row, col)]! - crocodile![at(row, col)]!)).toBeLessThanOrEqual(1);
  });

  it('wholeRealism: pulls the composed hybrid itself toward a real clock and a real crocodile', () => {
    const silent: GuideLogit = (x) => tf.mul(0, tf.mean(x, [1, 2, 3])) as tf.Tensor1D;
    const wholeDistance = (z: Float32Array) => tf.tidy(() => {
      const [c, k] = parts(z).map((p) => tf.div(tf.tensor4d(p!, [8, 32, 32, 3]), 255));
      const f = realism.features(tf.mul(tf.add(c!, k!), 0.5) as tf.Tensor4D);
      return tf.sum(tf.add(nearestSquaredDistance(tf, f, realism.real[0]), nearestSquaredDistance(tf, f, realism.real[1]))).dataSync()[0]!;
    });
    const steps = { ...blend, steps: 30, realism: 0.01 };
    const partsOnly = guideLatents(tf, gen, z0, 0.5, 'undecided', [silent], realism, steps);
    const whole = guideLatents(tf, gen, z0, 0.5, 'undecided', [silent], realism, { ...steps, wholeRealism: 4 });
    expect(wholeDistance(whole)).toBeLessThan(wholeDistance(partsOnly));
  });
});

describe('loading guides', () => {
  it('loads the full model and each fold model of a resnet classifier', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cvc-guides-'));
    await writeFixtureResnetClassifier(dir, 'resnet-scratch', 2);
    await initCompute(() => {});
    const all = await loadGuides(tf, dir, ['resnet-scratch'], true);
    expect(all.logits).toHaveLength(3);
    const one = await loadGuides(tf, dir, ['resnet-scratch'], false);
    expect(one.logits).toHaveLength(1);
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    expect(all.logits[0]!(x).shape).toEqual([2]);
    all.dispose();
    one.dispose();
  });

  it('names the param for an unknown model; reads a model that is not a resnet through its layers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cvc-guides-'));
    await writeFixtureClassifiers(dir, ['cnn']);
    await initCompute(() => {});
    await expect(loadGuides(tf, dir, ['nope'], true)).rejects.toThrow('stages.generator.params.guidance.guides: "nope" is not a classifier model');
    // A model with no batch norm to fold is guided through its own layers up to `logit`.
    const tiny = await loadGuides(tf, dir, ['cnn'], true);
    expect(tiny.logits).toHaveLength(1);
  });
});

describe('crossover latents', () => {
  it('takes the first half of each clock latent and the second half of each crocodile latent, cycling rows', () => {
    const clock = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]); // 2 rows of 4
    const crocodile = Float32Array.from([-1, -2, -3, -4, -5, -6, -7, -8]);
    expect(Array.from(crossoverLatents(clock, crocodile, 4, 3))).toEqual([1, 2, -3, -4, 5, 6, -7, -8, 1, 2, -3, -4]);
    expect(() => crossoverLatents(clock, crocodile.subarray(0, 4), 4, 1)).toThrow('crossoverLatents: 2 clock and 1 crocodile latents of size 4');
  });
});

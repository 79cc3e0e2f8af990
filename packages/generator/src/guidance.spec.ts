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
import { crossoverLatents, guideFromModel, guideLatents, loadGuides, type GuideLogit, type GuidanceSettings, type Realism } from './guidance.ts';
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

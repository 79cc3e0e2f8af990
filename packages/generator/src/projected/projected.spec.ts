// The frozen feature trunk equals the tfjs resnet it is read from; the projected GAN's shapes,
// batch independence, per-level labels and that a step leaks no tensors.
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@cvc/core';
import { initCompute, tf } from '@cvc/core/backend';
import { buildModel } from '@cvc/vision';
import { mixLabels, normalLatents } from '../model.ts';
import { twoClassImages } from '../../testing/fixtures.ts';
import { createFeatureTrunk, resnetWeightsOf, type ResnetArchitecture } from '../feature-trunk.ts';
import { createProjectedGan, type ProjectedGanConfig } from './projected-gan.ts';

beforeAll(async () => { await initCompute(() => {}); });

const arch: ResnetArchitecture & { dense: number; dropout: number } = { kind: 'resnet', widths: [8, 16, 32], blocksPerStage: 1, dense: 16, dropout: 0, stemPool: true };
const norm = { mean: [0.5, 0.45, 0.4], std: [0.25, 0.24, 0.26] };

/** A random resnet whose batch norms have non-trivial statistics (so folding them is tested). */
function randomResnet(): tf.LayersModel {
  const model = buildModel(arch, 5);
  let k = 0;
  for (const l of model.layers) {
    if (!l.name.endsWith('_bn')) continue;
    l.setWeights(l.getWeights().map((t) => tf.add(t, tf.randomUniform(t.shape, 0.1, 0.5, 'float32', ++k))));
  }
  return model;
}

export const tinyProjected: ProjectedGanConfig = {
  classes: 2, clockClass: 0, crocodileClass: 1, latentDim: 8, embedDim: 4, gWidths: [16, 8, 8, 4], projection: [8, 8, 8], dChannels: 8,
  learningRateG: 0.0002, learningRateD: 0.0002, beta1: 0, beta2: 0.99, emaDecay: 0.9, modeSeeking: 0.1, augment: { color: true, translation: true, cutout: true },
};

describe('feature trunk', () => {
  it('returns the resnet stages\' activations (batch norm folded), for images in [-1, 1]', () => {
    const model = randomResnet();
    const trunk = createFeatureTrunk(tf, resnetWeightsOf(model, arch, norm, 'test'));
    expect(trunk.channels).toEqual([8, 16, 32]);
    expect(trunk.sides).toEqual([16, 8, 4]);
    const x = tf.randomUniform([3, 32, 32, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
    const ours = trunk.features(x);
    const stages = tf.model({ inputs: model.inputs, outputs: ['s1b1_out', 's2b1_out', 's3b1_out'].map((n) => model.getLayer(n).output as tf.SymbolicTensor) });
    const input = tf.div(tf.sub(tf.add(tf.mul(x, 0.5), 0.5), tf.tensor1d(norm.mean)), tf.tensor1d(norm.std));
    const theirs = stages.predict(input) as tf.Tensor[];
    ours.forEach((f, i) => {
      expect(f.shape).toEqual(theirs[i]!.shape);
      const scale = tf.max(tf.abs(theirs[i]!)).dataSync()[0]!;
      expect(scale).toBeGreaterThan(0.1);
      expect(tf.max(tf.abs(tf.sub(f, theirs[i]!))).dataSync()[0]!).toBeLessThan(1e-4 * scale);
    });
    trunk.dispose();
  });

  it('names the missing layer when the model is not a resnet of that architecture', () => {
    const model = randomResnet();
    expect(() => resnetWeightsOf(model, { ...arch, blocksPerStage: 2 }, norm, 'some/model.json')).toThrow(/some\/model.json.*s1b2_conv1/);
  });
});

describe('projected GAN', () => {
  it('decodes [n, 32, 32, 3] in [0, 1] independent of the batch; a step gives finite losses and leaks no tensors', () => {
    const trunk = createFeatureTrunk(tf, resnetWeightsOf(randomResnet(), arch, norm, 'test'));
    const gan = createProjectedGan(tf, tinyProjected, trunk, createRng(1));
    const data = twoClassImages(2);
    const x = tf.tensor4d(data.pixels, [4, 32, 32, 3]);
    const y = mixLabels(tf, data.labels);
    gan.step({ x, y }, createRng(3));
    const before = tf.memory().numTensors;
    const losses = gan.step({ x, y }, createRng(4));
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(losses['lossD']!) && Number.isFinite(losses['lossG']!)).toBe(true);
    const z = normalLatents(tf, 4, 8, createRng(2));
    const img = gan.decode(z, mixLabels(tf, [0, 0.5, 1, 1]));
    expect(img.shape).toEqual([4, 32, 32, 3]);
    expect(tf.min(img).dataSync()[0]).toBeGreaterThanOrEqual(0);
    expect(tf.max(img).dataSync()[0]).toBeLessThanOrEqual(1);
    const alone = gan.decode(z.slice([1, 0], [1, 8]) as tf.Tensor2D, mixLabels(tf, [0.5]));
    expect(alone.arraySync()[0]).toEqual(img.arraySync()[1]);
    gan.dispose();
    trunk.dispose();
  });

  it('per-level labels: the same label at every level equals decode; mixing levels gives another image', () => {
    const trunk = createFeatureTrunk(tf, resnetWeightsOf(randomResnet(), arch, norm, 'test'));
    const gan = createProjectedGan(tf, tinyProjected, trunk, createRng(1));
    const data = twoClassImages(2);
    for (let s = 0; s < 3; s++) gan.step({ x: tf.tensor4d(data.pixels, [4, 32, 32, 3]), y: mixLabels(tf, data.labels) }, createRng(10 + s));
    const z = normalLatents(tf, 2, 8, createRng(2));
    const clock = mixLabels(tf, [0, 0]);
    const croc = mixLabels(tf, [1, 1]);
    expect(gan.decodeLevels(z, [clock, clock, clock, clock]).arraySync()).toEqual(gan.decode(z, clock).arraySync());
    const mixed = gan.decodeLevels(z, [clock, clock, croc, croc]);
    const diff = (a: tf.Tensor, b: tf.Tensor) => tf.mean(tf.abs(tf.sub(a, b))).dataSync()[0]!;
    expect(diff(mixed, gan.decode(z, clock))).toBeGreaterThan(0);
    expect(diff(mixed, gan.decode(z, croc))).toBeGreaterThan(0);
    gan.dispose();
    trunk.dispose();
  });
});

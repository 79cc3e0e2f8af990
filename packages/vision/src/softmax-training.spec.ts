// Softmax training learns a multi-class task (three colours of noise); the network ends in an
// n-way head named PRETRAINED_HEAD on top of the classifier's layer names.
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@cvc/core';
import { initCompute } from '@cvc/core/backend';
import type { ArchitectureOptions } from './architecture.ts';
import { PRETRAINED_HEAD } from './pretrained.ts';
import { softmaxModel, trainSoftmaxClassifier } from './softmax-training.ts';

const arch: ArchitectureOptions = { kind: 'resnet', widths: [4, 8], blocksPerStage: 1, dense: 8, dropout: 0, stemPool: true };

/** n normalised images [n, 16, 16, 3]: label k has channel k raised, plus noise. */
function colours(n: number, seed: number): { x: Float32Array; labels: number[] } {
  const rng = createRng(seed);
  const x = new Float32Array(n * 16 * 16 * 3);
  const labels = Array.from({ length: n }, (_, i) => i % 3);
  for (let i = 0; i < n; i++) for (let p = 0; p < 256; p++) for (let c = 0; c < 3; c++) x[(i * 256 + p) * 3 + c] = (c === labels[i] ? 1 : -0.5) + (rng.next() - 0.5) * 2;
  return { x, labels };
}

describe('softmax training', () => {
  beforeAll(() => initCompute(() => {}));

  it('has the classifier trunk and a head of `classes` logits', () => {
    const model = softmaxModel(arch, 10, 5, 16);
    expect(model.outputs[0]!.shape).toEqual([null, 10]);
    expect(model.getLayer(PRETRAINED_HEAD).outputShape).toEqual([null, 10]);
    expect(model.getLayer('stem').getWeights()[0]!.shape).toEqual([3, 3, 3, 4]);
    expect(model.layers.some((l) => l.name === 'logit')).toBe(false);
  });

  it('learns three separable classes to ≥ 90% test accuracy, reproducibly', async () => {
    const run = (seed: number) =>
      trainSoftmaxClassifier({
        architecture: arch, classes: 3, train: colours(96, 1), test: colours(48, 2), size: 16, epochs: 3, batchSize: 16, learningRate: 0.05,
        warmupEpochs: 1, weightDecay: 5e-4, labelSmoothing: 0.1, augment: { flip: true, pad: 2 }, initSeed: 9, rng: createRng(seed),
      });
    const a = await run(3);
    expect(a.history).toHaveLength(3);
    expect(a.history.at(-1)!.testAccuracy).toBeGreaterThanOrEqual(0.9);
    const b = await run(3);
    expect(b.history).toEqual(a.history);
  });
});

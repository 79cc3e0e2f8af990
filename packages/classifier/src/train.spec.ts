// A short training run learns reddish vs bluish noise; save → load gives identical predictions.
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createRng } from '@cvc/core';
import { initCompute, tf } from '@cvc/core/backend';
import { tempDir } from '@cvc/core/testing';
import { loadClassifierModel, saveClassifierModel } from '@cvc/vision/classifier-model';
import { buildModel, logitModel } from '@cvc/vision/models';
import { normalizeImages } from '@cvc/vision/normalize';
import { predictLogits } from '@cvc/vision/predict';
import { redBlueImages, tinyMetadata } from '@cvc/vision/testing';
import { train, chooseEpochs } from './train.ts';
import { accuracy } from './metrics.ts';
import { trainingSpec, type TrainingSpec } from './params.ts';

const training: TrainingSpec = trainingSpec.parse({
  maxEpochs: 4,
  learningRate: 0.01,
  schedule: 'cosine',
  warmupEpochs: 1,
  labelSmoothing: 0.05,
  augment: { flip: true, pad: 2, cutout: 6 },
  tta: true,
});
const norm = { mean: [0.5, 0.4, 0.5] as [number, number, number], std: [0.25, 0.2, 0.25] as [number, number, number] };

describe('training', () => {
  beforeAll(() => initCompute(() => {}));

  it('a small ResNet learns reddish vs bluish noise images to ≥ 95% on held-out images', async () => {
    const { images, labels } = redBlueImages(96);
    const x = normalizeImages(images, norm);
    const trainIdx = Array.from({ length: 64 }, (_, i) => i);
    const heldOut = Array.from({ length: 32 }, (_, i) => 64 + i);
    const model = buildModel({ kind: 'resnet', widths: [4, 8], blocksPerStage: 1, dense: 8, dropout: 0, stemPool: true }, 5);
    const history = await train({ model, x, size: 32, labels, train: trainIdx, validation: heldOut, epochs: 4, batchSize: 16, training, rng: createRng(9) });
    expect(history).toHaveLength(4);
    const z = await predictLogits(logitModel(model), x, 32, heldOut, { tta: true });
    expect(accuracy(z, heldOut.map((i) => labels[i]!))).toBeGreaterThanOrEqual(0.95);
    expect(history[3]!.validationAccuracy).toBeGreaterThanOrEqual(0.95);
    model.dispose();
  });

  it('SGD + Nesterov, weight decay, mixup and EMA also learn it; shift + flip TTA scores it', async () => {
    const { images, labels } = redBlueImages(96);
    const x = normalizeImages(images, norm);
    const trainIdx = Array.from({ length: 64 }, (_, i) => i);
    const heldOut = Array.from({ length: 32 }, (_, i) => 64 + i);
    const recipe = trainingSpec.parse({ ...training, learningRate: 0.05, optimizer: 'sgd', weightDecay: 5e-4, mix: { kind: 'mixup', alpha: 0.4 }, ema: 0.9, ttaShift: 2 });
    const model = buildModel({ kind: 'resnet', widths: [4, 8], blocksPerStage: 1, dense: 8, dropout: 0, stemPool: true }, 5);
    await train({ model, x, size: 32, labels, train: trainIdx, validation: heldOut, epochs: 4, batchSize: 16, training: recipe, rng: createRng(9) });
    const z = await predictLogits(logitModel(model), x, 32, heldOut, { tta: true, shift: 2 });
    expect(accuracy(z, heldOut.map((i) => labels[i]!))).toBeGreaterThanOrEqual(0.95);
    model.dispose();
  });

  it('weight decay shrinks the kernels and leaves batch-norm scales alone', async () => {
    const { images, labels } = redBlueImages(32);
    const x = normalizeImages(images, norm);
    const idx = Array.from({ length: 32 }, (_, i) => i);
    // Same seeds, data order and steps: the runs differ only in the decay (lr·wd = 0.01 per step, 4 steps).
    const sumSquares = async (weightDecay: number) => {
      const model = buildModel({ kind: 'resnet', widths: [4], blocksPerStage: 1, dense: 4, dropout: 0, stemPool: true }, 3);
      const recipe = trainingSpec.parse({ maxEpochs: 2, learningRate: 0.01, optimizer: 'sgd', weightDecay });
      await train({ model, x, size: 32, labels, train: idx, epochs: 2, batchSize: 16, training: recipe, rng: createRng(4) });
      const values = model.weights.map((w) => ({ name: w.originalName, data: w.read().dataSync() as Float32Array }));
      const of = (pattern: RegExp) => values.filter((v) => pattern.test(v.name)).reduce((sum, v) => sum + v.data.reduce((a, b) => a + b * b, 0), 0);
      const result = { kernel: of(/kernel$/), gamma: of(/gamma$/) };
      model.dispose();
      return result;
    };
    const plain = await sumSquares(0);
    const decayed = await sumSquares(1);
    expect(decayed.kernel / plain.kernel).toBeLessThan(0.95); // ≈ 0.99^8 = 0.92
    expect(decayed.gamma / plain.gamma).toBeCloseTo(1, 2);
  });

  it('cannot learn labels that carry no signal (the test above can fail)', async () => {
    const { images } = redBlueImages(64);
    const labels = Array.from({ length: 64 }, (_, i) => ((i * 7) >> 2) % 2); // unrelated to colour
    const x = normalizeImages(images, norm);
    const model = buildModel({ kind: 'cnn', filters: [4, 4, 4, 4, 4], dense: 4, dropout: 0 }, 5);
    const idx = Array.from({ length: 32 }, (_, i) => i);
    await train({ model, x, size: 32, labels, train: idx, epochs: 2, batchSize: 16, training: { ...training, augment: { flip: false, pad: 0, cutout: 0, scale: 0, rotate: 0, grayscale: 0 } }, rng: createRng(1) });
    const heldOut = Array.from({ length: 32 }, (_, i) => 32 + i);
    const z = await predictLogits(logitModel(model), x, 32, heldOut, { tta: false });
    expect(accuracy(z, heldOut.map((i) => labels[i]!))).toBeLessThan(0.8);
    model.dispose();
  });

  it('save → load gives identical predictions (batch norm statistics included)', async () => {
    const { images, labels } = redBlueImages(32);
    const x = normalizeImages(images, norm);
    const model = buildModel({ kind: 'resnet', widths: [4, 8], blocksPerStage: 1, dense: 8, dropout: 0.2, stemPool: false }, 8);
    const idx = Array.from({ length: 32 }, (_, i) => i);
    await train({ model, x, size: 32, labels, train: idx, epochs: 1, batchSize: 16, training, rng: createRng(2) });
    const dir = join(tempDir('cvc-classifier-'), 'model');
    await saveClassifierModel(model, dir, tinyMetadata('resnet', { normalization: norm, temperature: 1.5, tta: true }));
    const before = await predictLogits(logitModel(model), x, 32, idx, { tta: true });
    const loaded = await loadClassifierModel(dir);
    const after = await predictLogits(loaded.logits, x, 32, idx, { tta: true });
    expect(Array.from(after)).toEqual(Array.from(before));
    expect(loaded.metadata.temperature).toBe(1.5);
    model.dispose();
  });

  it('epochs chosen by windowed validation accuracy', () => {
    const h = (epoch: number, acc: number, loss = 1) => ({ epoch, trainLoss: 0, trainAccuracy: 0, validationAccuracy: acc, validationLoss: loss });
    // A lone spike at epoch 2 loses to a stable plateau at 4–6.
    expect(chooseEpochs([h(1, 0.5), h(2, 0.95), h(3, 0.6), h(4, 0.9), h(5, 0.92), h(6, 0.85)])).toBe(5);
  });
});

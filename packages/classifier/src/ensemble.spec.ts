// Ensembles (`ensemble: N`): N seeded networks in one graph, logits averaged; each member trains
// alone and exactly as the single network with its seeds would; save → load keeps predictions.
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createRng } from '@cvc/core';
import { initCompute, tf } from '@cvc/core/backend';
import { tempDir } from '@cvc/core/testing';
import { type ArchitectureOptions } from '@cvc/vision/architecture';
import { loadClassifierModel, saveClassifierModel } from '@cvc/vision/classifier-model';
import { buildModel, ensembleSize, logitModel, memberLogitModel } from '@cvc/vision/models';
import { normalizeImages } from '@cvc/vision/normalize';
import { predictLogits } from '@cvc/vision/predict';
import { redBlueImages, tinyMetadata } from '@cvc/vision/testing';
import { train } from './train.ts';
import { trainingSpec } from './params.ts';

const arch: ArchitectureOptions = { kind: 'resnet', widths: [4, 8], blocksPerStage: 1, dense: 6, dropout: 0.2, stemPool: true };
const norm = { mean: [0.5, 0.4, 0.5] as [number, number, number], std: [0.25, 0.2, 0.25] as [number, number, number] };
const training = trainingSpec.parse({ maxEpochs: 1, learningRate: 0.05, optimizer: 'sgd', weightDecay: 5e-4, schedule: 'cosine', labelSmoothing: 0.05, augment: { flip: true, pad: 2, cutout: 4 } });
const values = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

describe('ensemble models', () => {
  beforeAll(() => initCompute(() => {}));
  const { images, labels } = redBlueImages(32);
  const x = normalizeImages(images, norm);
  const idx = Array.from({ length: 32 }, (_, i) => i);

  it("'logit' is the mean of the members' logits; member 0 has the single network's weights and the plain layer names", async () => {
    const ensemble = buildModel(arch, [11, 12, 13]);
    expect(ensembleSize(ensemble)).toBe(3);
    expect(ensembleSize(buildModel(arch, 11))).toBe(1);
    expect(ensemble.getLayer('fc7').outputShape).toEqual([null, 6]);
    expect(ensemble.getLayer('pooled').outputShape).toEqual([null, 8]);
    expect(ensemble.getLayer('m2_fc7').outputShape).toEqual([null, 6]);
    expect(values(memberLogitModel(ensemble, 0))).toEqual(values(logitModel(buildModel(arch, 11))));
    expect(values(memberLogitModel(ensemble, 1))).toEqual(values(logitModel(buildModel(arch, 12))));
    const mean = new Float32Array(idx.length);
    for (let m = 0; m < 3; m++) (await predictLogits(memberLogitModel(ensemble, m), x, 32, idx, { tta: false })).forEach((v, i) => (mean[i] = mean[i]! + v / 3));
    const z = await predictLogits(logitModel(ensemble), x, 32, idx, { tta: false });
    z.forEach((v, i) => expect(v).toBeCloseTo(mean[i]!, 5));
    ensemble.dispose();
  });

  it('training member 1 changes only its weights, exactly as training the single network with its seeds', async () => {
    const ensemble = buildModel(arch, [21, 22]);
    const before0 = values(memberLogitModel(ensemble, 0));
    await train({ model: ensemble, member: 1, x, size: 32, labels, train: idx, epochs: 1, batchSize: 16, training, rng: createRng(5) });
    const single = buildModel(arch, 22);
    await train({ model: single, x, size: 32, labels, train: idx, epochs: 1, batchSize: 16, training, rng: createRng(5) });
    expect(values(memberLogitModel(ensemble, 0))).toEqual(before0);
    const trained = values(memberLogitModel(ensemble, 1));
    expect(trained).toEqual(values(logitModel(single)));
    expect(trained).not.toEqual(values(logitModel(buildModel(arch, 22)))); // it did train
    ensemble.dispose();
    single.dispose();
  });

  it('save → load gives identical ensemble predictions', async () => {
    const ensemble = buildModel(arch, [31, 32]);
    for (const member of [0, 1]) await train({ model: ensemble, member, x, size: 32, labels, train: idx, epochs: 1, batchSize: 16, training, rng: createRng(member) });
    const dir = join(tempDir('cvc-ensemble-'), 'model');
    await saveClassifierModel(ensemble, dir, tinyMetadata('resnet', { normalization: norm, tta: true, ensemble: 2 }));
    const before = await predictLogits(logitModel(ensemble), x, 32, idx, { tta: true });
    const loaded = await loadClassifierModel(dir);
    const after = await predictLogits(loaded.logits, x, 32, idx, { tta: true });
    expect(Array.from(after)).toEqual(Array.from(before));
    ensemble.dispose();
  });
});

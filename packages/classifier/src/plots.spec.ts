import { describe, expect, it } from 'vitest';
import { trainSeriesName } from './plots.ts';
import { trainingSpec } from './params.ts';

describe('training curves legend', () => {
  it('says "augmented" only for models trained on augmented images', () => {
    expect(trainSeriesName(trainingSpec.parse({ maxEpochs: 1, learningRate: 0.001 }))).toBe('train');
    expect(trainSeriesName(trainingSpec.parse({ maxEpochs: 1, learningRate: 0.001, augment: { pad: 3 } }))).toBe('train (augmented)');
    expect(trainSeriesName(trainingSpec.parse({ maxEpochs: 1, learningRate: 0.001, mix: { kind: 'mixup' } }))).toBe('train (augmented)');
  });
});

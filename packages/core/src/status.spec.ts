import { describe, expect, it } from 'vitest';
import { describeParamChanges } from './status.ts';

describe('describeParamChanges', () => {
  it('names each changed, added and removed param with old and new values', () => {
    expect(describeParamChanges({ topK: 32, split: { test: 0.1, validation: 0.1 }, gone: 'x' }, { topK: 64, split: { test: 0.2, validation: 0.1 }, added: true })).toEqual([
      'added (unset) → true',
      'gone "x" → (unset)',
      'split.test 0.1 → 0.2',
      'topK 32 → 64',
    ]);
    expect(describeParamChanges({ a: [1, 2] }, { a: [1, 2] })).toEqual([]);
    expect(describeParamChanges({ models: [{ name: 'cnn', e: 1 }, { name: 'resnet', e: 20 }] }, { models: [{ name: 'cnn', e: 1 }, { name: 'resnet', e: 40 }] })).toEqual([
      'models[resnet].e 20 → 40',
    ]);
    expect(describeParamChanges({ widths: [24, 48] }, { widths: [32, 48] })).toEqual(['widths [24,48] → [32,48]']);
  });
});

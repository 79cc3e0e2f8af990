import { describe, expect, it } from 'vitest';
import { createRng } from '@cvc/core';
import { stratifiedSplit } from './split.ts';

const labels = [...Array(45).fill(0), ...Array(55).fill(1)] as number[];

describe('stratifiedSplit', () => {
  const split = stratifiedSplit(labels, ['clock', 'crocodile'], { validation: 0.1, test: 0.2 }, 5, createRng(1));

  it('partitions every index into exactly one of train, validation, test', () => {
    const all = [...split.train, ...split.validation, ...split.test].sort((a, b) => a - b);
    expect(all).toEqual(labels.map((_, i) => i));
  });

  it('keeps class proportions in each split', () => {
    const count = (list: number[], c: number) => list.filter((i) => labels[i] === c).length;
    expect([count(split.test, 0), count(split.test, 1)]).toEqual([9, 11]);
    expect([count(split.validation, 0), count(split.validation, 1)]).toEqual([5, 6]);
  });

  it('makes k balanced, stratified folds over train ∪ validation only', () => {
    expect(split.folds).toHaveLength(5);
    const inFolds = split.folds.flat().sort((a, b) => a - b);
    expect(inFolds).toEqual([...split.train, ...split.validation].sort((a, b) => a - b));
    const sizes = split.folds.map((f) => f.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (const fold of split.folds) {
      const clocks = fold.filter((i) => labels[i] === 0).length;
      expect(clocks).toBeGreaterThanOrEqual(7);
      expect(clocks).toBeLessThanOrEqual(8);
    }
  });

  it('is a function of the seed', () => {
    expect(stratifiedSplit(labels, ['clock', 'crocodile'], { validation: 0.1, test: 0.2 }, 5, createRng(1))).toEqual(split);
    expect(stratifiedSplit(labels, ['clock', 'crocodile'], { validation: 0.1, test: 0.2 }, 5, createRng(2)).test).not.toEqual(split.test);
  });

  it('refuses a class too small for the split, naming it', () => {
    expect(() => stratifiedSplit([0, 0, 0, 1, 1, 1, 1, 1, 1, 1], ['clock', 'crocodile'], { validation: 0.1, test: 0.1 }, 5, createRng(1))).toThrow(
      'class "clock" has 3 images: too few',
    );
  });
});

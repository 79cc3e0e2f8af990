import { describe, expect, it } from 'vitest';
import { misclassifiedShare, overlapAtK, rankerMetrics, spearman } from './metrics.ts';
import { averageRanks, rankOrder } from './rank.ts';

describe('rankings and their diagnostics', () => {
  it('orders by score, ties by index, and gives tied scores their mean rank', () => {
    expect(rankOrder([0.1, 0.9, 0.5, 0.9])).toEqual([1, 3, 2, 0]);
    expect(Array.from(averageRanks([0.1, 0.9, 0.5, 0.9]))).toEqual([4, 1.5, 3, 1.5]);
  });

  it('spearman is 1 for the same order, −1 for the reverse, and sees only ranks', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 1000])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // Known value: d = [0, 1, -1, 0] → 1 − 6·2 / (4·15) = 0.8
    expect(spearman([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
  });

  it('overlap@K and the misclassified share of a top K', () => {
    expect(overlapAtK([5, 4, 3, 2, 1], [5, 1, 4, 2, 3], 2)).toBe(0.5);
    expect(overlapAtK([5, 4, 3, 2, 1], [5, 4, 0, 0, 0], 2)).toBe(1);
    // Labels 0,1,1,0; predictions 0.2 (right), 0.4 (wrong), 0.9 (right), 0.5 (wrong: ≥ 0.5 is crocodile).
    expect(misclassifiedShare([0, 1, 2, 3], [0, 1, 1, 0], [0.2, 0.4, 0.9, 0.5])).toBe(0.5);
    const m = rankerMetrics({ a: [3, 2, 1, 0], b: [0, 1, 2, 3] }, [0, 1, 1, 0], ['clock', 'crocodile'], [0.2, 0.4, 0.9, 0.5], [2], [1, 1, 1, 1], [0, 0, 0, 0]);
    expect(m.spearman.a!.b).toBe(-1);
    expect(m.overlap['@2']!.a!.b).toBe(0);
    expect(m.misclassifiedOutOfFold.a!['@2']).toBe(0.5); // images 0 (right) and 1 (wrong)
    expect(m.classCounts.b!['@2']).toEqual({ clock: 1, crocodile: 1 });
    const withIsolation = rankerMetrics({ a: [3, 2, 1, 0] }, [0, 1, 1, 0], ['clock', 'crocodile'], [0.2, 0.4, 0.9, 0.5], [3], [5, 1, 2, 9], [1, 0, 0, 1]);
    expect(withIsolation.medianIsolation.a!['@3']).toBe(2); // top 3 = images 0, 1, 2 → median of 5, 1, 2
    expect(withIsolation.outliersByScorer.a!['@3']).toBe(1); // image 0 is flagged, image 3 is not in the top 3
  });
});

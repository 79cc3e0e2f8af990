// Every scorer on synthetic embeddings with known geometry: the in-between points rank first,
// and both-not-neither ranks the far outliers last.
import { describe, expect, it } from 'vitest';
import { rankOrder } from '../rank.ts';
import { centroidDifference } from './centroid-difference.ts';
import { uncertainty } from './uncertainty.ts';
import { neighbourhood } from './neighbourhood.ts';
import { bothNotNeither } from './both-not-neither.ts';
import { syntheticSet } from './synthetic.ts';
import type { ScorerResult } from './types.ts';

const set = syntheticSet();
const sorted = (xs: number[]) => xs.slice().sort((a, b) => a - b);
const top = (r: ScorerResult, k: number) => sorted(rankOrder(r.scores).slice(0, k));
const bottom = (r: ScorerResult, k: number) => sorted(rankOrder(r.scores).slice(-k));

describe('scorers on two clusters, in-between points and far outliers', () => {
  it('centroid-difference: the in-between points first; components are the two distances', () => {
    const r = centroidDifference(set.features, set.labels);
    expect(top(r, set.between.length)).toEqual(set.between);
    const i = set.between[0]!;
    expect(r.scores[i]).toBeCloseTo(-Math.abs(r.components.distanceClock![i]! - r.components.distanceCrocodile![i]!), 12);
    // A clock-cluster point is nearer the clock centroid.
    expect(r.components.difference![0]!).toBeLessThan(0);
  });

  it('uncertainty: the in-between points first; fold disagreement raises the score', () => {
    const r = uncertainty({ p: set.p, foldProbabilities: set.foldProbabilities }, 0.5);
    expect(top(r, set.between.length)).toEqual(set.between);
    const calm = uncertainty({ p: [0.7, 0.7], foldProbabilities: [[0.7, 0.7], [0.2, 0.9]] }, 0.5);
    expect(calm.scores[1]!).toBeGreaterThan(calm.scores[0]!);
    expect(calm.components.foldStd![1]).toBeCloseTo(0.35, 12);
  });

  it('neighbourhood: the in-between points first; a pure cluster interior scores 0', () => {
    const r = neighbourhood(set.features, set.labels, 10);
    expect(top(r, set.between.length)).toEqual(set.between);
    expect(Math.min(...Array.from(r.scores))).toBe(0);
    expect(() => neighbourhood(set.features, set.labels, set.features.rows)).toThrow('k = 130 must be between 1 and 129');
  });

  it('both-not-neither: the in-between points first and the outliers last', () => {
    const r = bothNotNeither(set.features, set.labels, { shrinkage: 'ledoit-wolf', trim: 0.1 });
    expect(top(r, set.between.length)).toEqual(set.between);
    expect(bottom(r, set.outliers.length)).toEqual(set.outliers);
  });

  it('centroid-difference, unlike both-not-neither, does not put the outliers last', () => {
    // The study's method only looks at the difference: an outlier off to the side scores like a plain member.
    const r = centroidDifference(set.features, set.labels);
    expect(bottom(r, set.outliers.length)).not.toEqual(set.outliers);
  });
});

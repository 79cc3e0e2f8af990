// KID, FID and nearest-neighbour distances against cases with known answers.
import { describe, expect, it } from 'vitest';
import { createRng } from '@cvc/core';
import { fid, kid, nearestDistances, summarize, symmetricEigen } from './metrics.ts';

function gaussian(n: number, dim: number, shift: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * dim }, () => rng.normal() + shift);
}

describe('metrics', () => {
  it('symmetricEigen recovers eigenvalues of a known matrix', () => {
    // [[2, 1], [1, 2]] has eigenvalues 1 and 3.
    const { values } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expect(Array.from(values).sort()).toEqual([expect.closeTo(1, 10), expect.closeTo(3, 10)]);
  });

  it('FID ≈ 0 for one sample against itself, ≈ |Δμ|² for a shifted copy', () => {
    const a = gaussian(400, 4, 0, 1);
    expect(fid(a, a, 4)).toBeCloseTo(0, 6);
    const shifted = a.map((v) => v + 0.5);
    expect(fid(a, shifted, 4)).toBeCloseTo(4 * 0.25, 6);
  });

  it('KID ≈ 0 between two samples of one distribution, clearly positive after a shift', () => {
    const a = gaussian(300, 8, 0, 1);
    const b = gaussian(300, 8, 0, 2);
    const c = gaussian(300, 8, 1, 3);
    const same = kid(a, b, 8, createRng(4));
    const different = kid(a, c, 8, createRng(4));
    expect(Math.abs(same)).toBeLessThan(0.05);
    expect(different).toBeGreaterThan(10 * Math.abs(same) + 0.1);
  });

  it('nearestDistances finds the nearest row, optionally skipping itself', () => {
    const ref = Float32Array.from([0, 0, 3, 4, 10, 10]);
    const { distance, index } = nearestDistances(Float32Array.from([3, 3]), ref, 2);
    expect(index[0]).toBe(1);
    expect(distance[0]).toBeCloseTo(1, 6);
    const self = nearestDistances(ref, ref, 2, true);
    expect(Array.from(self.index)).toEqual([1, 0, 1]);
  });

  it('summarize gives ordered quantiles', () => {
    const s = summarize([5, 1, 3, 2, 4]);
    expect(s).toMatchObject({ min: 1, median: 3, mean: 3, max: 5 });
  });
});

// Improved precision/recall on point sets with known geometry: a unit grid and subsets of it.
import { describe, expect, it } from 'vitest';
import { kthNeighbourRadii, precisionRecall } from './precision-recall.ts';

/** Points (x, y) for x in xs, y in 0..9, as rows of [n, 2]. */
const grid = (xs: number[], shift = 0) => Float32Array.from(xs.flatMap((x) => Array.from({ length: 10 }, (_, y) => [x + shift, y]).flat()));
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describe('precisionRecall (k = 3)', () => {
  const real = grid(range(0, 10)); // 10 x 10 unit grid

  it('radii: an inner grid point has 4 neighbours at distance 1, so its 3rd is at 1; a corner point has its 3rd at √2', () => {
    const r = kthNeighbourRadii(real, 2, 3);
    expect(r[5 * 10 + 5]).toBe(1); // squared
    expect(r[0]).toBe(2);
  });

  it('the same set, or the set moved by half a spacing: precision 1 and recall 1', () => {
    expect(precisionRecall(real, real, 2)).toEqual({ precision: 1, recall: 1 });
    expect(precisionRecall(real, grid(range(0, 10), 0.5), 2)).toEqual({ precision: 1, recall: 1 });
  });

  it('samples covering only the left half: precision 1, recall 0.6 (the half plus the next column)', () => {
    // Generated = columns 0–4. Real columns 0–4 coincide with samples; column 5 is 1 from column 4, whose radius is 1
    // (√2 at its corners); column 6 is 2 away, outside every ball.
    expect(precisionRecall(real, grid(range(0, 5)), 2)).toEqual({ precision: 1, recall: 0.6 });
  });

  it('samples far from the data: precision 0 and recall 0', () => {
    expect(precisionRecall(real, grid(range(0, 10), 100), 2)).toEqual({ precision: 0, recall: 0 });
  });

  it('needs more than k points in each set', () => {
    expect(() => precisionRecall(real, Float32Array.from([0, 0, 1, 1, 2, 2]), 2)).toThrow('precision/recall: k = 3 nearest neighbours need more than 3 points in a set (got 3)');
  });
});

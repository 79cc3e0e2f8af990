import { describe, expect, it } from 'vitest';
import { createRng } from '@cvc/core';
import { choleskyInPlace, fitGaussian, mahalanobis } from './linalg.ts';

describe('shrinkage Gaussian and Mahalanobis distance', () => {
  it('Cholesky reproduces the matrix and rejects a non-positive-definite one', () => {
    const a = Float64Array.from([4, 2, 2, 3]);
    const l = choleskyInPlace(a.slice(), 2);
    expect(Array.from(l)).toEqual([2, 0, 1, Math.sqrt(2)]);
    expect(() => choleskyInPlace(Float64Array.from([1, 2, 2, 1]), 2)).toThrow('not positive definite');
  });

  it('without shrinkage, Mahalanobis equals the hand computation for a diagonal covariance', () => {
    // Rows (±2, 0) and (0, ±1): mean 0, covariance diag(2, 0.5).
    const data = Float64Array.from([2, 0, -2, 0, 0, 1, 0, -1]);
    const g = fitGaussian({ data, rows: 4, dim: 2 }, [0, 1, 2, 3], 0);
    expect(mahalanobis(g, [2, 1])).toBeCloseTo(Math.sqrt(4 / 2 + 1 / 0.5), 6);
  });

  it('Ledoit–Wolf shrinks little with many samples and much with few, and keeps Σ invertible when n < p', () => {
    const rng = createRng(5);
    // Anisotropic (std 1, 2, 4, 8, 1, 2, ...): the identity target is wrong, so only few samples justify it.
    const sample = (n: number, p: number) => ({ data: Float64Array.from({ length: n * p }, (_, i) => rng.normal() * 2 ** (i % p % 4)), rows: n, dim: p });
    const many = sample(2000, 4);
    const few = sample(10, 40);
    const gMany = fitGaussian(many, [...Array(2000).keys()], 'ledoit-wolf');
    const gFew = fitGaussian(few, [...Array(10).keys()], 'ledoit-wolf');
    expect(gMany.shrinkage).toBeLessThan(0.05);
    expect(gFew.shrinkage).toBeGreaterThan(0.5);
    expect(Number.isFinite(mahalanobis(gFew, new Float64Array(40).fill(1)))).toBe(true);
  });
});

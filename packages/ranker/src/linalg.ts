// The little linear algebra the both-not-neither scorer needs: a shrinkage covariance
// (Ledoit–Wolf: well-conditioned even with fewer images than dimensions) and Mahalanobis
// distances through its Cholesky factor.
import { type Matrix, meanOf, row } from './vectors.ts';

export interface Gaussian {
  mean: Float64Array;
  /** Lower-triangular Cholesky factor L of the covariance (Σ = L Lᵀ), [dim, dim] row-major. */
  cholesky: Float64Array;
  dim: number;
  /** Shrinkage intensity used, in [0, 1]. */
  shrinkage: number;
}

/** Ledoit–Wolf shrinkage intensity for centred rows X [n, p] towards μ·I (as scikit-learn computes it). */
export function ledoitWolfShrinkage(centred: Float64Array, n: number, p: number, empCov: Float64Array): number {
  let trace = 0;
  for (let j = 0; j < p; j++) trace += empCov[j * p + j]!;
  const mu = trace / p;
  // beta_ = Σ_ij Σ_k x_ki² x_kj²; delta_ = Σ_ij (XᵀX)_ij² / n²
  let beta_ = 0;
  const sq = new Float64Array(p);
  for (let k = 0; k < n; k++) {
    let rowSq = 0;
    for (let j = 0; j < p; j++) {
      sq[j] = centred[k * p + j]! ** 2;
      rowSq += sq[j]!;
    }
    beta_ += rowSq * rowSq;
  }
  let delta_ = 0;
  for (let i = 0; i < p * p; i++) delta_ += empCov[i]! ** 2; // (XᵀX/n)² summed
  let beta = (beta_ / n - delta_) / (p * n);
  const delta = (delta_ - 2 * mu * trace + p * mu * mu) / p;
  beta = Math.min(beta, delta);
  return beta <= 0 || delta <= 0 ? 0 : beta / delta;
}

/** In-place Cholesky of a symmetric positive-definite [p, p] matrix; throws if it is not. */
export function choleskyInPlace(a: Float64Array, p: number): Float64Array {
  for (let j = 0; j < p; j++) {
    let d = a[j * p + j]!;
    for (let k = 0; k < j; k++) d -= a[j * p + k]! ** 2;
    if (!(d > 0)) throw new Error(`cholesky: matrix is not positive definite (pivot ${j})`);
    const ljj = Math.sqrt(d);
    a[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let s = a[i * p + j]!;
      for (let k = 0; k < j; k++) s -= a[i * p + k]! * a[j * p + k]!;
      a[i * p + j] = s / ljj;
    }
    for (let k = j + 1; k < p; k++) a[j * p + k] = 0;
  }
  return a;
}

/** Fit mean and shrunk covariance to the rows `indices` of `m`. `shrinkage`: a fixed intensity or Ledoit–Wolf. */
export function fitGaussian(m: Matrix, indices: readonly number[], shrinkage: number | 'ledoit-wolf'): Gaussian {
  const n = indices.length;
  const p = m.dim;
  if (n < 2) throw new Error(`fitGaussian: need at least 2 rows, got ${n}`);
  const mean = meanOf(m, indices);
  const centred = new Float64Array(n * p);
  indices.forEach((i, k) => {
    const r = row(m, i);
    for (let j = 0; j < p; j++) centred[k * p + j] = r[j]! - mean[j]!;
  });
  const cov = new Float64Array(p * p); // [p, p] = XᵀX / n
  for (let k = 0; k < n; k++) {
    const x = centred.subarray(k * p, (k + 1) * p);
    for (let i = 0; i < p; i++) {
      const xi = x[i]!;
      if (xi === 0) continue;
      for (let j = 0; j <= i; j++) cov[i * p + j]! += xi * x[j]!;
    }
  }
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      cov[i * p + j]! /= n;
      cov[j * p + i] = cov[i * p + j]!;
    }
  }
  const s = shrinkage === 'ledoit-wolf' ? ledoitWolfShrinkage(centred, n, p, cov) : shrinkage;
  let trace = 0;
  for (let j = 0; j < p; j++) trace += cov[j * p + j]!;
  // A floor keeps dead (always-zero) feature dimensions from making Σ singular.
  const mu = Math.max(trace / p, 1e-12);
  for (let i = 0; i < p * p; i++) cov[i]! *= 1 - s;
  for (let j = 0; j < p; j++) cov[j * p + j]! += s * mu + 1e-9 * mu;
  return { mean, cholesky: choleskyInPlace(cov, p), dim: p, shrinkage: s };
}

/** Mahalanobis distance √((x−μ)ᵀ Σ⁻¹ (x−μ)) by forward substitution with L. */
export function mahalanobis(g: Gaussian, x: ArrayLike<number>): number {
  const p = g.dim;
  const z = new Float64Array(p);
  let sum = 0;
  for (let i = 0; i < p; i++) {
    let s = x[i]! - g.mean[i]!;
    for (let k = 0; k < i; k++) s -= g.cholesky[i * p + k]! * z[k]!;
    z[i] = s / g.cholesky[i * p + i]!;
    sum += z[i]! ** 2;
  }
  return Math.sqrt(sum);
}

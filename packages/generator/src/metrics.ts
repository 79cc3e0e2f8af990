// Realism and memorisation numbers: KID (Bińkowski et al. 2018, unbiased MMD² with the cubic
// polynomial kernel, averaged over seeded subsets), FID (Heusel et al. 2017), nearest-neighbour
// distances, and distribution summaries. Features are rows of a row-major [n, dim] array.
import type { Rng } from '@cvc/core';

export function kid(a: Float32Array, b: Float32Array, dim: number, rng: Rng, subsets = 20, subsetSize = 100): number {
  const na = a.length / dim;
  const nb = b.length / dim;
  const m = Math.min(subsetSize, na, nb);
  if (m < 2) throw new Error(`KID needs at least 2 samples per set (got ${na} and ${nb})`);
  const k = (x: Float32Array, i: number, y: Float32Array, j: number): number => {
    let dot = 0;
    for (let d = 0; d < dim; d++) dot += x[i * dim + d]! * y[j * dim + d]!;
    return (dot / dim + 1) ** 3;
  };
  const pick = (n: number): number[] => {
    const idx = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < m; i++) {
      const j = i + rng.int(n - i);
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    return idx.slice(0, m);
  };
  let total = 0;
  for (let s = 0; s < subsets; s++) {
    const ia = pick(na);
    const ib = pick(nb);
    let kxx = 0, kyy = 0, kxy = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        if (i !== j) {
          kxx += k(a, ia[i]!, a, ia[j]!);
          kyy += k(b, ib[i]!, b, ib[j]!);
        }
        kxy += k(a, ia[i]!, b, ib[j]!);
      }
    }
    total += kxx / (m * (m - 1)) + kyy / (m * (m - 1)) - (2 * kxy) / (m * m);
  }
  return total / subsets;
}

function meanAndCovariance(x: Float32Array, dim: number): { mean: Float64Array; cov: Float64Array } {
  const n = x.length / dim;
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d]! += x[i * dim + d]! / n;
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) row[d] = x[i * dim + d]! - mean[d]!;
    for (let p = 0; p < dim; p++) {
      const rp = row[p]!;
      for (let q = p; q < dim; q++) cov[p * dim + q]! += (rp * row[q]!) / (n - 1);
    }
  }
  for (let p = 0; p < dim; p++) for (let q = 0; q < p; q++) cov[p * dim + q] = cov[q * dim + p]!;
  return { mean, cov };
}

/** Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: values and column eigenvectors. */
export function symmetricEigen(matrix: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!, akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!, aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!, vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: n }, (_, i) => a[i * n + i]!), vectors: v };
}

/** FID = |μa − μb|² + tr Σa + tr Σb − 2 tr (Σa^½ Σb Σa^½)^½. */
export function fid(a: Float32Array, b: Float32Array, dim: number): number {
  const A = meanAndCovariance(a, dim);
  const B = meanAndCovariance(b, dim);
  // Σa^½ from its eigen-decomposition (negative round-off clipped).
  const { values, vectors } = symmetricEigen(A.cov, dim);
  const sqrtA = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j < dim; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += vectors[i * dim + k]! * Math.sqrt(Math.max(0, values[k]!)) * vectors[j * dim + k]!;
      sqrtA[i * dim + j] = s;
    }
  }
  const mul = (x: Float64Array, y: Float64Array): Float64Array => {
    const out = new Float64Array(dim * dim);
    for (let i = 0; i < dim; i++) for (let k = 0; k < dim; k++) {
      const xik = x[i * dim + k]!;
      if (xik === 0) continue;
      for (let j = 0; j < dim; j++) out[i * dim + j]! += xik * y[k * dim + j]!;
    }
    return out;
  };
  const inner = mul(mul(sqrtA, B.cov), sqrtA);
  for (let i = 0; i < dim; i++) for (let j = 0; j < i; j++) inner[i * dim + j] = inner[j * dim + i] = (inner[i * dim + j]! + inner[j * dim + i]!) / 2;
  const traceSqrt = symmetricEigen(inner, dim).values.reduce((s, v) => s + Math.sqrt(Math.max(0, v)), 0);
  let meanTerm = 0, trA = 0, trB = 0;
  for (let d = 0; d < dim; d++) {
    meanTerm += (A.mean[d]! - B.mean[d]!) ** 2;
    trA += A.cov[d * dim + d]!;
    trB += B.cov[d * dim + d]!;
  }
  return meanTerm + trA + trB - 2 * traceSqrt;
}

/** For each row of `queries`, the Euclidean distance to its nearest row of `reference` (and that row). */
export function nearestDistances(queries: Float32Array, reference: Float32Array, dim: number, skipSelf = false): { distance: Float64Array; index: Int32Array } {
  const nq = queries.length / dim;
  const nr = reference.length / dim;
  const distance = new Float64Array(nq).fill(Infinity);
  const index = new Int32Array(nq).fill(-1);
  for (let i = 0; i < nq; i++) {
    for (let j = 0; j < nr; j++) {
      if (skipSelf && i === j) continue;
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const diff = queries[i * dim + d]! - reference[j * dim + d]!;
        s += diff * diff;
      }
      if (s < distance[i]!) { distance[i] = s; index[i] = j; }
    }
    distance[i] = Math.sqrt(distance[i]!);
  }
  return { distance, index };
}

export interface Summary { min: number; p05: number; median: number; mean: number; p95: number; max: number }

export function summarize(values: ArrayLike<number>): Summary {
  const sorted = Array.from(values).sort((a, b) => a - b);
  if (sorted.length === 0) throw new Error('summarize: no values');
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1) + 0.5))]!;
  const r = (v: number) => Number(v.toPrecision(5));
  return { min: r(sorted[0]!), p05: r(q(0.05)), median: r(q(0.5)), mean: r(sorted.reduce((a, b) => a + b, 0) / sorted.length), p95: r(q(0.95)), max: r(sorted[sorted.length - 1]!) };
}

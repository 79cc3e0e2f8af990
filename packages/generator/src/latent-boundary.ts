// The generator's own clock-vs-crocodile boundary in its code space: Fisher's linear discriminant
// (pooled, shrunk covariance) fitted to the training images' codes. A hybrid code is the point where
// the segment from a clock code to a crocodile code crosses it — "undecided" for a classifier that
// knows only the generator's codes, never the judges.
import { fitGaussian } from './gaussian.ts';

export interface LinearBoundary {
  /** score(c) = w·c + b; > 0 means crocodile. */
  w: Float64Array;
  b: number;
  /** Share of the training codes on their own class's side. */
  accuracy: number;
}

/** Fisher LDA on codes [n, d] (row-major) with labels 0 (clock) / 1 (crocodile). */
export function fitLinearBoundary(codes: Float32Array, labels: number[], d: number, shrinkage: number): LinearBoundary {
  const means = [new Float64Array(d), new Float64Array(d)];
  const counts = [0, 0];
  labels.forEach((l, i) => {
    counts[l]!++;
    for (let j = 0; j < d; j++) means[l]![j]! += codes[i * d + j]!;
  });
  if (counts[0]! < 2 || counts[1]! < 2) throw new Error(`fitLinearBoundary: needs 2+ codes per class, got ${counts.join(' / ')}`);
  for (const c of [0, 1]) for (let j = 0; j < d; j++) means[c]![j]! /= counts[c]!;
  // Pooled covariance = the covariance of the class-centred codes.
  const centred = Float32Array.from(codes, (v, k) => v - means[labels[Math.floor(k / d)]!]![k % d]!);
  const { chol: L } = fitGaussian(centred, labels.map((_, i) => i), d, shrinkage);
  // Solve (L Lᵀ) w = μ1 − μ0.
  const y = new Float64Array(d);
  for (let a = 0; a < d; a++) {
    let s = means[1]![a]! - means[0]![a]!;
    for (let k = 0; k < a; k++) s -= L[a * d + k]! * y[k]!;
    y[a] = s / L[a * d + a]!;
  }
  const w = new Float64Array(d);
  for (let a = d - 1; a >= 0; a--) {
    let s = y[a]!;
    for (let k = a + 1; k < d; k++) s -= L[k * d + a]! * w[k]!;
    w[a] = s / L[a * d + a]!;
  }
  let b = 0;
  for (let j = 0; j < d; j++) b -= (w[j]! * (means[0]![j]! + means[1]![j]!)) / 2;
  let right = 0;
  labels.forEach((l, i) => {
    let s = b;
    for (let j = 0; j < d; j++) s += w[j]! * codes[i * d + j]!;
    if ((s > 0 ? 1 : 0) === l) right++;
  });
  return { w, b, accuracy: right / labels.length };
}

/**
 * Per pair (clock code a_i, crocodile code b_i): t_i where w·(a + t(b − a)) + b = 0, clamped to
 * `range` (0.5 when the pair does not cross the boundary in the expected direction); returns the codes
 * a + t(b − a) [n, d] and the t's (the crocodile share, used as the decoder's label too).
 */
export function boundaryHybridCodes(boundary: LinearBoundary, clockCodes: Float32Array, crocodileCodes: Float32Array, d: number, range: [number, number]): { codes: Float32Array; mixes: number[] } {
  const n = clockCodes.length / d;
  const codes = new Float32Array(n * d);
  const mixes: number[] = [];
  for (let i = 0; i < n; i++) {
    let sa = boundary.b, slope = 0;
    for (let j = 0; j < d; j++) {
      const a = clockCodes[i * d + j]!;
      sa += boundary.w[j]! * a;
      slope += boundary.w[j]! * (crocodileCodes[i * d + j]! - a);
    }
    const t = slope > 0 ? Math.min(range[1], Math.max(range[0], -sa / slope)) : 0.5;
    mixes.push(t);
    for (let j = 0; j < d; j++) codes[i * d + j] = clockCodes[i * d + j]! + t * (crocodileCodes[i * d + j]! - clockCodes[i * d + j]!);
  }
  return { codes, mixes };
}

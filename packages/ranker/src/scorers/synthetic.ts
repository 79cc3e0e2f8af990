// Synthetic embeddings with known geometry, for tests: two unit Gaussian clusters (clock at −5 on
// axis 0, crocodile at +5), a few points placed between them (on the mid-plane, as spread as the
// clusters along the other axes), and far outliers. `offset` moves every point along the last axis:
// then unit-length rows (cosine geometry) keep the same picture instead of scattering the
// in-between points, which sit near the origin, over the sphere.
import { createRng } from '@cvc/core';
import { type Matrix } from '../vectors.ts';

export interface SyntheticSet {
  features: Matrix;
  labels: number[];
  /** Indices of the in-between points. */
  between: number[];
  /** Indices of the far outliers. */
  outliers: number[];
  /** A smooth p(crocodile) along axis 0, with per-fold jitter, as a classifier would give. */
  p: number[];
  foldProbabilities: number[][];
}

export function syntheticSet(opts: { perClass?: number; between?: number; outliers?: number; dim?: number; seed?: number; offset?: number } = {}): SyntheticSet {
  const perClass = opts.perClass ?? 60;
  const nBetween = opts.between ?? 6;
  const nOutliers = opts.outliers ?? 4;
  const dim = opts.dim ?? 8;
  const rng = createRng(opts.seed ?? 3);
  const sep = 10;
  const rows: number[][] = [];
  const labels: number[] = [];
  const between: number[] = [];
  const outliers: number[] = [];
  // spread0: spread along axis 0 (the class axis); the other axes have unit spread.
  const offset = opts.offset ?? 0;
  const point = (centre0: number, spread0: number, far = 0): number[] =>
    Array.from({ length: dim }, (_, j) => (j === 0 ? centre0 + spread0 * rng.normal() : (j === 1 ? far : j === dim - 1 ? offset : 0) + rng.normal()));
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < perClass; i++) {
      rows.push(point(c === 0 ? -sep / 2 : sep / 2, 1));
      labels.push(c);
    }
  }
  for (let i = 0; i < nBetween; i++) {
    between.push(rows.length);
    rows.push(point(0, 0.2));
    labels.push(i % 2);
  }
  for (let i = 0; i < nOutliers; i++) {
    outliers.push(rows.length);
    // Far off to the side of one class: nearer one centroid, but like neither class.
    rows.push(point(i % 2 === 0 ? -sep : sep, 1, 30));
    labels.push(i % 2);
  }
  const p = rows.map((r) => 1 / (1 + Math.exp(-1.2 * r[0]!)));
  const foldProbabilities = p.map((q) => Array.from({ length: 5 }, () => Math.min(1, Math.max(0, q + 0.05 * rng.normal()))));
  return { features: { data: Float64Array.from(rows.flat()), rows: rows.length, dim }, labels, between, outliers, p, foldProbabilities };
}

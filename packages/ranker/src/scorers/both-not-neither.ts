// Close to both classes, not far from both. Each class gets a Gaussian (mean + Ledoit–Wolf shrunk
// covariance) fitted robustly: fit, drop the class's most distant `trim` share, refit, so a few
// outliers cannot widen the class. An image's Mahalanobis distance to each class is divided by that
// class's median member distance (1 = a typical member). The score is minus the larger of the two:
// high only if the image would pass as a typical-ish member of both; an outlier is far from both
// and ranks last, a plain clock is far from the crocodiles and ranks low.
import { type Gaussian, fitGaussian, mahalanobis } from '../linalg.ts';
import { type Matrix, row } from '../vectors.ts';
import { type ScorerResult, classIndices } from './types.ts';

export interface BothNotNeitherOptions {
  shrinkage: number | 'ledoit-wolf';
  /** Share of each class's most distant members left out of the refit, in [0, 0.5). */
  trim: number;
}

function median(values: number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function robustFit(features: Matrix, members: number[], opts: BothNotNeitherOptions): Gaussian {
  const first = fitGaussian(features, members, opts.shrinkage);
  if (opts.trim <= 0) return first;
  const keep = members
    .map((i) => ({ i, d: mahalanobis(first, row(features, i)) }))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .slice(0, Math.max(2, Math.ceil(members.length * (1 - opts.trim))))
    .map((x) => x.i)
    .sort((a, b) => a - b);
  return fitGaussian(features, keep, opts.shrinkage);
}

export function bothNotNeither(features: Matrix, labels: readonly number[], opts: BothNotNeitherOptions): ScorerResult {
  const n = features.rows;
  const relative: Float64Array[] = [];
  const distances: Float64Array[] = [];
  for (const c of [0, 1]) {
    const members = classIndices(labels, c);
    const g = robustFit(features, members, opts);
    const d = Float64Array.from({ length: n }, (_, i) => mahalanobis(g, row(features, i)));
    const typical = Math.max(median(members.map((i) => d[i]!)), 1e-12);
    distances.push(d);
    relative.push(d.map((x) => x / typical));
  }
  const scores = Float64Array.from({ length: n }, (_, i) => -Math.max(relative[0]![i]!, relative[1]![i]!));
  return {
    scores,
    components: {
      mahalanobisClock: distances[0]!,
      mahalanobisCrocodile: distances[1]!,
      relativeClock: relative[0]!,
      relativeCrocodile: relative[1]!,
    },
    meaning: 'Images that would pass as ordinary members of both classes: minus the larger of their Mahalanobis distances to the clock and crocodile Gaussians, each in units of a typical member’s.',
  };
}

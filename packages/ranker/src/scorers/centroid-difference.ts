// The study's method, faithfully: average each class's features into a centroid (all images of
// the class), take each image's Euclidean distance to both centroids, rank by the difference;
// the images in the middle (difference ≈ 0) look like both.
import { type Matrix, meanOf, row, squaredDistance } from '../vectors.ts';
import { type ScorerResult, classIndices } from './types.ts';

export function centroidDifference(features: Matrix, labels: readonly number[]): ScorerResult {
  const centroids = [0, 1].map((c) => meanOf(features, classIndices(labels, c))); // 2 × [dim]
  const n = features.rows;
  const d0 = new Float64Array(n);
  const d1 = new Float64Array(n);
  const difference = new Float64Array(n);
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    d0[i] = Math.sqrt(squaredDistance(row(features, i), centroids[0]!));
    d1[i] = Math.sqrt(squaredDistance(row(features, i), centroids[1]!));
    // > 0: nearer the second class's (crocodile's) centroid.
    difference[i] = d0[i]! - d1[i]!;
    scores[i] = -Math.abs(difference[i]!);
  }
  return {
    scores,
    components: { distanceClock: d0, distanceCrocodile: d1, difference },
    meaning: 'The study’s method: images about as far from the clock centroid as from the crocodile centroid (Euclidean, in the embedding), however far from both.',
  };
}

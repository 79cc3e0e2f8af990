// How isolated each image is in embedding space: its distance to its k-th nearest neighbour, in
// units of the dataset's median such distance (1 = typical density, ≫ 1 = an outlier). Used to
// check whether a scorer's top images sit among other images or alone at the edge of the data.
import { type Matrix, allNearest } from './vectors.ts';

export function isolation(features: Matrix, k: number): Float64Array {
  const kth = allNearest(features, k).map((list) => list[list.length - 1]!.distance);
  const sorted = kth.slice().sort((a, b) => a - b);
  const median = Math.max(sorted[Math.floor(sorted.length / 2)]!, 1e-12);
  return Float64Array.from(kth, (d) => d / median);
}

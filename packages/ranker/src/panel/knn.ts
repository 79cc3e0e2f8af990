// A k-nearest-neighbour classifier as a panel member, out of fold over the classifier's folds:
// an image of fold f is scored by its k nearest images among the other folds (those a fold-f
// model trains on); a test image (fold null) by its k nearest among all dev images. p is the
// crocodile share of those neighbours, weighted by a Gaussian kernel of the distance (bandwidth:
// the median k-th-neighbour distance), so it is continuous rather than in steps of 1/k.
import { type Matrix, row, squaredDistance } from '../vectors.ts';

export interface KnnMember {
  /** p(crocodile) per image, [n]. */
  p: Float64Array;
  /** The same out-of-fold share, unweighted (k neighbours count equally), [n]. */
  plainShare: Float64Array;
}

export function outOfFoldKnn(features: Matrix, labels: readonly number[], folds: readonly (number | null)[], k: number): KnnMember {
  const n = features.rows;
  if (labels.length !== n || folds.length !== n) throw new Error(`knn: ${n} feature rows, ${labels.length} labels, ${folds.length} folds`);
  const neighbours: { index: number; distance: number }[][] = [];
  for (let i = 0; i < n; i++) {
    const fi = folds[i];
    const candidates: { index: number; distance: number }[] = [];
    for (let j = 0; j < n; j++) {
      const fj = folds[j];
      // Only dev images (fold ≠ null) from another fold than i's; a test image sees every dev image.
      if (j === i || fj === null || fj === undefined || (fi !== null && fj === fi)) continue;
      candidates.push({ index: j, distance: Math.sqrt(squaredDistance(row(features, i), row(features, j))) });
    }
    if (candidates.length < k) throw new Error(`knn: image ${i} has ${candidates.length} images in other folds, fewer than k = ${k}`);
    candidates.sort((a, b) => a.distance - b.distance || a.index - b.index);
    neighbours.push(candidates.slice(0, k));
  }
  const kth = neighbours.map((list) => list[k - 1]!.distance).sort((a, b) => a - b);
  const bandwidth = Math.max(kth[Math.floor(n / 2)]!, 1e-12);
  const p = new Float64Array(n);
  const plainShare = new Float64Array(n);
  neighbours.forEach((list, i) => {
    let weight = 0;
    let weightCroc = 0;
    let count = 0;
    for (const nb of list) {
      const w = Math.exp(-((nb.distance / bandwidth) ** 2));
      const croc = labels[nb.index] === 1 ? 1 : 0;
      weight += w;
      weightCroc += w * croc;
      count += croc;
    }
    plainShare[i] = count / k;
    // All weights can underflow for a far outlier: fall back to the plain share.
    p[i] = weight > 0 ? weightCroc / weight : plainShare[i]!;
  });
  return { p, plainShare };
}

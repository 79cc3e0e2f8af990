// Class mixing among an image's k nearest neighbours (the image itself excluded): an image whose
// neighbourhood is half clocks, half crocodiles sits where the classes meet. The plain count decides;
// equal counts (scores step by 2/k) are ordered by the mix with neighbours weighted by a Gaussian
// kernel of their distance (bandwidth: the median k-th-neighbour distance), nearer ones counting more.
import { type Matrix, allNearest } from '../vectors.ts';
import type { ScorerResult } from './types.ts';

const mixing = (share: number): number => 1 - Math.abs(2 * share - 1);

export function neighbourhood(features: Matrix, labels: readonly number[], k: number): ScorerResult {
  const n = features.rows;
  if (k < 1 || k >= n || k >= 200) throw new Error(`neighbourhood: k = ${k} must be between 1 and ${Math.min(n - 1, 199)}`);
  const neighbours = allNearest(features, k);
  const kth = neighbours.map((list) => list[list.length - 1]!.distance).sort((a, b) => a - b);
  const bandwidth = Math.max(kth[Math.floor(kth.length / 2)]!, 1e-12);
  const share = new Float64Array(n);
  const weightedShare = new Float64Array(n);
  const meanDistance = new Float64Array(n);
  const scores = new Float64Array(n);
  neighbours.forEach((list, i) => {
    let count = 0;
    let weight = 0;
    let weightCroc = 0;
    let dist = 0;
    for (const nb of list) {
      const w = Math.exp(-((nb.distance / bandwidth) ** 2));
      const isCroc = labels[nb.index] === 1 ? 1 : 0;
      count += isCroc;
      weight += w;
      weightCroc += w * isCroc;
      dist += nb.distance;
    }
    share[i] = count / list.length;
    // All weights can underflow for a far outlier: fall back to the plain share.
    weightedShare[i] = weight > 0 ? weightCroc / weight : share[i]!;
    meanDistance[i] = dist / list.length;
    // The tie-break term is below 0.01 < 2/k for k < 200, so it never overturns the count.
    scores[i] = mixing(share[i]!) + 0.01 * mixing(weightedShare[i]!);
  });
  return {
    scores,
    components: { crocodileShare: share, weightedCrocodileShare: weightedShare, meanNeighbourDistance: meanDistance },
    meaning: `Images whose ${k} nearest neighbours in the embedding are an even mix of clocks and crocodiles (1 − |2s − 1|, s = crocodile share; ties by the distance-weighted share).`,
  };
}

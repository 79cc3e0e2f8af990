// Diagnostics between scorers: how alike their rankings are (Spearman's rho over all images,
// overlap of the top K) and how many of each top K the classifier gets wrong out of fold.
import type { RankerMetrics } from '@cvc/artifacts/ranker-metrics';
import { averageRanks, rankOrder } from './rank.ts';

export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const n = ra.length;
  const mean = (n + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (ra[i]! - mean) * (rb[i]! - mean);
    saa += (ra[i]! - mean) ** 2;
    sbb += (rb[i]! - mean) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** Share of the top K of `a` that is also in the top K of `b`. */
export function overlapAtK(a: ArrayLike<number>, b: ArrayLike<number>, k: number): number {
  const topA = new Set(rankOrder(a).slice(0, k));
  const topB = rankOrder(b).slice(0, k);
  return topB.filter((i) => topA.has(i)).length / Math.min(k, topB.length);
}

/** Share of `indices` whose out-of-fold prediction (p ≥ 0.5 → crocodile) differs from the label. */
export function misclassifiedShare(indices: readonly number[], labels: readonly number[], p: readonly number[]): number {
  if (indices.length === 0) return 0;
  return indices.filter((i) => (p[i]! >= 0.5 ? 1 : 0) !== labels[i]).length / indices.length;
}

const round = (x: number) => Number(x.toFixed(4));

/** The scorer-to-scorer part of metrics.json. */
export type ScorerDiagnostics = Pick<
  RankerMetrics,
  'images' | 'topK' | 'spearman' | 'overlap' | 'misclassifiedOutOfFold' | 'misclassifiedOverall' | 'classCounts' | 'medianIsolation'
> & { outliersByScorer: Record<string, Record<string, number>> };

function median(values: number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? 0 : sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function rankerMetrics(
  scores: Record<string, ArrayLike<number>>,
  labels: readonly number[],
  classNames: readonly string[],
  p: readonly number[],
  topK: readonly number[],
  isolation: ArrayLike<number>,
  outlier: ArrayLike<number>,
): ScorerDiagnostics {
  const names = Object.keys(scores);
  const pairs = (f: (a: string, b: string) => number) =>
    Object.fromEntries(names.map((a) => [a, Object.fromEntries(names.map((b) => [b, round(f(a, b))]))]));
  const orders = Object.fromEntries(names.map((n) => [n, rankOrder(scores[n]!)]));
  return {
    images: labels.length,
    topK: [...topK],
    spearman: pairs((a, b) => spearman(scores[a]!, scores[b]!)),
    overlap: Object.fromEntries(topK.map((k) => [`@${k}`, pairs((a, b) => overlapAtK(scores[a]!, scores[b]!, k))])),
    misclassifiedOutOfFold: Object.fromEntries(
      names.map((n) => [n, Object.fromEntries(topK.map((k) => [`@${k}`, round(misclassifiedShare(orders[n]!.slice(0, k), labels, p))]))]),
    ),
    misclassifiedOverall: round(misclassifiedShare(labels.map((_, i) => i), labels, p)),
    classCounts: Object.fromEntries(
      names.map((n) => [
        n,
        Object.fromEntries(
          topK.map((k) => [`@${k}`, Object.fromEntries(classNames.map((c, ci) => [c, orders[n]!.slice(0, k).filter((i) => labels[i] === ci).length]))]),
        ),
      ]),
    ),
    medianIsolation: Object.fromEntries(
      names.map((n) => [n, Object.fromEntries(topK.map((k) => [`@${k}`, round(median(orders[n]!.slice(0, k).map((i) => isolation[i]!)))]))]),
    ),
    outliersByScorer: Object.fromEntries(
      names.map((n) => [n, Object.fromEntries(topK.map((k) => [`@${k}`, orders[n]!.slice(0, k).filter((i) => outlier[i] === 1).length]))]),
    ),
  };
}

// "Neither": images far from both classes — the smaller of the two relative Mahalanobis distances
// of both-not-neither is large. Shown as a sheet, and checked against every scorer: where do the
// most-neither images land in its ranking? (A scorer that looks like both should put them low.)
import { rankOrder } from './rank.ts';
import type { ScorerResult } from './scorers/types.ts';

export function neitherOf(bothNotNeither: ScorerResult): { result: ScorerResult } {
  const a = bothNotNeither.components.relativeClock;
  const b = bothNotNeither.components.relativeCrocodile;
  if (!a || !b) throw new Error('neither: both-not-neither result has no relative distances');
  const scores = Float64Array.from(a, (x, i) => Math.min(x, b[i]!));
  return { result: { scores, components: { relativeClock: a, relativeCrocodile: b }, meaning: 'Images far from both classes: the smaller of their two relative Mahalanobis distances (both-not-neither’s Gaussians) is large.' } };
}

/** For the `count` most-neither images: their median rank percentile under each scorer (0 = top, 1 = last). */
export function neitherPlacement(neither: ScorerResult, scores: Record<string, ArrayLike<number>>, count: number) {
  const most = rankOrder(neither.scores).slice(0, count);
  const medianRankPercentile: Record<string, number> = {};
  const inTop100: Record<string, number> = {};
  for (const [name, s] of Object.entries(scores)) {
    const order = rankOrder(s);
    const position = new Map(order.map((index, r) => [index, r]));
    const pct = most.map((i) => position.get(i)! / Math.max(1, order.length - 1)).sort((x, y) => x - y);
    const mid = Math.floor(pct.length / 2);
    medianRankPercentile[name] = Number((pct.length % 2 ? pct[mid]! : (pct[mid - 1]! + pct[mid]!) / 2).toFixed(4));
    inTop100[name] = most.filter((i) => position.get(i)! < 100).length;
  }
  return { count: most.length, definition: neither.meaning, medianRankPercentile, inTop100 };
}

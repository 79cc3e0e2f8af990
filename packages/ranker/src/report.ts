// The JSON artifacts: both.json (top K per scorer, with components), rankings.json (every image,
// every scorer) and one-sided.json (within each class, the images most like the other class).
import type { RankedImage, RankerBoth } from '@cvc/artifacts/ranker-both';
import type { RankerRankings } from '@cvc/artifacts/ranker-rankings';
import type { RankerOneSided } from '@cvc/artifacts/ranker-one-sided';
import { rankOrder } from './rank.ts';
import type { ScorerName, ScorerResult } from './scorers/types.ts';

export type { RankedImage };

export interface ImageInfo {
  files: readonly string[];
  labels: readonly number[];
  classNames: readonly string[];
  /** OOF calibrated p(crocodile) per image. */
  p: readonly number[];
  /** 1 = flagged an outlier by the isolation diagnostic, [n]. */
  outlier: ArrayLike<number>;
}

/** Six significant digits: readable JSON, and the same text for the same doubles. */
export const sig = (x: number): number => Number(x.toPrecision(6));

export function rankedImage(result: ScorerResult, info: ImageInfo, index: number, rank: number): RankedImage {
  const label = info.labels[index]!;
  const p = info.p[index]!;
  return {
    rank,
    index,
    file: info.files[index]!,
    label: info.classNames[label]!,
    score: sig(result.scores[index]!),
    components: Object.fromEntries(Object.entries(result.components).map(([k, v]) => [k, sig(v[index]!)])),
    pCrocodile: sig(p),
    misclassifiedOutOfFold: (p >= 0.5 ? 1 : 0) !== label,
    outlier: info.outlier[index] === 1,
  };
}

export function topImages(result: ScorerResult, info: ImageInfo, k: number, within?: number): RankedImage[] {
  const order = rankOrder(result.scores).filter((i) => within === undefined || info.labels[i] === within);
  return order.slice(0, k).map((index, r) => rankedImage(result, info, index, r + 1));
}

type BothMeta = Omit<RankerBoth, 'topK' | 'scorers'>;

export function bothJson(results: Partial<Record<ScorerName, ScorerResult>>, layers: Partial<Record<ScorerName, string | null>>, info: ImageInfo, meta: BothMeta, k: number): RankerBoth {
  return {
    ...meta,
    topK: k,
    scorers: Object.fromEntries(
      Object.entries(results).map(([name, r]) => [name, { layer: layers[name as ScorerName] ?? null, meaning: r.meaning, top: topImages(r, info, k) }]),
    ),
  };
}

export function rankingsJson(results: Partial<Record<ScorerName, ScorerResult>>, info: ImageInfo): RankerRankings {
  return {
    files: [...info.files],
    scorers: Object.fromEntries(
      Object.entries(results).map(([name, r]) => [name, { order: rankOrder(r.scores), scores: Array.from(r.scores, sig) }]),
    ),
  };
}

/** For each class: its images ranked by `result`, i.e. the members that look most like the other class too. */
export function oneSidedJson(scorer: ScorerName, result: ScorerResult, info: ImageInfo, count: number): RankerOneSided {
  const [a, b] = info.classNames;
  return {
    scorer,
    meaning: `The images of one class only, ranked by ${scorer}: the ${a}s that look most like ${b}s, and the ${b}s that look most like ${a}s.`,
    lists: {
      [`${a}-like-${b}`]: topImages(result, info, count, 0),
      [`${b}-like-${a}`]: topImages(result, info, count, 1),
    },
  };
}

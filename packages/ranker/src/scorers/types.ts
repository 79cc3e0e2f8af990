// What every scorer returns: one score per image (higher = looks more like both classes)
// and the named quantities the score was built from, for reading and for the JSON.
export interface ScorerResult {
  /** [n] — higher ranks first. */
  scores: Float64Array;
  /** Per-image ingredients of the score, by name, each [n]. */
  components: Record<string, Float64Array>;
  /** One sentence: what a high score means. */
  meaning: string;
}

export const SCORER_NAMES = ['panel-consensus', 'panel-all-images', 'centroid-difference', 'uncertainty', 'neighbourhood', 'both-not-neither'] as const;
export type ScorerName = (typeof SCORER_NAMES)[number];

/** Indices of the images of class `c` (labels are 0 = first class, 1 = second). */
export function classIndices(labels: readonly number[], c: number): number[] {
  const out: number[] = [];
  labels.forEach((l, i) => {
    if (l === c) out.push(i);
  });
  return out;
}

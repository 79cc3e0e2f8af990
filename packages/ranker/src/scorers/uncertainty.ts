// What the classifier cannot decide: the out-of-fold calibrated p(crocodile) closest to 0.5,
// plus disagreement between the fold models (std of their p), which flags images the
// decision depends on the training subset for.
import type { ScorerResult } from './types.ts';

export interface UncertaintyInput {
  /** Out-of-fold calibrated p(crocodile) per image, [n]. */
  p: readonly number[];
  /** p(crocodile) of each fold model per image ([n][folds]); empty lists where there is none. */
  foldProbabilities: readonly (readonly number[])[];
}

export function uncertainty(input: UncertaintyInput, disagreementWeight: number): ScorerResult {
  const n = input.p.length;
  const p = Float64Array.from(input.p);
  const closeness = new Float64Array(n);
  const foldStd = new Float64Array(n);
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    closeness[i] = 1 - 2 * Math.abs(p[i]! - 0.5); // 1 at p = 0.5, 0 at p ∈ {0, 1}
    const folds = input.foldProbabilities[i] ?? [];
    if (folds.length > 1) {
      const mean = folds.reduce((a, b) => a + b, 0) / folds.length;
      foldStd[i] = Math.sqrt(folds.reduce((a, b) => a + (b - mean) ** 2, 0) / folds.length);
    }
    // std of values in [0, 1] is at most 0.5: 2·std is in [0, 1] like closeness.
    scores[i] = closeness[i]! + disagreementWeight * Math.min(1, 2 * foldStd[i]!);
  }
  return {
    scores,
    components: { pCrocodile: p, closeness, foldStd },
    meaning: 'Images one classifier cannot decide: its out-of-fold p(crocodile) closest to 0.5 (1 − 2|p − 0.5|), raised by its fold models’ disagreement (weight × 2·std).',
  };
}

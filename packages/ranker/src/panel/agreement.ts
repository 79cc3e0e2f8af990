// How far independent models agree on which images are ambiguous: the ceiling for any "looks
// like both" ranking. Ambiguity of a model on an image = |p − 0.5| (0 = cannot decide, 0.5 = sure).
// Per pair of panel members: Spearman's rho of their ambiguities over all images, overlap of their
// K most ambiguous images, and "cross ambiguity" — member b's mean |p − 0.5| over member a's K most
// ambiguous images, i.e. how ambiguous one model's picks look to another model.
import { rankOrder } from '../rank.ts';
import { spearman } from '../metrics.ts';
import type { Panel } from './panel.ts';

/** |p − 0.5| per image. */
export const ambiguity = (p: ArrayLike<number>): Float64Array => Float64Array.from(p as ArrayLike<number>, (x) => Math.abs(x - 0.5));

/** The k images a model is least sure about (smallest |p − 0.5|; ties by index). */
export function mostAmbiguous(p: ArrayLike<number>, k: number): number[] {
  return rankOrder(Float64Array.from(p as ArrayLike<number>, (x) => -Math.abs(x - 0.5))).slice(0, k);
}

/** Mean |p − 0.5| over `indices`. */
export function meanAmbiguityOf(p: ArrayLike<number>, indices: readonly number[]): number {
  if (indices.length === 0) throw new Error('meanAmbiguityOf: no images');
  return indices.reduce((s, i) => s + Math.abs(p[i]! - 0.5), 0) / indices.length;
}

const round = (x: number) => Number(x.toFixed(4));
type PairTable = Record<string, Record<string, number>>;

export interface PanelAgreement {
  members: string[];
  /** Each member's mean |p − 0.5| over all images (what a random list scores). */
  meanAmbiguity: Record<string, number>;
  /** spearman[a][b]: rank correlation of |p_a − 0.5| and |p_b − 0.5| over all images. */
  spearman: PairTable;
  /** overlap[`@K`][a][b]: share of a's K most ambiguous images among b's K most ambiguous. */
  overlap: Record<string, PairTable>;
  /** crossAmbiguity[`@K`][a][b]: b's mean |p − 0.5| over a's K most ambiguous images (diagonal: a's own). */
  crossAmbiguity: Record<string, PairTable>;
  /** pairwiseLevel[`@K`]: mean of crossAmbiguity over pairs a ≠ b — how ambiguous one model's picks are to another. */
  pairwiseLevel: Record<string, number>;
}

export function panelAgreement(panel: Panel, ks: readonly number[]): PanelAgreement {
  const { members } = panel;
  const amb = members.map((_, m) => ambiguity(panel.p[m]!));
  const pairs = (f: (a: number, b: number) => number): PairTable =>
    Object.fromEntries(members.map((a, ai) => [a, Object.fromEntries(members.map((b, bi) => [b, round(f(ai, bi))]))]));
  const overlap: Record<string, PairTable> = {};
  const crossAmbiguity: Record<string, PairTable> = {};
  const pairwiseLevel: Record<string, number> = {};
  for (const k of ks) {
    const tops = members.map((_, m) => mostAmbiguous(panel.p[m]!, k));
    overlap[`@${k}`] = pairs((a, b) => {
      const inB = new Set(tops[b]);
      return tops[a]!.filter((i) => inB.has(i)).length / k;
    });
    const cross = (a: number, b: number) => meanAmbiguityOf(panel.p[b]!, tops[a]!);
    crossAmbiguity[`@${k}`] = pairs(cross);
    let sum = 0;
    let count = 0;
    for (let a = 0; a < members.length; a++) {
      for (let b = 0; b < members.length; b++) {
        if (a === b) continue;
        sum += cross(a, b);
        count++;
      }
    }
    pairwiseLevel[`@${k}`] = round(count > 0 ? sum / count : Number.NaN);
  }
  return {
    members: [...members],
    meanAmbiguity: Object.fromEntries(members.map((name, m) => [name, round(amb[m]!.reduce((s, x) => s + x, 0) / amb[m]!.length)])),
    spearman: pairs((a, b) => spearman(amb[a]!, amb[b]!)),
    overlap,
    crossAmbiguity,
    pairwiseLevel,
  };
}

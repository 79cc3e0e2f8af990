// The held-out check: a ranking's top K judged by panel members whose p it was not made from.
// For a scorer that reads the panel, it is refitted without each member in turn (leave one model
// out) and that member judges the refitted top K; a scorer that reads one member's p (uncertainty)
// is judged by the others; a scorer that reads no member's p by all. The figure is the judges'
// mean |p − 0.5| over the top K: lower = the list is more ambiguous to models it never consulted.
import { rankOrder } from '../rank.ts';
import { meanAmbiguityOf } from './agreement.ts';
import type { Panel } from './panel.ts';

export interface HeldOut {
  /** The members that judged (each one whose p the scorer did not use). */
  judges: string[];
  /** byMember[member][`@K`]: that member's mean |p − 0.5| over the top K made without it. */
  byMember: Record<string, Record<string, number>>;
  /** mean[`@K`]: mean over the judges. */
  mean: Record<string, number>;
}

const round = (x: number) => Number(x.toFixed(4));

/**
 * `scoresWithout(member)`: the scorer's scores made without that member's p, or null if the scorer
 * used it and cannot do without (that member then does not judge).
 */
export function heldOutAmbiguity(panel: Panel, ks: readonly number[], scoresWithout: (member: string) => ArrayLike<number> | null): HeldOut {
  const raw: Record<string, number[]> = {};
  panel.members.forEach((member, m) => {
    const scores = scoresWithout(member);
    if (!scores) return;
    const order = rankOrder(scores);
    raw[member] = ks.map((k) => meanAmbiguityOf(panel.p[m]!, order.slice(0, k)));
  });
  const judges = Object.keys(raw);
  if (judges.length === 0) throw new Error('held-out check: no panel member is independent of this scorer');
  return {
    judges,
    byMember: Object.fromEntries(judges.map((j) => [j, Object.fromEntries(ks.map((k, ki) => [`@${k}`, round(raw[j]![ki]!)]))])),
    mean: Object.fromEntries(ks.map((k, ki) => [`@${k}`, round(judges.reduce((s, j) => s + raw[j]![ki]!, 0) / judges.length)])),
  };
}

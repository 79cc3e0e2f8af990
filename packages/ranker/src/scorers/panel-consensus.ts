// Ambiguous to the panel, and (for the headline) typical of the data. The panel's ambiguity of
// an image is the mean over its members of |p − 0.5| ("mean"), or the largest ("worst": every
// member must be unsure). Images flagged as outliers by the isolation diagnostic (k-th-neighbour
// distance far above the dataset's median) rank after every typical image, still by ambiguity:
// an image all models hesitate on because it is unlike anything (a digital clock on blue, a
// crocodile poster) is "neither", not "both".
import type { Panel } from '../panel/panel.ts';
import type { ScorerResult } from './types.ts';

export type ConsensusRule = 'mean' | 'worst';

export interface PanelConsensusOptions {
  rule: ConsensusRule;
  /** Per image: 1 = an outlier (ranked after all others); null = no typicality rule. */
  outlier: Uint8Array | null;
}

/** The panel's |p − 0.5| per image under `rule`, [n]. */
export function panelAmbiguity(panel: Panel, rule: ConsensusRule): Float64Array {
  const n = panel.p[0]!.length;
  return Float64Array.from({ length: n }, (_, i) => {
    let sum = 0;
    let max = 0;
    for (const p of panel.p) {
      const a = Math.abs(p[i]! - 0.5);
      sum += a;
      max = Math.max(max, a);
    }
    return rule === 'mean' ? sum / panel.p.length : max;
  });
}

export function panelConsensus(panel: Panel, opts: PanelConsensusOptions): ScorerResult {
  const amb = panelAmbiguity(panel, opts.rule);
  const n = amb.length;
  if (opts.outlier && opts.outlier.length !== n) throw new Error(`panel-consensus: ${opts.outlier.length} outlier flags for ${n} images`);
  // |p − 0.5| ≤ 0.5, so − 1 puts every outlier below every typical image.
  const scores = Float64Array.from(amb, (a, i) => -a - (opts.outlier?.[i] ? 1 : 0));
  const components: Record<string, Float64Array> = { panelAmbiguity: amb };
  panel.members.forEach((m, k) => (components[`p:${m}`] = panel.p[k]!));
  if (opts.outlier) components.outlier = Float64Array.from(opts.outlier);
  const how = opts.rule === 'mean' ? 'mean' : 'largest';
  const members = `${panel.members.length} models (${panel.members.join(', ')})`;
  return {
    scores,
    components,
    meaning: opts.outlier
      ? `Images that ${members} all find hard to call — smallest ${how} out-of-fold |p(crocodile) − 0.5| — among images that are not outliers in feature space.`
      : `Images that ${members} all find hard to call — smallest ${how} out-of-fold |p(crocodile) − 0.5| — outliers included.`,
  };
}

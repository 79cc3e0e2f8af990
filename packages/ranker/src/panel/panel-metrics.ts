// The panel part of metrics.json: the agreement matrix, every scorer's held-out check, and the
// headline's figures next to the ceiling they are compared with.
import type { RankerMetrics } from '@cvc/artifacts/ranker-metrics';
import type { RankerParams } from '../params.ts';
import type { ScorerName, ScorerResult } from '../scorers/types.ts';
import { rankOrder } from '../rank.ts';
import { panelAgreement } from './agreement.ts';
import { heldOutAmbiguity, type HeldOut } from './held-out.ts';
import { type Panel, panelWithout } from './panel.ts';

export interface PanelMetricsInput {
  params: RankerParams;
  panel: Panel;
  results: Partial<Record<ScorerName, ScorerResult>>;
  /** The panel scorers refitted on a smaller panel. */
  refit: (name: 'panel-consensus' | 'panel-all-images', panel: Panel) => ScorerResult;
  /** The model whose p the uncertainty scorer reads. */
  uncertaintyModel: string;
  /** 1 = flagged an outlier by the isolation diagnostic, [n]. */
  outlier: ArrayLike<number>;
}

export function panelMetrics(input: PanelMetricsInput): Pick<RankerMetrics, 'panel' | 'heldOut' | 'headline'> {
  const { params, panel, results } = input;
  const ks = params.panel.topK;
  const agreement = panelAgreement(panel, ks);
  const heldOut: Record<string, HeldOut> = {};
  for (const [name, r] of Object.entries(results) as [ScorerName, ScorerResult][]) {
    heldOut[name] = heldOutAmbiguity(panel, ks, (member) => {
      if (name === 'panel-consensus' || name === 'panel-all-images') return input.refit(name, panelWithout(panel, member)).scores;
      if (name === 'uncertainty' && member === input.uncertaintyModel) return null;
      return r.scores;
    });
  }
  const headline = params.headline;
  return {
    panel: { ...agreement, descriptions: panel.descriptions },
    heldOut,
    headline: {
      scorer: headline,
      heldOut: heldOut[headline]!.mean,
      pairwiseLevel: agreement.pairwiseLevel,
      outliers: Object.fromEntries(ks.map((k) => [`@${k}`, rankOrder(results[headline]!.scores).slice(0, k).filter((i) => input.outlier[i] === 1).length])),
    },
  };
}

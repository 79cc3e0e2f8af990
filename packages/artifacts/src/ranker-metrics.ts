// Artifact `ranker_metrics` (artifacts/ranker/metrics.json): how far the panel of models agrees
// on which images are ambiguous, the held-out check of every scorer against that panel, and the
// diagnostics between scorers (rank correlation, overlap, misclassified share, class counts,
// isolation and outliers, where the most "neither" images land).
import { z } from 'zod';

/** table[a][b] */
const pairTable = z.record(z.string(), z.record(z.string(), z.number()));
/** byK[`@K`] */
const byK = z.record(z.string(), z.number());

export const rankerPanelAgreement = z.strictObject({
  members: z.array(z.string()).min(2),
  /** What each member is. */
  descriptions: z.record(z.string(), z.string()),
  /** Each member's mean |p − 0.5| over all images. */
  meanAmbiguity: z.record(z.string(), z.number()),
  /** Spearman's rho of |p_a − 0.5| and |p_b − 0.5| over all images. */
  spearman: pairTable,
  /** overlap[`@K`][a][b]: share of a's K most ambiguous images among b's. */
  overlap: z.record(z.string(), pairTable),
  /** crossAmbiguity[`@K`][a][b]: b's mean |p − 0.5| over a's K most ambiguous images. */
  crossAmbiguity: z.record(z.string(), pairTable),
  /** pairwiseLevel[`@K`]: mean crossAmbiguity over pairs a ≠ b — the ceiling a held-out figure is compared with. */
  pairwiseLevel: byK,
});

export const rankerHeldOut = z.strictObject({
  /** Members whose p the scorer's list was made without. */
  judges: z.array(z.string()).min(1),
  /** byMember[member][`@K`]: the member's mean |p − 0.5| over the scorer's top K made without it. */
  byMember: z.record(z.string(), byK),
  /** mean[`@K`] over the judges. */
  mean: byK,
});

export const rankerMetrics = z.strictObject({
  images: z.number().int().min(1),
  topK: z.array(z.number().int().min(1)),
  panel: rankerPanelAgreement,
  /** Per scorer: the held-out panel mean |p − 0.5| of its top K. */
  heldOut: z.record(z.string(), rankerHeldOut),
  /** The done-check in one place: the headline's held-out figure against the panel's pairwise level, and its outliers. */
  headline: z.strictObject({
    scorer: z.string(),
    heldOut: byK,
    pairwiseLevel: byK,
    outliers: byK,
  }),
  /** Spearman's rho between the scorers' full rankings. */
  spearman: pairTable,
  /** overlap[`@K`][a][b]: share of a's top K in b's top K. */
  overlap: z.record(z.string(), pairTable),
  /** Share of each scorer's top K the oofModel gets wrong out of fold. */
  misclassifiedOutOfFold: z.record(z.string(), byK),
  misclassifiedOverall: z.number(),
  /** classCounts[scorer][`@K`][class]: images of each class in the top K. */
  classCounts: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.number().int()))),
  /** medianIsolation[scorer][`@K`]: 1 = typical density, ≫ 1 = outliers. */
  medianIsolation: z.record(z.string(), byK),
  isolationLayer: z.string(),
  /** Images flagged as outliers (isolation above `threshold`): over all images and in each scorer's top K. */
  outliers: z.strictObject({
    threshold: z.number(),
    overall: z.number().int().min(0),
    byScorer: z.record(z.string(), byK),
  }),
  /** Where the most "neither" images (far from both classes) land under each scorer. */
  neither: z
    .strictObject({
      count: z.number().int().min(0),
      definition: z.string(),
      medianRankPercentile: z.record(z.string(), z.number()),
      inTop100: z.record(z.string(), z.number().int()),
    })
    .optional(),
});
export type RankerMetrics = z.infer<typeof rankerMetrics>;

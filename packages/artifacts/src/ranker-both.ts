// Artifact `ranker_both` (artifacts/ranker/both.json): per scorer, what it ranks (one sentence)
// and its top K images that look like both classes, with the quantities each score was built from.
import { z } from 'zod';

export const rankerRankedImage = z.strictObject({
  /** 1 = first. */
  rank: z.number().int().min(1),
  /** Dataset index. */
  index: z.number().int().min(0),
  file: z.string(),
  /** True class name. */
  label: z.string(),
  score: z.number(),
  /** The per-image quantities the score was built from, by name. */
  components: z.record(z.string(), z.number()),
  /** Out-of-fold calibrated p(class 1) of the ranker's `oofModel`. */
  pCrocodile: z.number().min(0).max(1),
  misclassifiedOutOfFold: z.boolean(),
  /** Flagged by the isolation diagnostic (k-th-neighbour distance above the threshold in metrics.json). */
  outlier: z.boolean(),
});
export type RankedImage = z.infer<typeof rankerRankedImage>;

export const panelMember = z.strictObject({ name: z.string(), description: z.string() });

export const rankerBoth = z.strictObject({
  classNames: z.array(z.string()).length(2),
  /** The embedder's model and variant whose features the layer-based scorers use. */
  embeddings: z.strictObject({ model: z.string(), variant: z.string() }),
  /** The classifier model whose p the uncertainty scorer and the captions use. */
  oofModel: z.string(),
  /** The scorer shown as the main list. */
  headline: z.string(),
  /** The panel of models whose out-of-fold p the panel scorers combine. */
  panel: z.array(panelMember).min(2),
  topK: z.number().int().min(1),
  scorers: z.record(
    z.string(),
    z.strictObject({
      /** Embedding layer used (null: none). */
      layer: z.string().nullable(),
      /** One sentence: what the list ranks. */
      meaning: z.string().min(1),
      top: z.array(rankerRankedImage),
    }),
  ),
});
export type RankerBoth = z.infer<typeof rankerBoth>;

// Ranker params (stages.ranker.params in the pipeline file). Only the ranker reads them, so
// changing them reruns the ranker alone.
import { z } from 'zod';
import { SCORER_NAMES } from './scorers/types.ts';

const layer = z.string().min(1);

export const rankerParams = z
  .object({
    /** Scorers to run, each giving a full ranking. */
    scorers: z.array(z.enum(SCORER_NAMES)).min(1).default([...SCORER_NAMES]),
    /** The scorer whose top images are the headline list (the report's and README's main picture). */
    headline: z.enum(SCORER_NAMES).default('panel-consensus'),
    /** Models whose out-of-fold p are compared (agreement matrix) and combined (the panel scorers). */
    panel: z
      .object({
        /** Classifier models (names in classifier_oof). */
        models: z.array(z.string().min(1)).min(1).default(['shallow', 'cnn', 'resnet-scratch', 'resnet']),
        /** A k-nearest-neighbour member on an embedding layer, out of fold (null: none). */
        knn: z
          .object({ layer: layer.default('pooled'), k: z.number().int().min(1).max(199).default(10) })
          .nullable()
          .default({ layer: 'pooled', k: 10 }),
        /** How member ambiguities |p − 0.5| combine: their mean, or the largest (worst). */
        consensus: z.enum(['mean', 'worst']).default('mean'),
        /** K for the agreement matrix's overlap and the held-out check. */
        topK: z.array(z.number().int().min(1)).min(1).default([16, 32]),
      })
      .default({ models: ['shallow', 'cnn', 'resnet-scratch', 'resnet'], knn: { layer: 'pooled', k: 10 }, consensus: 'mean', topK: [16, 32] }),
    /** How many top images per scorer go to both.json. */
    topK: z.number().int().min(1).max(1000).default(32),
    centroidDifference: z.object({ layer: layer.default('fc7') }).default({ layer: 'fc7' }),
    uncertainty: z
      .object({
        /** Classifier model whose OOF p is used; "embedder" = the model the embeddings come from. */
        model: z.string().min(1).default('embedder'),
        /** Weight of fold disagreement (2·std of fold p, in [0, 1]) next to closeness to 0.5. */
        disagreementWeight: z.number().min(0).max(10).default(0.5),
      })
      .default({ model: 'embedder', disagreementWeight: 0.5 }),
    neighbourhood: z
      .object({
        layer: layer.default('pooled'),
        k: z.number().int().min(1).max(199).default(10),
        /** Unit-length rows first (cosine neighbours). */
        normalize: z.boolean().default(true),
      })
      .default({ layer: 'pooled', k: 10, normalize: true }),
    bothNotNeither: z
      .object({
        layer: layer.default('pooled'),
        /** "ledoit-wolf" or a fixed shrinkage intensity in [0, 1]. */
        shrinkage: z.union([z.literal('ledoit-wolf'), z.number().min(0).max(1)]).default('ledoit-wolf'),
        /** Share of each class's most distant members left out when fitting its Gaussian. */
        trim: z.number().min(0).max(0.45).default(0.1),
      })
      .default({ layer: 'pooled', shrinkage: 'ledoit-wolf', trim: 0.1 }),
    /** The one-sided lists (clocks most like crocodiles and the reverse): this scorer's ranking within each class. */
    oneSided: z
      .object({ scorer: z.enum(SCORER_NAMES).default('both-not-neither'), count: z.number().int().min(1).max(256).default(32) })
      .default({ scorer: 'both-not-neither', count: 32 }),
    /** Isolation diagnostic: k-th-neighbour distance in this layer, relative to the dataset median; above `outlier` an image is flagged as an outlier. */
    isolation: z
      .object({ layer: layer.default('pooled'), k: z.number().int().min(1).max(199).default(10), outlier: z.number().gt(1).default(1.5) })
      .default({ layer: 'pooled', k: 10, outlier: 1.5 }),
    /** K values for overlap@K and the misclassified share of the top K. */
    metricsTopK: z.array(z.number().int().min(1)).min(1).default([10, 32, 100]),
    sheet: z
      .object({
        count: z.number().int().min(1).max(256).default(32),
        columns: z.number().int().min(1).max(32).default(8),
        scale: z.number().int().min(1).max(8).default(4),
      })
      .default({ count: 32, columns: 8, scale: 4 }),
  })
  .superRefine((p, ctx) => {
    if (!p.scorers.includes(p.headline)) {
      ctx.addIssue({ code: 'custom', path: ['headline'], message: `"${p.headline}" is not among scorers [${p.scorers.join(', ')}]` });
    }
    if (!p.scorers.includes(p.oneSided.scorer)) {
      ctx.addIssue({ code: 'custom', path: ['oneSided', 'scorer'], message: `"${p.oneSided.scorer}" is not among scorers [${p.scorers.join(', ')}]` });
    }
  });
export type RankerParams = z.infer<typeof rankerParams>;

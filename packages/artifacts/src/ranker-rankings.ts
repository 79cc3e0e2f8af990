// Artifact `ranker_rankings` (artifacts/ranker/rankings.json): every scorer's full ranking.
import { z } from 'zod';

export const rankerRankings = z.strictObject({
  /** Dataset files in index order. */
  files: z.array(z.string()),
  scorers: z.record(
    z.string(),
    z.strictObject({
      /** Dataset indices, first = looks most like both. */
      order: z.array(z.number().int().min(0)),
      /** Score per image, in dataset order. */
      scores: z.array(z.number()),
    }),
  ),
});
export type RankerRankings = z.infer<typeof rankerRankings>;

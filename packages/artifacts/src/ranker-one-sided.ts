// Artifact `ranker_one_sided` (artifacts/ranker/one-sided.json): within each class, its images
// that look most like the other class (one scorer's ranking restricted to the class).
import { z } from 'zod';
import { rankerRankedImage } from './ranker-both.ts';

export const rankerOneSided = z.strictObject({
  scorer: z.string(),
  /** One sentence: what the lists rank. */
  meaning: z.string().min(1),
  /** `<class>-like-<other class>` → ranked images of that class. */
  lists: z.record(z.string(), z.array(rankerRankedImage)),
});
export type RankerOneSided = z.infer<typeof rankerOneSided>;

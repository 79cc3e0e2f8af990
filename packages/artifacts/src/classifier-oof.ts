// Artifact `classifier_oof` (artifacts/classifier/oof-predictions.json): every image's out-of-fold
// p(class 1) per model — dev images by their own fold's model, test images by the mean of the fold models.
import { z } from 'zod';

export const oofImage = z.strictObject({
  index: z.number().int().min(0),
  file: z.string(),
  label: z.number().int().min(0),
  /** The image's fold (null: a test image). */
  fold: z.number().int().min(0).nullable(),
  /** Temperature-scaled, per model. */
  pCrocodile: z.record(z.string(), z.number()),
  pCrocodileRaw: z.record(z.string(), z.number()),
  /** Raw p of every fold model (only entry [fold] is out-of-fold for a dev image). */
  foldProbabilities: z.record(z.string(), z.array(z.number())),
});
export type OofImage = z.infer<typeof oofImage>;

export const classifierOof = z.strictObject({
  classes: z.tuple([z.string(), z.string()]),
  models: z.array(z.string()).min(1),
  folds: z.number().int().min(0),
  temperature: z.record(z.string(), z.number()),
  note: z.string(),
  images: z.array(oofImage),
});
export type ClassifierOof = z.infer<typeof classifierOof>;

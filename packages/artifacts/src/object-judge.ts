// Artifact `object_judge_model` (artifacts/object-judge/model/): the 12-way classifier (CIFAR-10's
// ten classes + the dataset's classes), a tfjs layers model whose output is logits over `classes`,
// with this metadata.json. The generator reads it as its object-aware judge.
import { z } from 'zod';
import { modelDescription, normalization } from './model-files.ts';

export const objectJudgeModelMetadata = z.strictObject({
  /** Class names in output order: CIFAR-10's ten, then the dataset's (clock, crocodile). */
  classes: z.array(z.string().min(1)).min(3),
  normalization,
  inputSize: z.number().int().positive(),
  output: z.literal('logits'),
  /** The layer whose activations are its feature space (FID/KID). */
  featureLayer: z.string().min(1),
  /** The architecture block it was built from (random init). */
  architecture: z.record(z.string(), z.unknown()),
  epochs: z.number().int().min(1),
  data: z.strictObject({
    cifar10: z.strictObject({ package: z.string(), integrity: z.string(), train: z.number().int().min(1), test: z.number().int().min(1) }),
    /** The dataset's content hash, its training-split size, and how often each class's images were repeated per epoch. */
    dataset: z.strictObject({ contentHash: z.string(), trainImages: z.number().int().min(1), repeats: z.record(z.string(), z.number().int().min(1)) }),
  }),
  /** Held-out top-1: CIFAR-10's test split (12-way), and per dataset class on its test split. */
  accuracy: z.strictObject({ cifar10Test: z.number().min(0).max(1), datasetTest: z.record(z.string(), z.number().min(0).max(1)) }),
  ...modelDescription,
});
export type ObjectJudgeModelMetadata = z.infer<typeof objectJudgeModelMetadata>;

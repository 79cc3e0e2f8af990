// Artifact `pretrained_model` (artifacts/pretrain/model/): the resnet with a 10-way CIFAR-10 head,
// a tfjs layers model with this metadata.json.
import { z } from 'zod';
import { modelDescription, normalization } from './model-files.ts';

export const cifar10Data = z.strictObject({
  /** The npm package the images come from, and its registry integrity. */
  package: z.string(),
  integrity: z.string(),
  classes: z.array(z.string()).length(10),
  train: z.number().int().min(1),
  test: z.number().int().min(1),
});

export const pretrainedModelMetadata = z.strictObject({
  /** The classifier params' architecture block this network was built from. */
  architecture: z.record(z.string(), z.unknown()),
  normalization,
  inputSize: z.number().int().positive(),
  output: z.string(),
  data: cifar10Data,
  epochs: z.number().int().min(1),
  testAccuracy: z.number().min(0).max(1),
  ...modelDescription,
});
export type PretrainedModelMetadata = z.infer<typeof pretrainedModelMetadata>;

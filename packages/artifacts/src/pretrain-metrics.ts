// Artifact `pretrain_metrics` (artifacts/pretrain/metrics.json): the CIFAR-10 pretraining per epoch.
import { z } from 'zod';
import { cifar10Data } from './pretrained-model.ts';

export const softmaxEpoch = z.strictObject({
  epoch: z.number().int().min(1),
  trainLoss: z.number(),
  trainAccuracy: z.number(),
  testLoss: z.number(),
  testAccuracy: z.number(),
});

export const pretrainMetrics = z.strictObject({
  data: cifar10Data,
  epochs: z.number().int().min(1),
  testAccuracy: z.number().min(0).max(1),
  history: z.array(softmaxEpoch).min(1),
});
export type PretrainMetrics = z.infer<typeof pretrainMetrics>;

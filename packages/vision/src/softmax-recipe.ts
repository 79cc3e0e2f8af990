// The training recipe of an n-way softmax classifier on CIFAR-10-sized data (the pretrain and
// object-judge stages): its params schema, written once, and the fields trainSoftmaxClassifier takes.
import { z } from 'zod';

/** Spread into a stage's params object (`...softmaxRecipeShape`) so its YAML keys stay flat. */
export const softmaxRecipeShape = {
  batchSize: z.number().int().min(1).max(1024).default(128),
  /** SGD with Nesterov momentum 0.9; warm-up epochs, then cosine decay to 0. */
  learningRate: z.number().positive().max(1).default(0.1),
  warmupEpochs: z.number().int().min(0).default(1),
  /** Decoupled weight decay on conv and dense kernels. */
  weightDecay: z.number().min(0).max(1).default(0.0005),
  labelSmoothing: z.number().min(0).max(0.5).default(0.1),
  augment: z.object({ flip: z.boolean().default(true), pad: z.number().int().min(0).max(8).default(4) }).default({ flip: true, pad: 4 }),
};

export type SoftmaxRecipe = { [K in keyof typeof softmaxRecipeShape]: z.infer<(typeof softmaxRecipeShape)[K]> };

/** The recipe's fields out of a stage's params (what trainSoftmaxClassifier takes besides data and seeds). */
export function softmaxRecipe(params: SoftmaxRecipe): SoftmaxRecipe {
  const { batchSize, learningRate, warmupEpochs, weightDecay, labelSmoothing, augment } = params;
  return { batchSize, learningRate, warmupEpochs, weightDecay, labelSmoothing, augment };
}

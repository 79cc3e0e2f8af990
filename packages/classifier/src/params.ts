// The classifier stage's params: which models to train, their architecture and training recipe.
import { z } from 'zod';
import { architecture } from '@cvc/vision/architecture';

const augment = z
  .object({
    /** Random horizontal flips (p = 0.5). */
    flip: z.boolean().default(false),
    /** Pad by this many pixels (with the mean colour) and crop back at a random offset. */
    pad: z.number().int().min(0).max(8).default(0),
    /** Side of a random square set to the mean colour (0 = off). */
    cutout: z.number().int().min(0).max(24).default(0),
    /** Random zoom by a factor in [1 − scale, 1 + scale] (bilinear; 0 = off). */
    scale: z.number().min(0).max(0.5).default(0),
    /** Random rotation in [−rotate, rotate] degrees (0 = off). */
    rotate: z.number().min(0).max(45).default(0),
    /** Probability of turning an image grey (channel mean; 0 = off). */
    grayscale: z.number().min(0).max(1).default(0),
  })
  .default({ flip: false, pad: 0, cutout: 0, scale: 0, rotate: 0, grayscale: 0 });

export const trainingSpec = z.object({
  /** Epochs of the run on the train split; the epoch count for folds and the full model is chosen on validation. */
  maxEpochs: z.number().int().min(1).max(500),
  learningRate: z.number().positive().max(1),
  /** constant, or cosine decay to 0 after a linear warm-up. */
  schedule: z.enum(['constant', 'cosine']).default('constant'),
  warmupEpochs: z.number().int().min(0).default(0),
  /** Targets become y·(1−ε) + ε/2. */
  labelSmoothing: z.number().min(0).max(0.5).default(0),
  augment,
  /** Test-time augmentation: average the logits of each image and its mirror. */
  tta: z.boolean().default(false),
  /** Also average over the image shifted by this many pixels left, right, up and down (0 = off). */
  ttaShift: z.number().int().min(0).max(4).default(0),
  /** adam (native fused) or sgd (Nesterov momentum 0.9). */
  optimizer: z.enum(['adam', 'sgd']).default('adam'),
  /** Decoupled weight decay on conv and dense kernels: w ← w·(1 − lr·weightDecay) after each step. */
  weightDecay: z.number().min(0).max(1).default(0),
  /** Mixup or CutMix with λ ~ Beta(alpha, alpha). */
  mix: z
    .object({ kind: z.enum(['none', 'mixup', 'cutmix']).default('none'), alpha: z.number().positive().max(10).default(1) })
    .default({ kind: 'none', alpha: 1 }),
  /** Exponential moving average of the weights, used for evaluation and saving (0 = off; e.g. 0.99). */
  ema: z.number().min(0).max(0.9999).default(0),
});

export const modelSpec = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and -'),
  architecture,
  training: trainingSpec,
  /** Independently seeded networks per trained model (validation run, each fold, full), logits averaged; 1 = a single network. */
  ensemble: z.number().int().min(1).max(8).default(1),
  /** random: seeded initialisers; pretrained: every layer but the logit starts from the pretrain stage's model (same architecture). */
  init: z.enum(['random', 'pretrained']).default('random'),
}).refine((m) => m.init === 'random' || m.architecture.kind === 'resnet', { message: 'init: pretrained needs architecture.kind resnet (the pretrain stage trains a resnet)', path: ['init'] });
export type ModelSpec = z.infer<typeof modelSpec>;
export type TrainingSpec = z.infer<typeof trainingSpec>;

export const classifierParams = z.object({
  models: z
    .array(modelSpec)
    .min(1)
    .refine((models) => new Set(models.map((m) => m.name)).size === models.length, 'model names must be unique'),
  batchSize: z.number().int().min(1).max(1024).default(32),
  /** Reliability-diagram and ECE bins. */
  calibrationBins: z.number().int().min(2).max(50).default(10),
  /** Misclassified images shown per model in the gallery. */
  galleryMax: z.number().int().min(1).max(200).default(48),
});
export type ClassifierParams = z.infer<typeof classifierParams>;

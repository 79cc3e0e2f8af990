// What every generative model here offers the sampling, figures, metrics and CLI code.
import type * as tfTypes from '@tensorflow/tfjs';
import type { Rng } from '@cvc/core';
import type { WeightStore } from './weights.ts';
import type { TrainingImages } from './trainer.ts';

export interface Batch {
  /** [n, 32, 32, 3] in [0, 1]. */
  x: tfTypes.Tensor4D;
  /** [n, 2] one-hot (clock, crocodile). */
  y: tfTypes.Tensor2D;
}

export interface ConditionalGenerator {
  readonly latentDim: number;
  /** The latent is already [z_clock | z_crocodile], each class reading its own half (the autoencoder's): guidance's `splitLatent` leaves it as it is. */
  readonly latentPerClass?: boolean;
  /** z [n, latentDim], y [n, 2] soft label (1-mix, mix) → images [n, 32, 32, 3] in [0, 1]. */
  decode(z: tfTypes.Tensor2D, y: tfTypes.Tensor2D): tfTypes.Tensor4D;
}

export interface TrainableModel extends ConditionalGenerator {
  /** Everything saved in a checkpoint besides the optimizers (weights, EMA, power-iteration vectors). */
  readonly stores: WeightStore[];
  readonly optimizers: Record<string, tfTypes.Optimizer>;
  /** One optimisation step on a batch; `rng` supplies all its randomness. Returns named losses. */
  step(batch: Batch, rng: Rng): Record<string, number>;
  /** Latent codes of real images, for interpolation strips (the VAE's encoder mean; undefined if the model has no encoder). */
  encode?(batch: Batch): tfTypes.Tensor2D;
  /** Work on the finished weights and the training images before sampling (the autoencoder fits its latent density); deterministic. */
  afterTraining?(data: TrainingImages): void;
  /** Hybrids for noise z [n, latentDim] the model's own way (default: decode at mix ½); any further randomness from `rng`; images in [0, 1]. */
  hybridsFor?(z: tfTypes.Tensor2D, rng: Rng): { images: tfTypes.Tensor4D; mixes: number[] };
  dispose(): void;
}

/** Standard-normal latents [n, dim] from a seeded rng. */
export function normalLatents(tf: typeof tfTypes, n: number, dim: number, rng: Rng): tfTypes.Tensor2D {
  const values = new Float32Array(n * dim);
  for (let i = 0; i < values.length; i++) values[i] = rng.normal();
  return tf.tensor2d(values, [n, dim]);
}

/** Soft labels [n, 2] = (1 - mix, mix) for each mix. */
export function mixLabels(tf: typeof tfTypes, mixes: number[]): tfTypes.Tensor2D {
  return tf.tensor2d(mixes.flatMap((m) => [1 - m, m]), [mixes.length, 2]);
}

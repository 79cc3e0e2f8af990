// Build a model of a kind from its params; the checkpoint key that makes stale checkpoints unusable.
import { canonicalJson, sha256, type Rng } from '@cvc/core';
import { createDiffusion, type DiffusionConfig } from './diffusion.ts';
import { createGan, type GanConfig } from './gan.ts';
import type { TrainableModel } from './model.ts';
import type { GeneratorParams, ModelKind } from './params.ts';
import { createVae, type VaeConfig } from './vae.ts';
import { createAutoencoder, type AutoencoderConfig } from './autoencoder.ts';
import type { FeatureTrunk } from './feature-trunk.ts';
import { INFERENCE_ONLY_FIELDS } from './hybrid-rules.ts';
import type { Tf } from './weights.ts';

export function modelConfig(params: GeneratorParams, kind: ModelKind): GeneratorParams[ModelKind] {
  return params[kind];
}

/** `trunk`: the frozen feature network the autoencoder's perceptual loss needs to train (not to sample). */
export function createModel(tf: Tf, kind: ModelKind, config: unknown, rng: Rng, trunk?: FeatureTrunk): TrainableModel {
  if (kind === 'vae') return createVae(tf, config as VaeConfig, rng);
  if (kind === 'autoencoder') return createAutoencoder(tf, config as AutoencoderConfig, rng, trunk);
  if (kind === 'gan') return createGan(tf, config as GanConfig, rng);
  return createDiffusion(tf, config as DiffusionConfig, rng);
}

export function buildModel(tf: Tf, kind: ModelKind, params: GeneratorParams, rng: Rng, trunk?: FeatureTrunk): TrainableModel {
  return createModel(tf, kind, params[kind], rng, trunk);
}

/**
 * Digest of everything a training run depends on: kind, its params, the data, the seed and the code
 * (the stage's code digest, native kernels included), so a checkpoint made by other code is never resumed.
 */
export function trainingDigest(kind: ModelKind, config: unknown, datasetHash: string, seed: number, codeDigest: string): string {
  return sha256(canonicalJson({ kind, config: trainingConfig(kind, config), datasetHash, seed, code: codeDigest })).slice(0, 16);
}

/** The config without the fields that only change sampling (the autoencoder's hybrid rule). */
export function trainingConfig(kind: ModelKind, config: unknown): unknown {
  if (kind !== 'autoencoder') return config;
  const rest: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  for (const field of INFERENCE_ONLY_FIELDS) delete rest[field];
  return rest;
}

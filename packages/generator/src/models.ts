// Build a model of a kind from its params; the checkpoint key that makes stale checkpoints unusable.
import { canonicalJson, sha256, type Rng } from '@cvc/core';
import { createDiffusion, type DiffusionConfig } from './diffusion.ts';
import { createGan, type GanConfig } from './gan.ts';
import type { TrainableModel } from './model.ts';
import type { GeneratorParams, ModelKind } from './params.ts';
import { createVae, type VaeConfig } from './vae.ts';
import type { Tf } from './weights.ts';

export function modelConfig(params: GeneratorParams, kind: ModelKind): GeneratorParams[ModelKind] {
  return params[kind];
}

export function createModel(tf: Tf, kind: ModelKind, config: unknown, rng: Rng): TrainableModel {
  if (kind === 'vae') return createVae(tf, config as VaeConfig, rng);
  if (kind === 'gan') return createGan(tf, config as GanConfig, rng);
  return createDiffusion(tf, config as DiffusionConfig, rng);
}

export function buildModel(tf: Tf, kind: ModelKind, params: GeneratorParams, rng: Rng): TrainableModel {
  return createModel(tf, kind, params[kind], rng);
}

/**
 * Digest of everything a training run depends on: kind, its params, the data, the seed and the code
 * (the stage's code digest, native kernels included), so a checkpoint made by other code is never resumed.
 */
export function trainingDigest(kind: ModelKind, config: unknown, datasetHash: string, seed: number, codeDigest: string): string {
  return sha256(canonicalJson({ kind, config, datasetHash, seed, code: codeDigest })).slice(0, 16);
}

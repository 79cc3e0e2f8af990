// Build a model of a kind from its params; the checkpoint key that makes stale checkpoints unusable.
import { canonicalJson, sha256, type Rng } from '@cvc/core';
import { createGan } from './gan.ts';
import type { TrainableModel } from './model.ts';
import type { GeneratorParams, ModelKind } from './params.ts';
import { createVae } from './vae.ts';
import type { Tf } from './weights.ts';

/** Bump when a model's code changes in a way that makes old checkpoints wrong. */
export const MODEL_CODE_VERSION = 1;

export function modelConfig(params: GeneratorParams, kind: ModelKind): GeneratorParams['vae'] | GeneratorParams['gan'] {
  return kind === 'vae' ? params.vae : params.gan;
}

export function buildModel(tf: Tf, kind: ModelKind, params: GeneratorParams, rng: Rng): TrainableModel {
  return kind === 'vae' ? createVae(tf, params.vae, rng) : createGan(tf, params.gan, rng);
}

/** Digest of everything a training run depends on: kind, its params, the data, the seed, the code version. */
export function trainingDigest(kind: ModelKind, config: unknown, datasetHash: string, seed: number): string {
  return sha256(canonicalJson({ kind, config, datasetHash, seed, code: MODEL_CODE_VERSION })).slice(0, 16);
}

// The trained generator as an artifact: artifacts/generator/<model>/checkpoint/ holds the
// weights (weights.bin + weights.json) and config.json; restoreGenerator rebuilds the model.
import { join } from 'node:path';
import { createRng, readJson, writeJsonAtomic } from '@cvc/core';
import type { DiffusionConfig } from './diffusion.ts';
import type { GanConfig } from './gan.ts';
import type { TrainableModel } from './model.ts';
import { createModel } from './models.ts';
import { MODEL_KINDS, type ModelKind } from './params.ts';
import type { VaeConfig } from './vae.ts';
import type { AutoencoderConfig } from './autoencoder.ts';
import { loadStores, saveStores, type Tf } from './weights.ts';

export const CONFIG_FILE = 'config.json';

export interface GeneratorConfigFile {
  kind: ModelKind;
  config: VaeConfig | GanConfig | DiffusionConfig | AutoencoderConfig;
  classNames: string[];
  epochs: number;
}

export function saveGenerator(dir: string, model: TrainableModel, info: GeneratorConfigFile): void {
  saveStores(dir, 'weights', model.stores);
  writeJsonAtomic(join(dir, CONFIG_FILE), info);
}

export function restoreGenerator(tf: Tf, dir: string): { model: TrainableModel; info: GeneratorConfigFile } {
  const info = readJson<GeneratorConfigFile>(join(dir, CONFIG_FILE));
  if (!MODEL_KINDS.includes(info.kind)) throw new Error(`${join(dir, CONFIG_FILE)}: "kind" must be one of ${MODEL_KINDS.join(', ')} (got ${String(info.kind)})`);
  // The init rng only shapes the starting weights, which the saved ones overwrite.
  const rng = createRng(0);
  const model = createModel(tf, info.kind, info.config, rng);
  loadStores(tf, dir, 'weights', model.stores);
  return { model, info };
}

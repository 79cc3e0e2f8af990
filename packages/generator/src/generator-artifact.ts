// The trained generator as an artifact: artifacts/generator/<model>/checkpoint/ holds the
// weights (weights.bin + weights.json) and config.json; restoreGenerator rebuilds the model.
import { join } from 'node:path';
import { createRng, readJson, writeJsonAtomic } from '@cvc/core';
import { createGan, type GanConfig } from './gan.ts';
import type { TrainableModel } from './model.ts';
import type { ModelKind } from './params.ts';
import { createVae, type VaeConfig } from './vae.ts';
import { loadStores, saveStores, type Tf } from './weights.ts';

export const CONFIG_FILE = 'config.json';

export interface GeneratorConfigFile {
  kind: ModelKind;
  config: VaeConfig | GanConfig;
  classNames: string[];
  epochs: number;
}

export function saveGenerator(dir: string, model: TrainableModel, info: GeneratorConfigFile): void {
  saveStores(dir, 'weights', model.stores);
  writeJsonAtomic(join(dir, CONFIG_FILE), info);
}

export function restoreGenerator(tf: Tf, dir: string): { model: TrainableModel; info: GeneratorConfigFile } {
  const info = readJson<GeneratorConfigFile>(join(dir, CONFIG_FILE));
  if (info.kind !== 'vae' && info.kind !== 'gan') throw new Error(`${join(dir, CONFIG_FILE)}: "kind" must be vae or gan (got ${String(info.kind)})`);
  // The init rng only shapes the starting weights, which the saved ones overwrite.
  const rng = createRng(0);
  const model = info.kind === 'vae' ? createVae(tf, info.config as VaeConfig, rng) : createGan(tf, info.config as GanConfig, rng);
  loadStores(tf, dir, 'weights', model.stores);
  return { model, info };
}

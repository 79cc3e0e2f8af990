// Which trained classifier the embeddings come from: `model: best` reads models/best.json
// (written by the classifier stage); `variant: full` is the model trained on train ∪ validation,
// so every image lands in one common feature space (fold models each have their own).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readJson } from '@cvc/core';

export interface BestModel {
  model: string;
  folds: number;
}

export interface ModelChoice {
  /** Model name, e.g. "cnn". */
  model: string;
  /** "full" or "fold-<k>". */
  variant: string;
  /** Absolute path of the tfjs-model folder. */
  dir: string;
}

export function readBestModel(modelsDir: string): BestModel {
  const file = join(modelsDir, 'best.json');
  const best = readJson<Partial<BestModel>>(file);
  if (typeof best.model !== 'string' || best.model === '') throw new Error(`${file}: field "model" must name the best model`);
  return { model: best.model, folds: typeof best.folds === 'number' ? best.folds : 0 };
}

/** Resolve `model` ("best" or a model name) and `variant` ("full" or "fold-<k>") to a model folder. */
export function selectModel(modelsDir: string, model: string, variant: string): ModelChoice {
  const name = model === 'best' ? readBestModel(modelsDir).model : model;
  const dir = join(modelsDir, name, variant);
  if (!existsSync(join(dir, 'model.json'))) {
    throw new Error(`${join(dir, 'model.json')}: no such model (params model "${model}" → "${name}", variant "${variant}")`);
  }
  return { model: name, variant, dir };
}

// Which trained classifier the embeddings come from. `model: best` reads models/best.json (written
// by the classifier stage); if that model lacks a requested layer (the shallow net has no 'pooled'
// convolution), it falls back to the model with the highest out-of-fold accuracy that has them all.
// `variant: full` is the model trained on train ∪ validation, so every image lands in one common
// feature space (fold models each have their own).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readJson, readJsonArtifact } from '@cvc/core';
import { bestModel, type BestModel } from '@cvc/artifacts/classifier-models';

export interface ModelChoice {
  /** Model name, e.g. "cnn". */
  model: string;
  /** "full" or "fold-<k>". */
  variant: string;
  /** Absolute path of the tfjs-model folder. */
  dir: string;
  /** Why this model: for the log and index.json. */
  reason: string;
}

export function readBestModel(modelsDir: string): BestModel {
  return readJsonArtifact(join(modelsDir, 'best.json'), bestModel);
}

function modelDir(modelsDir: string, name: string, variant: string): string {
  const dir = join(modelsDir, name, variant);
  if (!existsSync(join(dir, 'model.json'))) throw new Error(`${join(dir, 'model.json')}: no such model (model "${name}", variant "${variant}")`);
  return dir;
}

type LayerEntry = { name?: unknown; config?: { name?: unknown } };

/** Layer names of a saved layers model, read from its topology (no weights loaded). */
export function modelLayerNames(dir: string): string[] {
  const file = join(dir, 'model.json');
  const json = readJson<{ modelTopology?: { config?: { layers?: LayerEntry[] }; model_config?: { config?: { layers?: LayerEntry[] } } } }>(file);
  const layers = json.modelTopology?.config?.layers ?? json.modelTopology?.model_config?.config?.layers;
  if (!Array.isArray(layers)) throw new Error(`${file}: no layer list in modelTopology`);
  // Functional models name each entry; sequential ones only inside its config.
  return layers.map((l) => String(l.name ?? l.config?.name));
}

/** Out-of-fold accuracy per model (images with a fold), from the classifier's oof-predictions.json. */
export function oofAccuracies(oofFile: string): Record<string, number> {
  const raw = readJson<{ images?: unknown } | unknown[]>(oofFile);
  const images = (Array.isArray(raw) ? raw : (raw as { images?: unknown }).images) as
    | { label?: number; fold?: number | null; pCrocodile?: Record<string, number> }[]
    | undefined;
  if (!Array.isArray(images)) throw new Error(`${oofFile}: expected an "images" list of per-image predictions`);
  const right: Record<string, number> = {};
  const total: Record<string, number> = {};
  for (const e of images) {
    if (e.fold === null || e.fold === undefined) continue;
    for (const [model, p] of Object.entries(e.pCrocodile ?? {})) {
      total[model] = (total[model] ?? 0) + 1;
      right[model] = (right[model] ?? 0) + ((p >= 0.5 ? 1 : 0) === e.label ? 1 : 0);
    }
  }
  return Object.fromEntries(Object.keys(total).sort().map((m) => [m, right[m]! / total[m]!]));
}

/** Resolve `model` ("best" or a model name) and `variant` to a model folder having every layer in `layers`. */
export function selectModel(modelsDir: string, model: string, variant: string, layers: string[], oofFile?: string): ModelChoice {
  const has = (name: string) => {
    const names = modelLayerNames(modelDir(modelsDir, name, variant));
    return layers.filter((l) => !names.includes(l));
  };
  if (model !== 'best') {
    const missing = has(model);
    if (missing.length) throw new Error(`${join(modelsDir, model, variant)}: model has no layer ${missing.map((l) => `"${l}"`).join(', ')} (layers: ${modelLayerNames(join(modelsDir, model, variant)).join(', ')})`);
    return { model, variant, dir: join(modelsDir, model, variant), reason: 'named in params' };
  }
  const best = readBestModel(modelsDir).model;
  const missing = has(best);
  if (missing.length === 0) return { model: best, variant, dir: join(modelsDir, best, variant), reason: 'best.json' };
  if (!oofFile) throw new Error(`${join(modelsDir, best, variant)}: best model "${best}" has no layer ${missing.join(', ')}`);
  const accuracy = oofAccuracies(oofFile);
  const candidates = Object.entries(accuracy)
    .filter(([name]) => name !== best && existsSync(join(modelsDir, name, variant, 'model.json')) && has(name).length === 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const pick = candidates[0];
  if (!pick) throw new Error(`${modelsDir}: no model has every layer of [${layers.join(', ')}] (best.json's "${best}" lacks ${missing.join(', ')})`);
  return {
    model: pick[0],
    variant,
    dir: join(modelsDir, pick[0], variant),
    reason: `best.json's "${best}" has no layer ${missing.join(', ')}; "${pick[0]}" has the highest out-of-fold accuracy (${pick[1].toFixed(3)}) of the models that have [${layers.join(', ')}]`,
  };
}

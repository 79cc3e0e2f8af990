// The classifier's out-of-fold predictions (artifact classifier_oof), checked against the dataset:
// one entry per image in dataset index order, with calibrated p and fold-model p per model.
import { readJson } from '@cvc/core';

export interface OofEntry {
  index: number;
  file: string;
  label: number;
  fold: number | null;
  pCrocodile: Record<string, number>;
  pCrocodileRaw?: Record<string, number>;
  foldProbabilities?: Record<string, number[]>;
}

export interface OofForModel {
  model: string;
  /** Calibrated out-of-fold p(crocodile), [n]. */
  p: number[];
  /** Fold models' p(crocodile) per image, [n][folds]. */
  foldProbabilities: number[][];
}

/** The entry list: the file is a list, or an object holding it under `images` or `predictions`. */
function entriesOf(file: string, raw: unknown): unknown[] {
  if (Array.isArray(raw)) return raw;
  if (raw && typeof raw === 'object') {
    for (const key of ['images', 'predictions']) {
      const list = (raw as Record<string, unknown>)[key];
      if (Array.isArray(list)) return list;
    }
  }
  throw new Error(`${file}: expected a list of per-image predictions (or an object with "images")`);
}

const isProbability = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v <= 1;

/** Read the OOF predictions of `model` for the dataset's `files` (index order); errors name file, index and field. */
export function readOof(file: string, files: readonly string[], model: string): OofForModel {
  const entries = entriesOf(file, readJson<unknown>(file));
  if (entries.length !== files.length) throw new Error(`${file}: ${entries.length} entries, the dataset has ${files.length} images`);
  const p: number[] = [];
  const foldProbabilities: number[][] = [];
  entries.forEach((raw, i) => {
    const e = raw as Partial<OofEntry>;
    const where = `${file}: entry ${i}`;
    if (e.index !== undefined && e.index !== i) throw new Error(`${where}: index is ${e.index}, expected ${i} (dataset order)`);
    if (e.file !== undefined && e.file !== files[i]) throw new Error(`${where}: file "${e.file}" is not dataset image ${i} ("${files[i]}")`);
    const value = e.pCrocodile?.[model];
    if (!isProbability(value)) {
      const known = e.pCrocodile ? Object.keys(e.pCrocodile).join(', ') : 'none';
      throw new Error(`${where}: pCrocodile.${model} must be a probability (models: ${known})`);
    }
    p.push(value);
    const folds = e.foldProbabilities?.[model] ?? [];
    if (!Array.isArray(folds) || !folds.every(isProbability)) throw new Error(`${where}: foldProbabilities.${model} must be a list of probabilities`);
    foldProbabilities.push(folds);
  });
  return { model, p, foldProbabilities };
}

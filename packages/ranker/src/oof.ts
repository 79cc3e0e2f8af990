// The classifier's out-of-fold predictions (artifact classifier_oof), parsed with its schema
// (@cvc/artifacts) and checked against the dataset: one entry per image in dataset index order.
import { readJsonArtifact } from '@cvc/core';
import { classifierOof, type ClassifierOof } from '@cvc/artifacts/classifier-oof';

export interface OofForModel {
  model: string;
  /** Calibrated out-of-fold p(crocodile), [n]. */
  p: number[];
  /** Fold models' p(crocodile) per image, [n][folds]. */
  foldProbabilities: number[][];
}

export interface OofFile {
  file: string;
  oof: ClassifierOof;
  /** Each image's fold (null: a test image, scored by the mean of the fold models). */
  folds: (number | null)[];
}

const isProbability = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v <= 1;

/** Parse the file and check that its images are the dataset's `files` in index order. */
export function readOofFile(file: string, files: readonly string[]): OofFile {
  const oof = readJsonArtifact(file, classifierOof);
  if (oof.images.length !== files.length) throw new Error(`${file}: ${oof.images.length} images, the dataset has ${files.length}`);
  oof.images.forEach((e, i) => {
    if (e.index !== i) throw new Error(`${file}: images[${i}].index is ${e.index}, expected ${i} (dataset order)`);
    if (e.file !== files[i]) throw new Error(`${file}: images[${i}].file "${e.file}" is not dataset image ${i} ("${files[i]}")`);
  });
  return { file, oof, folds: oof.images.map((e) => e.fold) };
}

/** One model's calibrated p and fold-model p; errors name the file, the image and the field. */
export function oofForModel({ file, oof }: OofFile, model: string): OofForModel {
  if (!oof.models.includes(model)) throw new Error(`${file}: no out-of-fold predictions of model "${model}" (models: ${oof.models.join(', ')})`);
  const p: number[] = [];
  const foldProbabilities: number[][] = [];
  oof.images.forEach((e, i) => {
    const value = e.pCrocodile[model];
    if (!isProbability(value)) throw new Error(`${file}: images[${i}].pCrocodile.${model} must be a probability, got ${String(value)}`);
    p.push(value);
    const folds = e.foldProbabilities[model] ?? [];
    if (!folds.every(isProbability)) throw new Error(`${file}: images[${i}].foldProbabilities.${model} must be a list of probabilities`);
    foldProbabilities.push(folds);
  });
  return { model, p, foldProbabilities };
}

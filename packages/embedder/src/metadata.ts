// What the embedder needs from a classifier model's metadata.json, checked with errors naming the file.
import { join } from 'node:path';
import type { Normalization } from './extract.ts';

export interface ModelMetadata {
  classes?: string[];
  inputSize?: number;
  normalization?: { mean?: unknown; std?: unknown };
  model?: string;
  output?: string;
}

const isTriple = (v: unknown): v is number[] => Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x));

export function modelNormalization(metadata: ModelMetadata, modelDir: string, datasetClasses: string[]): Normalization {
  const file = join(modelDir, 'metadata.json');
  const norm = metadata.normalization;
  if (!norm || !isTriple(norm.mean) || !isTriple(norm.std)) throw new Error(`${file}: "normalization" must hold per-channel mean and std (3 numbers each)`);
  if (norm.std.some((s) => s <= 0)) throw new Error(`${file}: normalization.std must be positive`);
  if (metadata.classes && metadata.classes.join() !== datasetClasses.join()) {
    throw new Error(`${file}: model classes [${metadata.classes.join(', ')}] differ from the dataset's [${datasetClasses.join(', ')}]`);
  }
  return { mean: norm.mean, std: norm.std };
}

// The `embeddings` artifact: a folder with index.json and one float-tensor folder per layer,
//   index.json        { model, variant, selection, layers: [{ name, dim }], rows, classNames, datasetContentHash }
//   <layer>/data.f32  float32 [rows, dim], row i = dataset image i
//   <layer>/manifest.json  shape, sha256, layer, model, variant, files, labels, classNames
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readFloatTensor, readJson, writeFloatTensor, writeJsonAtomic, type FloatTensorManifest } from '@cvc/core';

export interface EmbeddingIndex {
  model: string;
  variant: string;
  /** Why this model was used (e.g. "best.json"). */
  selection: string;
  layers: { name: string; dim: number }[];
  rows: number;
  classNames: string[];
  datasetContentHash: string;
}

export interface EmbeddingManifest extends FloatTensorManifest {
  layer: string;
  model: string;
  variant: string;
  files: string[];
  labels: number[];
  classNames: string[];
}

export interface Embeddings {
  /** [rows, dim] row-major. */
  data: Float32Array;
  rows: number;
  dim: number;
  manifest: EmbeddingManifest;
}

export const INDEX_FILE = 'index.json';

export interface WriteEmbeddingsInput {
  model: string;
  variant: string;
  selection?: string;
  files: string[];
  labels: number[];
  classNames: string[];
  datasetContentHash: string;
  layers: { layer: string; data: Float32Array; rows: number; dim: number }[];
}

export function writeEmbeddings(dir: string, input: WriteEmbeddingsInput): void {
  for (const l of input.layers) {
    writeFloatTensor(join(dir, l.layer), l.data, [l.rows, l.dim], {
      layer: l.layer,
      model: input.model,
      variant: input.variant,
      classNames: input.classNames,
      files: input.files,
      labels: input.labels,
    });
  }
  const index: EmbeddingIndex = {
    model: input.model,
    variant: input.variant,
    selection: input.selection ?? 'named in params',
    layers: input.layers.map((l) => ({ name: l.layer, dim: l.dim })),
    rows: input.files.length,
    classNames: input.classNames,
    datasetContentHash: input.datasetContentHash,
  };
  writeJsonAtomic(join(dir, INDEX_FILE), index);
}

export function readEmbeddingIndex(dir: string): EmbeddingIndex {
  return readJson<EmbeddingIndex>(join(dir, INDEX_FILE));
}

/** One layer's embeddings; the error names the folder and the layers that exist. */
export function readEmbeddings(dir: string, layer: string): Embeddings {
  const layerDir = join(dir, layer);
  if (!existsSync(layerDir)) {
    const index = existsSync(join(dir, INDEX_FILE)) ? readEmbeddingIndex(dir) : undefined;
    const known = index ? index.layers.map((l) => l.name).join(', ') : 'none';
    throw new Error(`${layerDir}: no embeddings for layer "${layer}" (layers embedded: ${known})`);
  }
  const { data, manifest } = readFloatTensor<EmbeddingManifest>(layerDir);
  const [rows, dim] = manifest.shape;
  if (manifest.shape.length !== 2 || rows === undefined || dim === undefined) {
    throw new Error(`${join(layerDir, 'manifest.json')}: shape [${manifest.shape}] is not [rows, dim]`);
  }
  if (!Array.isArray(manifest.files) || manifest.files.length !== rows) {
    throw new Error(`${join(layerDir, 'manifest.json')}: "files" must list one file per row (${rows})`);
  }
  return { data, rows, dim, manifest };
}

// Artifact `embeddings` (artifacts/embedder/embeddings/): a folder with index.json and one
// float-tensor folder per layer,
//   index.json             { model, variant, selection, layers: [{ name, dim }], rows, classNames, datasetContentHash }
//   <layer>/data.f32       float32 [rows, dim], row i = dataset image i
//   <layer>/manifest.json  shape, sha256, layer, model, variant, files, labels, classNames
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { checkJson, readFloatTensor, readJsonArtifact, writeFloatTensor, writeJsonArtifact } from '@cvc/core';

export const embeddingIndex = z.strictObject({
  model: z.string().min(1),
  variant: z.string().min(1),
  /** Why this model was used (e.g. "best.json"). */
  selection: z.string(),
  layers: z.array(z.strictObject({ name: z.string().min(1), dim: z.number().int().min(1) })).min(1),
  rows: z.number().int().min(0),
  classNames: z.array(z.string()),
  datasetContentHash: z.string(),
});
export type EmbeddingIndex = z.infer<typeof embeddingIndex>;

export const embeddingManifest = z.object({
  format: z.literal('float-tensor'),
  shape: z.tuple([z.number().int().min(0), z.number().int().min(1)]),
  dtype: z.literal('float32'),
  sha256: z.string(),
  layer: z.string(),
  model: z.string(),
  variant: z.string(),
  files: z.array(z.string()),
  labels: z.array(z.number().int().min(0)),
  classNames: z.array(z.string()),
}).refine((m) => m.files.length === m.shape[0] && m.labels.length === m.shape[0], { message: 'files and labels must list one entry per row', path: ['files'] });
export type EmbeddingManifest = z.infer<typeof embeddingManifest>;

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
  writeJsonArtifact(join(dir, INDEX_FILE), embeddingIndex, {
    model: input.model,
    variant: input.variant,
    selection: input.selection ?? 'named in params',
    layers: input.layers.map((l) => ({ name: l.layer, dim: l.dim })),
    rows: input.files.length,
    classNames: input.classNames,
    datasetContentHash: input.datasetContentHash,
  });
}

export function readEmbeddingIndex(dir: string): EmbeddingIndex {
  return readJsonArtifact(join(dir, INDEX_FILE), embeddingIndex);
}

/** One layer's embeddings; the error names the folder and the layers that exist. */
export function readEmbeddings(dir: string, layer: string): Embeddings {
  const layerDir = join(dir, layer);
  if (!existsSync(layerDir)) {
    const index = existsSync(join(dir, INDEX_FILE)) ? readEmbeddingIndex(dir) : undefined;
    const known = index ? index.layers.map((l) => l.name).join(', ') : 'none';
    throw new Error(`${layerDir}: no embeddings for layer "${layer}" (layers embedded: ${known})`);
  }
  const tensor = readFloatTensor(layerDir);
  const manifest = checkJson(join(layerDir, 'manifest.json'), embeddingManifest, tensor.manifest);
  const [rows, dim] = manifest.shape;
  return { data: tensor.data, rows, dim, manifest };
}

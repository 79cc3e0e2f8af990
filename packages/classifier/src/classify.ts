// Classify image files with a saved model: the engine of `cvc classify`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { decodeToRgb, loadPipeline, resolveFromRoot } from '@cvc/core';
import { tf } from '@cvc/core/backend';
import { loadLayersModel } from '@cvc/core/formats/tfjs-model';
import './batch-norm.ts'; // registers FastBatchNorm so ResNet models deserialise
import { normalizeImages, type Normalization } from './data.ts';
import { logitModel } from './models.ts';
import { predictLogits } from './predict.ts';

export const MODELS_ARTIFACT = 'classifier_models';

export interface ModelMetadata {
  classes: string[];
  inputSize: number;
  normalization: Normalization;
  model: string;
  fold: number | 'full';
  temperature?: number;
  tta?: boolean;
  /** Pixels of the shifted test-time views (0 or absent = none). */
  ttaShift?: number;
}

export interface Classifier {
  dir: string;
  metadata: ModelMetadata;
  logits: tfTypes.LayersModel;
}

/** The pipeline's best model: `<classifier_models>/<best.json model>/full`, paths from the pipeline file's catalog. */
export function defaultModelDir(pipelineFile: string): string {
  const pipeline = loadPipeline(pipelineFile);
  const artifact = pipeline.artifacts[MODELS_ARTIFACT];
  if (!artifact) throw new Error(`${pipeline.file}: no artifact "${MODELS_ARTIFACT}" in the catalog; pass --model <dir>`);
  const modelsDir = resolveFromRoot(pipeline, artifact.path);
  const bestFile = join(modelsDir, 'best.json');
  if (!existsSync(bestFile)) throw new Error(`${bestFile}: not found; run the classifier stage (npx nx run classifier:stage) or pass --model <dir>`);
  const best = JSON.parse(readFileSync(bestFile, 'utf8')) as { model?: unknown };
  if (typeof best.model !== 'string') throw new Error(`${bestFile}: field "model" must name a model`);
  return join(modelsDir, best.model, 'full');
}

export async function loadClassifier(dir: string): Promise<Classifier> {
  const { model, metadata } = await loadLayersModel<Partial<ModelMetadata>>(tf, dir);
  const where = join(dir, 'metadata.json');
  if (!Array.isArray(metadata.classes) || metadata.classes.length !== 2) throw new Error(`${where}: "classes" must list the two class names`);
  if (typeof metadata.inputSize !== 'number') throw new Error(`${where}: "inputSize" must be a number`);
  if (!metadata.normalization?.mean || !metadata.normalization.std) throw new Error(`${where}: "normalization" must have mean and std`);
  return { dir, metadata: metadata as ModelMetadata, logits: logitModel(model) };
}

export interface ImageEntry {
  file: string;
  /** Class index when the file sits under a class-named folder of a given folder. */
  label?: number;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Files to classify: files as given; folders walked (hidden entries skipped), labelled by a top-level class subfolder. */
export function collectImages(paths: string[], classes: string[]): ImageEntry[] {
  return paths.flatMap((path): ImageEntry[] => {
    if (!existsSync(path)) return [{ file: path }]; // reported as unreadable when classified
    if (!statSync(path).isDirectory()) return [{ file: path }];
    return walk(path).map((file) => {
      const top = relative(path, file).split(sep)[0]!;
      const label = classes.indexOf(top);
      return label >= 0 && top !== relative(path, file) ? { file, label } : { file };
    });
  });
}

export interface Classified {
  file: string;
  label: string;
  pCrocodile: number;
  trueLabel?: string;
}

/** Classify `entries` in batches; a file that cannot be read is passed to `onError` and skipped. */
export async function classifyImages(
  classifier: Classifier,
  entries: ImageEntry[],
  onResult: (result: Classified) => void,
  onError: (file: string, error: Error) => void,
  batchSize = 64,
): Promise<void> {
  const { classes, inputSize: size, normalization, temperature = 1, tta = false, ttaShift = 0 } = classifier.metadata;
  for (let start = 0; start < entries.length; start += batchSize) {
    const decoded: { entry: ImageEntry; rgb: Uint8Array }[] = [];
    for (const entry of entries.slice(start, start + batchSize)) {
      try {
        decoded.push({ entry, rgb: await decodeToRgb(entry.file, size) });
      } catch (err) {
        onError(entry.file, err as Error);
      }
    }
    if (decoded.length === 0) continue;
    const pixels = new Uint8Array(decoded.length * size * size * 3);
    decoded.forEach((d, i) => pixels.set(d.rgb, i * size * size * 3));
    const logits = await predictLogits(classifier.logits, normalizeImages(pixels, normalization), size, decoded.map((_, i) => i), { tta, shift: ttaShift });
    decoded.forEach(({ entry }, i) => {
      const p = 1 / (1 + Math.exp(-logits[i]! / temperature));
      onResult({
        file: entry.file,
        label: classes[p > 0.5 ? 1 : 0]!,
        pCrocodile: p,
        ...(entry.label !== undefined ? { trueLabel: classes[entry.label]! } : {}),
      });
    });
  }
}

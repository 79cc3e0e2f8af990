// Test fixtures for the embedder and its consumers: a small image dataset and a tiny trained-shape
// classifier (layers named 'pooled' and 'fc7', as the classifier stage names them) saved like the real one.
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { createRng, datasetOf, writeImageDataset, writeJsonAtomic, type Dataset } from '@cvc/core';
import { saveLayersModel } from '@cvc/core/formats/tfjs-model';
import { testWorkspace } from '@cvc/core/testing';

/**
 * Noisy 32x32 images, clocks reddish, crocodiles greenish: `perClass` of each (clocks first),
 * or one per entry of a label list (0 = clock, 1 = crocodile).
 */
export function tinyDataset(perClassOrLabels: number | number[], seed = 1): Dataset {
  const rng = createRng(seed);
  const size = 32;
  const labelList = typeof perClassOrLabels === 'number' ? Array.from({ length: 2 * perClassOrLabels }, (_, i) => (i < perClassOrLabels ? 0 : 1)) : perClassOrLabels;
  const n = labelList.length;
  const images = new Uint8Array(n * size * size * 3);
  const labels: number[] = [];
  const files: string[] = [];
  const seen = [0, 0];
  for (let i = 0; i < n; i++) {
    const label = labelList[i]!;
    labels.push(label);
    files.push(label === 0 ? `clock/clock.${seen[0]!++}.png` : `crocodile/crocodile.${seen[1]!++}.png`);
    const base = label === 0 ? [190, 60, 50] : [60, 150, 70];
    for (let p = 0; p < size * size; p++) {
      for (let c = 0; c < 3; c++) images[(i * size * size + p) * 3 + c] = Math.max(0, Math.min(255, Math.round(base[c]! + (rng.next() - 0.5) * 120)));
    }
  }
  const all = labels.map((_, i) => i);
  return datasetOf({
    images,
    size,
    classNames: ['clock', 'crocodile'],
    files,
    labels,
    mean: [0.5, 0.4, 0.25],
    std: [0.25, 0.25, 0.2],
    splits: { train: all, validation: [], test: [], folds: [all.filter((i) => i % 2 === 0), all.filter((i) => i % 2 === 1)] },
    source: 'folder',
  });
}

export function writeTinyDataset(dir: string, perClassOrLabels: number | number[], seed = 1): Dataset {
  const dataset = tinyDataset(perClassOrLabels, seed);
  writeImageDataset(dir, dataset);
  return dataset;
}

/** image → conv 'conv1' → 'pooled' [batch, 4] → 'fc7' [batch, 6] → sigmoid p(crocodile). */
export function tinyClassifier(seed = 7): tf.LayersModel {
  const input = tf.input({ shape: [32, 32, 3], name: 'image' });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }), name: 'conv1' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'pooled' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 6, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), biasInitializer: 'ones', name: 'fc7' }).apply(x) as tf.SymbolicTensor;
  const y = tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }), name: 'probability' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: y });
}

export const TINY_NORMALIZATION = { mean: [0.5, 0.4, 0.25], std: [0.25, 0.25, 0.2] };

/** models/<name>/full/ (tfjs-model + metadata) and models/best.json, as the classifier stage writes them. */
export async function writeTinyClassifierModels(modelsDir: string, name = 'tiny'): Promise<tf.LayersModel> {
  await tf.setBackend('cpu');
  const model = tinyClassifier();
  await saveLayersModel(tf, model, join(modelsDir, name, 'full'), {
    classes: ['clock', 'crocodile'],
    inputSize: 32,
    normalization: TINY_NORMALIZATION,
    model: name,
    fold: null,
    epochs: 0,
    params: {},
  });
  writeJsonAtomic(join(modelsDir, 'best.json'), { model: name, folds: 2 });
  return model;
}

/** The embedder's own package folder (for pipeline files written by tests). */
export const EMBEDDER_PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * A test workspace whose pipeline has the embedder stage and its upstream artifacts (written by
 * the test; their producers are never run). `embedderParams` is the YAML flow mapping of its params.
 */
export function embedderWorkspace(prefix: string, seed: number, embedderParams?: string): { root: string; pipelineFile: string } {
  return testWorkspace(prefix, (root) => [
    `seed: ${seed}`,
    'artifacts:',
    '  dataset: { path: artifacts/data-prep/dataset, format: image-dataset }',
    '  classifier_models: { path: artifacts/classifier/models, format: folder }',
    '  classifier_oof: { path: artifacts/classifier/oof-predictions.json, format: json }',
    '  embeddings: { path: artifacts/embedder/embeddings, format: folder }',
    'stages:',
    '  data-prep: { package: upstream/data-prep, outs: [dataset] }',
    '  classifier: { package: upstream/classifier, deps: [dataset], outs: [classifier_models, classifier_oof] }',
    '  embedder:',
    `    package: ${relative(root, EMBEDDER_PACKAGE_DIR)}`,
    ...(embedderParams === undefined ? [] : [`    params: ${embedderParams}`]),
    '    deps: [dataset, classifier_models, classifier_oof]',
    '    outs: [embeddings]',
  ]);
}

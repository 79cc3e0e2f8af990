// Fixtures for running the generator stage in a temp workspace: a small dataset, two tiny classifier
// models saved like the classifier stage's (best.json names one), and a tiny 12-way-style object
// judge saved like the object-judge stage's (logits, 'pooled', classes incl. clock and crocodile), and a
// tiny resnet saved like the pretrain stage's model (the autoencoder's perceptual trunk).
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { objectJudgeModelMetadata } from '@cvc/artifacts/object-judge';
import { createRng, datasetOf, writeImageDataset, writeJsonAtomic } from '@cvc/core';
import { testWorkspace } from '@cvc/core/testing';
import { saveClassifierModel } from '@cvc/vision/classifier-model';
import { saveModel } from '@cvc/vision/saved-model';
import { buildModel } from '@cvc/vision/models';
import { savePretrained } from '@cvc/vision/pretrained';
import { tinyClassifier, tinyMetadata } from '@cvc/vision/testing';

const PX = 32 * 32 * 3;
const NORMALIZATION: { mean: [number, number, number]; std: [number, number, number] } = { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };
const GENERATOR_DIR = fileURLToPath(new URL('..', import.meta.url));

/** `perClass` clocks (reddish, bright) then crocodiles (greenish, dark) with seeded noise; 2 of each held out for test. */
export function writeFixtureDataset(dir: string, perClass: number): void {
  const rng = createRng(4);
  const labels = Array.from({ length: 2 * perClass }, (_, i) => (i < perClass ? 0 : 1));
  const images = new Uint8Array(labels.length * PX);
  labels.forEach((l, i) => {
    const base = l === 0 ? [200, 90, 80] : [60, 120, 50];
    for (let p = 0; p < PX; p++) images[i * PX + p] = Math.max(0, Math.min(255, Math.round(base[p % 3]! + (rng.next() - 0.5) * 100)));
  });
  const test = [0, 1, perClass, perClass + 1];
  const train = labels.map((_, i) => i).filter((i) => !test.includes(i));
  writeImageDataset(dir, datasetOf({
    images, size: 32, classNames: ['clock', 'crocodile'], labels, source: 'folder',
    files: labels.map((l, i) => (l === 0 ? `clock/clock.${i}.png` : `crocodile/crocodile.${i - perClass}.png`)),
    mean: [0.5, 0.4, 0.3], std: [0.25, 0.25, 0.25],
    splits: { train, validation: [], test, folds: [train.filter((_, k) => k % 2 === 0), train.filter((_, k) => k % 2 === 1)] },
  }));
}

/** image → conv → 'pooled' [batch, 4] → dense(units) logits named `out`. */
function tinyConvModel(seed: number, units: number): tf.LayersModel {
  const input = tf.input({ shape: [32, 32, 3] });
  const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }), name: 'conv1' }).apply(input) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({ name: 'pooled' }).apply(conv) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), name: 'out' }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** models/<name>/full for each name (vision's tiny classifier, a seed each), best.json naming the first. */
export async function writeFixtureClassifiers(modelsDir: string, names: string[]): Promise<void> {
  await tf.setBackend('cpu');
  for (const [k, name] of names.entries()) {
    await saveClassifierModel(tinyClassifier(10 + 10 * k), join(modelsDir, name, 'full'), tinyMetadata(name, { normalization: NORMALIZATION }));
  }
  writeJsonAtomic(join(modelsDir, 'best.json'), { model: names[0], folds: 2 });
}

export async function writeFixtureObjectJudge(dir: string): Promise<void> {
  await tf.setBackend('cpu');
  await saveModel(tinyConvModel(50, 4), dir, objectJudgeModelMetadata, {
    classes: ['frog', 'ship', 'clock', 'crocodile'], output: 'logits', featureLayer: 'pooled', inputSize: 32, normalization: NORMALIZATION,
    architecture: { kind: 'tiny' }, epochs: 1,
    data: { cifar10: { package: 'fixture', integrity: 'none', train: 2, test: 2 }, dataset: { contentHash: 'fixture', trainImages: 16, repeats: { clock: 1, crocodile: 1 } } },
    accuracy: { cifar10Test: 0.5, datasetTest: { clock: 1, crocodile: 0 } },
  });
}

/** A tiny resnet classifier saved like the classifier stage's (full + `folds` fold models): a guide for guided sampling; random weights. */
export async function writeFixtureResnetClassifier(modelsDir: string, name: string, folds: number): Promise<void> {
  await tf.setBackend('cpu');
  const architecture = { kind: 'resnet' as const, widths: [4, 8, 8], blocksPerStage: 1, dense: 8, dropout: 0, stemPool: true };
  for (const [k, sub] of ['full', ...Array.from({ length: folds }, (_, f) => `fold-${f}`)].entries()) {
    const model = buildModel(architecture, 70 + k);
    await saveClassifierModel(model, join(modelsDir, name, sub), tinyMetadata(name, { normalization: NORMALIZATION, params: { name, architecture } }));
    model.dispose();
  }
}

/** A tiny resnet saved like the pretrain stage's model (the autoencoder's perceptual trunk); random weights. */
export async function writeFixturePretrained(dir: string): Promise<void> {
  await tf.setBackend('cpu');
  const architecture = { kind: 'resnet' as const, widths: [4, 8, 8], blocksPerStage: 1, dense: 8, dropout: 0, stemPool: true };
  const model = buildModel(architecture, 60);
  await savePretrained(model, dir, {
    architecture, normalization: NORMALIZATION, inputSize: 32, output: 'logits over 10 CIFAR-10 classes',
    data: { package: 'fixture', integrity: 'none', classes: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'], train: 2, test: 2 }, epochs: 1, testAccuracy: 0.1,
  });
  model.dispose();
}

/** A workspace whose pipeline runs the generator with `params` (YAML flow lines) and outs for `models` (+ pretrained_model for the autoencoder). */
export function generatorWorkspace(models: string[], params: string[]): { root: string; pipelineFile: string } {
  const autoencoder = models.includes('autoencoder'); // needs the pretrain stage's model
  return testWorkspace('cvc-generator-', (root) => [
    'seed: 7',
    'artifacts:',
    '  dataset: { path: artifacts/data-prep/dataset, format: image-dataset }',
    '  classifier_models: { path: artifacts/classifier/models, format: folder }',
    '  object_judge_model: { path: artifacts/object-judge/model, format: folder }',
    ...(autoencoder ? ['  pretrained_model: { path: artifacts/pretrain/model, format: folder }'] : []),
    ...models.map((m) => `  generator_${m}: { path: artifacts/generator/${m}, format: folder }`),
    '  generator_metrics: { path: artifacts/generator/metrics.json, format: json }',
    'stages:',
    '  data-prep: { package: upstream/data-prep, outs: [dataset] }',
    '  classifier: { package: upstream/classifier, deps: [dataset], outs: [classifier_models] }',
    '  object-judge: { package: upstream/object-judge, deps: [dataset], outs: [object_judge_model] }',
    ...(autoencoder ? ['  pretrain: { package: upstream/pretrain, outs: [pretrained_model] }'] : []),
    '  generator:',
    `    package: ${relative(root, GENERATOR_DIR)}`,
    '    params:',
    `      models: [${models.join(', ')}]`,
    ...params.map((p) => `      ${p}`),
    `    deps: [dataset, classifier_models, object_judge_model${autoencoder ? ', pretrained_model' : ''}]`,
    `    outs: [${models.map((m) => `generator_${m}`).join(', ')}, generator_metrics]`,
  ]);
}

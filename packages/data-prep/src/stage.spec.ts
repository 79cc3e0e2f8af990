// data-prep on fixture folders in a temp workspace: the artifact it writes, and each bad input.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import * as tar from 'tar';
import { hashTree, readImageDataset } from '@cvc/core';
import { runStage } from '@cvc/core/runner';
import { noiseImage, tempDir, testWorkspace, writeClassFolders } from '@cvc/core/testing';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const cvc = join(packageDir, '..', 'cli', 'bin', 'cvc.mjs');

/** A workspace with a one-stage pipeline whose data-prep package is this one. */
function workspace(dataDir: string): { root: string; pipelineFile: string } {
  return testWorkspace('cvc-data-prep-', (root) => [
    'seed: 42',
    'artifacts:',
    '  dataset: { path: artifacts/data-prep/dataset, format: image-dataset }',
    '  dataset_preview: { path: artifacts/data-prep/samples.png, format: png }',
    'stages:',
    '  data-prep:',
    `    package: ${relative(root, packageDir)}`,
    `    params: { dataDir: ${JSON.stringify(dataDir)}, split: { validation: 0.2, test: 0.2 }, folds: 2, previewPerClass: 4 }`,
    '    external: [dataDir]',
    '    outs: [dataset, dataset_preview]',
  ]);
}

const quiet = () => {};

describe('data-prep stage', () => {
  let data: string;
  let ws: { root: string; pipelineFile: string };

  beforeAll(async () => {
    data = await writeClassFolders(join(tempDir(), 'data'), { clock: [200, 40, 40], crocodile: [40, 160, 60] }, 5);
    // Other sizes and modes: RGBA, grey, a larger JPEG, and a hidden file that must be ignored.
    writeFileSync(join(data, 'crocodile', 'rgba.png'), await noiseImage([10, 200, 10], { channels: 4 }));
    writeFileSync(join(data, 'crocodile', 'grey.png'), await noiseImage([90, 90, 90], { channels: 1, size: 40 }));
    writeFileSync(join(data, 'clock', 'big.jpg'), await noiseImage([220, 30, 30], { size: 97, format: 'jpeg' }));
    writeFileSync(join(data, 'clock', '.DS_Store'), 'not an image, hidden');
    ws = workspace(data);
    await runStage({ pipelineFile: ws.pipelineFile, stage: 'data-prep', log: quiet });
  });

  it('writes a 32x32 RGB dataset with manifest, split, folds and a preview', () => {
    const dataset = readImageDataset(join(ws.root, 'artifacts', 'data-prep', 'dataset'));
    const m = dataset.manifest;
    expect(m.shape).toEqual([13, 32, 32, 3]);
    expect(m.classNames).toEqual(['clock', 'crocodile']);
    expect(m.classCounts).toEqual([6, 7]);
    expect(m.files.slice(0, 6)).toEqual(['clock/big.jpg', 'clock/clock.0.png', 'clock/clock.1.png', 'clock/clock.2.png', 'clock/clock.3.png', 'clock/clock.4.png']);
    expect(m.files).toContain('crocodile/grey.png');
    expect(m.splits.test.length + m.splits.validation.length + m.splits.train.length).toBe(13);
    expect(m.splits.folds.flat().sort((a, b) => a - b)).toEqual([...m.splits.train, ...m.splits.validation].sort((a, b) => a - b));
    // Clocks are red: the red mean is well above the green one in the training split.
    expect(m.mean[0]).toBeGreaterThan(0.3);
    expect(m.std.every((s) => s > 0)).toBe(true);
    // A red clock pixel decoded as red.
    expect(dataset.images[32 * 32 * 3 * 1]!).toBeGreaterThan(150);
    expect(existsSync(join(ws.root, 'artifacts', 'data-prep', 'samples.png'))).toBe(true);
    const lock = JSON.parse(readFileSync(join(ws.root, 'artifacts', 'data-prep', 'stage.lock.json'), 'utf8'));
    expect(lock.seed).toBeTypeOf('number');
    expect(Object.keys(lock.inputs)).toEqual(['params.dataDir']);
  });

  it('gives byte-identical artifacts when run again', async () => {
    const dir = join(ws.root, 'artifacts', 'data-prep');
    const before = hashTree(dir);
    await runStage({ pipelineFile: ws.pipelineFile, stage: 'data-prep', log: quiet });
    expect(hashTree(dir)).toEqual(before);
  });

  describe('rejects bad input with an error naming the file or folder, and keeps the previous artifact', () => {
    const expectRejected = async (mutate: (badData: string) => void, message: (badData: string) => string) => {
      const bad = join(tempDir(), 'data');
      cpSync(data, bad, { recursive: true });
      mutate(bad);
      const before = hashTree(join(ws.root, 'artifacts', 'data-prep'));
      await expect(runStage({ pipelineFile: ws.pipelineFile, stage: 'data-prep', set: { dataDir: bad }, log: quiet })).rejects.toThrow(message(bad));
      expect(hashTree(join(ws.root, 'artifacts', 'data-prep'))).toEqual(before);
      expect(existsSync(join(ws.root, 'artifacts', '.tmp', `data-prep-${process.pid}`))).toBe(false);
    };

    it('a corrupt image', () =>
      expectRejected(
        (d) => writeFileSync(join(d, 'clock', 'clock.3.png'), readFileSync(join(d, 'clock', 'clock.3.png')).subarray(0, 60)),
        (d) => `${join(d, 'clock', 'clock.3.png')}:`,
      ));
    it('a file that is not an image', () =>
      expectRejected(
        (d) => writeFileSync(join(d, 'crocodile', 'notes.txt'), 'hello'),
        (d) => `${join(d, 'crocodile', 'notes.txt')}: not a readable image`,
      ));
    it('an empty class folder', () =>
      expectRejected(
        (d) => {
          rmSync(join(d, 'crocodile'), { recursive: true });
          mkdirSync(join(d, 'crocodile'));
        },
        (d) => `${join(d, 'crocodile')}: class folder has no images`,
      ));
    it('a single class', () =>
      expectRejected(
        (d) => rmSync(join(d, 'crocodile'), { recursive: true }),
        (d) => `${d}: found 1 class folder (clock); need at least 2`,
      ));
    it('a missing folder', () =>
      expectRejected(
        (d) => rmSync(d, { recursive: true }),
        (d) => `${d}: data folder not found`,
      ));
  });

  it('exits non-zero from the command line with the message, data folder given by --data-dir', async () => {
    const missing = join(tempDir(), 'nowhere');
    const result = await execa('node', [cvc, 'stage', 'data-prep', '--pipeline', ws.pipelineFile, '--data-dir', missing], { cwd: ws.root, reject: false });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`cvc: ${missing}: data folder not found`);
  });
});

describe('data-prep with source cifar100', () => {
  it('imports the chosen fine classes from a CIFAR-100 binary archive into the same dataset format', async () => {
    // 14 records: fine labels 22 (clock) and 27 (crocodile) 6 each, plus two of another class.
    const fine = [22, 27, 5, 22, 27, 22, 27, 22, 27, 99, 22, 27, 22, 27];
    const records = Buffer.alloc(fine.length * 3074);
    fine.forEach((f, i) => {
      records[i * 3074 + 1] = f;
      records.fill(f === 22 ? 200 : 40, i * 3074 + 2, i * 3074 + 2 + 1024); // red plane
    });
    const dir = tempDir();
    mkdirSync(join(dir, 'cifar-100-binary'));
    writeFileSync(join(dir, 'cifar-100-binary', 'train.bin'), records);
    writeFileSync(join(dir, 'cifar-100-binary', 'test.bin'), Buffer.alloc(0));
    const names = Array.from({ length: 100 }, (_, i) => (i === 22 ? 'clock' : i === 27 ? 'crocodile' : `c${i}`));
    writeFileSync(join(dir, 'cifar-100-binary', 'fine_label_names.txt'), `${names.join('\n')}\n`);
    const archive = join(dir, 'cifar-100-binary.tar.gz');
    await tar.c({ gzip: true, file: archive, cwd: dir }, ['cifar-100-binary']);

    const ws = workspace(archive);
    await runStage({ pipelineFile: ws.pipelineFile, stage: 'data-prep', set: { source: 'cifar100' }, log: quiet });
    const { manifest, images } = readImageDataset(join(ws.root, 'artifacts', 'data-prep', 'dataset'));
    expect(manifest.shape).toEqual([12, 32, 32, 3]);
    expect(manifest.classCounts).toEqual([6, 6]);
    expect(manifest.source).toBe('cifar100');
    expect(manifest.labels.slice(0, 3)).toEqual([0, 1, 0]);
    expect(images[0]).toBe(200); // first record is a clock: red plane 200 → first pixel's R
    expect(images[32 * 32 * 3]).toBe(40);
  });
});

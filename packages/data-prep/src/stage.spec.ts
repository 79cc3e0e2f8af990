// data-prep on fixture folders in a temp workspace: the artifact it writes, and each bad input.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, cpSync } from 'node:fs';
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
        (d) => `${d}: found 1 class folder (clock); need exactly 2, one subfolder per class (the classifier, ranker and generator are binary)`,
      ));
    it('three class folders (the stages downstream are binary): refused here, not in the classifier', () =>
      expectRejected(
        (d) => cpSync(join(d, 'clock'), join(d, 'cat'), { recursive: true }),
        (d) => `${d}: found 3 class folders (cat, clock, crocodile); need exactly 2`,
      ));
    it('every bad file is named, not only the first', async () => {
      const bad = join(tempDir(), 'data');
      cpSync(data, bad, { recursive: true });
      writeFileSync(join(bad, 'clock', 'clock.1.png'), readFileSync(join(bad, 'clock', 'clock.1.png')).subarray(0, 60));
      writeFileSync(join(bad, 'clock', 'clock.4.png'), readFileSync(join(bad, 'clock', 'clock.4.png')).subarray(0, 60));
      writeFileSync(join(bad, 'crocodile', 'notes.txt'), 'hello');
      symlinkSync(join(bad, 'nowhere.png'), join(bad, 'crocodile', 'dangling.png'));
      const before = hashTree(join(ws.root, 'artifacts', 'data-prep'));
      const error = await runStage({ pipelineFile: ws.pipelineFile, stage: 'data-prep', set: { dataDir: bad }, log: quiet }).catch((e: Error) => e);
      expect((error as Error).message.split('\n')).toEqual([
        `${bad}: 4 of 15 files are not usable images:`,
        `  ${join(bad, 'crocodile', 'dangling.png')}: broken symbolic link (to a file that does not exist)`,
        expect.stringMatching(new RegExp(`^  ${join(bad, 'clock', 'clock.1.png')}: `)),
        expect.stringMatching(new RegExp(`^  ${join(bad, 'clock', 'clock.4.png')}: `)),
        expect.stringMatching(new RegExp(`^  ${join(bad, 'crocodile', 'notes.txt')}: not a readable image`)),
      ]);
      expect(hashTree(join(ws.root, 'artifacts', 'data-prep'))).toEqual(before);
    });
    it('a symbolic link loop inside a class folder', () =>
      expectRejected(
        (d) => {
          mkdirSync(join(d, 'clock', 'more'));
          symlinkSync('..', join(d, 'clock', 'more', 'again'));
        },
        (d) => `${join(d, 'clock', 'more', 'again')}: symbolic link loop (it leads back to ${join(d, 'clock')}, which contains it); remove the link`,
      ));
    it('the same image in both classes (duplicates: refuse, the YAML value)', () =>
      expectRejected(
        (d) => cpSync(join(d, 'clock', 'clock.2.png'), join(d, 'crocodile', 'copy-of-clock-2.png')),
        (d) => `${d}: 1 image is in more than one class (same pixels), so training would see it with both labels:\n  clock/clock.2.png = crocodile/copy-of-clock-2.png\nRemove the copy in the wrong class, or set stages.data-prep.params.duplicates: warn to keep both.`,
      ));
    it('a missing folder', () =>
      expectRejected(
        (d) => rmSync(d, { recursive: true }),
        (d) => `${d}: data folder not found`,
      ));
  });

  describe('follows links and nested folders, and says what it skipped or kept', () => {
    let linked: string;
    const messages: string[] = [];
    beforeAll(async () => {
      linked = join(tempDir(), 'data');
      mkdirSync(linked);
      cpSync(join(data, 'clock'), join(linked, 'clock'), { recursive: true });
      symlinkSync(join(data, 'crocodile'), join(linked, 'crocodile')); // a class folder that is a link
      symlinkSync(join(data, 'crocodile', 'crocodile.0.png'), join(linked, 'clock', 'link-to-croc-0.png')); // also a cross-class duplicate
      mkdirSync(join(linked, 'clock', 'more', 'deeper'), { recursive: true });
      cpSync(join(data, 'clock', 'big.jpg'), join(linked, 'clock', 'more', 'deeper', 'big-again.jpg')); // a within-class duplicate
      writeFileSync(join(linked, 'README.txt'), 'not a class');
      await runStage({ pipelineFile: ws.pipelineFile, stage: 'data-prep', set: { dataDir: linked, duplicates: 'warn' }, log: (m) => messages.push(m) });
    });

    it('reads linked class folders, linked images and nested folders (15 images, not 13)', () => {
      const m = readImageDataset(join(ws.root, 'artifacts', 'data-prep', 'dataset')).manifest;
      expect(m.classCounts).toEqual([8, 7]);
      expect(m.files).toContain('clock/link-to-croc-0.png');
      expect(m.files).toContain('clock/more/deeper/big-again.jpg');
      expect(m.files.filter((f) => f.startsWith('crocodile/'))).toHaveLength(7);
    });

    it('warns about the duplicate kept under duplicates: warn, the within-class copy and the stray file', () => {
      const text = messages.join('\n');
      expect(text).toContain(`warning: ${linked}: 1 image is in more than one class (same pixels), so training would see it with both labels:\n  clock/link-to-croc-0.png = crocodile/crocodile.0.png\nKept (stages.data-prep.params.duplicates: warn).`);
      expect(text).toContain(`warning: ${linked}: 1 image appears more than once in one class (same pixels; counted more than once, and may land in both train and test):\n  clock/big.jpg = clock/more/deeper/big-again.jpg`);
      expect(text).toContain(`warning: ${linked}: 1 file beside the class folders not used (not in a class folder): README.txt`);
    });
  });

  it('an unknown param key in the pipeline file is an error naming the file, the key and the nearest param (real CLI)', async () => {
    const typo = testWorkspace('cvc-data-prep-typo-', (root) => readFileSync(ws.pipelineFile, 'utf8').replace('folds: 2', 'foldz: 2').split('\n'));
    const result = await execa('node', [cvc, 'stage', 'data-prep', '--pipeline', typo.pipelineFile], { cwd: typo.root, reject: false });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`cvc: ${typo.pipelineFile}: stages.data-prep.params.foldz: unknown param (did you mean "folds"?)`);
    expect(existsSync(join(typo.root, 'artifacts', 'data-prep'))).toBe(false);
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

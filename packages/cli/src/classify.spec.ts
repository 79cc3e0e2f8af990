// `cvc classify` on a fixture folder (clock/ and crocodile/ subfolders) holding a corrupt file.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { createRng } from '@cvc/core';
import { initCompute, tf } from '@cvc/core/backend';
import { tempDir, writeClassFolders } from '@cvc/core/testing';
import { saveClassifierModel } from '@cvc/vision/classifier-model';
import { buildModel } from '@cvc/vision/models';
import { normalizeImages } from '@cvc/vision/normalize';
import { redBlueImages, tinyMetadata } from '@cvc/vision/testing';
import { train } from '@cvc/classifier/train';
import { trainingSpec } from '@cvc/classifier/params';
import { collectImages } from './collect-images.ts';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const cvc = join(packageDir, '..', 'cli', 'bin', 'cvc.mjs');
const norm = { mean: [0.5, 0.4, 0.5] as [number, number, number], std: [0.25, 0.2, 0.25] as [number, number, number] };

describe('cvc classify', () => {
  let modelDir: string;
  let data: string;

  beforeAll(async () => {
    await initCompute(() => {});
    const { images, labels } = redBlueImages(64);
    const model = buildModel({ kind: 'cnn', filters: [4, 4, 8, 8, 8], dense: 8, dropout: 0 }, 3);
    const idx = labels.map((_, i) => i);
    const training = trainingSpec.parse({ maxEpochs: 4, learningRate: 0.01 });
    await train({ model, x: normalizeImages(images, norm), size: 32, labels, train: idx, epochs: 4, batchSize: 16, training, rng: createRng(3) });
    modelDir = join(tempDir('cvc-classify-'), 'model');
    await saveClassifierModel(model, modelDir, tinyMetadata('cnn', { normalization: norm }));
    data = await writeClassFolders(join(tempDir('cvc-classify-data-'), 'images'), { clock: [170, 90, 90], crocodile: [90, 90, 170] }, 4);
    // A truncated PNG: the header is there, the pixels are not.
    writeFileSync(join(data, 'clock', 'broken.png'), readFileSync(join(data, 'clock', 'clock.0.png')).subarray(0, 60));
  });

  it('finds files under class subfolders and labels them', () => {
    const entries = collectImages([data], ['clock', 'crocodile']);
    expect(entries).toHaveLength(9);
    expect(entries.filter((e) => e.label === 1)).toHaveLength(4);
    expect(entries[0]!.file).toBe(join(data, 'clock', 'broken.png'));
  });

  it('prints one JSON line per readable image, names the corrupt file, reports accuracy, exits non-zero', async () => {
    const result = await execa('node', [cvc, 'classify', data, '--model', modelDir, '--json'], { reject: false });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`${join(data, 'clock', 'broken.png')}:`);
    expect(result.stderr).toContain('1 of 9 files could not be classified');
    const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; label: string; pCrocodile: number });
    expect(lines).toHaveLength(8);
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(['file', 'label', 'pCrocodile']);
      expect(line.label).toBe(line.file.includes(`${'crocodile'}/`) ? 'crocodile' : 'clock');
      expect(line.pCrocodile > 0.5).toBe(line.label === 'crocodile');
    }
    expect(result.stderr).toContain('accuracy 100.00% (8/8');
  }, 90_000);

  it('a missing model folder is an error naming it', async () => {
    const missing = join(tempDir(), 'no-model');
    const result = await execa('node', [cvc, 'classify', data, '--model', missing], { reject: false });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`${join(missing, 'model.json')}: model file not found`);
  }, 60_000);
});

// `cvc similar` end to end in a throw-away workspace: a tiny dataset, the tiny classifier saved like
// the real one, embeddings written by the embedder stage. Queries by dataset path and by an outside
// image file (embedded with the same model) find the same neighbours; bad input is named.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import sharp from 'sharp';
import { imageAt, writeJsonAtomic } from '@cvc/core';
import { runStage } from '@cvc/core/runner';
import { embedderWorkspace, writeTinyClassifierModels, writeTinyDataset } from '@cvc/embedder/testing';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const cvc = join(packageDir, '..', 'cli', 'bin', 'cvc.mjs');

describe('cvc similar', () => {
  const { root, pipelineFile } = embedderWorkspace('cvc-similar-', 1);
  const outside = join(root, 'outside.png');

  beforeAll(async () => {
    const dataset = writeTinyDataset(join(root, 'artifacts', 'data-prep', 'dataset'), 6);
    await writeTinyClassifierModels(join(root, 'artifacts', 'classifier', 'models'));
    writeJsonAtomic(join(root, 'artifacts', 'classifier', 'oof-predictions.json'), { images: [] });
    await runStage({ pipelineFile, stage: 'embedder', log: () => {} });
    // Dataset image 3 saved as a PNG outside the dataset.
    writeFileSync(outside, await sharp(Buffer.from(imageAt(dataset, 3)), { raw: { width: 32, height: 32, channels: 3 } }).png().toBuffer());
  });

  const run = (...args: string[]) => execa('node', [cvc, 'similar', ...args, '--pipeline', pipelineFile], { reject: false, cwd: root });
  const neighbours = (stdout: string) => stdout.split('\n').filter((l) => /^\s+\d+\s+\d/.test(l)).map((l) => l.trim().split(/\s+/).pop());

  it('lists the nearest images of a dataset image, without the image itself, and draws them', async () => {
    const sheet = join(root, 'similar.png');
    const result = await run('clock/clock.3.png', '--k', '4', '--png', sheet);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('query: clock/clock.3.png (clock, dataset image 3)');
    const found = neighbours(result.stdout);
    expect(found).toHaveLength(4);
    expect(found).not.toContain('clock/clock.3.png');
    expect(readFileSync(sheet).subarray(1, 4).toString()).toBe('PNG');

    // The same pixels from outside the dataset: embedded by the model, nearest is image 3 itself.
    const again = await run(outside, '--k', '5');
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('not in the dataset; embedded with tiny/full');
    expect(neighbours(again.stdout)).toEqual(['clock/clock.3.png', ...found]);
  });

  it('--json gives the same neighbours as the text, as one JSON object', async () => {
    const [text, json] = await Promise.all([run('clock/clock.3.png', '--k', '4'), run('clock/clock.3.png', '--k', '4', '--json')]);
    expect(json.exitCode).toBe(0);
    const parsed = JSON.parse(json.stdout) as { query: { file: string; class: string; index: number }; neighbours: { rank: number; file: string; distance: number }[] };
    expect(parsed.query).toEqual({ file: 'clock/clock.3.png', class: 'clock', index: 3 });
    expect(parsed.neighbours.map((n) => n.file)).toEqual(neighbours(text.stdout));
    expect(parsed.neighbours.map((n) => n.rank)).toEqual([1, 2, 3, 4]);
  });

  it('names a missing image, a bad --k and a missing layer', async () => {
    // In parallel: each run pays the CLI's start-up.
    const [missing, badK, badLayer] = await Promise.all([run(join(root, 'nope.png')), run('clock/clock.1.png', '--k', '0'), run('clock/clock.1.png', '--layer', 'conv7')]);
    expect(missing.stderr).toContain(`${join(root, 'nope.png')}: not a dataset image and no such file`);
    expect(badK.stderr).toContain('--k 0: out of range (give 1 … ');
    expect(badLayer.stderr).toContain('no embeddings for layer "conv7" (layers embedded: fc7, pooled)');
    expect([missing.exitCode, badK.exitCode, badLayer.exitCode]).toEqual([1, 1, 1]);
    expect(existsSync(join(root, 'nope.png'))).toBe(false);
  });
});

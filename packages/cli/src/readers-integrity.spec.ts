// `cvc classify`, `cvc similar` and `cvc generate` check what they load against the lock of the
// stage that wrote it, and check their options before any work. A throw-away workspace whose
// producers really ran through the runner (so their locks hold per-file sha256): fixture stages
// write a tiny dataset, a tiny classifier and a tiny GAN; the real embedder embeds the dataset.
import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { hashTree } from '@cvc/core';
import { tempDir, testWorkspace, writeClassFolders } from '@cvc/core/testing';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cvc = join(repo, 'packages', 'cli', 'bin', 'cvc.mjs');
const tsx = join(repo, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const BANNER = 'looks like you are running TensorFlow.js in Node.js';

const fixtureStages: Record<string, string> = {
  'data-prep': `
import { z } from 'zod';
import { defineStage } from '@cvc/core';
import { writeTinyDataset } from '@cvc/core/testing';
export default defineStage({ name: 'data-prep', params: z.object({}), async run(ctx) { writeTinyDataset(ctx.output('dataset'), 6); } });
`,
  classifier: `
import { z } from 'zod';
import { defineStage, writeJsonAtomic } from '@cvc/core';
import { writeTinyClassifierModels } from '@cvc/vision/testing';
export default defineStage({
  name: 'classifier', params: z.object({}), usesTensorflow: true,
  async run(ctx) {
    await writeTinyClassifierModels(ctx.output('classifier_models'));
    writeJsonAtomic(ctx.output('classifier_oof'), { images: [] });
  },
});
`,
  generator: `
import { join } from 'node:path';
import { z } from 'zod';
import { defineStage } from '@cvc/core';
import { tf } from '@cvc/core/backend';
import { createGan } from '@cvc/generator/gan';
import { saveGenerator } from '@cvc/generator/generator-artifact';
const tinyGan = ${JSON.stringify({ latentDim: 8, embedDim: 4, gChannels: 8, dChannels: 8, learningRateG: 0.0002, learningRateD: 0.0002, beta1: 0, beta2: 0.9, dSteps: 1, emaDecay: 0.9, modeSeeking: 1, augment: { color: true, translation: true, cutout: true } })};
export default defineStage({
  name: 'generator', params: z.object({}), usesTensorflow: true,
  async run(ctx) {
    const gan = createGan(tf, tinyGan, ctx.rng('init'));
    saveGenerator(join(ctx.output('generator_gan'), 'checkpoint'), gan, { kind: 'gan', config: tinyGan, classNames: ['clock', 'crocodile'], epochs: 1 });
  },
});
`,
};

function workspace(): { root: string; pipelineFile: string } {
  const ws = testWorkspace('cvc-readers-', (root) => [
    'seed: 5',
    'artifacts:',
    '  dataset: { path: artifacts/data-prep/dataset, format: image-dataset }',
    '  classifier_models: { path: artifacts/classifier/models, format: folder }',
    '  classifier_oof: { path: artifacts/classifier/oof-predictions.json, format: json }',
    '  embeddings: { path: artifacts/embedder/embeddings, format: folder }',
    '  generator_gan: { path: artifacts/generator/gan, format: folder }',
    'stages:',
    '  data-prep: { package: fixtures/data-prep, outs: [dataset] }',
    '  classifier: { package: fixtures/classifier, deps: [dataset], outs: [classifier_models, classifier_oof] }',
    `  embedder: { package: ${relative(root, join(repo, 'packages', 'embedder'))}, deps: [dataset, classifier_models, classifier_oof], outs: [embeddings] }`,
    '  generator: { package: fixtures/generator, outs: [generator_gan] }',
  ]);
  symlinkSync(join(repo, 'node_modules'), join(ws.root, 'node_modules'));
  for (const [name, source] of Object.entries(fixtureStages)) {
    mkdirSync(join(ws.root, 'fixtures', name, 'src'), { recursive: true });
    writeFileSync(join(ws.root, 'fixtures', name, 'package.json'), JSON.stringify({ name: `@fixture/${name}`, private: true, type: 'module', nx: { name } }));
    writeFileSync(join(ws.root, 'fixtures', name, 'src', 'stage.ts'), source);
  }
  // All four stages in one process (the CLI's start-up once): the real runner, so each writes its lock.
  writeFileSync(
    join(ws.root, 'run-all.mts'),
    `import { runStage } from '@cvc/core/runner';\nfor (const stage of ['data-prep', 'classifier', 'embedder', 'generator']) await runStage({ pipelineFile: ${JSON.stringify(ws.pipelineFile)}, stage, log: () => {} });\n`,
  );
  return ws;
}

/** Overwrite `count` float32 values at the middle of a file with 0.5, keeping its size. */
function overwriteFloats(file: string, count: number): void {
  const bytes = readFileSync(file);
  const start = Math.floor(bytes.length / 8) * 4;
  for (let i = 0; i < count && start + 4 * i + 4 <= bytes.length; i++) bytes.writeFloatLE(0.5, start + 4 * i);
  writeFileSync(file, bytes);
}

describe('readers check what they load; options are checked before any work', { timeout: 180_000 }, () => {
  let root: string;
  let pipelineFile: string;
  let images: string;
  const cli = (...args: string[]) => execa('node', [cvc, ...args, '--pipeline', pipelineFile], { cwd: root, reject: false });
  /** The workspace's artifacts after the producers ran, for "nothing written" checks. */
  const artifactsNow = () => hashTree(join(root, 'artifacts'), { skipHidden: true });
  let pristine: Record<string, string>;

  beforeAll(async () => {
    ({ root, pipelineFile } = workspace());
    const built = await execa('node', [tsx, 'run-all.mts'], { cwd: root, reject: false, all: true });
    expect(built.exitCode, built.all).toBe(0);
    images = await writeClassFolders(join(tempDir('cvc-readers-images-'), 'images'), { clock: [190, 60, 50], crocodile: [60, 150, 70] }, 3);
    pristine = artifactsNow();
  });

  /** Damage a copy of `file` for one test: run `body`, then put the original bytes back. */
  async function withDamaged(file: string, damage: (file: string) => void, body: () => Promise<void>): Promise<void> {
    const original = readFileSync(file);
    damage(file);
    try {
      await body();
    } finally {
      writeFileSync(file, original);
    }
  }

  it('classify with intact artifacts: labels every image, no "unchecked" note and no tfjs-node banner', async () => {
    const result = await cli('classify', images, '--json');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(6);
    expect(result.stderr).not.toContain('unchecked');
    expect(result.stderr).not.toContain(BANNER);
  });

  it('classify refuses a model whose weights.bin was overwritten (same size), naming the file and what to run', async () => {
    const weights = join(root, 'artifacts', 'classifier', 'models', 'tiny', 'full', 'weights.bin');
    await withDamaged(weights, (f) => overwriteFloats(f, 100), async () => {
      const size = readFileSync(weights).length;
      const result = await cli('classify', images);
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('cvc: artifacts/classifier/models/tiny/full: not what stage classifier wrote (checked against artifacts/classifier/stage.lock.json):');
      expect(result.stderr).toMatch(/ {2}artifacts\/classifier\/models\/tiny\/full\/weights\.bin: sha256 [0-9a-f]{12}… now, [0-9a-f]{12}… in the lock/);
      expect(result.stderr).toContain('Restore it: npx nx run classifier:stage');
      expect(readFileSync(weights).length).toBe(size);
    });
    expect(artifactsNow()).toEqual(pristine);
  });

  it('classify names a truncated weights.bin: against the lock inside artifacts/, by its size for a --model elsewhere (said to be unchecked)', async () => {
    const weights = join(root, 'artifacts', 'classifier', 'models', 'tiny', 'full', 'weights.bin');
    await withDamaged(weights, (f) => truncateSync(f, 300), async () => {
      const inside = await cli('classify', images);
      expect(inside.exitCode).toBe(1);
      expect(inside.stderr).toMatch(/artifacts\/classifier\/models\/tiny\/full\/weights\.bin: sha256 [0-9a-f]{12}… now/);
    });
    const copy = join(tempDir('cvc-model-copy-'), 'model');
    cpSync(join(root, 'artifacts', 'classifier', 'models', 'tiny', 'full'), copy, { recursive: true });
    const intact = await cli('classify', images, '--model', copy, '--json');
    expect(intact.exitCode).toBe(0);
    expect(intact.stderr).toContain(`cvc: note: ${copy}: unchecked (outside the pipeline's artifacts, so no stage lock describes it)`);
    truncateSync(join(copy, 'weights.bin'), 300);
    const truncated = await cli('classify', images, '--model', copy);
    expect(truncated.exitCode).toBe(1);
    expect(truncated.stderr).toMatch(new RegExp(`cvc: ${join(copy, 'weights.bin')}: 300 bytes, but ${join(copy, 'model.json')} needs \\d+ for its \\d+ weights \\(truncated: not this model's weights\\)`));
    expect(artifactsNow()).toEqual(pristine);
  });

  it('similar refuses embeddings changed after the embedder wrote them', async () => {
    const data = join(root, 'artifacts', 'embedder', 'embeddings', 'fc7', 'data.f32');
    const good = await cli('similar', 'clock/clock.1.png', '--k', '3');
    expect(good.exitCode, good.stderr).toBe(0);
    await withDamaged(data, (f) => overwriteFloats(f, 20), async () => {
      const result = await cli('similar', 'clock/clock.1.png', '--k', '3');
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('cvc: artifacts/embedder/embeddings/fc7: not what stage embedder wrote');
      expect(result.stderr).toMatch(/artifacts\/embedder\/embeddings\/fc7\/data\.f32: sha256 [0-9a-f]{12}… now/);
      expect(result.stderr).toContain('Restore it: npx nx run embedder:stage');
    });
    const tooMany = await cli('similar', 'clock/clock.1.png', '--k', '12');
    expect(tooMany.exitCode).toBe(1);
    expect(tooMany.stderr).toContain('cvc: --k 12: out of range (give 1 … 11)');
  });

  it('generate refuses a checkpoint changed after the generator wrote it', async () => {
    const weights = join(root, 'artifacts', 'generator', 'gan', 'checkpoint', 'weights.bin');
    const out = join(tempDir('cvc-gen-'), 'new');
    await withDamaged(weights, (f) => overwriteFloats(f, 100), async () => {
      const result = await cli('generate', '--model', 'gan', '--n', '4', '--out', out);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('cvc: artifacts/generator/gan/checkpoint: not what stage generator wrote');
      expect(result.stderr).toContain('Restore it: npx nx run generator:stage');
    });
    expect(existsSync(out)).toBe(false);
    const good = await cli('generate', '--model', 'gan', '--n', '4', '--mix', '0.25', '--seed', '9', '--out', out);
    expect(good.exitCode, good.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['gan-mix0.25-000.png', 'gan-mix0.25-001.png', 'gan-mix0.25-002.png', 'gan-mix0.25-003.png', 'gan-mix0.25-grid.png']);
    expect(good.stderr).not.toContain(BANNER);
    expect(readdirSync(dirname(out))).toEqual(['new']); // no temp folder left beside it
  });

  it('generate checks every option before loading anything, naming the flag', async () => {
    const parent = tempDir('cvc-gen-bad-');
    const file = join(parent, 'a-file');
    writeFileSync(file, 'x');
    const full = join(parent, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'keep.png'), 'mine');
    const cases: [string[], string][] = [
      [['--seed', 'abc'], '--seed abc: not a whole number (give 0 … 4294967295)'],
      [['--seed', '-1'], '--seed -1: out of range (give 0 … 4294967295)'],
      [['--mix', 'abc'], '--mix abc: not a number (give 0 = clock … 1 = crocodile)'],
      [['--mix', '1.5'], '--mix 1.5: out of range (give 0 = clock … 1 = crocodile)'],
      [['--n', '0'], '--n 0: out of range (give 1 … 1024)'],
      [['--n', '100000'], '--n 100000: out of range (give 1 … 1024)'],
      [['--n', '2.5'], '--n 2.5: not a whole number (give 1 … 1024)'],
      [['--out', file], `--out ${file}: exists and is not a folder; give a new or empty folder`],
      [['--out', full], `--out ${full}: folder is not empty (1 entry); give a new or empty folder, so nothing is overwritten`],
      [['--out', join(root, 'artifacts', 'generator', 'mine')], `--out ${join(root, 'artifacts', 'generator', 'mine')}: inside ${join(root, 'artifacts')}/, where each folder belongs to a stage and its lock; write somewhere else`],
    ];
    const results = await Promise.all(
      cases.map(([args]) => cli('generate', '--model', 'gan', ...(args.includes('--out') ? [] : ['--out', join(parent, 'new')]), ...args)),
    );
    results.forEach((result, i) => {
      expect(result.exitCode, cases[i]![1]).toBe(1);
      expect(result.stderr.trim()).toBe(`cvc: ${cases[i]![1]}`);
    });
    expect(readdirSync(parent).sort()).toEqual(['a-file', 'full']);
    expect(readFileSync(join(full, 'keep.png'), 'utf8')).toBe('mine');
    expect(artifactsNow()).toEqual(pristine);
  });

  it('status piped into a reader that closes early ends quietly (no EPIPE trace)', async () => {
    const run = execa('node', [cvc, 'status', '--pipeline', pipelineFile], { cwd: root, reject: false });
    run.stdout!.destroy(); // the reader is gone before the first line
    const result = await run;
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });
});

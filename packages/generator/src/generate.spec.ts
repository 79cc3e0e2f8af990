// The saved generator artifact and `cvc generate`: restore, sample, write PNGs; bad options fail clearly.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@cvc/core';
import { tempDir } from '@cvc/core/testing';
import { initCompute, tf } from '@cvc/core/backend';
import { createGan } from './gan.ts';
import { checkpointDirFor, generateToFolder, guidanceFor } from './generate.ts';
import { createAutoencoder } from './autoencoder.ts';
import { restoreGenerator, saveGenerator } from './generator-artifact.ts';
import { sampleAtMix } from './sample.ts';
import { tinyAutoencoder, tinyGan } from '../testing/fixtures.ts';
import { generatorWorkspace, writeFixtureClassifiers, writeFixtureDataset, writeFixturePretrained, writeFixtureResnetClassifier } from '../testing/stage-workspace.ts';

beforeAll(async () => { await initCompute(() => {}); });

describe('generate from a checkpoint', () => {
  it('restores the exact model and writes n 32x32 PNGs plus a grid, the same for the same seed', async () => {
    const gan = createGan(tf, tinyGan, createRng(21));
    const dir = tempDir();
    saveGenerator(dir, gan, { kind: 'gan', config: tinyGan, classNames: ['clock', 'crocodile'], epochs: 1 });
    const { model } = restoreGenerator(tf, dir);
    expect(Buffer.from(sampleAtMix(tf, model, 3, 0.5, createRng(1)))).toEqual(Buffer.from(sampleAtMix(tf, gan, 3, 0.5, createRng(1))));
    model.dispose();
    gan.dispose();

    const out = tempDir();
    const files = await generateToFolder(tf, dir, { n: 3, mix: 0.5, seed: 7, out });
    expect(files.map((f) => f.slice(out.length + 1))).toEqual(['gan-mix0.5-000.png', 'gan-mix0.5-001.png', 'gan-mix0.5-002.png']);
    expect(readdirSync(out).sort()).toEqual(['gan-mix0.5-000.png', 'gan-mix0.5-001.png', 'gan-mix0.5-002.png', 'gan-mix0.5-grid.png']);
    const meta = await sharp(files[0]!).metadata();
    expect([meta.width, meta.height]).toEqual([32, 32]);
    const again = tempDir();
    await generateToFolder(tf, dir, { n: 3, mix: 0.5, seed: 7, out: again });
    expect(readFileSync(join(again, 'gan-mix0.5-002.png'))).toEqual(readFileSync(files[2]!));
  });

  it('rejects a mix outside [0, 1] and a missing checkpoint, naming the option or file', async () => {
    const gan = createGan(tf, tinyGan, createRng(1));
    const dir = tempDir();
    saveGenerator(dir, gan, { kind: 'gan', config: tinyGan, classNames: ['clock', 'crocodile'], epochs: 1 });
    gan.dispose();
    await expect(generateToFolder(tf, dir, { n: 2, mix: 1.5, seed: 1, out: tempDir() })).rejects.toThrow('--mix 1.5');
    const empty = tempDir();
    await expect(generateToFolder(tf, empty, { n: 2, mix: 0.5, seed: 1, out: tempDir() })).rejects.toThrow(join(empty, 'config.json'));
  });

  it('says a baseline has no checkpoint and where its hybrids are', () => {
    const ws = generatorWorkspace(['blend', 'frequency'], []);
    expect(() => checkpointDirFor(ws.pipelineFile, 'frequency')).toThrow(`--model frequency: a training-free baseline with no checkpoint; its hybrids are in ${join(ws.root, 'artifacts', 'generator', 'frequency', 'hybrids')}`);
  });
});

describe('guided generate', () => {
  it('guides a model the pipeline guides, as the stage does; --mix other than 0, ½, 1 is refused; other models are not guided', async () => {
    const ws = generatorWorkspace(['autoencoder'], ['guidance: { models: [autoencoder], guides: [resnet-scratch, shallow], folds: true, steps: 4, learningRate: 0.05, prior: 0.01, anchor: 0, realism: 1, views: 2, hybrid: blend }']);
    const art = (p: string) => join(ws.root, 'artifacts', p);
    writeFixtureDataset(art('data-prep/dataset'), 6);
    await writeFixtureClassifiers(art('classifier/models'), ['resnet', 'cnn', 'shallow']);
    await writeFixtureResnetClassifier(art('classifier/models'), 'resnet-scratch', 1);
    await writeFixturePretrained(art('pretrain/model'));
    await initCompute(() => {});
    const ae = createAutoencoder(tf, tinyAutoencoder, createRng(3));
    const rng = createRng(8); // a code density fitted to random images, so that latents move the decoded image
    ae.fitDensity(Float32Array.from({ length: 8 * 32 * 32 * 3 }, () => rng.next()), [0, 0, 0, 0, 1, 1, 1, 1]);
    const dir = tempDir();
    saveGenerator(dir, ae, { kind: 'autoencoder', config: tinyAutoencoder, classNames: ['clock', 'crocodile'], epochs: 1 });
    ae.dispose();

    expect(await guidanceFor(tf, ws.pipelineFile, 'gan')).toBeUndefined();
    const guidance = (await guidanceFor(tf, ws.pipelineFile, 'autoencoder'))!;
    expect(guidance.guides).toHaveLength(3); // resnet-scratch full + fold-0, shallow full
    expect(guidance.inputs).toEqual([art('classifier/models'), art('pretrain/model'), art('data-prep/dataset')]);
    const guided = tempDir();
    const files = await generateToFolder(tf, dir, { n: 2, mix: 0, seed: 5, out: guided, guidance });
    expect(files.map((f) => f.slice(guided.length + 1))).toEqual(['autoencoder-guided-mix0-000.png', 'autoencoder-guided-mix0-001.png']);
    const plain = tempDir();
    const plainFiles = await generateToFolder(tf, dir, { n: 2, mix: 0, seed: 5, out: plain });
    expect(readFileSync(files[0]!)).not.toEqual(readFileSync(plainFiles[0]!)); // same latents, moved by the guides
    // Hybrids as the stage draws them (hybrid: blend): a guided clock part and crocodile part, averaged; reproducible from the seed.
    const hybrids = await generateToFolder(tf, dir, { n: 2, mix: 0.5, seed: 5, out: tempDir(), guidance });
    expect(readFileSync(hybrids[0]!)).toEqual(readFileSync((await generateToFolder(tf, dir, { n: 2, mix: 0.5, seed: 5, out: tempDir(), guidance }))[0]!));
    await expect(generateToFolder(tf, dir, { n: 2, mix: 0.3, seed: 5, out: tempDir(), guidance })).rejects.toThrow('--mix 0.3: guided draws are at 0 (clock), 0.5 (hybrid) or 1 (crocodile)');
    guidance.dispose();
  }, 60_000);
});

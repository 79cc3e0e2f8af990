// The generator stage with the autoencoder on fixture data in a temp workspace (a tiny model, 2
// epochs): the same outputs as every learned model, its metrics under the three judges, a rerun that
// resumes from the finished checkpoint and writes the same bytes, and a checkpoint that samples
// again outside the stage (the fitted code density is saved with the weights).
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hashTree, readJson } from '@cvc/core';
import { tf } from '@cvc/core/backend';
import { runStage } from '@cvc/core/runner';
import type { Autoencoder } from './autoencoder.ts';
import { restoreGenerator } from './generator-artifact.ts';
import { generatorWorkspace, writeFixtureClassifiers, writeFixtureResnetClassifier, writeFixtureDataset, writeFixtureObjectJudge, writeFixturePretrained } from '../testing/stage-workspace.ts';

const TINY = 'autoencoder: { epochs: 2, batchSize: 4, codeDim: 6, embedDim: 4, encoderWidths: [8, 8, 16], decoderWidths: [16, 8, 8, 8], perceptualWeight: 0.1, codePenalty: 0.001, learningRate: 0.003, beta1: 0.9, beta2: 0.99, flip: true, shrinkage: 0.1, hybrid: boundary }';
const GUIDED = 'guidance: { models: [autoencoder], guides: [resnet-scratch, shallow], folds: true, steps: 3, learningRate: 0.05, prior: 0.01, anchor: 0, realism: 1, views: 2, hybridViews: 1, hybrid: blend }';
const PARAMS = ['hybrids: 8', 'samplesPerClass: 6', 'strips: 2', 'stripSteps: 3', 'bestHybrids: 4', 'secondJudge: cnn', 'checkpointEvery: 1', TINY, GUIDED];

describe('generator stage with the autoencoder', () => {
  let ws: { root: string; pipelineFile: string };
  const log: string[] = [];
  const dir = () => join(ws.root, 'artifacts', 'generator', 'autoencoder');

  beforeAll(async () => {
    ws = generatorWorkspace(['autoencoder'], PARAMS);
    writeFixtureDataset(join(ws.root, 'artifacts', 'data-prep', 'dataset'), 10);
    await writeFixtureClassifiers(join(ws.root, 'artifacts', 'classifier', 'models'), ['resnet', 'cnn', 'shallow']);
    await writeFixtureResnetClassifier(join(ws.root, 'artifacts', 'classifier', 'models'), 'resnet-scratch', 2);
    await writeFixtureObjectJudge(join(ws.root, 'artifacts', 'object-judge', 'model'));
    await writeFixturePretrained(join(ws.root, 'artifacts', 'pretrain', 'model'));
    await runStage({ pipelineFile: ws.pipelineFile, stage: 'generator', log: (m) => log.push(m) });
  }, 120_000);

  it('trains and writes hybrids, grids, strips and a checkpoint like every learned model', () => {
    expect(readdirSync(join(dir(), 'hybrids'))).toHaveLength(8);
    for (const f of ['hybrids.png', 'best-hybrids.png', 'best-hybrids-nearest.png', 'samples.png', 'interpolation.png', 'checkpoint/config.json', 'checkpoint/weights.bin', 'checkpoint/weights.json']) {
      expect(existsSync(join(dir(), f)), f).toBe(true);
    }
    expect(log.some((l) => l.includes('autoencoder: trained epochs 1–2'))).toBe(true);
  });

  it('is measured under the three judges like the other models', () => {
    type M = {
      type: string; epochs: number; history: { epoch: number; losses: Record<string, number> }[];
      hybrids: { count: number; shareInRange: number; secondJudge: { shareInRange: number } };
      classSamples: { perClass: number; precisionRecall: { k: number; clock: { precision: number } } };
      objectAware: { classTop1: { clock: number }; hybrids: { meanPClockPlusCrocodile: number } };
      bestHybrids: unknown[];
      guidance: { guides: string[]; members: number; steps: number; views: number; hybrid: string };
    };
    const metrics = readJson<{ models: Record<string, M> }>(join(ws.root, 'artifacts', 'generator', 'metrics.json'));
    const m = metrics.models['autoencoder']!;
    expect(m).toMatchObject({ type: 'learned', epochs: 2, hybrids: { count: 8 }, classSamples: { perClass: 6 } });
    expect(m.history).toHaveLength(2);
    for (const v of [m.hybrids.shareInRange, m.hybrids.secondJudge.shareInRange, m.objectAware.classTop1.clock, m.objectAware.hybrids.meanPClockPlusCrocodile, m.classSamples.precisionRecall.clock.precision]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    expect(m.bestHybrids).toHaveLength(4);
    expect(m.guidance).toMatchObject({ guides: ['resnet-scratch', 'shallow'], members: 4, steps: 3, views: 2, hybridViews: 1, hybrid: 'blend' }); // resnet-scratch full + 2 folds, shallow full
    expect(log.some((l) => /autoencoder: guided 20 images by resnet-scratch \+ shallow \(4 networks\), 3 steps each, each guide on its own random view \(class samples ±2 px, hybrids ±1 px, mirrored or not\), hybrids: blend, in/.test(l))).toBe(true);
  });

  it('refuses a guide that is a judge, naming the param, and keeps the previous artifacts', async () => {
    const before = hashTree(join(ws.root, 'artifacts', 'generator'));
    await expect(runStage({ pipelineFile: ws.pipelineFile, stage: 'generator', set: { guidance: { guides: ['resnet-scratch', 'cnn'] } }, log: () => {} })).rejects.toThrow('stages.generator.params.guidance.guides: "cnn" is the second judge');
    expect(hashTree(join(ws.root, 'artifacts', 'generator'))).toEqual(before);
  });

  it('saves the fitted code density with the weights: the restored model draws class codes at the class means', () => {
    const { model, info } = restoreGenerator(tf, join(dir(), 'checkpoint'));
    expect(info.kind).toBe('autoencoder');
    const ae = model as Autoencoder;
    const means = [0, 1].map((cls) => tf.tidy(() => Array.from(ae.classCodes(cls as 0 | 1, tf.zeros([1, ae.codeDim]) as tf.Tensor2D).dataSync())));
    // Untrained density = zeros; fitted: two different, non-zero class means.
    expect(means[0]!.some((v) => v !== 0)).toBe(true);
    expect(means[0]).not.toEqual(means[1]);
    model.dispose();
  });

  it('a rerun resumes from the finished checkpoint (no training) and writes the same bytes', async () => {
    const before = hashTree(join(ws.root, 'artifacts', 'generator'));
    const again: string[] = [];
    await runStage({ pipelineFile: ws.pipelineFile, stage: 'generator', log: (m) => again.push(m) });
    expect(again.some((l) => l.includes('autoencoder: resuming from checkpoint at epoch 2/2'))).toBe(true);
    expect(again.some((l) => l.includes('autoencoder: trained epochs'))).toBe(false);
    expect(hashTree(join(ws.root, 'artifacts', 'generator'))).toEqual(before);
  }, 120_000);
});

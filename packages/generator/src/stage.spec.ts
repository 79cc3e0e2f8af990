// The generator stage on fixture data in a temp workspace, with the two baselines (no training):
// every declared file, the metrics under three judges, byte-identical reruns, and a clear error when
// the second judge is the best one.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hashTree, readJson } from '@cvc/core';
import { runStage } from '@cvc/core/runner';
import { generatorWorkspace, writeFixtureClassifiers, writeFixtureDataset, writeFixtureObjectJudge } from '../testing/stage-workspace.ts';

const quiet = () => {};
const PARAMS = ['hybrids: 8', 'samplesPerClass: 6', 'strips: 2', 'stripSteps: 3', 'bestHybrids: 4', 'secondJudge: cnn'];

describe('generator stage with the baselines', () => {
  let ws: { root: string; pipelineFile: string };
  const log: string[] = [];

  beforeAll(async () => {
    ws = generatorWorkspace(['blend', 'frequency'], PARAMS);
    writeFixtureDataset(join(ws.root, 'artifacts', 'data-prep', 'dataset'), 10);
    await writeFixtureClassifiers(join(ws.root, 'artifacts', 'classifier', 'models'), ['resnet', 'cnn']);
    await writeFixtureObjectJudge(join(ws.root, 'artifacts', 'object-judge', 'model'));
    await runStage({ pipelineFile: ws.pipelineFile, stage: 'generator', log: (m) => log.push(m) });
  });

  it('writes hybrids, grids, the nearest-training strip, strips and provenance for each baseline', () => {
    for (const m of ['blend', 'frequency']) {
      const dir = join(ws.root, 'artifacts', 'generator', m);
      expect(readdirSync(join(dir, 'hybrids'))).toHaveLength(8);
      for (const f of ['hybrids.png', 'best-hybrids.png', 'best-hybrids-nearest.png', 'samples.png', 'interpolation.png', 'baseline.json']) expect(existsSync(join(dir, f)), `${m}/${f}`).toBe(true);
      const baseline = readJson<{ kind: string; hybrids: { a: string; b: string }[] }>(join(dir, 'baseline.json'));
      expect(baseline.kind).toBe(m);
      expect(baseline.hybrids).toHaveLength(8);
      // Held-out test images (clock.0, clock.1, crocodile.0, crocodile.1) are never used.
      for (const h of baseline.hybrids) for (const f of [h.a, h.b]) expect(['clock/clock.0.png', 'clock/clock.1.png', 'crocodile/crocodile.0.png', 'crocodile/crocodile.1.png']).not.toContain(f);
    }
    expect(log.some((l) => l.includes('judges: best resnet/full (features: pooled), second cnn/full, object-aware 4-way'))).toBe(true);
  });

  it('measures every baseline under the three judges, with both frequency directions', () => {
    type M = {
      type: string; params: unknown;
      hybrids: { count: number; shareInRange: number; secondJudge: { shareInRange: number }; calibratedShareInRange: { best: number; second: number } };
      classSamples: { perClass: number; precisionRecall: { k: number; realPerClass: number; clock: { precision: number; recall: number } } };
      objectAware: { classTop1: { clock: number }; hybrids: { meanPClockPlusCrocodile: number } };
      bestHybrids: { index: number; nearestTrain: { index: number; rms: number; file: string } }[];
      hybridGroups?: Record<string, { count: number }>;
    };
    const metrics = readJson<{ judge: string; judges: { best: { temperature: number }; second: { name: string; temperature: number }; object: { classes: string[]; accuracy: unknown } }; reference: { testVsTrainObjectFeatures: { fid: number } }; models: Record<string, M> }>(join(ws.root, 'artifacts', 'generator', 'metrics.json'));
    expect(metrics.judge).toBe('resnet/full');
    expect(metrics.judges.second.name).toBe('cnn/full');
    // Each 2-way judge names the temperature its classifier-stage metadata holds.
    for (const role of ['best', 'second'] as const) expect(metrics.judges[role].temperature).toBeGreaterThan(0);
    expect(metrics.judges.object).toMatchObject({ classes: ['frog', 'ship', 'clock', 'crocodile'], accuracy: { cifar10Test: 0.5, datasetTest: { clock: 1, crocodile: 0 } } });
    expect(Number.isFinite(metrics.reference.testVsTrainObjectFeatures.fid)).toBe(true);
    const { blend, frequency } = metrics.models;
    expect(blend!.type).toBe('baseline');
    expect(frequency!.params).toEqual({ sigma: 1.5 });
    for (const m of [blend!, frequency!]) {
      expect(m.hybrids.count).toBe(8);
      for (const v of [m.hybrids.shareInRange, m.hybrids.secondJudge.shareInRange, m.hybrids.calibratedShareInRange.best, m.hybrids.calibratedShareInRange.second, m.objectAware.classTop1.clock, m.objectAware.hybrids.meanPClockPlusCrocodile, m.classSamples.precisionRecall.clock.precision]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
      expect(m.classSamples.precisionRecall).toMatchObject({ k: 3, realPerClass: 6 });
      expect(m.bestHybrids).toHaveLength(4);
      for (const b of m.bestHybrids) expect(b.nearestTrain.file).toMatch(/^(clock|crocodile)\//);
    }
    expect(Object.entries(frequency!.hybridGroups!).map(([g, v]) => [g, v.count])).toEqual([['clock low + crocodile high', 4], ['crocodile low + clock high', 4]]);
    expect(blend!.hybridGroups).toBeUndefined();
  });

  it('gives byte-identical artifacts when run again', async () => {
    const dir = join(ws.root, 'artifacts', 'generator');
    const before = hashTree(dir);
    await runStage({ pipelineFile: ws.pipelineFile, stage: 'generator', log: quiet });
    expect(hashTree(dir)).toEqual(before);
  });

  it('refuses a second judge that is the best model, naming the param, and keeps the previous artifacts', async () => {
    const dir = join(ws.root, 'artifacts', 'generator');
    const before = hashTree(dir);
    await expect(runStage({ pipelineFile: ws.pipelineFile, stage: 'generator', set: { secondJudge: 'resnet' }, log: quiet })).rejects.toThrow('stages.generator.params.secondJudge: "resnet" is the best model itself');
    await expect(runStage({ pipelineFile: ws.pipelineFile, stage: 'generator', set: { secondJudge: 'shallow' }, log: quiet })).rejects.toThrow(/classifier\/models\/shallow\/full\/model\.json: classifier model "shallow" has no full model/);
    expect(hashTree(dir)).toEqual(before);
  });
});

// The cache rules, shown on a small real pipeline run by Nx in a throw-away workspace:
// data-prep (this repo's package) → summary → report (two tiny fixture stages).
import { beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPipeline } from '@cvc/core';
import { pipelineStatus } from '@cvc/core/status';
import { noiseImage, tempDir } from '@cvc/core/testing';
import { createNxWorkspace, nx as runNx, pipelineYaml, reportStage, summaryStage, writeFixtureData } from '../testing/nx-workspace.ts';

const nx = (root: string, ...args: string[]) => runNx(root, args);

// Each test runs real Nx several times (≈ 10 s quiet, up to a minute on a loaded machine).
describe('Nx runs the YAML pipeline with per-stage caching', { timeout: 180_000 }, () => {
  let root: string;
  let data: string;
  let file: string;
  const status = () => Object.fromEntries(pipelineStatus(loadPipeline(file)).map((s) => [s.stage, s.reasons]));

  beforeAll(async () => {
    root = tempDir('cvc-nx-cache-');
    data = await writeFixtureData(join(root, 'data'));
    file = createNxWorkspace(root, data);
  });

  it('runs every stage in DAG order, then nothing on a second run (all cache hits)', async () => {
    expect(status()['data-prep']).toEqual(['never run (no stage.lock.json)']);
    expect((await nx(root, 'run', 'pipeline:all')).executed).toEqual(['data-prep', 'summary', 'report']);
    expect(Object.values(status()).flat()).toEqual([]);
    const again = await nx(root, 'run', 'pipeline:all');
    expect(again.executed).toEqual([]);
    expect(again.cached).toEqual(['data-prep', 'summary', 'report']);
  });

  it("reruns a stage whose params changed, and its downstream only; status says why", async () => {
    writeFileSync(file, pipelineYaml(data, 'b', 'T'));
    const reasons = status();
    expect(reasons['data-prep']).toEqual([]);
    expect(reasons.summary).toEqual(['params changed: label "a" → "b"']);
    expect(reasons.report).toEqual(['upstream will rerun: summary']);
    expect((await nx(root, 'run', 'pipeline:all')).executed).toEqual(['summary', 'report']);
  });

  it("reruns a stage whose package source changed, and its downstream only", async () => {
    writeFileSync(join(root, 'packages', 'summary', 'src', 'stage.ts'), summaryStage(2));
    expect(status().summary).toEqual(['code changed: packages/summary/src/stage.ts']);
    expect((await nx(root, 'run', 'pipeline:all')).executed).toEqual(['summary', 'report']);
    writeFileSync(join(root, 'packages', 'report', 'src', 'stage.ts'), reportStage('» '));
    expect((await nx(root, 'run', 'pipeline:all')).executed).toEqual(['report']);
  });

  it('stops the cascade when a rerun stage writes byte-identical outputs', async () => {
    appendFileSync(join(root, 'packages', 'data-prep', 'src', 'split.ts'), '\n// a comment changes the code hash, not the output\n');
    const run = await nx(root, 'run', 'pipeline:all');
    expect(run.executed).toEqual(['data-prep']);
    expect(run.cached).toEqual(['summary', 'report']);
  });

  it('reruns data-prep and everything downstream when a data file is added, changed or removed', async () => {
    writeFileSync(join(data, 'clock', 'extra.png'), await noiseImage([210, 20, 20], { seed: 99 }));
    expect(status()['data-prep']).toEqual(['input changed: params.dataDir']);
    expect((await nx(root, 'run', 'pipeline:all')).executed).toEqual(['data-prep', 'summary', 'report']);
    writeFileSync(join(data, 'crocodile', 'crocodile.0.png'), await noiseImage([20, 140, 50], { seed: 7 }));
    expect((await nx(root, 'run', 'pipeline:all')).executed).toEqual(['data-prep', 'summary', 'report']);
    rmSync(join(data, 'clock', 'clock.0.png'));
    expect((await nx(root, 'run', 'pipeline:all')).executed).toEqual(['data-prep', 'summary', 'report']);
  });

  it('reruns one stage alone, restoring its inputs from the cache', async () => {
    rmSync(join(root, 'artifacts'), { recursive: true });
    const restored = await nx(root, 'run', 'report:stage');
    expect(restored.executed).toEqual([]);
    expect(restored.cached).toEqual(['data-prep', 'summary', 'report']);
    expect(existsSync(join(root, 'artifacts', 'data-prep', 'dataset', 'images.u8'))).toBe(true);

    writeFileSync(file, pipelineYaml(data, 'b', 'U'));
    const alone = await nx(root, 'run', 'report:stage');
    expect(alone.executed).toEqual(['report']);
    expect(JSON.parse(readFileSync(join(root, 'artifacts', 'report', 'report.json'), 'utf8')).title).toBe('» U');
  });
});

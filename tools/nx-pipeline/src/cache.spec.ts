// The cache rules, shown on a small real pipeline run by Nx in a throw-away workspace:
// data-prep (this repo's package) → summary → report (two tiny fixture stages).
import { beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPipeline } from '@cvc/core';
import { pipelineStatus } from '@cvc/core/status';
import { noiseImage, tempDir } from '@cvc/core/testing';
import { createNxWorkspace, labelModule, nx as runNx, pipelineYaml, reportStage, summaryStage, writeFixtureData } from '../testing/nx-workspace.ts';

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

  it('reruns a stage when a file it imports changes, and nothing for specs, test helpers, benches or scripts', async () => {
    writeFileSync(join(root, 'packages', 'summary', 'src', 'label.ts'), labelModule('!'));
    expect(status().summary).toEqual(['code changed: packages/summary/src/label.ts']);
    expect((await nx(root, 'run', 'pipeline:all')).executed).toEqual(['summary', 'report']);
    writeFileSync(join(root, 'packages', 'summary', 'src', 'label.spec.ts'), "import { it } from 'vitest';\nit('x', () => {});\n");
    for (const folder of ['testing', 'scripts', 'bench']) {
      mkdirSync(join(root, 'packages', 'summary', folder), { recursive: true });
      writeFileSync(join(root, 'packages', 'summary', folder, 'helper.ts'), "export const helper = 1;\n");
    }
    expect(Object.values(status()).flat()).toEqual([]);
    const run = await nx(root, 'run', 'pipeline:all');
    expect(run.executed).toEqual([]);
    expect(run.cached).toEqual(['data-prep', 'summary', 'report']);
  });

  it('adding a profile reruns nothing in the default run; -c <profile> runs it; an unknown profile is an error naming it', async () => {
    mkdirSync(join(root, 'pipelines', 'profiles'), { recursive: true });
    writeFileSync(join(root, 'pipelines', 'profiles', 'quick.yaml'), 'stages:\n  summary:\n    params: { label: q }\n');
    writeFileSync(file, pipelineYaml(data, 'b', 'T', 'profiles:\n  quick: pipelines/profiles/quick.yaml\n'));
    expect((await nx(root, 'run', 'pipeline:all')).executed).toEqual([]);
    // A profile run is its own experiment: every stage runs under it (and records it in its lock).
    const quick = await nx(root, 'run', 'pipeline:all', '-c', 'quick');
    expect(quick.executed).toEqual(['data-prep', 'summary', 'report']);
    expect(JSON.parse(readFileSync(join(root, 'artifacts', 'summary', 'counts.json'), 'utf8')).label).toBe('q!');
    expect(JSON.parse(readFileSync(join(root, 'artifacts', 'summary', 'stage.lock.json'), 'utf8')).profile).toBe('quick');
    const typo = await runNx(root, ['run', 'pipeline:all', '-c', 'quik'], { reject: false });
    expect(typo.exitCode).not.toBe(0);
    expect(typo.output).toContain('profiles.quik: no such profile (did you mean "quick"?)');
    // Back to the default: its artifacts come back from the cache.
    const back = await nx(root, 'run', 'pipeline:all');
    expect(back.executed).toEqual([]);
    expect(JSON.parse(readFileSync(join(root, 'artifacts', 'summary', 'counts.json'), 'utf8')).label).toBe('b!');
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

// `cvc metrics show | list | diff` on a fixture run (the real data-prep and report stages, stand-ins
// for the classifier, ranker and generator writing artifacts shaped like theirs, all through the
// real runner): every stage's headline figures; a kept run; a param change seen beside the
// figures it moved; an unknown run named.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { runStage } from '@cvc/core/runner';
import { fixtureRun, type FixtureRun } from '@cvc/report/testing/fixture-run';

const cvc = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'cvc.mjs');

describe('cvc metrics', () => {
  let run: FixtureRun;
  const cli = (...args: string[]) => execa('node', [cvc, 'metrics', ...args, '--pipeline', run.pipelineFile], { cwd: run.root, reject: false });

  beforeAll(async () => {
    run = await fixtureRun({ stages: ['classifier', 'ranker', 'generator'] });
  }, 120_000);

  it('shows every stage\'s headline figures, read through the artifacts\' schemas', async () => {
    const show = await cli('show');
    expect(show.exitCode).toBe(0);
    expect(show.stdout).toMatch(/^workspace \(the pipeline as written\)/);
    expect(show.stdout).toMatch(/data-prep\s+clock images\s+10\n/);
    expect(show.stdout).toMatch(/classifier\s+best model\s+cnn\n/);
    // What a stage measures alike for several models is one table, a row per model.
    expect(show.stdout).toMatch(/\n {12}\s+CV accuracy\s+test accuracy\s+test AUC\s+ECE raw\s+ECE scaled\s+epochs\n\s+shallow\s+81\.3% ± 6\.3 .*\n\s+cnn\s+93\.8% ± 6\.3 /);
    expect(show.stdout).toMatch(/\nranker\s+panel-consensus held-out panel \|p-0\.5\| @5\s+0\.1800\n(.*\n)*?\s+scorer agreement \(mean Spearman\)\s+0\.4200\n/);
    expect(show.stdout).toMatch(/\n\s+hybrid share\s+hybrid share, 2nd judge\s+hybrid share, calibrated\s+hybrid share, 2nd judge calibrated\s+hybrids 12-way p\(clk\)\+p\(croc\)\s+FID\s+KID.*\n\s+frequency\s+\d+\.\d%.*\n\s+vae\s+\d+\.\d%/);
    expect(show.stdout).toMatch(/report\s+run time\s+\d/);
    const json = JSON.parse((await cli('show', '--json')).stdout) as { figures: { stage: string; subject?: string; name: string; value: number | string }[] };
    expect(json.figures.find((f) => f.subject === 'cnn' && f.name === 'CV accuracy')).toMatchObject({ stage: 'classifier', value: 0.9375, spread: 0.0625, unit: 'percent', better: 'higher' });
  });

  it('keeps a run once, then compares the workspace with it after a param change', async () => {
    const first = await cli('snapshot');
    expect(first.stderr).toMatch(/run kept: artifacts\/\.runs\/history\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ-[0-9a-f]{8}/);
    expect((await cli('snapshot')).stderr).toMatch(/nothing new to keep/);
    expect((await cli('diff')).stderr).toMatch(/no earlier run kept/);

    // One param changed: the test split. data-prep reruns and so does everything after it.
    const text = readFileSync(run.pipelineFile, 'utf8');
    writeFileSync(run.pipelineFile, text.replace('split: { validation: 0.2, test: 0.2 }', 'split: { validation: 0.2, test: 0.3 }'));
    for (const stage of ['data-prep', 'classifier', 'ranker', 'generator', 'report']) await runStage({ pipelineFile: run.pipelineFile, stage, log: () => {} });
    const diff = await cli('diff');
    expect(diff.exitCode).toBe(0);
    expect(diff.stdout).toMatch(/params changed\n\s+stage\s+param\s+before\s+after\n\s+data-prep\s+split\.test\s+0\.2\s+0\.3\n/);
    expect(diff.stdout).toMatch(/data-prep\s+train \/ validation \/ test\s+12 \/ 4 \/ 4\s+10 \/ 4 \/ 6\s+changed/);
    expect(diff.stdout).not.toMatch(/cnn CV accuracy/); // the stand-in classifier's figures did not move
    const json = JSON.parse((await cli('diff', '--json')).stdout) as { params: unknown[]; from: { name: string }; to: { name: string } };
    expect(json.params).toEqual([{ stage: 'data-prep', key: 'split.test', before: '0.2', after: '0.3' }]);
    expect(json.to.name).toBe('workspace');

    // The new run is kept; diff then compares it with the one before; list shows both.
    await cli('snapshot');
    const again = JSON.parse((await cli('diff', '--json')).stdout) as { from: { name: string }; params: unknown[] };
    expect(again.from.name).toBe(json.from.name);
    expect(again.params).toHaveLength(1);
    const list = (await cli('list')).stdout.trim().split('\n');
    expect(list).toHaveLength(3); // header + 2 runs
    const [older, newer] = list.slice(1).map((l) => l.split(/\s+/)[0]!);
    const between = JSON.parse((await cli('diff', older!, newer!, '--json')).stdout) as { params: unknown[] };
    expect(between.params).toEqual(json.params);
    expect((await cli('show', older!.slice(0, 22))).stdout).toMatch(/train \/ validation \/ test\s+12 \/ 4 \/ 4/);
  }, 120_000);

  it('names a run it does not have', async () => {
    const missing = await cli('show', '1999-01-01');
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/no run "1999-01-01" in artifacts\/\.runs\/history \(runs: /);
  });
});

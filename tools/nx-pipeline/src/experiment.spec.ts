// Experiments through Nx, on the small real pipeline of the cache specs (data-prep → summary →
// report): `cvc exp run --set` writes a generated profile, reruns only the stage it changes and
// what follows (the rest comes from the base run's cache, as the profile hashes as its base), keeps
// the run; `cvc exp show` puts it next to the base run; bad paths are errors naming the param.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { execa } from 'execa';
import { tempDir } from '@cvc/core/testing';
import { createNxWorkspace, nx, repo, writeFixtureData } from '../testing/nx-workspace.ts';

const cvcBin = join(repo, 'packages', 'cli', 'bin', 'cvc.mjs');

describe('cvc exp', { timeout: 240_000 }, () => {
  let root: string;
  let file: string;
  const env = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0', NX_DEFAULT_OUTPUT_STYLE: 'static' };
  const cvc = async (...args: string[]) => {
    const r = await execa('node', [cvcBin, ...args, '--pipeline', file], { cwd: root, reject: false, all: true, env, extendEnv: true });
    return { ...r, all: stripVTControlCharacters(r.all ?? '') };
  };
  const stagesIn = (output: string, mark: RegExp) => [...output.matchAll(/^> nx run ([\w-]+):stage\S*(.*)$/gm)].filter((m) => mark.test(m[2]!)).map((m) => m[1]);

  beforeAll(async () => {
    root = tempDir('cvc-nx-exp-');
    file = createNxWorkspace(root, await writeFixtureData(join(root, 'data')));
    expect((await nx(root, ['run', 'pipeline:all'])).executed).toEqual(['data-prep', 'summary', 'report']);
  });

  it('runs only the changed stage and its downstream, from the base run\'s cache for the rest', async () => {
    const run = await cvc('exp', 'run', '--set', 'label=lbl', '--name', 'relabel');
    expect(run.exitCode, run.all).toBe(0);
    expect(run.all).toContain('experiment relabel (');
    expect(stagesIn(run.all, /\[local cache\]|\[existing outputs/)).toEqual(['data-prep']);
    expect(stagesIn(run.all, /^\s*$/)).toEqual(['summary', 'report']);
    expect(JSON.parse(readFileSync(join(root, 'artifacts', 'summary', 'counts.json'), 'utf8')).label).toBe('lbl');
    // The generated profile: base, the --set, the stage's full params.
    const experiment = readFileSync(join(root, 'pipelines', 'experiments', 'relabel.yaml'), 'utf8');
    expect(experiment).toMatch(/experiment:\n {2}base: null\n {2}set:\n {4}summary\.label: lbl\n/);
    expect(experiment).toMatch(/stages:\n {2}summary:\n {4}params:\n {6}label: lbl\n/);
    // The lock names the base profile (none), so a default run restores everything from the cache.
    expect(JSON.parse(readFileSync(join(root, 'artifacts', 'summary', 'stage.lock.json'), 'utf8')).profile).toBeNull();

    // The same experiment again: every stage from the cache.
    const again = await cvc('exp', 'run', '--set', 'label=lbl', '--name', 'relabel');
    expect(stagesIn(again.all, /^\s*$/)).toEqual([]);
  });

  it('shows the experiment next to the run it started from, params and figures', async () => {
    const show = await cvc('exp', 'show', '--json');
    expect(show.exitCode, show.all).toBe(0);
    const table = JSON.parse(show.stdout) as { columns: { title: string; run: string | null }[]; params: { path: string; values: string[] }[]; figures: { stage: string; name: string; values: string[] }[] };
    expect(table.columns.map((c) => c.title)).toEqual(['main', 'relabel']);
    expect(table.columns.every((c) => c.run !== null)).toBe(true);
    expect(table.params).toEqual([{ path: 'summary.label', values: ['"a"', '"lbl"'] }]);
    expect(table.figures.find((f) => f.name === 'clock images')).toMatchObject({ stage: 'data-prep', values: ['6', '6'] });
    const text = await cvc('exp', 'show');
    expect(text.stdout).toMatch(/params\s+summary\.label\s+"a"\s+"lbl"/);
  });

  it('refuses unknown params and paths, naming them, and writes no experiment', async () => {
    const typo = await cvc('exp', 'run', '--set', 'summary.lable=x', '--name', 'typo');
    expect(typo.exitCode).toBe(1);
    expect(typo.stderr).toContain('--set: stages.summary.params.lable: unknown param (did you mean "label"?)');
    const nowhere = await cvc('exp', 'run', '--set', 'colour=red');
    expect(nowhere.stderr).toContain('--set colour=red: no stage has a param "colour"');
    const same = await cvc('exp', 'run', '--set', 'label=a');
    expect(same.stderr).toContain('every value is already what the pipeline file sets');
    expect(existsSync(join(root, 'pipelines', 'experiments', 'typo.yaml'))).toBe(false);
  });
});

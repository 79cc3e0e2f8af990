// Experiments as profiles (pipelines/experiments/<name>.yaml, written by `cvc exp run`): chosen by
// name like a profile, they take their base profile's identity (so unchanged stages hash, lock and
// cache as in the base run) and their own stages' params; bad files are named.
import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { experimentNames, loadPipeline, stageParamsDigest } from './pipeline-file.ts';
import { tempDir } from '../testing/fixtures.ts';

function workspace(): string {
  const root = tempDir('cvc-exp-profile-');
  mkdirSync(join(root, 'pipelines', 'profiles'), { recursive: true });
  mkdirSync(join(root, 'pipelines', 'experiments'));
  writeFileSync(
    join(root, 'pipelines', 'p.yaml'),
    `seed: 1
artifacts:
  a: { path: artifacts/one/a.json, format: json }
  b: { path: artifacts/two/b.json, format: json }
stages:
  one: { package: packages/one, outs: [a], params: { k: 1, models: [{ name: m, epochs: 10 }] } }
  two: { package: packages/two, deps: [a], outs: [b], params: { t: x } }
profiles:
  quick: pipelines/profiles/quick.yaml
`,
  );
  writeFileSync(join(root, 'pipelines', 'profiles', 'quick.yaml'), 'stages:\n  one:\n    params: { k: 2 }\n  two:\n    params: { t: q }\n');
  return root;
}

describe('experiment profiles', () => {
  it('is its base profile plus the params it changes, and names itself as the experiment', () => {
    const root = workspace();
    writeFileSync(join(root, 'pipelines', 'experiments', 'e1.yaml'), 'experiment: { base: quick, set: { "one.models[m].epochs": 20 } }\nstages:\n  one:\n    params: { k: 2, models: [{ name: m, epochs: 20 }] }\n');
    const file = join(root, 'pipelines', 'p.yaml');
    const exp = loadPipeline(file, { profile: 'e1' });
    const base = loadPipeline(file, { profile: 'quick' });
    expect(exp.profile).toBe('quick');
    expect(exp.experiment).toBe('e1');
    expect(exp.profileFile).toBe(join(root, 'pipelines', 'experiments', 'e1.yaml'));
    expect(exp.stages[0]!.params).toEqual({ k: 2, models: [{ name: 'm', epochs: 20 }] });
    // The stage it does not change is the base run's: same params, same digest.
    expect(exp.stages[1]!.params).toEqual({ t: 'q' });
    expect(stageParamsDigest(exp, exp.stages[1]!)).toBe(stageParamsDigest(base, base.stages[1]!));
    expect(stageParamsDigest(exp, exp.stages[0]!)).not.toBe(stageParamsDigest(base, base.stages[0]!));
    expect(experimentNames(file)).toEqual(['e1']);
  });

  it('without a base is the pipeline as written', () => {
    const root = workspace();
    writeFileSync(join(root, 'pipelines', 'experiments', 'e2.yaml'), 'experiment: { base: null, set: { two.t: y } }\nstages:\n  two:\n    params: { t: y }\n');
    const exp = loadPipeline(join(root, 'pipelines', 'p.yaml'), { profile: 'e2' });
    expect(exp.profile).toBeUndefined();
    expect(exp.stages.map((s) => s.params)).toEqual([{ k: 1, models: [{ name: 'm', epochs: 10 }] }, { t: 'y' }]);
  });

  it('names an unknown profile with the experiments among the known ones, and a bad base', () => {
    const root = workspace();
    writeFileSync(join(root, 'pipelines', 'experiments', 'e3.yaml'), 'experiment: { base: quik }\nstages: {}\n');
    const file = join(root, 'pipelines', 'p.yaml');
    expect(() => loadPipeline(file, { profile: 'e4' })).toThrow(/profiles\.e4: no such profile \(did you mean "e3"\?\) \(known: quick, e3\)/);
    expect(() => loadPipeline(file, { profile: 'e3' })).toThrow(/e3\.yaml: experiment\.base: no such profile "quik"/);
  });
});

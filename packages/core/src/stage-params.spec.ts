// Params are checked against the stage's schema before it runs; every message names the file that holds the value.
import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { tempDir } from '../testing/fixtures.ts';
import { getStage, loadPipeline, mergeParams } from './pipeline-file.ts';
import { checkStageParams } from './stage-params.ts';
import { differingDefaults, unknownKeys } from './schema-walk.ts';

const schema = z.object({
  folds: z.number().int().min(2).default(5),
  split: z.object({ test: z.number().max(0.5).default(0.1) }).default({ test: 0.1 }),
  models: z.array(z.discriminatedUnion('kind', [z.object({ kind: z.literal('a'), width: z.number() }), z.object({ kind: z.literal('b'), depth: z.number() })])).default([]),
  tags: z.record(z.string(), z.object({ on: z.boolean() })).default({}),
});

function workspace(params: string, profile?: string): string {
  const root = tempDir('cvc-params-');
  mkdirSync(join(root, 'pipelines', 'profiles'), { recursive: true });
  const file = join(root, 'pipelines', 'p.yaml');
  writeFileSync(file, `seed: 1\nartifacts: {}\nstages:\n  one:\n    package: packages/one\n    params: ${params}\n${profile ? 'profiles:\n  quick: pipelines/profiles/quick.yaml\n' : ''}`);
  if (profile) writeFileSync(join(root, 'pipelines', 'profiles', 'quick.yaml'), `stages:\n  one:\n    params: ${profile}\n`);
  return file;
}

const check = (file: string, profile?: string, set?: Record<string, unknown>) => {
  const pipeline = loadPipeline(file, profile ? { profile } : {});
  const stage = getStage(pipeline, 'one');
  // As the runner does: --set values are merged over the file's.
  return () => checkStageParams(pipeline, set ? { ...stage, params: mergeParams(stage.params, set) } : stage, schema, set);
};

describe('stage params', () => {
  it('fills defaults and passes valid params through', () => {
    expect(check(workspace('{ folds: 3 }'))()).toEqual({ folds: 3, split: { test: 0.1 }, models: [], tags: {} });
  });

  it('refuses an unknown key with the nearest known one, inside lists and unions too', () => {
    const file = workspace('{ foldz: 3, split: { tset: 0.2 }, models: [{ kind: b, width: 2 }] }');
    expect(check(file)).toThrow(`${file}: stages.one.params.foldz: unknown param (did you mean "folds"?)`);
    expect(check(file)).toThrow(`${file}: stages.one.params.split.tset: unknown param (did you mean "test"?)`);
    expect(check(file)).toThrow(`${file}: stages.one.params.models[0].width: unknown param`);
    expect(unknownKeys(schema, { tags: { x: { on: true } } })).toEqual([]);
  });

  it('names the profile file when the bad value comes from it, and --set when it comes from the command line', () => {
    const file = workspace('{ folds: 3 }', '{ split: { test: 0.9 } }');
    const profileFile = join(file, '..', 'profiles', 'quick.yaml');
    expect(check(file, 'quick')).toThrow(`${profileFile}: stages.one.params.split.test: Too big`);
    expect(check(workspace('{ folds: 3 }'), undefined, { folds: 1 })).toThrow('--set: stages.one.params.folds: Too small');
  });

  it('finds defaults that differ from the values a file sets', () => {
    expect(differingDefaults(schema, { folds: 5, split: { test: 0.2 } })).toEqual([{ path: ['split', 'test'], inCode: 0.1, inFile: 0.2 }]);
  });
});

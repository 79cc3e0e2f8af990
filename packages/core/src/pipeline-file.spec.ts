import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, loadPipeline, parsePipeline, stageParamsDigest, upstreamStages } from './pipeline-file.ts';
import { tempDir } from '../testing/fixtures.ts';

const FILE = '/ws/pipelines/p.yaml';
const valid = () => ({
  seed: 7,
  artifacts: {
    a: { path: 'artifacts/one/a', format: 'json' },
    b: { path: 'artifacts/two/b.json', format: 'json' },
    c: { path: 'artifacts/three/c.json', format: 'json' },
  },
  stages: {
    three: { package: 'packages/three', deps: ['b', 'a'], outs: ['c'], params: { k: 1 } },
    one: { package: 'packages/one', outs: ['a'], params: { x: { y: 1 } } },
    two: { package: 'packages/two', deps: ['a'], outs: ['b'] },
  },
});

describe('parsePipeline', () => {
  it('orders stages so producers come before consumers, with edges from outputs to inputs', () => {
    const p = parsePipeline(FILE, valid());
    expect(p.stages.map((s) => s.name)).toEqual(['one', 'two', 'three']);
    expect(upstreamStages(p, p.stages[2]!)).toEqual(['one', 'two']);
    expect(p.root).toBe('/ws');
  });

  it.each([
    ['seed', (r: any) => { r.seed = -1; }, 'seed: must be a non-negative integer'],
    ['artifact path outside artifacts/', (r: any) => { r.artifacts.a.path = 'out/a'; }, 'artifacts.a.path: must be a normalised relative path under artifacts/'],
    ['artifact path escaping through ..', (r: any) => { r.artifacts.a.path = 'artifacts/one/../../../../tmp/esc/a'; }, 'artifacts.a.path: must be a normalised relative path under artifacts/ (no "..", "." or "//" parts)'],
    ['unknown stage key, with the nearest', (r: any) => { r.stages.two.depz = ['a']; }, 'stages.two.depz: unknown key (did you mean "deps"?)'],
    ['unknown top-level key', (r: any) => { r.sede = 3; }, 'sede: unknown key (did you mean "seed"?)'],
    ['unknown artifact key', (r: any) => { r.artifacts.a.formt = 'json'; }, 'artifacts.a.formt: unknown key (did you mean "format"?)'],
    ['output under another stage folder', (r: any) => { r.artifacts.a.path = 'artifacts/two/a'; }, 'artifacts.a.path: an output of stage one must live under artifacts/one/'],
    ['unknown dep', (r: any) => { r.stages.two.deps = ['zzz']; }, 'stages.two.deps: unknown artifact "zzz"'],
    ['unknown out', (r: any) => { r.stages.two.outs = ['zzz']; }, 'stages.two.outs: unknown artifact "zzz"'],
    ['an output claimed by a second stage', (r: any) => { r.stages.two.outs = ['a']; }, 'artifacts.a.path: an output of stage two must live under artifacts/two/'],
    ['a dep nobody produces', (r: any) => { r.artifacts.d = { path: 'artifacts/x/d', format: 'json' }; r.stages.two.deps = ['d']; }, 'stages.two.deps: no stage produces "d"'],
    ['cycle', (r: any) => { r.stages.one.deps = ['c']; }, 'stages.three: takes part in a cycle'],
    ['params not a mapping', (r: any) => { r.stages.one.params = [1]; }, 'stages.one.params: must be a mapping'],
    ['bad stage name', (r: any) => { r.stages.Bad = { package: 'p' }; }, 'stages.Bad: stage names are lower-case words joined by -'],
    ['external not a string param', (r: any) => { r.stages.one.external = ['x']; }, 'stages.one.external: "x" must name a string param'],
  ])('rejects %s with an error naming the field', (_, mutate, message) => {
    const raw = valid();
    mutate(raw);
    expect(() => parsePipeline(FILE, raw)).toThrow(`${FILE}: ${message}`);
  });

  it('gives each stage a params digest that changes only with its own params or the seed', () => {
    const before = parsePipeline(FILE, valid());
    const raw = valid();
    raw.stages.three.params.k = 2;
    const after = parsePipeline(FILE, raw);
    const digest = (p: typeof before, name: string) => stageParamsDigest(p, p.stages.find((s) => s.name === name)!);
    expect(digest(after, 'three')).not.toBe(digest(before, 'three'));
    expect(digest(after, 'one')).toBe(digest(before, 'one'));
    expect(digest(parsePipeline(FILE, { ...valid(), seed: 8 }), 'one')).not.toBe(digest(before, 'one'));
  });

  it('canonical JSON does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: 'x' } })).toBe(canonicalJson({ a: { c: 'x', d: [1, { e: 3, f: 2 }] }, b: 1 }));
  });
});

describe('loadPipeline with a profile', () => {
  it('deep-merges the profile params over the stage params', () => {
    const root = tempDir();
    mkdirSync(join(root, 'pipelines', 'profiles'), { recursive: true });
    const raw = { ...valid(), profiles: { quick: 'pipelines/profiles/quick.yaml' } };
    writeFileSync(join(root, 'pipelines', 'p.yaml'), JSON.stringify(raw));
    writeFileSync(join(root, 'pipelines', 'profiles', 'quick.yaml'), 'stages:\n  one:\n    params:\n      x: { z: 2 }\n');
    const p = loadPipeline(join(root, 'pipelines', 'p.yaml'), { profile: 'quick' });
    expect(p.stages.find((s) => s.name === 'one')!.params).toEqual({ x: { y: 1, z: 2 } });
    expect(p.profile).toBe('quick');
    expect(() => loadPipeline(join(root, 'pipelines', 'p.yaml'), { profile: 'nope' })).toThrow('profiles.nope: no such profile (known: quick)');
  });

  it('names the file when it is missing or not YAML', () => {
    const root = tempDir();
    expect(() => loadPipeline(join(root, 'missing.yaml'))).toThrow(`${join(root, 'missing.yaml')}: file not found`);
    writeFileSync(join(root, 'bad.yaml'), 'seed: [1,\n');
    expect(() => loadPipeline(join(root, 'bad.yaml'))).toThrow(`${join(root, 'bad.yaml')}: not valid YAML`);
  });
});

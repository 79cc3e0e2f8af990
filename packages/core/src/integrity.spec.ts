// A stage's inputs are checked against the lock of the stage that wrote them: a damaged file
// (as a bad cache entry would restore) stops the consumer before it runs, naming the file and
// the command that reruns the producer; inputs without a lock (hand-written fixtures) pass.
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runStage } from './runner.ts';
import { testWorkspace } from '../testing/fixtures.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const quiet = () => {};

const producer = `
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { defineStage, writeJsonAtomic } from '@cvc/core';
export default defineStage({
  name: 'numbers',
  params: z.object({ n: z.number() }),
  async run(ctx) {
    writeJsonAtomic(ctx.output('summary'), { n: ctx.params.n });
    const dir = ctx.output('tables');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 3; i++) writeFileSync(join(dir, \`t\${i}.txt\`), String(i * ctx.params.n));
  },
});
`;
const consumer = `
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { defineStage, writeJsonAtomic } from '@cvc/core';
export default defineStage({
  name: 'total',
  params: z.object({}),
  async run(ctx) {
    const n = JSON.parse(readFileSync(ctx.input('summary'), 'utf8')).n;
    const t2 = Number(readFileSync(join(ctx.input('tables'), 't2.txt'), 'utf8'));
    writeJsonAtomic(ctx.output('total'), { total: n + t2 });
  },
});
`;

function workspace(profile?: boolean) {
  const ws = testWorkspace('cvc-integrity-', () => [
    'seed: 3',
    'artifacts:',
    '  summary: { path: artifacts/numbers/summary.json, format: json }',
    '  tables: { path: artifacts/numbers/tables, format: folder }',
    '  total: { path: artifacts/total/total.json, format: json }',
    'stages:',
    '  numbers: { package: packages/numbers, params: { n: 5 }, outs: [summary, tables] }',
    '  total: { package: packages/total, deps: [summary, tables], outs: [total] }',
    ...(profile ? ['profiles:', '  small: pipelines/profiles/small.yaml'] : []),
  ]);
  symlinkSync(join(repo, 'node_modules'), join(ws.root, 'node_modules'));
  for (const [name, source] of [['numbers', producer], ['total', consumer]] as const) {
    mkdirSync(join(ws.root, 'packages', name, 'src'), { recursive: true });
    writeFileSync(join(ws.root, 'packages', name, 'package.json'), JSON.stringify({ name: `@fixture/${name}`, nx: { name: `fixture-${name}` }, dependencies: { '@cvc/core': '*' } }));
    writeFileSync(join(ws.root, 'packages', name, 'src', 'stage.ts'), source);
  }
  if (profile) {
    mkdirSync(join(ws.root, 'pipelines', 'profiles'));
    writeFileSync(join(ws.root, 'pipelines', 'profiles', 'small.yaml'), 'stages:\n  numbers:\n    params: { n: 2 }\n');
  }
  return ws;
}

describe('input integrity', () => {
  it('records per-file hashes of each output in the lock', async () => {
    const ws = workspace();
    await runStage({ pipelineFile: ws.pipelineFile, stage: 'numbers', log: quiet });
    const lock = JSON.parse(readFileSync(join(ws.root, 'artifacts', 'numbers', 'stage.lock.json'), 'utf8'));
    expect(Object.keys(lock.outputFiles.tables)).toEqual(['artifacts/numbers/tables/t0.txt', 'artifacts/numbers/tables/t1.txt', 'artifacts/numbers/tables/t2.txt']);
    expect(Object.keys(lock.outputFiles.summary)).toEqual(['artifacts/numbers/summary.json']);
  });

  it('runs the consumer when its inputs are what the producer wrote', async () => {
    const ws = workspace();
    await runStage({ pipelineFile: ws.pipelineFile, stage: 'numbers', log: quiet });
    await runStage({ pipelineFile: ws.pipelineFile, stage: 'total', log: quiet });
    expect(JSON.parse(readFileSync(join(ws.root, 'artifacts', 'total', 'total.json'), 'utf8'))).toEqual({ total: 15 });
  });

  it('refuses to run on a damaged input, naming the artifact, the file, the lock and the command to rerun', async () => {
    const ws = workspace(true);
    await runStage({ pipelineFile: ws.pipelineFile, stage: 'numbers', profile: 'small', log: quiet });
    writeFileSync(join(ws.root, 'artifacts', 'numbers', 'tables', 't2.txt'), '999');
    rmSync(join(ws.root, 'artifacts', 'numbers', 'tables', 't0.txt'));
    writeFileSync(join(ws.root, 'artifacts', 'numbers', 'tables', 'extra.txt'), 'x');
    const run = runStage({ pipelineFile: ws.pipelineFile, stage: 'total', profile: 'small', log: quiet });
    await expect(run).rejects.toThrow('input "tables" (artifacts/numbers/tables) differs from what stage numbers recorded in artifacts/numbers/stage.lock.json');
    const message = await run.catch((err: Error) => err.message);
    expect(message).toMatch(/^stage total did not run/);
    expect(message).toMatch(/artifacts\/numbers\/tables\/t0\.txt: sha256 absent now, [0-9a-f]{12}… in the lock/);
    expect(message).toMatch(/artifacts\/numbers\/tables\/t2\.txt: sha256 [0-9a-f]{12}… now, [0-9a-f]{12}… in the lock/);
    expect(message).toMatch(/artifacts\/numbers\/tables\/extra\.txt: sha256 [0-9a-f]{12}… now, absent in the lock/);
    expect(message).not.toContain('summary.json');
    expect(message).toContain('They were changed after their stage ran. Rerun the producing stage');
    expect(message).toMatch(/\n  npx nx run fixture-numbers:stage -c small$/);
    expect(() => readFileSync(join(ws.root, 'artifacts', 'total', 'total.json'))).toThrow(/ENOENT/);
  });

  it('checks nothing for inputs whose producer left no lock (hand-made fixtures)', async () => {
    const ws = workspace();
    mkdirSync(join(ws.root, 'artifacts', 'numbers', 'tables'), { recursive: true });
    writeFileSync(join(ws.root, 'artifacts', 'numbers', 'summary.json'), '{"n": 1}');
    writeFileSync(join(ws.root, 'artifacts', 'numbers', 'tables', 't2.txt'), '7');
    await runStage({ pipelineFile: ws.pipelineFile, stage: 'total', log: quiet });
    expect(JSON.parse(readFileSync(join(ws.root, 'artifacts', 'total', 'total.json'), 'utf8'))).toEqual({ total: 8 });
  });
});

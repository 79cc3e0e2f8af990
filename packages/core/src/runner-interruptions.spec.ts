// The runner under interruptions, concurrent runs and links out of the workspace, through the
// real `cvc stage` command on a fixture stage in a temp workspace. The fixture stage writes a
// partial output, then spins on already-resolved promises (like a training loop) until a file
// appears: the state in which Ctrl-C usually arrives.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { hashTree } from './files.ts';
import { tempDir, testWorkspace } from '../testing/fixtures.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cvc = join(repo, 'packages', 'cli', 'bin', 'cvc.mjs');

const slowStage = `
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { defineStage, writeJsonAtomic } from '@cvc/core';
export default defineStage({
  name: 'slow',
  params: z.object({ go: z.string() }),
  async run(ctx) {
    writeJsonAtomic(ctx.output('result'), { partial: true });
    ctx.log('working');
    let x = 0;
    while (!existsSync(ctx.params.go)) {
      for (let i = 0; i < 1e5; i++) x += i;
      await Promise.resolve(x);
    }
    writeJsonAtomic(ctx.output('result'), { done: true });
  },
});
`;

function workspace(): { root: string; go: string } {
  const outside = tempDir('cvc-outside-');
  const go = join(outside, 'go');
  const { root } = testWorkspace('cvc-interrupt-', () => [
    'seed: 3',
    'artifacts:',
    '  result: { path: artifacts/slow/result.json, format: json }',
    'stages:',
    '  slow:',
    '    package: packages/slow',
    `    params: { go: ${JSON.stringify(go)} }`,
    '    outs: [result]',
  ]);
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'));
  mkdirSync(join(root, 'packages', 'slow', 'src'), { recursive: true });
  writeFileSync(join(root, 'packages', 'slow', 'package.json'), JSON.stringify({ name: '@fixture/slow', private: true, type: 'module' }));
  writeFileSync(join(root, 'packages', 'slow', 'src', 'stage.ts'), slowStage);
  return { root, go };
}

const stage = (root: string) => execa('node', [cvc, 'stage', 'slow', '--pipeline', 'pipelines/test.yaml'], { cwd: root, reject: false, all: true });

async function until(condition: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const tempOf = (root: string, pid: number) => join(root, 'artifacts', '.tmp', `slow-${pid}`);
const lockFile = (root: string) => join(root, 'artifacts', '.locks', 'slow.json');

/** Start a run and wait until it is inside the stage (its temp folder holds the partial output). Wrapped: a returned thenable would be awaited. */
async function startWorking(root: string): Promise<{ run: ResultPromise; pid: number }> {
  const run = stage(root);
  let ended: string | undefined;
  void run.then((r) => (ended = r.all ?? ''));
  await until(() => {
    if (ended !== undefined) throw new Error(`the run ended before it started writing:\n${ended}`);
    return existsSync(join(tempOf(root, run.pid!), 'result.json'));
  }, 'the stage to start writing', 60_000);
  return { run, pid: run.pid! };
}

describe('cvc stage under interruptions', { timeout: 120_000 }, () => {
  let root: string;
  let go: string;
  let before: Record<string, string>;

  beforeAll(async () => {
    ({ root, go } = workspace());
    writeFileSync(go, '');
    const first = await stage(root);
    expect(first.exitCode, first.all).toBe(0);
    rmSync(go);
    before = hashTree(join(root, 'artifacts', 'slow'));
    expect(JSON.parse(readFileSync(join(root, 'artifacts', 'slow', 'result.json'), 'utf8'))).toEqual({ done: true });
  });

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
    it(`${signal} mid-stage: the process stops at once, its temp folder and run lock are removed, the previous artifacts are untouched`, async () => {
      const { run, pid } = await startWorking(root);
      expect(JSON.parse(readFileSync(lockFile(root), 'utf8')).pid).toBe(pid);
      const sent = Date.now();
      run.kill(signal);
      const result = await run;
      expect(result.signal).toBe(signal);
      expect(Date.now() - sent).toBeLessThan(5_000);
      await until(() => !existsSync(tempOf(root, pid)) && !existsSync(lockFile(root)), 'the watcher to clean up', 10_000);
      expect(hashTree(join(root, 'artifacts', 'slow'))).toEqual(before);
    });
  }

  it('a second run of the same stage is refused with the holder\'s pid while the first runs; the first then finishes', async () => {
    const first = await startWorking(root);
    const second = await stage(root);
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toContain(`cvc: stage slow is already running in this workspace (pid ${first.pid}, since `);
    expect(second.stderr).toContain(`wait for it to finish, or stop it (kill ${first.pid}). Lock: artifacts/.locks/slow.json`);
    expect(existsSync(tempOf(root, first.pid))).toBe(true); // the refused run touched nothing of the first's
    writeFileSync(go, '');
    expect((await first.run).exitCode).toBe(0);
    rmSync(go);
    expect(existsSync(lockFile(root))).toBe(false);
  });

  it('at start, sweeps the temp folder and run lock left by a process that no longer exists', async () => {
    const dead = (await execa('node', ['-e', 'process.stdout.write(String(process.pid))'])).stdout;
    mkdirSync(join(root, 'artifacts', '.tmp', `slow-${dead}`, 'models'), { recursive: true });
    writeFileSync(join(root, 'artifacts', '.tmp', `slow-${dead}`, 'models', 'weights.bin'), Buffer.alloc(4096));
    mkdirSync(join(root, 'artifacts', `slow.old-${dead}`));
    writeFileSync(lockFile(root), JSON.stringify({ pid: Number(dead), stage: 'slow', startedAt: 'then', command: 'killed' }));
    writeFileSync(`${lockFile(root)}.${dead}`, '{"pid": '); // killed while writing its lock
    writeFileSync(go, '');
    const result = await stage(root);
    rmSync(go);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stderr).toContain('[slow] removed a stale run lock of stage slow (pid ' + dead + ' is gone)');
    expect(result.stderr).toContain(`[slow] removed artifacts/.tmp/slow-${dead} (left by a run that was killed)`);
    expect(result.stderr).toContain(`[slow] removed artifacts/slow.old-${dead} (left by a run that was killed)`);
    expect(result.stderr).toContain(`[slow] removed artifacts/.locks/slow.json.${dead} (left by a run that was killed)`);
    expect(readdirSync(join(root, 'artifacts', '.tmp'))).toEqual([]);
    expect(readdirSync(join(root, 'artifacts', '.locks'))).toEqual([]);
    expect(existsSync(join(root, 'artifacts', `slow.old-${dead}`))).toBe(false);
  });
});

describe('cvc stage refuses artifact paths that lead out of the workspace', { timeout: 60_000 }, () => {
  it('a catalog path that climbs out with ".." is an error naming the field (nothing written)', async () => {
    const { root } = workspace();
    const file = join(root, 'pipelines', 'test.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('artifacts/slow/result.json', 'artifacts/slow/../../../../../tmp/esc/result.json'));
    const result = await stage(root);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`cvc: ${file}: artifacts.result.path: must be a normalised relative path under artifacts/ (no "..", "." or "//" parts)`);
    expect(existsSync(join(root, 'artifacts'))).toBe(false);
  });

  it('a stage folder that is a link out of the workspace: refused before the stage runs, the target untouched', async () => {
    const { root, go } = workspace();
    writeFileSync(go, '');
    const elsewhere = tempDir('cvc-elsewhere-');
    writeFileSync(join(elsewhere, 'result.json'), '{"mine":true}\n');
    mkdirSync(join(root, 'artifacts'));
    symlinkSync(elsewhere, join(root, 'artifacts', 'slow'));
    const result = await stage(root);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`cvc: artifacts/slow: symbolic link to ${elsewhere}, outside artifacts/slow/ (artifact "result"). Stages read and write artifacts only inside the workspace: remove the link`);
    expect(hashTree(elsewhere)).toEqual({ 'result.json': expect.any(String) });
    expect(readFileSync(join(elsewhere, 'result.json'), 'utf8')).toBe('{"mine":true}\n');
  });

  it('a file inside an artifact that is a link out of the workspace: refused, the stage\'s artifacts byte-identical', async () => {
    const { root, go } = workspace();
    writeFileSync(go, '');
    expect((await stage(root)).exitCode).toBe(0);
    const outside = join(tempDir('cvc-elsewhere-'), 'result.json');
    writeFileSync(outside, '{"planted":true}\n');
    mkdirSync(join(root, 'artifacts', 'slow', 'extra'));
    symlinkSync(outside, join(root, 'artifacts', 'slow', 'extra', 'planted.json'));
    const file = join(root, 'pipelines', 'test.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('artifacts/slow/result.json', 'artifacts/slow/extra'));
    const before = hashTree(join(root, 'artifacts', 'slow'));
    const result = await stage(root);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`cvc: artifacts/slow/extra/planted.json: symbolic link to ${outside}, outside artifacts/slow/ (artifact "result")`);
    expect(hashTree(join(root, 'artifacts', 'slow'))).toEqual(before);
  });
});

describe('cvc stage refuses typos before any work, naming the file that holds them and the nearest name', { timeout: 60_000 }, () => {
  it('an unknown stage key, an unknown profile, a bad value in a profile file', async () => {
    const { root } = workspace();
    const file = join(root, 'pipelines', 'test.yaml');
    const yaml = readFileSync(file, 'utf8');
    mkdirSync(join(root, 'pipelines', 'profiles'));
    writeFileSync(join(root, 'pipelines', 'profiles', 'quick.yaml'), 'stages:\n  slow:\n    params: { go: 3 }\n');
    const typoFile = join(root, 'pipelines', 'typo.yaml');
    writeFileSync(typoFile, yaml.replace('    outs: [result]', '    depz: []\n    outs: [result]'));
    writeFileSync(file, `${yaml}\nprofiles:\n  quick: pipelines/profiles/quick.yaml\n`);
    const run = (...args: string[]) => execa('node', [cvc, 'stage', 'slow', ...args], { cwd: root, reject: false });
    const [depz, smok, badValue] = await Promise.all([
      run('--pipeline', typoFile),
      run('--pipeline', file, '--profile', 'quik'),
      run('--pipeline', file, '--profile', 'quick'),
    ]);
    expect([depz.exitCode, smok.exitCode, badValue.exitCode]).toEqual([1, 1, 1]);
    expect(depz.stderr).toBe(`cvc: ${typoFile}: stages.slow.depz: unknown key (did you mean "deps"?) (allowed: package, description, params, deps, outs, external)`);
    expect(smok.stderr).toBe(`cvc: ${file}: profiles.quik: no such profile (did you mean "quick"?) (known: quick)`);
    expect(badValue.stderr).toContain(`cvc: ${join(root, 'pipelines', 'profiles', 'quick.yaml')}: stages.slow.params.go: `);
    expect(existsSync(join(root, 'artifacts', 'slow'))).toBe(false);
  });
});

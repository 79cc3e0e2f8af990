// The team's remote cache with real Nx: a cache server (tools/cache-server) on 127.0.0.1 and
// fresh workspaces, each with its own local Nx cache, so a hit can only come from the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { hashTree } from '@cvc/core';
import { tempDir } from '@cvc/core/testing';
import { type RunningCacheServer, startCacheServer } from '@cvc/cache-server';
import { createNxWorkspace, nx, pipelineYaml, writeFixtureData } from '../testing/nx-workspace.ts';

const WRITE = `w-${randomBytes(12).toString('hex')}`;
const READ = `r-${randomBytes(12).toString('hex')}`;
const STAGES = ['data-prep', 'summary', 'report'];

/** Files of a gzipped tar (Nx's cache entry format), each with its content's offset in the uncompressed tar. */
function tarEntries(tar: Buffer): { name: string; offset: number; size: number }[] {
  const out: { name: string; offset: number; size: number }[] = [];
  for (let at = 0; at + 512 <= tar.length && tar[at] !== 0; ) {
    const name = tar.subarray(at, at + 100).toString('latin1').replace(/\0.*$/s, '');
    const size = parseInt(tar.subarray(at + 124, at + 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
    out.push({ name, offset: at + 512, size });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

describe('remote cache shared by workspaces (real Nx, real server)', { timeout: 240_000 }, () => {
  let base: string;
  let data: string;
  let server: RunningCacheServer;
  const logs: string[] = [];
  const store = () => join(base, 'store', 'entries');
  let reference: Record<string, string>;

  /** A fresh workspace with its own local Nx cache, pointed at the server with `token`. */
  function workspace(name: string, token: string): { root: string; env: Record<string, string> } {
    const root = join(base, name);
    mkdirSync(root);
    createNxWorkspace(root, data);
    return { root, env: { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server.url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token, NX_CACHE_DIRECTORY: join(base, `nx-cache-${name}`) } };
  }
  const artifacts = (root: string) => Object.fromEntries(STAGES.flatMap((s) => Object.entries(hashTree(join(root, 'artifacts', s))).map(([f, h]) => [`${s}/${f}`, h])));
  /** The server's entry holding a stage's outputs. */
  function entryOf(stage: string): string {
    const hash = readdirSync(store()).find((h) => tarEntries(gunzipSync(readFileSync(join(store(), h, 'data')))).some((e) => e.name.startsWith(`artifacts/${stage}/`)));
    if (!hash) throw new Error(`no entry of ${stage} on the server`);
    return hash;
  }

  beforeAll(async () => {
    base = tempDir('cvc-nx-remote-');
    // One data folder at one absolute path: the data-prep param (and so its hash) is the same in every workspace.
    data = await writeFixtureData(join(base, 'data'));
    server = await startCacheServer({
      dir: join(base, 'store'), host: '127.0.0.1', port: 0, maxEntryBytes: 20e6,
      env: { CVC_CACHE_WRITE_TOKENS: WRITE, CVC_CACHE_READ_TOKENS: READ },
      log: (line) => logs.push(line),
    });
  });
  afterAll(() => server.close());

  it('uploads every stage from the first workspace; a second one gets every stage from the server', async () => {
    const a = workspace('a', WRITE);
    const first = await nx(a.root, ['run', 'pipeline:all'], { env: a.env });
    expect(first.executed).toEqual(STAGES);
    expect(logs.filter((l) => / PUT \/v1\/cache\/\d+ 200 /.test(l))).toHaveLength(3);
    reference = artifacts(a.root);

    const b = workspace('b', READ);
    const second = await nx(b.root, ['run', 'pipeline:all'], { env: b.env });
    expect(second.executed).toEqual([]);
    expect(second.remote).toEqual(STAGES);
    expect(artifacts(b.root)).toEqual(reference);
    // The entries were copied into b's local cache: the next run does not ask the server.
    const requests = logs.length;
    expect((await nx(b.root, ['run', 'pipeline:all'], { env: b.env })).cached).toEqual(STAGES);
    expect(logs.length).toBe(requests);
  });

  it('a read-only token reads but cannot write: new stages run and are not uploaded (403), the run succeeds', async () => {
    const c = workspace('c', READ);
    writeFileSync(join(c.root, 'pipelines', 'test.yaml'), pipelineYaml(data, 'read-only', 'T'));
    const entries = readdirSync(store()).length;
    const run = await nx(c.root, ['run', 'pipeline:all'], { env: c.env });
    expect(run.remote).toEqual(['data-prep']);
    expect(run.executed).toEqual(['summary', 'report']);
    expect(logs.filter((l) => / env-read-1 PUT \/v1\/cache\/\d+ 403 /.test(l))).toHaveLength(2);
    expect(readdirSync(store())).toHaveLength(entries);
  });

  it('a bad token is refused (401) and Nx stops with the server\'s message', async () => {
    const d = workspace('d', 'not-a-token-of-this-server');
    const run = await nx(d.root, ['run', 'pipeline:all'], { env: d.env, reject: false });
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toContain('unknown bearer token');
    expect(run.executed).toEqual([]);
    expect(logs.some((l) => / - GET \/v1\/cache\/\d+ 401 /.test(l))).toBe(true);
  });

  it('an entry damaged on the server\'s disk is a miss: the stage reruns and is uploaded again', async () => {
    const hash = entryOf('summary');
    const file = join(store(), hash, 'data');
    const bytes = readFileSync(file);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = bytes[middle]! ^ 0x55;
    writeFileSync(file, bytes);
    const e = workspace('e', WRITE);
    const run = await nx(e.root, ['run', 'pipeline:all'], { env: e.env });
    expect(run.remote).toEqual(['data-prep', 'report']);
    expect(run.executed).toEqual(['summary']);
    expect(logs.some((l) => new RegExp(`GET /v1/cache/${hash} 404 .*corrupt entry removed`).test(l))).toBe(true);
    expect(logs.some((l) => new RegExp(`PUT /v1/cache/${hash} 200`).test(l))).toBe(true);
    expect(artifacts(e.root)).toEqual(reference);
  });

  it('an entry whose files differ from its lock (uploaded damaged) is dropped by the server: the stage reruns', async () => {
    // Damage the server's checksum cannot see: a byte of counts.json changed inside the
    // archive, and the stored checksum updated to match.
    const hash = entryOf('summary');
    const tar = gunzipSync(readFileSync(join(store(), hash, 'data')));
    const counts = tarEntries(tar).find((t) => t.name === 'artifacts/summary/counts.json')!;
    const text = tar.subarray(counts.offset, counts.offset + counts.size).toString('latin1');
    tar[counts.offset + text.indexOf('"version": 1') + '"version": '.length] = '7'.charCodeAt(0);
    const damaged = gzipSync(tar);
    writeFileSync(join(store(), hash, 'data'), damaged);
    writeFileSync(join(store(), hash, 'meta.json'), JSON.stringify({ size: damaged.length, sha256: createHash('sha256').update(damaged).digest('hex'), storedAt: new Date().toISOString() }));

    const f = workspace('f', WRITE);
    const run = await nx(f.root, ['run', 'pipeline:all'], { env: f.env });
    expect(run.executed).toEqual(['summary']);
    expect(run.remote).toEqual(['data-prep', 'report']);
    expect(logs.some((l) => new RegExp(`GET /v1/cache/${hash} 404 .*corrupt entry removed \\(artifacts/summary/counts\\.json: sha256`).test(l))).toBe(true);
    expect(artifacts(f.root)).toEqual(reference);
  });

  it('an entry damaged in the local Nx cache is caught by the client before the next stage uses it', async () => {
    const g = workspace('g', WRITE);
    expect((await nx(g.root, ['run', 'pipeline:all'], { env: g.env })).remote).toEqual(STAGES);
    // Damage summary's copy in g's local cache, and make Nx restore from it.
    const hash = entryOf('summary');
    const cached = join(g.env.NX_CACHE_DIRECTORY!, hash, 'artifacts', 'summary', 'counts.json');
    writeFileSync(cached, readFileSync(cached, 'utf8').replace('"version": 1', '"version": 7'));
    rmSync(join(g.root, 'artifacts'), { recursive: true });

    const failed = await nx(g.root, ['run', 'pipeline:all'], { env: g.env, reject: false });
    expect(failed.exitCode).not.toBe(0);
    expect(failed.cached).toEqual(['data-prep', 'summary']);
    expect(failed.output).toContain('stage report did not run: its inputs are not what their stages wrote.');
    expect(failed.output).toMatch(/artifacts\/summary\/counts\.json: sha256 [0-9a-f]{12}… now, [0-9a-f]{12}… in the lock/);
    expect(failed.output).toContain('npx nx reset --only-cache && npx nx run pipeline:all');
    const uploads = logs.filter((l) => / PUT /.test(l)).length;

    // The remedy it names: drop the local cache; every stage then comes from the team cache.
    await nx(g.root, ['reset', '--only-cache'], { env: g.env });
    const healed = await nx(g.root, ['run', 'pipeline:all'], { env: g.env });
    expect(healed.executed).toEqual([]);
    expect(healed.remote).toEqual(STAGES);
    expect(artifacts(g.root)).toEqual(reference);
    expect(logs.filter((l) => / PUT /.test(l)).length).toBe(uploads); // nothing made from the damaged input was uploaded
  });
});

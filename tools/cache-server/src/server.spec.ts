// The cache server over real HTTP on 127.0.0.1: the requests and status codes Nx's client
// sends and expects, the token scopes, immutability, the hash check, the size limit,
// concurrent uploads of one hash, and an entry damaged on disk.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { tempDir } from '@cvc/core/testing';
import { type RunningCacheServer, startCacheServer } from './index.ts';

const WRITE = `w-${randomBytes(12).toString('hex')}`;
const READ = `r-${randomBytes(12).toString('hex')}`;

/** A cache entry as Nx uploads it: a gzipped tar of the outputs plus `terminalOutput` and `code`. */
async function archive(files: Record<string, string | Buffer>): Promise<Buffer> {
  const tar = pack();
  for (const [name, content] of Object.entries({ ...files, terminalOutput: 'done', code: Buffer.from([0, 0, 0, 0]) })) tar.entry({ name }, content);
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}
const entry = (size: number) => archive({ 'artifacts/x/blob.bin': randomBytes(size) });
const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

interface Reply {
  status: number;
  type: string | undefined;
  body: Buffer;
}

/** A raw request: the path is sent as given (no URL normalisation), like a hostile client could. */
function send(base: string, method: string, path: string, token: string | undefined, body?: Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, {
      method,
      path,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length } : {}), ...headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('cache server over HTTP', () => {
  let dir: string;
  let server: RunningCacheServer;
  const logs: string[] = [];
  const get = (hash: string, token = READ) => send(server.url, 'GET', `/v1/cache/${hash}`, token);
  const put = (hash: string, body: Buffer, token = WRITE) => send(server.url, 'PUT', `/v1/cache/${hash}`, token, body);

  beforeAll(async () => {
    dir = tempDir('cvc-cache-server-');
    server = await startCacheServer({
      dir, host: '127.0.0.1', port: 0, maxEntryBytes: 64 * 1024,
      env: { CVC_CACHE_WRITE_TOKENS: WRITE, CVC_CACHE_READ_TOKENS: READ },
      log: (line) => logs.push(line),
    });
  });
  afterAll(() => server.close());

  it('stores an entry and returns the same bytes (a round trip)', async () => {
    const body = await entry(5000);
    expect((await get('1001')).status).toBe(404);
    const stored = await put('1001', body);
    expect(stored.status).toBe(200);
    const back = await get('1001');
    expect(back.status).toBe(200);
    expect(back.type).toBe('application/octet-stream');
    expect(back.body.equals(body)).toBe(true);
    // A read-only token reads too.
    expect((await get('1001', READ)).body.equals(body)).toBe(true);
  });

  it('refuses a write with a read-only token (403, text/plain: Nx then skips the upload)', async () => {
    const refused = await put('1002', randomBytes(100), READ);
    expect(refused.status).toBe(403);
    expect(refused.type).toBe('text/plain');
    expect((await get('1002')).status).toBe(404);
  });

  it('refuses a missing or unknown token with 401 and a text/plain message (what Nx requires)', async () => {
    for (const token of ['', 'not-a-token-of-this-server', `${WRITE}x`]) {
      for (const reply of [await get('1001', token), await put('1003', randomBytes(10), token)]) {
        expect(reply.status).toBe(401);
        expect(reply.type).toBe('text/plain');
        expect(reply.body.toString()).toMatch(/bearer token/);
      }
    }
    expect((await get('1003')).status).toBe(404);
  });

  it('refuses a second PUT of an existing hash (409) and keeps the first body', async () => {
    const first = await entry(300);
    expect((await put('1004', first)).status).toBe(200);
    expect((await put('1004', await entry(300))).status).toBe(409);
    expect((await get('1004')).body.equals(first)).toBe(true);
  });

  it('refuses hashes that could name another path, without touching the disk', async () => {
    writeFileSync(join(dir, 'secret'), 'not for clients');
    for (const path of ['/v1/cache/../secret', '/v1/cache/..%2Fsecret', '/v1/cache/%2e%2e', '/v1/cache/a%00b', '/v1/cache/a.b', `/v1/cache/${'9'.repeat(129)}`]) {
      const reply = await send(server.url, 'GET', path, READ);
      expect([400, 404], path).toContain(reply.status);
      expect(reply.body.toString()).not.toContain('not for clients');
      expect((await send(server.url, 'PUT', path, WRITE, Buffer.from('x'))).status, path).not.toBe(200);
    }
    expect((await send(server.url, 'GET', '/v1/cache/..%2Fsecret', READ)).status).toBe(400);
    expect(readdirSync(join(dir, 'entries')).every((name) => /^[0-9]+$/.test(name))).toBe(true);
  });

  it('refuses a body over the per-entry limit (413) and stores nothing', async () => {
    const reply = await put('1005', randomBytes(64 * 1024 + 1));
    expect(reply.status).toBe(413);
    expect(reply.body.toString()).toMatch(/over this server's limit/);
    expect((await get('1005')).status).toBe(404);
    const fits = await entry(20_000);
    expect((await put('1005', Buffer.concat([fits, Buffer.alloc(64 * 1024 - fits.length)]))).status).toBe(200); // exactly the limit (gzip ignores the padding)
    expect((await get('1005')).status).toBe(200);
  });

  it('keeps exactly one of many concurrent uploads of the same hash, whole', async () => {
    const bodies = await Promise.all(Array.from({ length: 8 }, () => entry(40_000)));
    const replies = await Promise.all(bodies.map((b) => put('1006', b)));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    const winner = bodies[replies.findIndex((r) => r.status === 200)]!;
    expect((await get('1006')).body.equals(winner)).toBe(true);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]); // no temp folder left behind
  });

  it('reports an entry damaged on disk as a miss and removes it, so Nx reruns and uploads again', async () => {
    const body = await entry(2000);
    expect((await put('1007', body)).status).toBe(200);
    const damaged = Buffer.from(body);
    damaged[1000] = damaged[1000]! ^ 0xff;
    writeFileSync(join(dir, 'entries', '1007', 'data'), damaged);
    expect((await get('1007')).status).toBe(404);
    expect(existsSync(join(dir, 'entries', '1007'))).toBe(false);
    expect(logs.some((l) => /GET \/v1\/cache\/1007 404 .*corrupt entry removed \(sha256/.test(l))).toBe(true);
    expect((await put('1007', body)).status).toBe(200);
    expect((await get('1007')).body.equals(body)).toBe(true);
  });

  it('serves an entry whose files match the stage lock inside it, and drops one whose files do not', async () => {
    const counts = '{"n": 1}\n';
    const lock = (hash: string) => JSON.stringify({ stage: 'x', outputFiles: { counts: { 'artifacts/x/counts.json': hash } } });
    const good = await archive({ 'artifacts/x/counts.json': counts, 'artifacts/x/stage.lock.json': lock(sha(counts)) });
    expect((await put('1008', good)).status).toBe(200);
    expect((await get('1008')).body.equals(good)).toBe(true);

    // Uploaded damaged (its checksum on the server is fine): the file differs from its lock.
    const damaged = await archive({ 'artifacts/x/counts.json': '{"n": 7}\n', 'artifacts/x/stage.lock.json': lock(sha(counts)) });
    expect((await put('1009', damaged)).status).toBe(200);
    expect((await get('1009')).status).toBe(404);
    expect(logs.some((l) => /GET \/v1\/cache\/1009 404 .*corrupt entry removed \(artifacts\/x\/counts\.json: sha256 [0-9a-f]{12}… in the entry, [0-9a-f]{12}… in its lock\)/.test(l))).toBe(true);

    // A file in the stage folder that the lock does not list.
    const extra = await archive({ 'artifacts/x/counts.json': counts, 'artifacts/x/extra.txt': 'x', 'artifacts/x/stage.lock.json': lock(sha(counts)) });
    expect((await put('1010', extra)).status).toBe(200);
    expect((await get('1010')).status).toBe(404);
    expect(logs.some((l) => /1010 404 .*artifacts\/x\/extra\.txt: in the entry, not in its lock/.test(l))).toBe(true);

    // Not an archive at all: Nx could not read it either.
    expect((await put('1011', randomBytes(500))).status).toBe(200);
    expect((await get('1011')).status).toBe(404);
    expect(logs.some((l) => /1011 404 .*not a readable archive/.test(l))).toBe(true);
  });

  it('logs one line per request: time, client, token label (never the token), method, path, status, size, duration', () => {
    const line = logs.find((l) => / PUT \/v1\/cache\/1001 200 /.test(l))!;
    expect(line).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z 127\.0\.0\.1 env-write-1 PUT \/v1\/cache\/1001 200 5\.\d kB \d+ ms$/);
    expect(logs.join('\n')).not.toContain(WRITE);
    expect(logs.join('\n')).not.toContain(READ);
  });
});

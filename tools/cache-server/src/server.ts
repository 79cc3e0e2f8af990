// The HTTP side of Nx's self-hosted remote cache spec (Nx ≥ 20.8):
//   GET /v1/cache/{hash}  200 + the tar archive | 404 miss
//   PUT /v1/cache/{hash}  200 stored | 409 exists (entries are immutable) | 413 too large
//   both: 401 missing/unknown bearer token, 403 read-only token used to write (Nx then
//   silently skips the upload), 400 bad hash or Content-Length.
// Nx's client insists that error bodies are exactly `text/plain`. One log line per request.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import type { EvictionPolicy } from './eviction.ts';
import { type EntryStore, UploadError } from './folder-store.ts';
import { isValidHash } from './hash.ts';
import { type Token, authenticate } from './tokens.ts';
import { formatBytes } from './units.ts';

export interface CacheServerOptions {
  store: EntryStore;
  tokens: Token[];
  /** Largest accepted body (a stage's gzipped outputs). */
  maxEntryBytes: number;
  eviction?: EvictionPolicy;
  log?: (line: string) => void;
}

interface Outcome {
  status: number;
  bytes?: number;
  note?: string;
}

const ROUTE = /^\/v1\/cache\/([^/?#]*)$/;

function reply(res: ServerResponse, status: number, message: string, extraHeaders: Record<string, string> = {}): Outcome {
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(message), ...extraHeaders });
  res.end(message);
  return { status, note: message };
}

export function createCacheServer(opts: CacheServerOptions): Server {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  if (opts.tokens.length === 0) throw new Error('no tokens: set CVC_CACHE_READ_TOKENS / CVC_CACHE_WRITE_TOKENS or pass a token file');

  async function handle(req: IncomingMessage, res: ServerResponse, who: { label: string }): Promise<Outcome> {
    // The raw path, not a normalised URL: "/v1/cache/../x" must be refused, not resolved.
    const path = (req.url ?? '').split('?')[0]!;
    const route = ROUTE.exec(path);
    if (!route) return reply(res, 404, `no such endpoint: ${req.method} ${path} (this server speaks GET/PUT /v1/cache/{hash})`);
    if (req.method !== 'GET' && req.method !== 'PUT') return reply(res, 405, `method ${req.method} not allowed`, { Allow: 'GET, PUT' });

    const token = authenticate(opts.tokens, req.headers.authorization);
    if (token === 'missing') return reply(res, 401, 'missing bearer token: set NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN');
    if (token === 'invalid') return reply(res, 401, 'unknown bearer token: check NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN');
    who.label = token.label;

    let hash: string;
    try {
      hash = decodeURIComponent(route[1]!);
    } catch {
      return reply(res, 400, 'invalid hash: bad percent-encoding');
    }
    if (!isValidHash(hash)) return reply(res, 400, `invalid hash "${route[1]}": letters, digits, '-' and '_' only, at most 128`);

    if (req.method === 'GET') {
      const found = await opts.store.get(hash);
      if (found.status === 'corrupt') {
        const outcome = reply(res, 404, 'not found');
        return { ...outcome, note: `corrupt entry removed (${found.reason}); reported as a miss` };
      }
      if (found.status === 'missing') return reply(res, 404, 'not found');
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': found.entry.size });
      await pipeline(found.entry.open(), res);
      return { status: 200, bytes: found.entry.size };
    }

    // PUT. Refusals before the body is read close the connection, so a large body is not drained.
    // 403 and 409 let Node read and drop the body (keep-alive), so Nx sees the status and
    // carries on; 400 and 413 close the connection instead of reading a bad or huge body.
    if (token.scope !== 'write') return reply(res, 403, `token "${token.label}" is read-only`);
    const lengthHeader = req.headers['content-length'];
    const size = Number(lengthHeader);
    if (lengthHeader === undefined || !/^\d+$/.test(lengthHeader) || !Number.isSafeInteger(size)) {
      return reply(res, 400, 'missing or invalid Content-Length', { Connection: 'close' });
    }
    if (size > opts.maxEntryBytes) {
      return reply(res, 413, `entry of ${formatBytes(size)} is over this server's limit of ${formatBytes(opts.maxEntryBytes)} per entry`, { Connection: 'close' });
    }
    if (opts.store.has(hash)) return reply(res, 409, 'an entry with this hash exists; entries are immutable');
    let stored: 'stored' | 'exists';
    try {
      stored = await opts.store.put(hash, req, size);
    } catch (err) {
      if (err instanceof UploadError) return reply(res, 400, `upload refused: ${err.message}`, { Connection: 'close' });
      if (req.destroyed || (err as NodeJS.ErrnoException).code === 'ECONNRESET' || (err as Error).message === 'aborted') {
        return { status: 499, note: 'client went away mid-upload; nothing stored' };
      }
      throw err;
    }
    if (stored === 'exists') return reply(res, 409, 'an entry with this hash exists; entries are immutable');
    const outcome = reply(res, 200, 'stored');
    if (opts.eviction?.maxBytes !== undefined) {
      const evicted = opts.store.evict({ maxBytes: opts.eviction.maxBytes });
      if (evicted.length) outcome.note = `stored; evicted ${evicted.length} least recently used (${formatBytes(evicted.reduce((s, e) => s + e.size, 0))})`;
    }
    return { ...outcome, bytes: size };
  }

  return createServer((req, res) => {
    const started = performance.now();
    const who = { label: '-' };
    handle(req, res, who)
      .catch((err: unknown): Outcome => {
        if (!res.headersSent) return { ...reply(res, 500, 'internal error'), note: `internal error: ${(err as Error).message}` };
        res.destroy();
        return { status: res.statusCode, note: `failed mid-response: ${(err as Error).message}` };
      })
      .then((outcome) => {
        const ms = (performance.now() - started).toFixed(0);
        const bytes = outcome.bytes !== undefined ? ` ${formatBytes(outcome.bytes)}` : '';
        const note = outcome.note && outcome.status !== 200 ? ` (${outcome.note})` : outcome.note && outcome.note !== 'stored' ? ` (${outcome.note})` : '';
        log(`${new Date().toISOString()} ${req.socket.remoteAddress ?? '-'} ${who.label} ${req.method} ${(req.url ?? '').slice(0, 200)} ${outcome.status}${bytes} ${ms} ms${note}`);
      });
  });
}

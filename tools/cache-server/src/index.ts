// Start the team cache: a folder store, tokens from a file and/or the environment, eviction
// by total size and/or age (least recently used first), and the HTTP server on host:port.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { FolderStore } from './folder-store.ts';
import { findLockMismatch } from './lock-check.ts';
import { createCacheServer } from './server.ts';
import { type Token, parseTokenFile, tokensFromEnv } from './tokens.ts';
import { formatBytes } from './units.ts';

export { createCacheServer } from './server.ts';
export { FolderStore, type EntryStore } from './folder-store.ts';
export { chooseEvictions } from './eviction.ts';
export { isValidHash } from './hash.ts';
export { findLockMismatch } from './lock-check.ts';
export { parseTokenFile, tokensFromEnv, READ_TOKENS_ENV, WRITE_TOKENS_ENV, type Token } from './tokens.ts';
export { parseAge, parseSize, formatBytes } from './units.ts';

export interface StartOptions {
  dir: string;
  host: string;
  port: number;
  tokenFile?: string;
  env?: NodeJS.ProcessEnv;
  maxEntryBytes: number;
  maxBytes?: number;
  maxAgeMs?: number;
  log?: (line: string) => void;
}

export interface RunningCacheServer {
  url: string;
  server: Server;
  store: FolderStore;
  close(): Promise<void>;
}

export async function startCacheServer(opts: StartOptions): Promise<RunningCacheServer> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const tokens: Token[] = [...(opts.tokenFile ? parseTokenFile(opts.tokenFile) : []), ...tokensFromEnv(opts.env)];
  if (opts.maxBytes !== undefined && opts.maxEntryBytes > opts.maxBytes) {
    throw new Error(`--max-entry-size (${formatBytes(opts.maxEntryBytes)}) is larger than --max-size (${formatBytes(opts.maxBytes)})`);
  }
  const store = new FolderStore(opts.dir, findLockMismatch);
  const eviction = { ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}), ...(opts.maxAgeMs !== undefined ? { maxAgeMs: opts.maxAgeMs } : {}) };
  const evict = (): void => {
    const gone = store.evict(eviction);
    if (gone.length) log(`${new Date().toISOString()} evicted ${gone.length} entries (${formatBytes(gone.reduce((s, e) => s + e.size, 0))}): ${gone.map((e) => e.hash).join(' ')}`);
  };
  evict();
  const server = createCacheServer({ store, tokens, maxEntryBytes: opts.maxEntryBytes, eviction, log });
  // Age-based eviction also runs on a timer, as entries age without any request.
  const timer = opts.maxAgeMs !== undefined ? setInterval(evict, Math.min(opts.maxAgeMs / 10, 3600e3)) : undefined;
  timer?.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  const { entries, bytes } = store.stats();
  const scopes = tokens.map((t) => `${t.label} (${t.scope})`).join(', ');
  log(`cache server listening on ${url}; store ${opts.dir}: ${entries} entries, ${formatBytes(bytes)}; limit ${formatBytes(opts.maxEntryBytes)} per entry` +
    `${opts.maxBytes !== undefined ? `, ${formatBytes(opts.maxBytes)} in all` : ''}${opts.maxAgeMs !== undefined ? `, entries unused for ${opts.maxAgeMs / 86400e3} days evicted` : ''}; tokens: ${scopes}`);
  return {
    url,
    server,
    store,
    close: () => new Promise<void>((resolve, reject) => {
      if (timer) clearInterval(timer);
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    }),
  };
}

// `cvc cache-server`: the team's Nx remote cache (tools/cache-server). Runs until stopped.
import { parseAge, parseSize, startCacheServer } from '@cvc/cache-server';

interface CacheServerOptions {
  dir: string;
  host: string;
  port: string;
  tokens?: string;
  maxEntrySize: string;
  maxSize?: string;
  maxAge?: string;
}

export async function cacheServerCommand(opts: CacheServerOptions): Promise<void> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: "${opts.port}" is not a port number`);
  const running = await startCacheServer({
    dir: opts.dir,
    host: opts.host,
    port,
    ...(opts.tokens ? { tokenFile: opts.tokens } : {}),
    maxEntryBytes: parseSize(opts.maxEntrySize, '--max-entry-size'),
    ...(opts.maxSize ? { maxBytes: parseSize(opts.maxSize, '--max-size') } : {}),
    ...(opts.maxAge ? { maxAgeMs: parseAge(opts.maxAge, '--max-age') } : {}),
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void running.close().then(() => process.exit(0));
    });
  }
}

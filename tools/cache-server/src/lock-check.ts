// Checks a cache entry (Nx's gzipped tar of a task's outputs) against the stage locks inside
// it: every file a lock lists must be in the archive with the sha256 the lock records, and
// the stage folder may hold nothing else. Such an entry can only differ from its lock if it
// was damaged after the stage ran (a bad upload, a bad disk, a hand edit on the server), so
// the server drops it instead of serving it, and Nx reruns the stage.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';

const LOCK = /^artifacts\/[^/]+\/stage\.lock\.json$/;

interface Lock {
  outputFiles?: Record<string, Record<string, string>>;
}

const short = (hash: string | undefined): string => (hash ? `${hash.slice(0, 12)}…` : 'absent');

/** Why the entry does not match its locks, or undefined if it does (or carries no lock with file hashes). */
export async function findLockMismatch(file: string): Promise<string | undefined> {
  const hashes = new Map<string, string>();
  const locks = new Map<string, Lock>();
  // Nx writes its terminalOutput and code entries with old (pre-POSIX) tar headers.
  const reader = extract({ allowUnknownFormat: true } as Parameters<typeof extract>[0]);
  const consume = (async () => {
    for await (const entry of reader) {
      const name = posix.normalize(entry.header.name).replace(/^(\.\/)+/, '');
      const hash = createHash('sha256');
      const chunks: Buffer[] = [];
      for await (const chunk of entry) {
        hash.update(chunk as Buffer);
        if (LOCK.test(name)) chunks.push(chunk as Buffer);
      }
      if (entry.header.type !== 'file') continue;
      hashes.set(name, hash.digest('hex'));
      if (LOCK.test(name)) {
        try {
          locks.set(name, JSON.parse(Buffer.concat(chunks).toString('utf8')) as Lock);
        } catch {
          throw new Error(`${name} is not valid JSON`);
        }
      }
    }
  })();
  try {
    await Promise.all([pipeline(createReadStream(file), createGunzip(), reader), consume]);
  } catch (err) {
    return `not a readable archive: ${(err as Error).message}`;
  }
  const problems: string[] = [];
  for (const [lockName, lock] of locks) {
    if (!lock.outputFiles) continue;
    const listed = new Map(Object.values(lock.outputFiles).flatMap((files) => Object.entries(files)));
    for (const [path, expected] of listed) {
      if (hashes.get(path) !== expected) problems.push(`${path}: sha256 ${short(hashes.get(path))} in the entry, ${short(expected)} in its lock`);
    }
    const folder = `${posix.dirname(lockName)}/`;
    for (const name of hashes.keys()) {
      if (name.startsWith(folder) && name !== lockName && !listed.has(name)) problems.push(`${name}: in the entry, not in its lock`);
    }
  }
  if (!problems.length) return undefined;
  return problems.slice(0, 3).join('; ') + (problems.length > 3 ? ` (+${problems.length - 3} more)` : '');
}

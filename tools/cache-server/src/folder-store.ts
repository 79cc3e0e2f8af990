// Entries in a folder: <dir>/entries/<hash>/{data,meta.json}. An upload is written into its
// own temp folder under <dir>/tmp and renamed into place in one step, so readers never see a
// half-written entry, and of two concurrent uploads of one hash exactly one wins (rename onto
// a non-empty folder fails). meta.json holds the body's size and sha256; every read checks
// them (and, if given, a content check), so a damaged entry is removed and reported missing
// (Nx then reruns the task and uploads it again) instead of being served.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type EntryInfo, type EvictionPolicy, chooseEvictions } from './eviction.ts';
import { isValidHash } from './hash.ts';

export interface EntryMeta {
  size: number;
  sha256: string;
  storedAt: string;
}

export interface StoredEntry {
  size: number;
  open(): Readable;
}

export type GetResult = { status: 'found'; entry: StoredEntry } | { status: 'missing' } | { status: 'corrupt'; reason: string };

/** What a storage backend offers the HTTP layer. */
export interface EntryStore {
  has(hash: string): boolean;
  get(hash: string): Promise<GetResult>;
  /** Store a body of exactly `size` bytes; 'exists' if the hash is (or just became) taken. */
  put(hash: string, body: Readable, size: number): Promise<'stored' | 'exists'>;
  evict(policy: EvictionPolicy, now?: number): EntryInfo[];
  stats(): { entries: number; bytes: number };
}

export class UploadError extends Error {}

const sha256File = async (file: string): Promise<string> => {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
};

export class FolderStore implements EntryStore {
  private readonly entriesDir: string;
  private readonly tmpDir: string;
  private readonly index = new Map<string, EntryInfo>();

  /** `checkContent` may reject an entry whose checksum is fine (e.g. its files differ from its stage lock). */
  constructor(readonly dir: string, private readonly checkContent?: (file: string) => Promise<string | undefined>) {
    this.entriesDir = join(dir, 'entries');
    this.tmpDir = join(dir, 'tmp');
    mkdirSync(this.entriesDir, { recursive: true });
    // Leftovers of uploads cut short by a crash: never part of the store.
    rmSync(this.tmpDir, { recursive: true, force: true });
    mkdirSync(this.tmpDir, { recursive: true });
    for (const hash of readdirSync(this.entriesDir)) {
      const entryDir = join(this.entriesDir, hash);
      if (!isValidHash(hash) || !existsSync(join(entryDir, 'meta.json')) || !existsSync(join(entryDir, 'data'))) continue;
      this.index.set(hash, { hash, size: statSync(join(entryDir, 'data')).size, lastUsed: statSync(entryDir).mtimeMs });
    }
  }

  has(hash: string): boolean {
    return this.index.has(hash);
  }

  async get(hash: string): Promise<GetResult> {
    if (!this.index.has(hash)) return { status: 'missing' };
    const entryDir = join(this.entriesDir, hash);
    const data = join(entryDir, 'data');
    let reason: string | undefined;
    try {
      const meta = JSON.parse(readFileSync(join(entryDir, 'meta.json'), 'utf8')) as EntryMeta;
      const size = statSync(data).size;
      const sha256 = await sha256File(data);
      if (size !== meta.size) reason = `size ${size} bytes, stored ${meta.size}`;
      else if (sha256 !== meta.sha256) reason = `sha256 ${sha256.slice(0, 12)}…, stored ${meta.sha256.slice(0, 12)}…`;
      else reason = await this.checkContent?.(data);
    } catch (err) {
      // Evicted between the index check and the read: simply gone.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(entryDir)) return { status: 'missing' };
      reason = (err as Error).message;
    }
    if (reason !== undefined) {
      this.remove(hash);
      return { status: 'corrupt', reason };
    }
    const now = new Date();
    utimesSync(entryDir, now, now); // last used: eviction drops the least recently used first
    this.index.get(hash)!.lastUsed = now.getTime();
    const size = statSync(data).size;
    return { status: 'found', entry: { size, open: () => createReadStream(data) } };
  }

  async put(hash: string, body: Readable, size: number): Promise<'stored' | 'exists'> {
    if (!isValidHash(hash)) throw new UploadError(`invalid hash "${hash}"`);
    if (this.index.has(hash)) return 'exists';
    const tmp = join(this.tmpDir, `${hash}.${randomBytes(6).toString('hex')}`);
    mkdirSync(tmp);
    try {
      const digest = createHash('sha256');
      let received = 0;
      const count = new Transform({
        transform(chunk: Buffer, _enc, done) {
          received += chunk.length;
          if (received > size) return done(new UploadError(`body is longer than Content-Length ${size}`));
          digest.update(chunk);
          done(null, chunk);
        },
      });
      await pipeline(body, count, createWriteStream(join(tmp, 'data'), { flags: 'wx' }));
      if (received !== size) throw new UploadError(`body has ${received} bytes, Content-Length said ${size}`);
      const meta: EntryMeta = { size, sha256: digest.digest('hex'), storedAt: new Date().toISOString() };
      writeFileSync(join(tmp, 'meta.json'), `${JSON.stringify(meta)}\n`);
      try {
        renameSync(tmp, join(this.entriesDir, hash));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST') return 'exists'; // another upload of this hash won
        throw err;
      }
      this.index.set(hash, { hash, size, lastUsed: Date.now() });
      return 'stored';
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }

  evict(policy: EvictionPolicy, now = Date.now()): EntryInfo[] {
    const victims = chooseEvictions([...this.index.values()], policy, now);
    for (const victim of victims) this.remove(victim.hash);
    return victims;
  }

  stats(): { entries: number; bytes: number } {
    let bytes = 0;
    for (const e of this.index.values()) bytes += e.size;
    return { entries: this.index.size, bytes };
  }

  /** Take an entry out of the store: renamed away first (readers then see it gone), then deleted. */
  private remove(hash: string): void {
    this.index.delete(hash);
    const doomed = join(this.tmpDir, `removed-${hash}.${randomBytes(6).toString('hex')}`);
    try {
      renameSync(join(this.entriesDir, hash), doomed);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    rmSync(doomed, { recursive: true, force: true });
  }
}

// Writing artifacts safely and hashing what stages read and write.
// Nothing is written in place: a file goes to a temp path and is renamed; a stage's whole
// output folder is built in a temp folder and swapped in at the end (see runner.ts).
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Write a file via a temp path + rename, so a reader never sees half a file. */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** JSON with 2-space indent and a final newline; key order as given (callers build it deterministically). */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

export function readJson<T>(path: string): T {
  if (!existsSync(path)) throw new Error(`${path}: file not found`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new Error(`${path}: not valid JSON: ${(err as Error).message}`);
  }
}

/** Every file under `dir` (or `dir` itself if it is a file), as sorted POSIX paths relative to `dir`. */
export function listFiles(dir: string, opts: { skipHidden?: boolean; skipDirs?: string[] } = {}): string[] {
  if (!statSync(dir).isDirectory()) return [''];
  const out: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (opts.skipHidden && entry.name.startsWith('.')) continue;
      const full = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!opts.skipDirs?.includes(entry.name)) walk(full);
      }
      else if (entry.isFile()) out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/** sha256 of each file under `path` (a file or a folder), keyed by relative path. */
export function hashTree(path: string, opts: { skipHidden?: boolean } = {}): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const file of listFiles(path, opts)) hashes[file] = sha256(readFileSync(file ? join(path, file) : path));
  return hashes;
}

/** One digest for a whole tree: names and contents, so adding, removing or changing a file changes it. */
export function treeDigest(path: string, opts: { skipHidden?: boolean } = {}): string {
  return digestOfHashTree(hashTree(path, opts));
}

/** treeDigest of a tree already hashed by hashTree. */
export function digestOfHashTree(hashes: Record<string, string>): string {
  return sha256(Object.entries(hashes).map(([file, hash]) => `${hash}  ${file}\n`).join(''));
}

/** Replace folder `target` by folder `fresh` in two renames; the old content is removed only once the new one is in place. */
export function swapFolder(fresh: string, target: string): void {
  mkdirSync(dirname(target), { recursive: true });
  const old = `${target}.old-${process.pid}`;
  if (existsSync(target)) renameSync(target, old);
  renameSync(fresh, target);
  rmSync(old, { recursive: true, force: true });
}

// Digest of an external input folder (e.g. the data folder) as data-prep reads it: hidden entries
// skipped, symbolic links followed (a linked image or class folder is data too, so changing what
// it points to reruns the stage). A link back into a folder being walked is not followed again
// (data-prep refuses it with a message); a broken link is left out (data-prep names it).
// For a folder without links this is exactly treeDigest(path, { skipHidden: true }).
import { readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { digestOfHashTree, sha256 } from './files.ts';

export function externalTreeDigest(path: string): string {
  if (!statSync(path).isDirectory()) return digestOfHashTree({ '': sha256(readFileSync(path)) });
  const hashes: Record<string, string> = {};
  const walk = (folder: string, rel: string, ancestors: string[]): void => {
    const real = realpathSync(folder);
    if (ancestors.includes(real)) return;
    for (const name of readdirSync(folder)) {
      if (name.startsWith('.')) continue;
      const full = join(folder, name);
      let stat;
      try {
        stat = statSync(full);
      } catch {
        continue;
      }
      const relName = rel ? `${rel}/${name}` : name;
      if (stat.isDirectory()) walk(full, relName, [...ancestors, real]);
      else if (stat.isFile()) hashes[relName] = sha256(readFileSync(full));
    }
  };
  walk(path, '', []);
  return digestOfHashTree(Object.fromEntries(Object.keys(hashes).sort().map((k) => [k, hashes[k]!])));
}

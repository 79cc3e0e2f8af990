// Versions of the libraries that shaped the artifacts, read from the installed packages.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LIBRARIES = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-backend-wasm',
  'sharp',
  'zod',
  'nx',
  'vega',
  'vega-lite',
] as const;

/** The package.json Node would find for `name` from `from`: the nearest node_modules up the tree. */
function findPackageJson(name: string, from: string): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(file)) return file;
    if (dirname(dir) === dir) return null;
  }
}

/** name → installed version (as the pipeline's code resolves it), or null when the (optional) package is not installed. */
export function libraryVersions(names: readonly string[] = LIBRARIES, from = dirname(fileURLToPath(import.meta.url))): Array<{ name: string; version: string | null }> {
  return names.map((name) => {
    const file = findPackageJson(name, from);
    const version = file ? (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? null : null;
    return { name, version };
  });
}

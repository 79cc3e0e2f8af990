// Which files count as a stage's code. The same patterns are the `stageCode` named input in
// nx.json (a test checks they agree), so `cvc status` and Nx's cache see the same code.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listFiles } from './files.ts';

/** Nx named input: `{projectRoot}`-relative patterns of a package's code (specs excluded). */
export const STAGE_CODE_INPUT = [
  '{projectRoot}/package.json',
  '{projectRoot}/src/**/*',
  '!{projectRoot}/src/**/*.spec.ts',
  '{projectRoot}/native/**/*',
  '{projectRoot}/binding.gyp',
];

function isCodeFile(file: string): boolean {
  if (file === 'package.json' || file === 'binding.gyp') return true;
  if (file.startsWith('src/')) return !file.endsWith('.spec.ts');
  return file.startsWith('native/');
}

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Workspace package folders by npm name (`@cvc/core` → `packages/core`). */
export function workspacePackages(root: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const parent of ['packages', 'tools']) {
    const dir = join(root, parent);
    if (!existsSync(dir)) continue;
    for (const file of listFiles(dir)) {
      const parts = file.split('/');
      if (parts.length === 2 && parts[1] === 'package.json') {
        const pkg = JSON.parse(readFileSync(join(dir, file), 'utf8')) as PackageJson;
        found.set(pkg.name, `${parent}/${parts[0]}`);
      }
    }
  }
  return found;
}

/** The package folder and, transitively, every workspace package it depends on. */
export function packageClosure(root: string, packageDir: string): string[] {
  const byName = workspacePackages(root);
  const seen = new Set<string>();
  const visit = (dir: string): void => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as PackageJson;
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      const dep = byName.get(name);
      if (dep) visit(dep);
    }
  };
  visit(packageDir);
  return [...seen].sort();
}

/** Root-relative paths of every code file of a stage package and its workspace dependencies. */
export function stageCodeFiles(root: string, packageDir: string): string[] {
  return packageClosure(root, packageDir).flatMap((dir) =>
    listFiles(join(root, dir), { skipDirs: ['node_modules', 'build'] })
      .filter(isCodeFile)
      .map((f) => `${dir}/${f}`),
  );
}

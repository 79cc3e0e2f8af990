// Which files are a stage's code: the files its `src/stage.ts` imports, followed transitively
// through relative imports and workspace packages (`@cvc/*`, resolved through node_modules and
// their package.json `exports`), plus the package.json of every package it touches and, for a
// package with native sources (`native/`, `binding.gyp`), those. Benches, specs, test helpers and
// scripts are never imported by a stage, so editing them reruns nothing; editing a file only one
// stage uses reruns that stage (and what reads its outputs). The Nx plugin gives these files to
// Nx as the stage's inputs and the lock records their hashes, so Nx and `cvc status` agree.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { listFiles } from './files.ts';

/** Module specifiers a TypeScript/JavaScript file imports (static, re-exports, `import type`, literal dynamic imports). */
export function importSpecifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

interface PackageJson {
  name?: string;
  exports?: string | Record<string, string>;
}

/** The folder holding the nearest package.json at or above `file`'s folder (within `root`). */
function packageDirOf(root: string, file: string): string | undefined {
  for (let dir = dirname(file); dir.startsWith(root); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dir === root) break;
  }
  return undefined;
}

/** `exports` lookup: an exact subpath, else a pattern with one `*` ("./*": "./src/*.ts"). */
function exportTarget(pkg: PackageJson, subpath: string): string | undefined {
  const map = typeof pkg.exports === 'string' ? { '.': pkg.exports } : (pkg.exports ?? {});
  if (typeof map[subpath] === 'string') return map[subpath];
  for (const [key, target] of Object.entries(map)) {
    const star = key.indexOf('*');
    if (star < 0 || typeof target !== 'string') continue;
    const [before, after] = [key.slice(0, star), key.slice(star + 1)];
    if (subpath.startsWith(before) && subpath.endsWith(after) && subpath.length >= key.length - 1) {
      return target.replace('*', subpath.slice(before.length, subpath.length - after.length));
    }
  }
  return undefined;
}

/** A workspace package import (`@scope/name[/sub]`) → the file it loads, or undefined for packages outside `root` (npm dependencies). */
function resolvePackageImport(root: string, from: string, specifier: string): string | undefined {
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  const subpath = `.${specifier.slice(name.length)}` || '.';
  // Node's lookup: node_modules folders from the importing file up to the root.
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(candidate)) {
      const pkgDir = realpathSync(candidate);
      if (relative(root, pkgDir).startsWith('..') || pkgDir.split(sep).includes('node_modules')) return undefined;
      const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as PackageJson;
      const target = exportTarget(pkg, subpath === '.' ? '.' : subpath);
      if (!target) throw new Error(`${from}: imports "${specifier}", which ${join(pkgDir, 'package.json')} does not export`);
      return resolve(pkgDir, target);
    }
    if (dir === root || dir === dirname(dir)) return undefined;
  }
}

function resolveImport(root: string, from: string, specifier: string): string | undefined {
  if (specifier.startsWith('node:')) return undefined;
  if (specifier.startsWith('.') || isAbsolute(specifier)) {
    const base = resolve(dirname(from), specifier);
    const found = [base, `${base}.ts`, join(base, 'index.ts')].find((p) => existsSync(p) && statSync(p).isFile());
    if (!found) throw new Error(`${from}: imports "${specifier}", which does not exist`);
    return found;
  }
  return resolvePackageImport(root, from, specifier);
}

/** Native sources of a package (built into the addon it loads at run time). */
function nativeFiles(pkgDir: string): string[] {
  const out = existsSync(join(pkgDir, 'binding.gyp')) ? [join(pkgDir, 'binding.gyp')] : [];
  if (existsSync(join(pkgDir, 'native'))) out.push(...listFiles(join(pkgDir, 'native')).map((f) => join(pkgDir, 'native', f)));
  return out;
}

/** Root-relative paths of every file the entries import, transitively, with their packages' package.json and native sources. */
export function traceCodeFiles(root: string, entries: string[]): string[] {
  const absRoot = realpathSync(root);
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = entries.map((e) => realpathSync(resolve(absRoot, e)));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const pkgDir = packageDirOf(absRoot, file);
    if (pkgDir && !packages.has(pkgDir)) {
      packages.add(pkgDir);
      files.add(join(pkgDir, 'package.json'));
      for (const f of nativeFiles(pkgDir)) files.add(f);
    }
    if (!/\.[cm]?[jt]s$/.test(file)) continue;
    for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
      const target = resolveImport(absRoot, file, specifier);
      if (target && !files.has(target)) queue.push(target);
    }
  }
  return [...files].map((f) => relative(absRoot, f).split(sep).join('/')).sort();
}

/** The stage module of a stage package. */
export const stageEntry = (packageDir: string): string => join(packageDir, 'src', 'stage.ts');

/** Root-relative paths of the code a stage runs (see the top of this file). */
export function stageCodeFiles(root: string, packageDir: string): string[] {
  const entry = stageEntry(packageDir);
  if (!existsSync(join(root, entry))) throw new Error(`${join(root, entry)}: stage module not found`);
  return traceCodeFiles(root, [entry]);
}

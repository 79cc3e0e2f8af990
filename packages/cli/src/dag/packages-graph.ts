// The workspace packages as a graph: one node per package (stage, library, tool or the CLI) and an
// edge from a package to each workspace package it depends on at run time (package.json
// `dependencies`), read from the workspace's package.json files (nothing drawn by hand). Arrows
// implied by others are left out (transitive reduction: classifier → core goes through vision), so
// the picture shows the layers.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pipeline } from '@cvc/core';
import type { Graph } from '@cvc/report/dag/layout';

interface PackageJson {
  name: string;
  nx?: { name?: string };
  dependencies?: Record<string, string>;
  bin?: unknown;
}

export function packagesGraph(pipeline: Pipeline): Graph {
  const root = pipeline.root;
  const workspaces = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
  const dirs = workspaces.flatMap((pattern) => {
    const base = pattern.replace(/\/\*$/, '');
    if (!pattern.endsWith('/*')) return [base];
    return existsSync(join(root, base)) ? readdirSync(join(root, base)).sort().map((d) => `${base}/${d}`) : [];
  });
  const packages = dirs.filter((d) => existsSync(join(root, d, 'package.json'))).map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as PackageJson }));
  const byName = new Map(packages.map((p) => [p.pkg.name, p]));
  const stageDirs = new Map(pipeline.stages.map((s) => [s.package, s.name]));
  const role = (p: { dir: string; pkg: PackageJson }) => (stageDirs.has(p.dir) ? 'stage' : p.pkg.bin ? 'command line' : p.dir.startsWith('tools/') ? 'tool' : 'library');
  const deps = new Map(packages.map((p) => [p.pkg.name, Object.keys(p.pkg.dependencies ?? {}).filter((d) => byName.has(d)).sort()]));
  return {
    nodes: packages.map((p) => ({ id: p.pkg.name, kind: role(p) === 'stage' ? 'stage' : 'library', lines: [p.pkg.name, `${role(p)} · ${p.dir}`] })),
    edges: transitiveReduction(deps),
  };
}

/** The arrows a → b not implied by a path a → c → … → b. */
export function transitiveReduction(deps: Map<string, string[]>): { from: string; to: string }[] {
  const reach = new Map<string, Set<string>>();
  const reachable = (from: string): Set<string> => {
    let set = reach.get(from);
    if (set) return set;
    set = new Set();
    reach.set(from, set);
    for (const d of deps.get(from) ?? []) {
      set.add(d);
      for (const r of reachable(d)) set.add(r);
    }
    return set;
  };
  return [...deps].flatMap(([from, direct]) => direct.filter((to) => !direct.some((via) => via !== to && reachable(via).has(to))).map((to) => ({ from, to })));
}

// A small real pipeline for Nx to run in a throw-away workspace: data-prep (this repo's
// package) → summary → report (two tiny fixture stages). Used by the cache specs.
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { execa } from 'execa';
import { writeClassFolders } from '@cvc/core/testing';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const nxBin = join(repo, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');

export const summaryStage = (version: number) => `
import { z } from 'zod';
import { defineStage, readImageDataset, writeJsonAtomic } from '@cvc/core';
import { labelOf } from './label.ts';
export default defineStage({
  name: 'summary',
  params: z.object({ label: z.string() }),
  async run(ctx) {
    const { manifest } = readImageDataset(ctx.input('dataset'));
    writeJsonAtomic(ctx.output('counts'), { label: labelOf(ctx.params.label), counts: manifest.classCounts, data: manifest.contentHash, version: ${version} });
  },
});
`;

/** A module only the summary stage imports. */
export const labelModule = (suffix: string) => `export const labelOf = (label: string): string => label + ${JSON.stringify(suffix)};\n`;

export const reportStage = (prefix: string) => `
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { defineStage, writeJsonAtomic } from '@cvc/core';
export default defineStage({
  name: 'report',
  params: z.object({ title: z.string() }),
  async run(ctx) {
    const counts = JSON.parse(readFileSync(ctx.input('counts'), 'utf8'));
    writeJsonAtomic(ctx.output('report'), { title: '${prefix}' + ctx.params.title, counts });
  },
});
`;

export function pipelineYaml(data: string, label: string, title: string, profiles = ''): string {
  return `seed: 1
artifacts:
  dataset: { path: artifacts/data-prep/dataset, format: image-dataset }
  dataset_preview: { path: artifacts/data-prep/samples.png, format: png }
  counts: { path: artifacts/summary/counts.json, format: json }
  report: { path: artifacts/report/report.json, format: json }
stages:
  data-prep:
    package: packages/data-prep
    params: { dataDir: ${JSON.stringify(data)}, split: { validation: 0.2, test: 0.2 }, folds: 2 }
    external: [dataDir]
    outs: [dataset, dataset_preview]
  summary:
    package: packages/summary
    params: { label: ${label} }
    deps: [dataset]
    outs: [counts]
  report:
    package: packages/report
    params: { title: ${title} }
    deps: [counts]
    outs: [report]
${profiles}`;
}

export function writePackage(root: string, name: string, stageSource: string): void {
  mkdirSync(join(root, 'packages', name, 'src'), { recursive: true });
  writeFileSync(
    join(root, 'packages', name, 'package.json'),
    JSON.stringify({ name: `@fixture/${name}`, private: true, type: 'module', nx: { name }, dependencies: { '@cvc/core': '*' } }),
  );
  writeFileSync(join(root, 'packages', name, 'src', 'stage.ts'), stageSource);
}

/** Two small class folders of noise images (the data-prep stage's input). */
export function writeFixtureData(dir: string): Promise<string> {
  return writeClassFolders(dir, { clock: [200, 30, 30], crocodile: [30, 150, 40] }, 6);
}

/** Lay out the workspace in `root` (an empty folder); returns the pipeline file. */
export function createNxWorkspace(root: string, data: string): string {
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'cache-fixture', private: true, workspaces: ['packages/*'] }));
  const nxJson = JSON.parse(readFileSync(join(repo, 'nx.json'), 'utf8'));
  nxJson.plugins = [{ plugin: '@cvc/nx-pipeline', options: { pipeline: 'pipelines/test.yaml' } }];
  writeFileSync(join(root, 'nx.json'), JSON.stringify(nxJson));
  mkdirSync(join(root, 'packages', 'data-prep'), { recursive: true });
  cpSync(join(repo, 'packages', 'data-prep', 'src'), join(root, 'packages', 'data-prep', 'src'), { recursive: true });
  cpSync(join(repo, 'packages', 'data-prep', 'package.json'), join(root, 'packages', 'data-prep', 'package.json'));
  writePackage(root, 'summary', summaryStage(1));
  writeFileSync(join(root, 'packages', 'summary', 'src', 'label.ts'), labelModule(''));
  writePackage(root, 'report', reportStage(''));
  mkdirSync(join(root, 'pipelines'));
  const file = join(root, 'pipelines', 'test.yaml');
  writeFileSync(file, pipelineYaml(data, 'a', 'T'));
  return file;
}

export interface NxRun {
  /** Stages whose command ran. */
  executed: string[];
  /** Stages restored from the local cache (or whose outputs already matched it). */
  cached: string[];
  /** Stages restored from the remote cache. */
  remote: string[];
  exitCode: number;
  output: string;
}

/**
 * Run Nx in `root`. The remote-cache and cache-directory variables of the calling shell are
 * dropped (a developer's team cache must not see fixture runs); pass them in `env` to use them.
 */
export async function nx(root: string, args: string[], opts: { env?: Record<string, string>; reject?: boolean } = {}): Promise<NxRun> {
  const result = await execa(process.execPath, [nxBin, ...args, '--output-style=static'], {
    cwd: root,
    env: {
      NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0',
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER: undefined, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: undefined, NX_CACHE_DIRECTORY: undefined,
      ...opts.env,
    },
    all: true,
    reject: opts.reject ?? true,
  });
  const output = stripVTControlCharacters(result.all ?? '');
  const run: NxRun = { executed: [], cached: [], remote: [], exitCode: result.exitCode ?? -1, output };
  for (const match of output.matchAll(/^> nx run ([\w-]+):stage\S*(.*)$/gm)) {
    const note = match[2]!;
    (/\[remote cache\]/.test(note) ? run.remote : /\[local cache\]|\[existing outputs match the cache/.test(note) ? run.cached : run.executed).push(match[1]!);
  }
  return run;
}

// A small fixture run for the report's tests: a temp workspace whose pipeline runs the real
// data-prep stage on tiny class folders, optional stand-ins for the classifier and ranker stages
// (tiny packages that copy fixture artifacts shaped like the real ones into place), then the
// real report stage — all through the real runner.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readImageDataset } from '@cvc/core';
import { runStage } from '@cvc/core/runner';
import { tempDir, writeClassFolders } from '@cvc/core/testing';
import { writeClassifierFixture, writeGeneratorFixture, writeRankerFixture } from './fixture-artifacts.ts';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const dataPrepDir = join(packageDir, '..', 'data-prep');

export type FixtureStage = 'classifier' | 'ranker' | 'generator';

/** Artifact catalog entries of the stand-in stages: name → [path, format]. */
const FIXTURE_OUTS: Record<FixtureStage, Record<string, [string, string]>> = {
  classifier: {
    classifier_metrics: ['artifacts/classifier/metrics.json', 'json'],
    classifier_plots: ['artifacts/classifier/plots', 'folder'],
  },
  ranker: {
    ranker_both: ['artifacts/ranker/both.json', 'json'],
    ranker_one_sided: ['artifacts/ranker/one-sided.json', 'json'],
    ranker_metrics: ['artifacts/ranker/metrics.json', 'json'],
  },
  generator: {
    generator_metrics: ['artifacts/generator/metrics.json', 'json'],
    generator_vae: ['artifacts/generator/vae', 'folder'],
    generator_frequency: ['artifacts/generator/frequency', 'folder'],
  },
};

export interface FixtureRun {
  root: string;
  pipelineFile: string;
  page: string;
}

export interface FixtureOptions {
  /** Stand-in upstream stages to include (their artifacts become deps of the report). */
  stages?: FixtureStage[];
  sections?: string[];
  deps?: string[];
}

/** A stage package with no dependencies that copies files named in its params to its outputs. */
function writeCopyStage(root: string, name: string): string {
  const dir = join(root, 'fixture-stages', name);
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `fixture-${name}`, private: true, type: 'module' }));
  writeFileSync(
    join(dir, 'src', 'stage.ts'),
    `import { cpSync } from 'node:fs';
import { z } from 'zod';
export default {
  name: ${JSON.stringify(name)},
  params: z.object({ copy: z.record(z.string(), z.string()) }),
  async run(ctx: { params: { copy: Record<string, string> }; output(a: string): string }) {
    for (const [artifact, from] of Object.entries(ctx.params.copy)) cpSync(from, ctx.output(artifact), { recursive: true });
  },
};
`,
  );
  return relative(root, dir);
}

export function writeFixturePipeline(root: string, dataDir: string, opts: FixtureOptions = {}, copies: Partial<Record<FixtureStage, Record<string, string>>> = {}): string {
  mkdirSync(join(root, 'pipelines'), { recursive: true });
  const pipelineFile = join(root, 'pipelines', 'fixture.yaml');
  const stages = opts.stages ?? [];
  const sections = opts.sections ?? ['dataset', ...stages, 'provenance'];
  const deps = opts.deps ?? ['dataset', ...stages.flatMap((s) => Object.keys(FIXTURE_OUTS[s]))];
  const lines = [
    '# fixture pipeline for the report tests',
    'seed: 7',
    'artifacts:',
    '  dataset: { path: artifacts/data-prep/dataset, format: image-dataset }',
    '  dataset_preview: { path: artifacts/data-prep/samples.png, format: png }',
    ...stages.flatMap((s) => Object.entries(FIXTURE_OUTS[s]).map(([name, [path, format]]) => `  ${name}: { path: ${path}, format: ${format} }`)),
    '  report_page: { path: artifacts/report/index.html, format: html }',
    'stages:',
    '  data-prep:',
    `    package: ${relative(root, dataPrepDir)}`,
    `    params: { dataDir: ${JSON.stringify(dataDir)}, split: { validation: 0.2, test: 0.2 }, folds: 2, previewPerClass: 4 }`,
    '    external: [dataDir]',
    '    outs: [dataset, dataset_preview]',
    ...stages.flatMap((s) => [
      `  ${s}:`,
      `    package: ${writeCopyStage(root, s)}`,
      `    params: { copy: ${JSON.stringify(copies[s] ?? {})} }`,
      '    deps: [dataset]',
      `    outs: ${JSON.stringify(Object.keys(FIXTURE_OUTS[s]))}`,
    ]),
    '  report:',
    `    package: ${relative(root, packageDir)}`,
    `    params: { title: "Fixture <run> & co", pipelineFile: pipelines/fixture.yaml, sections: ${JSON.stringify(sections)}, samplesPerClass: 6, topPerScorer: 4, bestHybrids: 8 }`,
    '    external: [pipelineFile]',
    `    deps: ${JSON.stringify(deps)}`,
    '    outs: [report_page]',
  ];
  writeFileSync(pipelineFile, `${lines.join('\n')}\n`);
  return pipelineFile;
}

/** Build the fixture workspace and run data-prep, the stand-in stages, then report in it. */
export async function fixtureRun(opts: FixtureOptions = {}): Promise<FixtureRun> {
  const root = tempDir('cvc-report-');
  const data = await writeClassFolders(join(root, 'data'), { clock: [200, 40, 40], crocodile: [40, 160, 60] }, 10);
  const dataDir = relative(root, data);
  const quiet = () => {};
  let pipelineFile = writeFixturePipeline(root, dataDir, opts);
  await runStage({ pipelineFile, stage: 'data-prep', log: quiet });

  // Stand-in artifacts refer to the fixture dataset's images by index.
  const { manifest } = readImageDataset(join(root, 'artifacts', 'data-prep', 'dataset'));
  const copies: Partial<Record<FixtureStage, Record<string, string>>> = {};
  if (opts.stages?.includes('classifier')) copies.classifier = await writeClassifierFixture(join(root, 'fixtures', 'classifier'), manifest);
  if (opts.stages?.includes('ranker')) copies.ranker = writeRankerFixture(join(root, 'fixtures', 'ranker'), manifest);
  if (opts.stages?.includes('generator')) copies.generator = await writeGeneratorFixture(join(root, 'fixtures', 'generator'));
  pipelineFile = writeFixturePipeline(root, dataDir, opts, copies);
  for (const stage of opts.stages ?? []) await runStage({ pipelineFile, stage, log: quiet });

  await runStage({ pipelineFile, stage: 'report', log: quiet });
  return { root, pipelineFile, page: join(root, 'artifacts', 'report', 'index.html') };
}

/** The fixture pipeline's text, for tests that edit it. */
export function readFixturePipeline(run: FixtureRun): string {
  return readFileSync(run.pipelineFile, 'utf8');
}

// A small fixture run for the report's tests: a temp workspace whose pipeline runs the real
// data-prep stage on tiny class folders, then the report stage, through the real runner.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runStage } from '@cvc/core/runner';
import { tempDir, writeClassFolders } from '@cvc/core/testing';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const dataPrepDir = join(packageDir, '..', 'data-prep');

export interface FixtureRun {
  root: string;
  pipelineFile: string;
  page: string;
}

export interface FixtureOptions {
  sections?: string[];
  deps?: string[];
}

export function writeFixturePipeline(root: string, dataDir: string, opts: FixtureOptions = {}): string {
  mkdirSync(join(root, 'pipelines'), { recursive: true });
  const pipelineFile = join(root, 'pipelines', 'fixture.yaml');
  const sections = opts.sections ?? ['dataset', 'provenance'];
  const deps = opts.deps ?? ['dataset'];
  writeFileSync(
    pipelineFile,
    [
      '# fixture pipeline for the report tests',
      'seed: 7',
      'artifacts:',
      '  dataset: { path: artifacts/data-prep/dataset, format: image-dataset }',
      '  dataset_preview: { path: artifacts/data-prep/samples.png, format: png }',
      '  report_page: { path: artifacts/report/index.html, format: html }',
      'stages:',
      '  data-prep:',
      `    package: ${relative(root, dataPrepDir)}`,
      `    params: { dataDir: ${JSON.stringify(dataDir)}, split: { validation: 0.2, test: 0.2 }, folds: 2, previewPerClass: 4 }`,
      '    external: [dataDir]',
      '    outs: [dataset, dataset_preview]',
      '  report:',
      `    package: ${relative(root, packageDir)}`,
      `    params: { title: "Fixture <run> & co", pipelineFile: pipelines/fixture.yaml, sections: ${JSON.stringify(sections)}, samplesPerClass: 6 }`,
      '    external: [pipelineFile]',
      `    deps: ${JSON.stringify(deps)}`,
      '    outs: [report_page]',
    ].join('\n') + '\n',
  );
  return pipelineFile;
}

/** Build the fixture workspace and run data-prep then report in it. */
export async function fixtureRun(opts: FixtureOptions = {}): Promise<FixtureRun> {
  const root = tempDir('cvc-report-');
  const data = await writeClassFolders(join(root, 'data'), { clock: [200, 40, 40], crocodile: [40, 160, 60] }, 10);
  const pipelineFile = writeFixturePipeline(root, relative(root, data), opts);
  const quiet = () => {};
  await runStage({ pipelineFile, stage: 'data-prep', log: quiet });
  await runStage({ pipelineFile, stage: 'report', log: quiet });
  return { root, pipelineFile, page: join(root, 'artifacts', 'report', 'index.html') };
}

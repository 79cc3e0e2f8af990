// An experiment is a generated profile, pipelines/experiments/<name>.yaml: its base profile (or
// none), the `--set`s that made it, and the full params of each stage they change. The runner
// reads it like a profile (`-c <name>`), with the base profile's identity, so every stage it does
// not change is the base run's, from the cache; the changed stages and their downstream rerun.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { parse, stringify } from 'yaml';
import { canonicalJson, experimentPath, writeFileAtomic, type Pipeline } from '@cvc/core';

export interface ExperimentFile {
  experiment: { base: string | null; set: Record<string, unknown>; createdAt: string };
  stages: Record<string, { params: Record<string, unknown> }>;
}

export function readExperiment(pipelineFile: string, name: string): ExperimentFile {
  const file = experimentPath(pipelineFile, name);
  const data = parse(readFileSync(file, 'utf8')) as ExperimentFile;
  if (!data?.experiment || typeof data.stages !== 'object') throw new Error(`${file}: not an experiment file (experiment: and stages: expected)`);
  return data;
}

/** Same base and same stage params: the same experiment (rerunning it is all cache hits). */
export const sameExperiment = (a: ExperimentFile, b: ExperimentFile): boolean =>
  a.experiment.base === b.experiment.base && canonicalJson(a.stages) === canonicalJson(b.stages);

export function writeExperiment(pipeline: Pipeline, name: string, experiment: ExperimentFile): string {
  const file = experimentPath(pipeline.file, name);
  mkdirSync(dirname(file), { recursive: true });
  const sets = Object.entries(experiment.experiment.set).map(([k, v]) => `#   ${k} = ${JSON.stringify(v)}`).join('\n');
  const header = `# Experiment "${name}", written by \`cvc exp run\`: ${experiment.experiment.base ? `profile ${experiment.experiment.base}` : 'the pipeline as written'} with\n${sets}\n# Run it again: npx nx run pipeline:all -c ${name}   Compare: npx cvc exp show\n# (${relative(pipeline.root, pipeline.file)} is unchanged; each stage below holds its full params.)\n`;
  writeFileAtomic(file, header + stringify(experiment, { lineWidth: 0 }));
  return file;
}

export const experimentExists = (pipeline: Pipeline, name: string): boolean => existsSync(experimentPath(pipeline.file, name));

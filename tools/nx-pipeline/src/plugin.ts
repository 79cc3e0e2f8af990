// Local Nx plugin: reads the pipeline file and infers, per stage, one cached `stage` target
// on the stage's own package project (so each stage has its own cache key), plus a
// `pipeline` project whose `all` target is a no-op that depends on every stage.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNodesFromFiles, type CreateNodes, type CreateNodesResult, type TargetConfiguration } from 'nx/src/devkit-exports';
import { parse } from 'yaml';
import { type Pipeline, loadPipeline, profileNames, stageParamsDigest, upstreamStages } from '@cvc/core/pipeline-file';
import { envNameForParam, BACKEND_ENV } from '@cvc/core/env';

export interface PipelinePluginOptions {
  /** The pipeline file this workspace runs (root-relative). */
  pipeline?: string;
  /** The command that runs a stage; `cvc` is the CLI's bin. */
  command?: string;
}

const DEFAULT_PIPELINE = 'pipelines/clocks-vs-crocodiles.yaml';

/** Nx project name of a stage package: its package.json `nx.name`, else its npm name. */
function projectName(root: string, packageDir: string): string {
  const file = join(root, packageDir, 'package.json');
  if (!existsSync(file)) throw new Error(`${file}: stage package has no package.json`);
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name: string; nx?: { name?: string } };
  return pkg.nx?.name ?? pkg.name;
}

function stageCommand(opts: PipelinePluginOptions, pipelineFile: string, stage: string, digest: string, profile?: string): string {
  const profileFlag = profile ? ` --profile ${profile}` : '';
  return `${opts.command ?? 'cvc'} stage ${stage} --pipeline ${pipelineFile}${profileFlag} --params-digest ${digest}`;
}

export function nodesForPipeline(root: string, pipelineFile: string, opts: PipelinePluginOptions = {}): CreateNodesResult {
  const base = loadPipeline(join(root, pipelineFile));
  const raw = parse(readFileSync(join(root, pipelineFile), 'utf8')) as Record<string, unknown>;
  const profiles: Record<string, Pipeline> = Object.fromEntries(profileNames(raw).map((p) => [p, loadPipeline(join(root, pipelineFile), { profile: p })]));
  const names = new Map(base.stages.map((s) => [s.name, projectName(root, s.package)]));
  const projects: NonNullable<CreateNodesResult['projects']> = {};

  for (const stage of base.stages) {
    const external = stage.external.flatMap((param) => {
      const env = envNameForParam(param);
      return [{ env }, { runtime: `node node_modules/@cvc/nx-pipeline/hash-path.cjs ${JSON.stringify(stage.params[param])} ${env}` }];
    });
    const target: TargetConfiguration = {
      executor: 'nx:run-commands',
      options: { command: stageCommand(opts, pipelineFile, stage.name, stageParamsDigest(base, stage)) },
      configurations: Object.fromEntries(
        Object.entries(profiles).map(([profile, pipeline]) => {
          const profiled = pipeline.stages.find((s) => s.name === stage.name)!;
          return [profile, { command: stageCommand(opts, pipelineFile, stage.name, stageParamsDigest(pipeline, profiled), profile) }];
        }),
      ),
      cache: true,
      // Code of this package and of the workspace packages it depends on; upstream artifacts
      // but not their locks (a lock records upstream code hashes, and a code change that leaves
      // the artifacts byte-identical must not cascade); not the whole YAML: the params slice
      // is in the command's digest above.
      inputs: ['stageCode', '^stageCode', { dependentTasksOutputFiles: '**/!(*.lock.json)', transitive: false }, { env: BACKEND_ENV }, ...external],
      outputs: [`{workspaceRoot}/artifacts/${stage.name}`],
      dependsOn: upstreamStages(base, stage).map((up) => ({ projects: [names.get(up)!], target: 'stage', params: 'forward' as const })),
      metadata: {
        description: stage.description || `pipeline stage ${stage.name}`,
        technologies: ['cvc-pipeline'],
      },
    };
    projects[stage.package] = { targets: { stage: target } };
  }

  projects['pipelines'] = {
    name: 'pipeline',
    targets: {
      all: {
        executor: 'nx:noop',
        dependsOn: base.stages.map((s) => ({ projects: [names.get(s.name)!], target: 'stage', params: 'forward' as const })),
        metadata: { description: `run every stage of ${pipelineFile} in DAG order (cached per stage)` },
      },
    },
  };
  return { projects };
}

export const createNodes: CreateNodes<PipelinePluginOptions> = [
  'pipelines/*.yaml',
  (files, options, context) =>
    createNodesFromFiles(
      (file, opts) => (file === (opts?.pipeline ?? DEFAULT_PIPELINE) ? nodesForPipeline(context.workspaceRoot, file, opts ?? {}) : {}),
      files,
      options,
      context,
    ),
];
export const createNodesV2 = createNodes;

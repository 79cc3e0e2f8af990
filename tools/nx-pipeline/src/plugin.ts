// Local Nx plugin: reads the pipeline file and infers, per stage, one cached `stage` target on the
// stage's own package project (so each stage has its own cache key), plus a `pipeline` project whose
// `all` target depends on every stage and then keeps a snapshot of the run (`cvc metrics snapshot`).
//
// A stage's hash covers exactly what it runs and reads:
// - its code: the files its src/stage.ts imports, transitively (core/code-files.ts) — not specs,
//   benches, test helpers or scripts, and not the code of other stages;
// - its params under the chosen profile, the global seed, its artifacts' catalog paths and the
//   contents of its external paths (the data folder): one runtime line (stage-inputs.cjs);
// - the upstream artifacts (not their locks: a code change upstream that leaves the artifacts
//   byte-identical must not cascade), and the forced backend and profile env vars.
// Profiles are not Nx configurations (see core/profile-choice.ts): the target is the same for
// every profile, so adding one leaves the default run's hashes alone.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNodesFromFiles, type CreateNodes, type CreateNodesResult, type TargetConfiguration } from 'nx/src/devkit-exports';
import { loadPipeline, upstreamStages } from '@cvc/core/pipeline-file';
import { BACKEND_ENV } from '@cvc/core/env';
import { stageCodeFiles } from '@cvc/core/code-files';
import { PROFILE_ENV } from '@cvc/core/profile-choice';

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

export function nodesForPipeline(root: string, pipelineFile: string, opts: PipelinePluginOptions = {}): CreateNodesResult {
  const base = loadPipeline(join(root, pipelineFile));
  const names = new Map(base.stages.map((s) => [s.name, projectName(root, s.package)]));
  const projects: NonNullable<CreateNodesResult['projects']> = {};

  for (const stage of base.stages) {
    const target: TargetConfiguration = {
      executor: 'nx:run-commands',
      // A larger young generation: training allocates many short-lived tensors (≈ 5 % less CPU on the resnet, 25 % less GC on the CNN; packages/compute/README.md).
      options: { command: `${opts.command ?? 'cvc'} stage ${stage.name} --pipeline ${pipelineFile}`, env: { NODE_OPTIONS: '--max-semi-space-size=128' } },
      cache: true,
      inputs: [
        ...stageCodeFiles(root, stage.package).map((file) => `{workspaceRoot}/${file}`),
        { dependentTasksOutputFiles: '**/!(*.lock.json)', transitive: false },
        { env: BACKEND_ENV },
        { env: PROFILE_ENV },
        { runtime: `node node_modules/@cvc/nx-pipeline/stage-inputs.cjs ${pipelineFile} ${stage.name}` },
      ],
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
        // After every stage: keep a snapshot of this run's params and metrics (artifacts/.runs/history,
        // for `cvc metrics diff` and `cvc exp show`). Never cached: it records the run itself.
        executor: 'nx:run-commands',
        options: { command: `${opts.command ?? 'cvc'} metrics snapshot --pipeline ${pipelineFile}` },
        cache: false,
        dependsOn: base.stages.map((s) => ({ projects: [names.get(s.name)!], target: 'stage', params: 'forward' as const })),
        metadata: { description: `run every stage of ${pipelineFile} in DAG order (cached per stage; profile: -c <name> or ${PROFILE_ENV}), then keep the run in artifacts/.runs/history` },
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

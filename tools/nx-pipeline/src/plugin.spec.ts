import { describe, expect, it } from 'vitest';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPipeline } from '@cvc/core';
import { stageCodeFiles } from '@cvc/core/code-files';
import { nodesForPipeline } from './plugin.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const PIPELINE = 'pipelines/clocks-vs-crocodiles.yaml';

describe('the Nx plugin on the real pipeline file', () => {
  const { projects } = nodesForPipeline(repo, PIPELINE);
  const pipeline = loadPipeline(join(repo, PIPELINE));
  const inputsOf = (stage: string) => projects![`packages/${stage}`]!.targets!.stage!.inputs!;
  const files = (stage: string) => inputsOf(stage).filter((i): i is string => typeof i === 'string').map((i) => i.replace('{workspaceRoot}/', ''));

  it('puts one cached `stage` target on each stage package, wired by outputs → inputs, the same for every profile', () => {
    for (const stage of pipeline.stages) {
      const target = projects![stage.package]!.targets!.stage!;
      expect(target.cache).toBe(true);
      expect(target.outputs).toEqual([`{workspaceRoot}/artifacts/${stage.name}`]);
      expect(target.options.command).toBe(`cvc stage ${stage.name} --pipeline ${PIPELINE}`);
      expect(target.configurations).toBeUndefined();
      expect(target.inputs).toContainEqual({ runtime: `node node_modules/@cvc/nx-pipeline/stage-inputs.cjs ${PIPELINE} ${stage.name}` });
      expect(target.inputs).toContainEqual({ env: 'CVC_PROFILE' });
      expect(target.inputs).toContainEqual({ dependentTasksOutputFiles: '**/!(*.lock.json)', transitive: false });
    }
  });

  it("hashes the files a stage imports: its own code and the libraries', never another stage's, a spec, a bench or a script", () => {
    expect(files('classifier')).toEqual(stageCodeFiles(repo, 'packages/classifier'));
    expect(files('classifier')).toContain('packages/classifier/src/model-card.ts');
    expect(files('classifier')).toContain('packages/vision/src/models.ts');
    expect(files('classifier')).toContain('packages/compute/native/gemm.cc');
    expect(files('pretrain')).not.toContain('packages/classifier/src/model-card.ts');
    expect(files('generator').some((f) => f.startsWith('packages/classifier/'))).toBe(false);
    expect(files('ranker').some((f) => f.startsWith('packages/embedder/'))).toBe(false);
    for (const stage of pipeline.stages) {
      expect(files(stage.name).filter((f) => /\.spec\.ts$|\/(testing|scripts|bench)\//.test(f))).toEqual([]);
    }
  });

  it('gives the pipeline an aggregator over every stage', () => {
    expect(projects!['packages/data-prep']!.targets!.stage!.dependsOn).toEqual([]);
    const all = projects!['pipelines']!.targets!.all!;
    expect(all.executor).toBe('nx:run-commands');
    expect(all.options.command).toBe('cvc metrics snapshot --pipeline pipelines/clocks-vs-crocodiles.yaml');
    expect(all.cache).toBe(false);
    expect(all.dependsOn).toEqual(pipeline.stages.map((s) => ({ projects: [s.name], target: 'stage', params: 'forward' })));
  });
});

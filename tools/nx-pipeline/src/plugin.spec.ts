import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAGE_CODE_INPUT, loadPipeline } from '@cvc/core';
import { nodesForPipeline } from './plugin.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const PIPELINE = 'pipelines/clocks-vs-crocodiles.yaml';

describe('the Nx plugin on the real pipeline file', () => {
  const { projects } = nodesForPipeline(repo, PIPELINE);
  const pipeline = loadPipeline(join(repo, PIPELINE));

  it('puts one cached `stage` target on each stage package, wired by outputs → inputs', () => {
    for (const stage of pipeline.stages) {
      const target = projects![stage.package]!.targets!.stage!;
      expect(target.cache).toBe(true);
      expect(target.outputs).toEqual([`{workspaceRoot}/artifacts/${stage.name}`]);
      expect(target.inputs).toContain('stageCode');
      expect(target.inputs).toContain('^stageCode');
      expect(target.options.command).toMatch(new RegExp(`^cvc stage ${stage.name} --pipeline ${PIPELINE} --params-digest [0-9a-f]{16}$`));
      expect(Object.keys(target.configurations ?? {})).toEqual(['smoke', 'full']);
    }
  });

  it('gives data-prep the data folder as a runtime input, and the pipeline an aggregator', () => {
    const target = projects!['packages/data-prep']!.targets!.stage!;
    expect(target.inputs).toContainEqual({ env: 'CVC_DATA_DIR' });
    expect(target.inputs).toContainEqual({ runtime: 'node node_modules/@cvc/nx-pipeline/hash-path.cjs "../shared/data/clocks-crocodiles" CVC_DATA_DIR' });
    expect(target.dependsOn).toEqual([]);
    const all = projects!['pipelines']!.targets!.all!;
    expect(all.executor).toBe('nx:noop');
    expect(all.dependsOn).toEqual(pipeline.stages.map((s) => ({ projects: [s.name], target: 'stage', params: 'forward' })));
  });

  it('uses the same code patterns as `cvc status` (nx.json stageCode = STAGE_CODE_INPUT)', () => {
    const nxJson = JSON.parse(readFileSync(join(repo, 'nx.json'), 'utf8'));
    expect(nxJson.namedInputs.stageCode).toEqual(STAGE_CODE_INPUT);
  });
});

// The pipeline file is the single source of params: every stage's params (and every profile's) use
// only keys the stage declares, pass its schema, and no default in code differs from a value the file sets.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadPipeline, profileNames } from '@cvc/core';
import { loadStageDefinition } from '@cvc/core/runner';
import { checkStageParams } from '@cvc/core/stage-params';
import { differingDefaults, displayPath } from '@cvc/core/schema-walk';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FILE = join(repo, 'pipelines', 'clocks-vs-crocodiles.yaml');
const profiles = profileNames(parse(readFileSync(FILE, 'utf8')) as Record<string, unknown>);

describe('params of the real pipeline file', () => {
  it('has profiles', () => expect(profiles).toEqual(['smoke', 'full']));

  for (const profile of [undefined, ...profiles]) {
    it(`${profile ?? 'default'}: every stage's params are known to it and pass its schema`, { timeout: 60_000 }, async () => {
      const pipeline = loadPipeline(FILE, profile ? { profile } : {});
      for (const stage of pipeline.stages) {
        const definition = await loadStageDefinition(pipeline, stage);
        expect(() => checkStageParams(pipeline, stage, definition.params)).not.toThrow();
      }
    });
  }

  // Per-entry knobs of a list (a model's training recipe) default to "off" for the entries that do not
  // set them; params that exist once must not have a default that disagrees with the file.
  it('no default in code differs from the value the file sets (params that exist once)', { timeout: 60_000 }, async () => {
    const pipeline = loadPipeline(FILE);
    const differing: string[] = [];
    for (const stage of pipeline.stages) {
      const definition = await loadStageDefinition(pipeline, stage);
      for (const d of differingDefaults(definition.params, stage.params).filter((d) => !d.path.some((seg) => typeof seg === 'number'))) {
        differing.push(`${displayPath(`stages.${stage.name}.params`, d.path, stage.params)}: code ${JSON.stringify(d.inCode)}, file ${JSON.stringify(d.inFile)}`);
      }
    }
    expect(differing).toEqual([]);
  });
});

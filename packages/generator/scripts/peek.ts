// Look at a training checkpoint while a run goes on (not part of the stage): samples of both
// classes and hybrids from artifacts/.checkpoints/generator/<kind>/<key>/, plus within-class diversity.
// npx tsx packages/generator/scripts/peek.ts gan <key> /tmp/peek.png '<config json>'
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '@cvc/core';
import { initCompute, tf } from '@cvc/core/backend';
import { pixelDiversity } from '../src/diversity.ts';
import { writeGrid } from '../src/figures.ts';
import { createModel } from '../src/models.ts';
import { generatorParams, type ModelKind } from '../src/params.ts';
import { sampleAtMix } from '../src/sample.ts';
import { loadStores } from '../src/weights.ts';

const [kind = 'gan', key = '', out = '/tmp/peek.png', overrides = '{}'] = process.argv.slice(2);
await initCompute(() => {});
const dir = join('artifacts/.checkpoints/generator', kind, key);
const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { epoch: number; history: { losses: Record<string, number> }[] };
const config = { ...(generatorParams.parse({}) as Record<string, object>)[kind], ...JSON.parse(overrides) };
const model = createModel(tf, kind as ModelKind, config, createRng(0));
loadStores(tf, dir, 'weights', model.stores);
const P = 32 * 32 * 3;
const n = Number(process.env['PEEK_N'] ?? 32);
const clock = sampleAtMix(tf, model, n, 0, createRng(7));
const croc = sampleAtMix(tf, model, n, 1, createRng(7));
const mix = sampleAtMix(tf, model, 8, 0.5, createRng(7));
await writeGrid(out, new Uint8Array([...clock.subarray(0, 16 * P), ...croc.subarray(0, 16 * P), ...mix]), 8);
console.log(`epoch ${state.epoch}: losses ${JSON.stringify(state.history.at(-1)?.losses)}; diversity clock ${pixelDiversity(clock).toFixed(4)} crocodile ${pixelDiversity(croc).toFixed(4)} (real 0.3909 / 0.2842) → ${out}`);

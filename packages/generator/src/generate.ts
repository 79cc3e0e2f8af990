// `cvc generate`: draw n images at a mix from a trained generator's checkpoint and write PNGs.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRng, loadPipeline, resolveFromRoot } from '@cvc/core';
import { isBaseline } from './baselines.ts';
import { writeGrid, writeImageFiles } from './figures.ts';
import { restoreGenerator } from './generator-artifact.ts';
import { sampleAtMix } from './sample.ts';
import type { Tf } from './weights.ts';

/** artifacts/generator/<model>/checkpoint, resolved from the pipeline file's catalog (artifact generator_<model>). */
export function checkpointDirFor(pipelineFile: string, model: string): string {
  const pipeline = loadPipeline(pipelineFile);
  const artifact = pipeline.artifacts[`generator_${model}`];
  const known = Object.keys(pipeline.artifacts).filter((a) => a.startsWith('generator_') && a !== 'generator_metrics').map((a) => a.slice('generator_'.length));
  if (!artifact) throw new Error(`--model ${model}: no artifact "generator_${model}" in ${pipeline.file} (trained models: ${known.join(', ') || 'none'})`);
  if (isBaseline(model)) throw new Error(`--model ${model}: a training-free baseline with no checkpoint; its hybrids are in ${join(resolveFromRoot(pipeline, artifact.path), 'hybrids')} (trained models: ${known.filter((k) => !isBaseline(k)).join(', ') || 'none'})`);
  const dir = join(resolveFromRoot(pipeline, artifact.path), 'checkpoint');
  if (!existsSync(join(dir, 'config.json'))) throw new Error(`${dir}: no trained ${model} checkpoint; run npx nx run generator:stage first`);
  return dir;
}

export async function generateToFolder(tf: Tf, checkpointDir: string, opts: { n: number; mix: number; seed: number; out: string }): Promise<string[]> {
  if (!Number.isInteger(opts.n) || opts.n < 1) throw new Error(`--n ${opts.n}: must be a positive integer`);
  if (!(opts.mix >= 0 && opts.mix <= 1)) throw new Error(`--mix ${opts.mix}: must be between 0 (clock) and 1 (crocodile)`);
  const { model, info } = restoreGenerator(tf, checkpointDir);
  const images = sampleAtMix(tf, model, opts.n, opts.mix, createRng(opts.seed));
  model.dispose();
  const prefix = `${info.kind}-mix${opts.mix}`;
  await writeImageFiles(opts.out, prefix, images);
  await writeGrid(join(opts.out, `${prefix}-grid.png`), images, Math.min(8, opts.n));
  const digits = Math.max(3, String(opts.n - 1).length);
  return Array.from({ length: opts.n }, (_, i) => join(opts.out, `${prefix}-${String(i).padStart(digits, '0')}.png`));
}

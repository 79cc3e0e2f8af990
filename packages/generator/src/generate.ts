// `cvc generate`: draw n images at a mix from a trained generator's checkpoint and write PNGs.
import { existsSync, readdirSync, renameSync, rmSync, rmdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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

/** Most images one call draws: the grid of 8 columns stays a picture a viewer opens (≈ 3 MB PNG). */
export const MAX_GENERATED = 1024;

/**
 * Draw `n` images and write them with a grid into `out`, a new or empty folder: everything is
 * written into a temp folder beside it and renamed into place, so an interruption leaves no half set.
 */
export async function generateToFolder(tf: Tf, checkpointDir: string, opts: { n: number; mix: number; seed: number; out: string }): Promise<string[]> {
  if (!Number.isInteger(opts.n) || opts.n < 1 || opts.n > MAX_GENERATED) throw new Error(`--n ${opts.n}: must be a whole number from 1 to ${MAX_GENERATED}`);
  if (!(opts.mix >= 0 && opts.mix <= 1)) throw new Error(`--mix ${opts.mix}: must be between 0 (clock) and 1 (crocodile)`);
  if (existsSync(opts.out) && readdirSync(opts.out).length > 0) throw new Error(`--out ${opts.out}: folder is not empty`);
  const { model, info } = restoreGenerator(tf, checkpointDir);
  const images = sampleAtMix(tf, model, opts.n, opts.mix, createRng(opts.seed));
  model.dispose();
  const prefix = `${info.kind}-mix${opts.mix}`;
  const temp = join(dirname(opts.out), `.${basename(opts.out)}.tmp-${process.pid}`);
  rmSync(temp, { recursive: true, force: true });
  try {
    await writeImageFiles(temp, prefix, images);
    await writeGrid(join(temp, `${prefix}-grid.png`), images, Math.min(8, opts.n));
    if (existsSync(opts.out)) rmdirSync(opts.out); // empty (checked above); rmdir refuses otherwise
    renameSync(temp, opts.out);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  const digits = Math.max(3, String(opts.n - 1).length);
  return Array.from({ length: opts.n }, (_, i) => join(opts.out, `${prefix}-${String(i).padStart(digits, '0')}.png`));
}

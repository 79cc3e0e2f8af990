// `cvc generate`: draw n images at a mix from a trained generator's checkpoint and write PNGs.
import { existsSync, readdirSync, renameSync, rmSync, rmdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createRng, deriveSeed, getStage, loadPipeline, readImageDataset, resolveFromRoot } from '@cvc/core';
import { loadFeatureTrunk, pooledFeatures } from './feature-trunk.ts';
import { buildRealism, guidedDraw, loadGuides, settingsFor, type GuidanceSettings, type GuidanceTarget, type GuideLogit, type Realism } from './guidance.ts';
import { checkStageParams } from '@cvc/core/stage-params';
import { generatorParams, type GeneratorParams } from './params.ts';
import { sampleLatents } from './sample.ts';
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

/** What a guided draw needs, loaded from the pipeline's artifacts (as the generator stage loads them). */
export interface GuidedSampler {
  guides: GuideLogit[];
  realism: Realism;
  settings: GuidanceSettings & { guides: string[]; hybridViews: number };
  /** The artifact folders read (for the caller's lock checks). */
  inputs: string[];
  dispose(): void;
}

/**
 * The guidance of `model` as the pipeline's generator params set it (profile from CVC_PROFILE), or
 * undefined when the model is not guided there: the guide ensemble from the classifier models, the
 * realism pull from the pretrain network and the dataset's training images.
 */
export async function guidanceFor(tf: Tf, pipelineFile: string, model: string): Promise<GuidedSampler | undefined> {
  const pipeline = loadPipeline(pipelineFile, process.env['CVC_PROFILE'] ? { profile: process.env['CVC_PROFILE'] } : {});
  const spec = getStage(pipeline, 'generator');
  const models = (spec.params as { models?: unknown }).models;
  if (!Array.isArray(models) || !models.includes(model)) return undefined; // the pipeline does not train it
  const params = checkStageParams(pipeline, spec, generatorParams) as GeneratorParams; // errors name the file and field
  const s = params.guidance;
  if (!(s.models as string[]).includes(model)) return undefined;
  const path = (name: string): string => {
    const artifact = pipeline.artifacts[name];
    if (!artifact) throw new Error(`${pipeline.file}: no artifact "${name}", which guided sampling reads`);
    return resolveFromRoot(pipeline, artifact.path);
  };
  const inputs = [path('classifier_models'), path('pretrained_model'), path('dataset')];
  const loaded = await loadGuides(tf, inputs[0]!, s.guides, s.folds);
  const { trunk } = await loadFeatureTrunk(tf, inputs[1]!);
  const dataset = readImageDataset(inputs[2]!);
  const px = 32 * 32 * 3;
  const train = dataset.manifest.splits.train;
  const pixels = new Float32Array(train.length * px);
  train.forEach((i, k) => pixels.set(Float32Array.from(dataset.images.subarray(i * px, (i + 1) * px), (v) => v / 255), k * px));
  // The pretrain network's pooled last stage, as the stage's realism pull reads it.
  const realism = buildRealism(tf, (x01) => pooledFeatures(tf, trunk, x01), pixels, train.map((i) => dataset.manifest.labels[i]!));
  return { guides: loaded.logits, realism, settings: s, inputs, dispose: () => { loaded.dispose(); trunk.dispose(); tf.dispose(realism.real); } };
}

/** The guided target of a mix: its class at 0 and 1, undecided at ½; other mixes have none. */
export function guidedTarget(mix: number): GuidanceTarget {
  if (mix === 0 || mix === 1) return mix;
  if (mix === 0.5) return 'undecided';
  throw new Error(`--mix ${mix}: guided draws are at 0 (clock), 0.5 (hybrid) or 1 (crocodile), as in the generator stage; add --no-guidance to draw any mix unguided`);
}

/** Most images one call draws: the grid of 8 columns stays a picture a viewer opens (≈ 3 MB PNG). */
export const MAX_GENERATED = 1024;

/**
 * Draw `n` images and write them with a grid into `out`, a new or empty folder: everything is
 * written into a temp folder beside it and renamed into place, so an interruption leaves no half set.
 */
export async function generateToFolder(tf: Tf, checkpointDir: string, opts: { n: number; mix: number; seed: number; out: string; guidance?: GuidedSampler }): Promise<string[]> {
  if (!Number.isInteger(opts.n) || opts.n < 1 || opts.n > MAX_GENERATED) throw new Error(`--n ${opts.n}: must be a whole number from 1 to ${MAX_GENERATED}`);
  if (!(opts.mix >= 0 && opts.mix <= 1)) throw new Error(`--mix ${opts.mix}: must be between 0 (clock) and 1 (crocodile)`);
  if (existsSync(opts.out) && readdirSync(opts.out).length > 0) throw new Error(`--out ${opts.out}: folder is not empty`);
  const { model, info } = restoreGenerator(tf, checkpointDir);
  const g = opts.guidance;
  const images = g
    ? guidedDraw(tf, model, sampleLatents(tf, opts.n, model.latentDim, createRng(opts.seed)), opts.mix, guidedTarget(opts.mix), g.guides, g.realism, settingsFor(guidedTarget(opts.mix), g.settings), createRng(deriveSeed(opts.seed, 'guidance-views'))).images
    : sampleAtMix(tf, model, opts.n, opts.mix, createRng(opts.seed));
  model.dispose();
  const prefix = `${info.kind}${g ? '-guided' : ''}-mix${opts.mix}`;
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

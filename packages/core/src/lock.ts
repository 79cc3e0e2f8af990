// The stage lock (like dvc.lock, one per stage): what a stage's outputs were made from.
// Written beside the outputs as artifacts/<stage>/stage.lock.json; deterministic (no times),
// so it takes part in the byte-for-byte reproducibility check. `cvc status` compares it
// with the current tree to say whether and why a stage would rerun.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256, treeDigest } from './files.ts';
import { stageCodeFiles } from './code-files.ts';
import { externalTreeDigest } from './external-digest.ts';
import { type Pipeline, type StageSpec, resolveFromRoot, stageParamsDigest } from './pipeline-file.ts';
import { deriveSeed } from './random.ts';

export interface StageLock {
  stage: string;
  profile: string | null;
  globalSeed: number;
  seed: number;
  paramsDigest: string;
  /** The stage's params as the pipeline file (and profile) give them: what `cvc status` compares. */
  params: Record<string, unknown>;
  /** The params the stage ran with: the YAML's values checked by the stage's schema (defaults filled in). */
  resolvedParams: Record<string, unknown>;
  /** sha256 per code file (root-relative). */
  code: Record<string, string>;
  /** Tree digest per input artifact, and per external path param. */
  inputs: Record<string, string>;
  /** Tree digest per output artifact. */
  outputs: Record<string, string>;
  /** sha256 per file of each output artifact, keyed by root-relative path: names the file when an output is found damaged. */
  outputFiles?: Record<string, Record<string, string>>;
}

export const LOCK_FILE = 'stage.lock.json';

export function stageDir(pipeline: Pipeline, stage: StageSpec): string {
  return join(pipeline.root, 'artifacts', stage.name);
}

export function readLock(pipeline: Pipeline, stage: StageSpec): StageLock | undefined {
  const file = join(stageDir(pipeline, stage), LOCK_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StageLock) : undefined;
}

export function codeHashes(pipeline: Pipeline, stage: StageSpec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of stageCodeFiles(pipeline.root, stage.package)) out[file] = sha256(readFileSync(join(pipeline.root, file)));
  return out;
}

/** Digests of what the stage reads: upstream artifacts and external folders (e.g. the data). */
export function inputDigests(pipeline: Pipeline, stage: StageSpec, externalPaths: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const dep of stage.deps) {
    const path = resolveFromRoot(pipeline, pipeline.artifacts[dep]!.path);
    out[dep] = existsSync(path) ? treeDigest(path) : 'missing';
  }
  for (const [param, path] of Object.entries(externalPaths)) {
    out[`params.${param}`] = existsSync(path) ? externalTreeDigest(path) : 'missing';
  }
  return out;
}

/** External path params as absolute paths, with the CVC_DATA_DIR-style env override applied. */
export function externalPaths(pipeline: Pipeline, stage: StageSpec, overrides: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const param of stage.external) {
    out[param] = resolveFromRoot(pipeline, overrides[param] ?? (stage.params[param] as string));
  }
  return out;
}

export function buildLock(
  pipeline: Pipeline,
  stage: StageSpec,
  inputs: Record<string, string>,
  outputs: Record<string, string>,
  resolvedParams: Record<string, unknown>,
  outputFiles?: Record<string, Record<string, string>>,
): StageLock {
  return {
    stage: stage.name,
    profile: pipeline.profile ?? null,
    globalSeed: pipeline.seed,
    seed: deriveSeed(pipeline.seed, stage.name),
    paramsDigest: stageParamsDigest(pipeline, stage),
    params: stage.params,
    resolvedParams,
    code: codeHashes(pipeline, stage),
    inputs,
    outputs,
    ...(outputFiles ? { outputFiles } : {}),
  };
}

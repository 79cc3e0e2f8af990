// Runs one stage: load the pipeline, check params, seed, pick the compute backend, let the
// stage write into a temp folder, check its outputs, write the lock, swap the folder in.
// If anything fails, the previous artifacts of the stage are left as they were.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { z } from 'zod';
import { digestOfHashTree, hashTree, sha256, swapFolder, writeJsonAtomic } from './files.ts';
import { assertInputsIntact } from './integrity.ts';
import { LOCK_FILE, buildLock, codeHashes, externalPaths, inputDigests, stageDir } from './lock.ts';
import { type Pipeline, type StageSpec, canonicalJson, getStage, loadPipeline, mergeParams, relativeToRoot, resolveFromRoot, stageParamsDigest } from './pipeline-file.ts';
import { createProgress } from './progress.ts';
import { createStageOutput, type StageOutput } from './terminal.ts';
import { createTrainingPlan, type TrainingPlan } from './training-plan.ts';
import { planTimesFor, recordEpochTimes } from './epoch-times.ts';
import { createRng, deriveSeed } from './random.ts';
import type { StageContext, StageDefinition } from './stage.ts';
import { checkStageParams } from './stage-params.ts';
import { readJsonArtifact } from './json-artifact.ts';
import { envNameForParam } from './env.ts';
import { getFormat } from './formats/index.ts';
import { chosenProfile } from './profile-choice.ts';
import { assertStageArtifactsInside } from './artifact-links.ts';
import { acquireStageRunLock, runLockFile } from './stage-run-lock.ts';
import { cleanUpIfKilled, sweepLeftovers } from './leftovers.ts';

export interface RunStageOptions {
  pipelineFile: string;
  stage: string;
  /** The profile to apply; default: CVC_PROFILE or the -c of the nx command running this (profile-choice.ts). */
  profile?: string;
  /** Digest of the params Nx hashed; the run refuses to go on if the file changed since. */
  expectParamsDigest?: string;
  /** Param overrides from the command line (`--set a.b=1`), merged over the YAML. */
  set?: Record<string, unknown>;
  log?: (message: string) => void;
}

export interface RunStageResult {
  stage: string;
  seconds: number;
  outputs: Record<string, string>;
  backend: string | null;
}

export async function loadStageDefinition(pipeline: Pipeline, stage: StageSpec): Promise<StageDefinition> {
  const file = join(pipeline.root, stage.package, 'src', 'stage.ts');
  if (!existsSync(file)) throw new Error(`${file}: stage module not found (stages.${stage.name}.package is "${stage.package}")`);
  const mod = (await import(pathToFileURL(file).href)) as { default?: StageDefinition };
  if (!mod.default || typeof mod.default.run !== 'function') throw new Error(`${file}: must default-export a stage (defineStage({...}))`);
  if (mod.default.name !== stage.name) throw new Error(`${file}: defines stage "${mod.default.name}" but the pipeline runs it as "${stage.name}"`);
  return mod.default;
}

export async function runStage(opts: RunStageOptions): Promise<RunStageResult> {
  // Log lines and the live bar share one output, so a bar never splits a line.
  const out: StageOutput = opts.log ? { interactive: false, line: opts.log, status: () => {}, clearStatus: () => {} } : createStageOutput();
  const log = (m: string) => out.line(m);
  const profile = opts.profile ?? chosenProfile();
  const pipeline = loadPipeline(opts.pipelineFile, profile !== undefined ? { profile } : {});
  const declared = getStage(pipeline, opts.stage);
  const digest = stageParamsDigest(pipeline, declared);
  if (opts.expectParamsDigest !== undefined && opts.expectParamsDigest !== digest) {
    throw new Error(
      `${pipeline.file}: params of stage ${declared.name} changed after the task graph was built (digest ${digest}, expected ${opts.expectParamsDigest}); run again`,
    );
  }
  const spec: StageSpec = opts.set ? { ...declared, params: mergeParams(declared.params, opts.set) } : declared;
  const definition = await loadStageDefinition(pipeline, spec);
  const parsed = { data: checkStageParams(pipeline, spec, definition.params, opts.set) };

  const envOverrides: Record<string, string> = {};
  for (const param of spec.external) {
    const value = process.env[envNameForParam(param)];
    if (value) envOverrides[param] = value;
  }
  const external = externalPaths(pipeline, spec, envOverrides);
  const params = { ...(parsed.data as Record<string, unknown>) };
  for (const [param, path] of Object.entries(external)) params[param] = path;

  assertStageArtifactsInside(pipeline, spec);
  for (const dep of spec.deps) {
    const path = resolveFromRoot(pipeline, pipeline.artifacts[dep]!.path);
    if (!existsSync(path)) throw new Error(`${path}: input "${dep}" of stage ${spec.name} is missing; run its producer first`);
  }
  // Hashed once: checked against the producers' locks now (a stage restored from a cache is
  // never run, so this is where a damaged entry shows), and recorded in this stage's lock.
  const inputs = inputDigests(pipeline, spec, external);
  assertInputsIntact(pipeline, spec, inputs);

  const seed = deriveSeed(pipeline.seed, spec.name);
  const profileNote = `${pipeline.profile ? `, profile ${pipeline.profile}` : ''}${pipeline.experiment ? `, experiment ${pipeline.experiment}` : ''}`;
  log(`[${spec.name}] seed ${seed} (global ${pipeline.seed}), params ${digest}${profileNote}`);

  let backend: string | null = null;
  if (definition.usesTensorflow) {
    const { initCompute } = await import('./backend.ts');
    backend = (await initCompute(log)).name;
  }

  const finalDir = stageDir(pipeline, spec);
  // One run of a stage per workspace (released in the `finally` below); debris of killed runs goes first.
  const releaseLock = acquireStageRunLock(pipeline.root, spec.name, (m) => log(`[${spec.name}] ${m}`));
  for (const path of sweepLeftovers(pipeline.root)) log(`[${spec.name}] removed ${path} (left by a run that was killed)`);
  const tempDir = join(pipeline.root, 'artifacts', '.tmp', `${spec.name}-${process.pid}`);
  rmSync(tempDir, { recursive: true, force: true });
  mkdirSync(tempDir, { recursive: true });
  // Removes the temp folder and the lock if this process is killed (leftovers.ts says why not a signal handler).
  const watched = cleanUpIfKilled(tempDir, runLockFile(pipeline.root, spec.name));
  const outputPath = (artifact: string): string => {
    if (!spec.outs.includes(artifact)) throw new Error(`stage ${spec.name} does not declare output "${artifact}" (outs: ${spec.outs.join(', ')})`);
    const rel = relative(finalDir, resolveFromRoot(pipeline, pipeline.artifacts[artifact]!.path));
    const path = join(tempDir, rel);
    mkdirSync(dirname(path), { recursive: true });
    return path;
  };

  const ctx: StageContext<unknown> = {
    stage: spec.name,
    params,
    seed,
    codeDigest: sha256(canonicalJson(codeHashes(pipeline, spec))).slice(0, 16),
    rng: (purpose) => createRng(deriveSeed(seed, purpose)),
    input: (artifact) => {
      if (!spec.deps.includes(artifact)) throw new Error(`stage ${spec.name} does not declare input "${artifact}" (deps: ${spec.deps.join(', ')})`);
      return resolveFromRoot(pipeline, pipeline.artifacts[artifact]!.path);
    },
    output: outputPath,
    resolvePath: (path) => resolveFromRoot(pipeline, path),
    log: (message) => log(`[${spec.name}] ${message}`),
    progress: (label, total) => createProgress(`[${spec.name}] ${label}`, total, out),
    plan: (items) => {
      const plan = createTrainingPlan(items, { out, prefix: `[${spec.name}]`, previous: planTimesFor(pipeline.root, spec.name, stageParamsDigest(pipeline, spec), pipeline.profile ?? null), stageStarted: startedAt });
      plans.push(plan);
      return plan;
    },
  };

  const plans: TrainingPlan[] = [];
  const startedAt = Date.now();
  const started = performance.now();
  try {
    await definition.run(ctx);
    const outputs: Record<string, string> = {};
    const outputFiles: Record<string, Record<string, string>> = {};
    for (const out of spec.outs) {
      const path = outputPath(out);
      if (!existsSync(path)) throw new Error(`stage ${spec.name} did not write its declared output "${out}" (${pipeline.artifacts[out]!.path})`);
      getFormat(pipeline.artifacts[out]!.format, `artifacts.${out}.format`).validate(path);
      const schema = definition.outputSchemas?.[out];
      if (schema) readJsonArtifact(path, schema);
      const files = hashTree(path);
      outputs[out] = digestOfHashTree(files);
      // Keyed by root-relative path, so the lock alone says where each file belongs (the cache server checks entries with it).
      const finalPath = relativeToRoot(pipeline, resolveFromRoot(pipeline, pipeline.artifacts[out]!.path));
      outputFiles[out] = Object.fromEntries(Object.entries(files).map(([file, hash]) => [file ? `${finalPath}/${file}` : finalPath, hash]));
    }
    const lock = buildLock(pipeline, spec, inputs, outputs, parsed.data as Record<string, unknown>, outputFiles);
    writeJsonAtomic(join(tempDir, LOCK_FILE), lock);
    swapFolder(tempDir, finalDir);
    const seconds = (performance.now() - started) / 1000;
    if (plans.length) {
      const measured = plans.map((p) => p.measured());
      const merged = { rates: Object.assign({}, ...measured.map((m) => m.rates)) as Record<string, number>, trainingSeconds: measured.reduce((a, m) => a + m.trainingSeconds, 0) };
      recordEpochTimes(pipeline.root, spec.name, stageParamsDigest(pipeline, spec), merged, seconds);
    }
    // Wall time is not deterministic, so it lives outside the stage folder (and outside the cache).
    writeJsonAtomic(join(pipeline.root, 'artifacts', '.runs', `${spec.name}.json`), {
      stage: spec.name,
      finishedAt: new Date().toISOString(),
      seconds: Number(seconds.toFixed(3)),
      backend,
      profile: pipeline.profile ?? null,
      experiment: pipeline.experiment ?? null,
      // Which params the time belongs to (artifacts restored from the cache may be of other params than the last execution).
      paramsDigest: lock.paramsDigest,
      // Pid of the outermost nx process when run by Nx: tells apart concurrent runs (report's "this run").
      nxInvocation: Number(process.env.NX_INVOCATION_ANCESTOR_PIDS?.split(',')[0]) || null,
    });
    log(`[${spec.name}] done in ${seconds.toFixed(1)} s → ${relative(pipeline.root, finalDir)}/`);
    return { stage: spec.name, seconds, outputs, backend };
  } finally {
    out.clearStatus();
    rmSync(tempDir, { recursive: true, force: true });
    watched();
    releaseLock();
  }
}

export function defaultPipelineFile(root = process.cwd()): string {
  return resolve(root, 'pipelines', 'clocks-vs-crocodiles.yaml');
}

// The pipeline file is the contract: stages, their params, and the artifact catalog.
// Everything else (Nx targets, the runner, `cvc status`) reads it through this module,
// so a path or a param default is written once, in the YAML.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, isAbsolute, posix } from 'node:path';
import { parse } from 'yaml';
import { createHash } from 'node:crypto';
import { didYouMean } from './suggest.ts';

export interface ArtifactSpec {
  /** Path relative to the workspace root; always under `artifacts/<producing stage>/`. */
  path: string;
  /** A format name known to `formats/index.ts`. */
  format: string;
  description?: string;
}

export interface StageSpec {
  name: string;
  /** Folder of the stage package, relative to the workspace root. */
  package: string;
  description: string;
  params: Record<string, unknown>;
  /** Artifact names this stage reads (each produced by exactly one upstream stage). */
  deps: string[];
  /** Artifact names this stage writes. */
  outs: string[];
  /** Names of params holding paths outside the workspace whose contents are inputs (e.g. the data folder). */
  external: string[];
  /** The profile's params for this stage (already merged into `params`), to say which file a bad param comes from. */
  profileParams?: Record<string, unknown>;
}

export interface Pipeline {
  /** Absolute path of the YAML file. */
  file: string;
  /** Absolute path of the workspace root (the folder holding `pipelines/`). */
  root: string;
  seed: number;
  artifacts: Record<string, ArtifactSpec>;
  /** Stages in a topological order (producers before consumers). */
  stages: StageSpec[];
  /** Name of the profile applied, if any (an experiment's base profile), and its file (the experiment's file). */
  profile?: string;
  profileFile?: string;
  /** Name of the experiment applied (pipelines/experiments/<name>.yaml), if any. */
  experiment?: string;
}

const TOP_LEVEL_KEYS = ['seed', 'artifacts', 'stages', 'profiles'];
const STAGE_KEYS = ['package', 'description', 'params', 'deps', 'outs', 'external'];
const ARTIFACT_KEYS = ['path', 'format', 'description'];

/** Refuse keys a mapping may not have, naming the nearest allowed one. */
function checkKeys(file: string, field: string, value: Json, allowed: string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new PipelineFileError(file, field ? `${field}.${key}` : key, `unknown key${didYouMean(key, allowed)} (allowed: ${allowed.join(', ')})`);
  }
}

export class PipelineFileError extends Error {
  constructor(file: string, field: string, message: string) {
    super(`${file}: ${field}: ${message}`);
    this.name = 'PipelineFileError';
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep-merge `override` into `base` (objects merge, everything else replaces). */
export function mergeParams(base: Json, override: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const prev = out[key];
    out[key] = isObject(prev) && isObject(value) ? mergeParams(prev, value) : value;
  }
  return out;
}

function readYaml(file: string): unknown {
  if (!existsSync(file)) throw new Error(`${file}: file not found`);
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not valid YAML: ${(err as Error).message}`);
  }
}

function stringList(file: string, field: string, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new PipelineFileError(file, field, 'must be a list of names');
  }
  return value;
}

/** The profile file for `name`: `pipelines/profiles/<name>.yaml` beside the pipeline file. */
export function profilePath(pipelineFile: string, name: string): string {
  return join(dirname(pipelineFile), 'profiles', `${name}.yaml`);
}

/** Names of the profiles available beside a pipeline file. */
export function profileNames(raw: Json): string[] {
  return isObject(raw.profiles) ? Object.keys(raw.profiles) : [];
}

export function loadPipeline(file: string, opts: { profile?: string } = {}): Pipeline {
  const abs = resolve(file);
  const raw = readYaml(abs);
  if (!isObject(raw)) throw new PipelineFileError(abs, '(top level)', 'must be a mapping');
  return parsePipeline(abs, raw, opts.profile);
}

export function parsePipeline(file: string, raw: Json, profile?: string): Pipeline {
  const root = dirname(dirname(file));
  checkKeys(file, '', raw, TOP_LEVEL_KEYS);
  if (typeof raw.seed !== 'number' || !Number.isInteger(raw.seed) || raw.seed < 0) {
    throw new PipelineFileError(file, 'seed', 'must be a non-negative integer');
  }
  if (!isObject(raw.artifacts)) throw new PipelineFileError(file, 'artifacts', 'must be a mapping of name → {path, format}');
  if (!isObject(raw.stages) || Object.keys(raw.stages).length === 0) {
    throw new PipelineFileError(file, 'stages', 'must be a non-empty mapping of stage name → stage');
  }

  const chosen = profile !== undefined ? profileOverrides(file, raw, profile) : undefined;
  const overrides: Json = chosen?.overrides ?? {};
  const profileFile = chosen?.file;

  const artifacts: Record<string, ArtifactSpec> = {};
  for (const [name, spec] of Object.entries(raw.artifacts)) {
    const field = `artifacts.${name}`;
    if (!isObject(spec) || typeof spec.path !== 'string' || typeof spec.format !== 'string') {
      throw new PipelineFileError(file, field, 'must have a string `path` and a string `format`');
    }
    checkKeys(file, field, spec, ARTIFACT_KEYS);
    // Normalised first, so `artifacts/x/../../../elsewhere` cannot leave the artifacts folder.
    if (isAbsolute(spec.path) || spec.path.includes('\\') || posix.normalize(spec.path) !== spec.path || !spec.path.startsWith('artifacts/')) {
      throw new PipelineFileError(file, `${field}.path`, 'must be a normalised relative path under artifacts/ (no "..", "." or "//" parts)');
    }
    artifacts[name] = {
      path: spec.path,
      format: spec.format,
      ...(typeof spec.description === 'string' ? { description: spec.description } : {}),
    };
  }

  const producers = new Map<string, string>();
  const stages: StageSpec[] = [];
  for (const [name, spec] of Object.entries(raw.stages)) {
    const field = `stages.${name}`;
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new PipelineFileError(file, field, 'stage names are lower-case words joined by -');
    if (!isObject(spec)) throw new PipelineFileError(file, field, 'must be a mapping');
    checkKeys(file, field, spec, STAGE_KEYS);
    if (typeof spec.package !== 'string') throw new PipelineFileError(file, `${field}.package`, 'must name the stage package folder');
    const params = spec.params === undefined ? {} : spec.params;
    if (!isObject(params)) throw new PipelineFileError(file, `${field}.params`, 'must be a mapping');
    const override = overrides[name];
    if (override !== undefined && (!isObject(override) || Object.keys(override).some((k) => k !== 'params') || (override.params !== undefined && !isObject(override.params)))) {
      throw new PipelineFileError(profileFile!, `stages.${name}`, 'a profile sets only `params: {...}` of a stage');
    }
    const merged = isObject(override) && isObject(override.params) ? mergeParams(params, override.params) : params;
    const stage: StageSpec = {
      name,
      package: spec.package,
      description: typeof spec.description === 'string' ? spec.description : '',
      params: merged,
      deps: stringList(file, `${field}.deps`, spec.deps),
      outs: stringList(file, `${field}.outs`, spec.outs),
      external: stringList(file, `${field}.external`, spec.external),
      ...(isObject(override) && isObject(override.params) ? { profileParams: override.params } : {}),
    };
    for (const out of stage.outs) {
      const artifact = artifacts[out];
      if (!artifact) throw new PipelineFileError(file, `${field}.outs`, `unknown artifact "${out}" (declare it under artifacts)`);
      if (!artifact.path.startsWith(`artifacts/${name}/`)) {
        throw new PipelineFileError(file, `artifacts.${out}.path`, `an output of stage ${name} must live under artifacts/${name}/`);
      }
      // Outputs live under their producer's folder, so an artifact has exactly one producer.
      producers.set(out, name);
    }
    for (const key of stage.external) {
      if (typeof merged[key] !== 'string') throw new PipelineFileError(file, `${field}.external`, `"${key}" must name a string param`);
    }
    stages.push(stage);
  }
  for (const name of Object.keys(overrides)) {
    if (!stages.some((s) => s.name === name)) {
      throw new PipelineFileError(profileFile!, `stages.${name}`, `no such stage in ${file}${didYouMean(name, stages.map((s) => s.name))}`);
    }
  }
  for (const stage of stages) {
    for (const dep of stage.deps) {
      if (!artifacts[dep]) throw new PipelineFileError(file, `stages.${stage.name}.deps`, `unknown artifact "${dep}"`);
      if (!producers.has(dep)) throw new PipelineFileError(file, `stages.${stage.name}.deps`, `no stage produces "${dep}"`);
    }
  }
  return {
    file,
    root,
    seed: raw.seed,
    artifacts,
    stages: topologicalOrder(file, stages, producers),
    ...(chosen?.profile !== undefined ? { profile: chosen.profile } : {}),
    ...(chosen ? { profileFile: chosen.file } : {}),
    ...(chosen?.experiment !== undefined ? { experiment: chosen.experiment } : {}),
  };
}

/** The experiment file for `name`: `pipelines/experiments/<name>.yaml` beside the pipeline file (written by `cvc exp run`). */
export function experimentPath(pipelineFile: string, name: string): string {
  return join(dirname(pipelineFile), 'experiments', `${name}.yaml`);
}

/** Names of the experiments beside a pipeline file. */
export function experimentNames(pipelineFile: string): string[] {
  const dir = join(dirname(pipelineFile), 'experiments');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length)).sort() : [];
}

/** A profile's `stages:` mapping, checked. */
function readProfileStages(profileFile: string): Json {
  const parsed = readYaml(profileFile);
  if (!isObject(parsed) || !isObject(parsed.stages)) {
    throw new PipelineFileError(profileFile, 'stages', 'a profile is a mapping `stages: {<stage>: {params: {...}}}`');
  }
  return parsed.stages;
}

/**
 * The param overrides a profile name selects. A declared profile (`profiles:` in the pipeline
 * file) is itself. An experiment (pipelines/experiments/<name>.yaml) is its base profile (or
 * none) plus the stages' params it changes: its `profile` is the base's, so the stages it does
 * not change hash, lock and cache exactly as in the base run, and only `experiment` names it.
 */
function profileOverrides(file: string, raw: Json, name: string): { overrides: Json; file: string; profile?: string; experiment?: string } {
  const root = dirname(dirname(file));
  const declared = isObject(raw.profiles) ? raw.profiles[name] : undefined;
  if (typeof declared === 'string') {
    const profileFile = resolve(root, declared);
    return { overrides: readProfileStages(profileFile), file: profileFile, profile: name };
  }
  const experimentFile = experimentPath(file, name);
  if (!existsSync(experimentFile)) {
    const known = [...profileNames(raw), ...experimentNames(file)];
    throw new PipelineFileError(file, `profiles.${name}`, `no such profile${didYouMean(name, known)} (known: ${known.join(', ') || 'none'})`);
  }
  const experiment = readYaml(experimentFile);
  const base = isObject(experiment) && isObject(experiment.experiment) ? experiment.experiment.base : undefined;
  if (base !== undefined && base !== null && typeof base !== 'string') throw new PipelineFileError(experimentFile, 'experiment.base', 'must name a profile, or be null');
  if (typeof base === 'string' && !(isObject(raw.profiles) && typeof raw.profiles[base] === 'string')) {
    throw new PipelineFileError(experimentFile, 'experiment.base', `no such profile "${base}" in ${file}`);
  }
  const baseOverrides = typeof base === 'string' ? readProfileStages(resolve(root, (raw.profiles as Json)[base] as string)) : {};
  const own = readProfileStages(experimentFile);
  const overrides: Json = { ...baseOverrides };
  for (const [stage, value] of Object.entries(own)) {
    const before = overrides[stage];
    overrides[stage] = isObject(before) && isObject(value) && isObject(before.params) && isObject(value.params) ? { params: mergeParams(before.params, value.params) } : value;
  }
  return { overrides, file: experimentFile, ...(typeof base === 'string' ? { profile: base } : {}), experiment: name };
}

/** Upstream stage names of `stage`, from its deps (edges come from outputs → inputs). */
export function upstreamStages(pipeline: Pipeline, stage: StageSpec): string[] {
  const names = new Set<string>();
  for (const dep of stage.deps) {
    const producer = pipeline.stages.find((s) => s.outs.includes(dep));
    if (producer) names.add(producer.name);
  }
  return [...names].sort();
}

function topologicalOrder(file: string, stages: StageSpec[], producers: Map<string, string>): StageSpec[] {
  const byName = new Map(stages.map((s) => [s.name, s]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const ordered: StageSpec[] = [];
  const visit = (stage: StageSpec): void => {
    if (done.has(stage.name)) return;
    if (visiting.has(stage.name)) throw new PipelineFileError(file, `stages.${stage.name}`, 'takes part in a cycle');
    visiting.add(stage.name);
    for (const dep of stage.deps) visit(byName.get(producers.get(dep)!)!);
    visiting.delete(stage.name);
    done.add(stage.name);
    ordered.push(stage);
  };
  stages.forEach(visit);
  return ordered;
}

export function getStage(pipeline: Pipeline, name: string): StageSpec {
  const stage = pipeline.stages.find((s) => s.name === name);
  if (!stage) throw new Error(`${pipeline.file}: no stage named "${name}" (stages: ${pipeline.stages.map((s) => s.name).join(', ')})`);
  return stage;
}

/** Canonical JSON: keys sorted, so equal params give equal digests. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What a stage's result depends on besides code and input contents: its params, the global seed, and where its inputs and outputs live. */
export function stageParamsDigest(pipeline: Pipeline, stage: StageSpec): string {
  const paths = Object.fromEntries([...stage.deps, ...stage.outs].map((name) => [name, pipeline.artifacts[name]!.path]));
  return createHash('sha256').update(canonicalJson({ seed: pipeline.seed, params: stage.params, artifacts: paths })).digest('hex').slice(0, 16);
}

/** Resolve a path param (relative to the workspace root) to an absolute path. */
export function resolveFromRoot(pipeline: Pipeline, path: string): string {
  return isAbsolute(path) ? path : resolve(pipeline.root, path);
}

export function relativeToRoot(pipeline: Pipeline, path: string): string {
  return relative(pipeline.root, path) || '.';
}

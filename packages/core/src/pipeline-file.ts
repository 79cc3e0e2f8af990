// The pipeline file is the contract: stages, their params, and the artifact catalog.
// Everything else (Nx targets, the runner, `cvc status`) reads it through this module,
// so a path or a param default is written once, in the YAML.
import { readFileSync, existsSync } from 'node:fs';
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
  /** Name of the profile applied, if any, and its file. */
  profile?: string;
  profileFile?: string;
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

  let overrides: Json = {};
  let profileFile: string | undefined;
  if (profile !== undefined) {
    const declared = isObject(raw.profiles) ? raw.profiles[profile] : undefined;
    if (typeof declared !== 'string') {
      throw new PipelineFileError(file, `profiles.${profile}`, `no such profile${didYouMean(profile, profileNames(raw))} (known: ${profileNames(raw).join(', ') || 'none'})`);
    }
    profileFile = resolve(root, declared);
    const parsed = readYaml(profileFile);
    if (!isObject(parsed) || !isObject(parsed.stages)) {
      throw new PipelineFileError(profileFile, 'stages', 'a profile is a mapping `stages: {<stage>: {params: {...}}}`');
    }
    overrides = parsed.stages;
  }

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
    ...(profile !== undefined ? { profile, profileFile: profileFile! } : {}),
  };
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

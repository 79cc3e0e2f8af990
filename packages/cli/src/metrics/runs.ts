// Runs to compare: the workspace (artifacts/ as it is now) and the snapshots that every
// `nx run pipeline:all` keeps under artifacts/.runs/history/<time>-<params digest>/: each stage's
// params and output digests (from its lock), its run time, and copies of the small files the
// headline readers read (metrics JSON, manifests; never models). Figures are always computed from
// those files by the current readers, so an old run and the workspace are shown the same way.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, readJson, resolveFromRoot, sha256, writeJsonAtomic, type Pipeline } from '@cvc/core';
import { readLock } from '@cvc/core/lock';
import type { Figure } from './figures.ts';
import { HEADLINES, genericFigures } from './headlines.ts';

export const HISTORY_DIR = join('artifacts', '.runs', 'history');
const SNAPSHOT_FILE = 'snapshot.json';

export interface StageState {
  /** The params its artifacts were made with (its lock); null when the stage has not run. */
  params: Record<string, unknown> | null;
  paramsDigest: string | null;
  /** Tree digest per output artifact (its lock). */
  outputs: Record<string, string> | null;
  /** Seconds of its last execution, when that execution made these artifacts' params. */
  seconds: number | null;
  /** Executed (true) or restored from the cache (false) in the pipeline run that took the snapshot; null: unknown. */
  ran: boolean | null;
}

export interface RunState {
  /** "workspace" or the snapshot's name. */
  name: string;
  takenAt: string | null;
  /** Profile the run used (null: the pipeline as written); an experiment's base profile. */
  profile: string | null;
  /** Experiment the run used (pipelines/experiments/<name>.yaml), if any. */
  experiment: string | null;
  seed: number;
  stages: Record<string, StageState>;
  /** Absolute path of each headline file, by artifact name. */
  files: Record<string, string>;
}

/** On disk, in artifacts/.runs/history/<name>/snapshot.json; `files` are relative to that folder. */
export interface RunSnapshot extends Omit<RunState, 'files'> {
  takenAt: string;
  paramsDigest: string;
  /** Same stages, params and outputs ⇒ same digest: a run that changed nothing is not kept twice. */
  contentDigest: string;
  files: Record<string, string>;
}

interface RunRecord {
  seconds: number;
  paramsDigest?: string;
  nxInvocation?: number | null;
}

function runRecord(root: string, stage: string): RunRecord | undefined {
  const file = join(root, 'artifacts', '.runs', `${stage}.json`);
  if (!existsSync(file)) return undefined;
  try {
    return readJson<RunRecord>(file);
  } catch {
    return undefined;
  }
}

/** The files headline readers (or the generic reader, for other `*_metrics` JSON artifacts) read. */
function headlineFiles(pipeline: Pipeline): Record<string, string> {
  const files: Record<string, string> = {};
  for (const stage of pipeline.stages) {
    for (const out of stage.outs) {
      const artifact = pipeline.artifacts[out]!;
      const reader = HEADLINES.find((h) => h.artifact === out);
      if (!reader && !(artifact.format === 'json' && out.endsWith('_metrics'))) continue;
      const path = join(resolveFromRoot(pipeline, artifact.path), reader?.file ?? '');
      if (existsSync(path)) files[out] = path;
    }
  }
  return files;
}

/** The outermost nx process of this run (NX_INVOCATION_ANCESTOR_PIDS), if run by Nx. */
const currentNx = (env = process.env): number | null => Number((env.NX_INVOCATION_ANCESTOR_PIDS ?? '').split(',')[0]) || null;

export function workspaceState(pipeline: Pipeline, env: NodeJS.ProcessEnv = process.env): RunState {
  const stages: Record<string, StageState> = {};
  const profiles = new Set<string | null>();
  const nx = currentNx(env);
  for (const stage of pipeline.stages) {
    const lock = readLock(pipeline, stage);
    const record = runRecord(pipeline.root, stage.name);
    if (lock) profiles.add(lock.profile ?? null);
    const sameParams = lock && record && record.paramsDigest === lock.paramsDigest;
    stages[stage.name] = {
      params: lock?.params ?? null,
      paramsDigest: lock?.paramsDigest ?? null,
      outputs: lock?.outputs ?? null,
      seconds: sameParams ? record.seconds : null,
      ran: nx && lock ? record?.nxInvocation === nx : null,
    };
  }
  // The run's profile as chosen now; else what the locks say when they agree.
  const profile = pipeline.profile ?? (profiles.size === 1 ? [...profiles][0]! : null);
  return { name: 'workspace', takenAt: null, profile, experiment: pipeline.experiment ?? null, seed: pipeline.seed, stages, files: headlineFiles(pipeline) };
}

export function paramsDigestOf(state: Pick<RunState, 'seed' | 'stages'>): string {
  return sha256(canonicalJson({ seed: state.seed, stages: Object.fromEntries(Object.entries(state.stages).map(([s, v]) => [s, v.paramsDigest])) })).slice(0, 8);
}

export function contentDigestOf(state: Pick<RunState, 'seed' | 'stages'>): string {
  return sha256(canonicalJson({ seed: state.seed, stages: Object.fromEntries(Object.entries(state.stages).map(([s, v]) => [s, { params: v.paramsDigest, outputs: v.outputs }])) })).slice(0, 16);
}

/** The run's identity: "experiment x (on profile smoke)", "profile smoke", "the pipeline as written". */
export function describeIdentity(s: Pick<RunState, 'profile' | 'experiment'>): string {
  if (s.experiment) return `experiment ${s.experiment}${s.profile ? ` on profile ${s.profile}` : ''}`;
  return s.profile ? `profile ${s.profile}` : 'the pipeline as written';
}

export function listSnapshots(root: string): RunSnapshot[] {
  const dir = join(root, HISTORY_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, SNAPSHOT_FILE)))
    .map((name) => JSON.parse(readFileSync(join(dir, name, SNAPSHOT_FILE), 'utf8')) as RunSnapshot)
    .sort((a, b) => a.takenAt.localeCompare(b.takenAt) || a.name.localeCompare(b.name));
}

export function snapshotState(root: string, snap: RunSnapshot): RunState {
  const dir = join(root, HISTORY_DIR, snap.name);
  return { ...snap, experiment: snap.experiment ?? null, files: Object.fromEntries(Object.entries(snap.files).map(([a, f]) => [a, join(dir, f)])) };
}

/** A snapshot by full name or unique prefix. */
export function findSnapshot(root: string, name: string): RunSnapshot {
  const all = listSnapshots(root);
  const exact = all.find((s) => s.name === name);
  if (exact) return exact;
  const matches = all.filter((s) => s.name.startsWith(name));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new Error(`no run "${name}" in ${HISTORY_DIR} (${all.length ? `runs: ${all.slice(-5).map((s) => s.name).join(', ')}${all.length > 5 ? ', …' : ''}` : 'no runs kept yet: `npx nx run pipeline:all` keeps one'})`);
  throw new Error(`"${name}" names ${matches.length} runs (${matches.map((s) => s.name).join(', ')}): give more of the name`);
}

/** Keep the workspace as a run; returns it, or the latest run when nothing changed since. */
export function takeSnapshot(pipeline: Pipeline, state: RunState, now = new Date()): { snapshot: RunSnapshot; kept: boolean } {
  const contentDigest = contentDigestOf(state);
  const latest = listSnapshots(pipeline.root).at(-1);
  if (latest && latest.contentDigest === contentDigest && latest.profile === state.profile && latest.experiment === state.experiment) return { snapshot: latest, kept: false };
  const paramsDigest = paramsDigestOf(state);
  const name = `${now.toISOString().slice(0, 19).replace(/:/g, '-')}Z-${paramsDigest}`;
  const dir = join(pipeline.root, HISTORY_DIR, name);
  const temp = `${dir}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(join(temp, 'files'), { recursive: true });
  const files: Record<string, string> = {};
  for (const [artifact, path] of Object.entries(state.files)) {
    files[artifact] = join('files', `${artifact}${path.endsWith('.json') ? '.json' : ''}`);
    copyFileSync(path, join(temp, files[artifact]));
  }
  const snapshot: RunSnapshot = { name, takenAt: now.toISOString(), profile: state.profile, experiment: state.experiment, seed: state.seed, paramsDigest, contentDigest, stages: state.stages, files };
  writeJsonAtomic(join(temp, SNAPSHOT_FILE), snapshot);
  renameSync(temp, dir);
  return { snapshot, kept: true };
}

/** Every figure of a run, stage by stage in pipeline order, with each stage's run time last. */
export function figuresOf(pipeline: Pipeline, state: RunState): Figure[] {
  const out: Figure[] = [];
  for (const stage of pipeline.stages) {
    for (const artifact of stage.outs) {
      const file = state.files[artifact];
      if (!file) continue;
      const reader = HEADLINES.find((h) => h.artifact === artifact);
      try {
        for (const f of reader ? reader.figures(file) : genericFigures(file)) out.push({ stage: stage.name, ...f });
      } catch (err) {
        // One unreadable file (an older format in an old run) must not hide the other stages.
        out.push({ stage: stage.name, name: `${artifact} unreadable`, value: (err as Error).message.split('\n')[0]!.slice(0, 120), unit: 'text' });
      }
    }
    const seconds = state.stages[stage.name]?.seconds;
    if (seconds !== null && seconds !== undefined) out.push({ stage: stage.name, name: 'run time', value: seconds, unit: 'seconds', better: 'lower' });
  }
  return out;
}

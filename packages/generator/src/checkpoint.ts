// Training checkpoints: model weights + optimizer state + epoch, written to a temp folder and
// swapped in, so an interruption leaves the previous checkpoint intact. state.json, written last,
// holds the sha256 of every other file; the checkpoint before the newest is kept as
// `<dir>.previous`. A checkpoint that fails its hashes (a truncated or overwritten file, a disk
// that filled up) is set aside as `<dir>.corrupt-<n>` with a warning, and training resumes from
// the previous one, or from scratch — never from a half-loaded model, since all is checked first.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { sha256, writeJsonAtomic } from '@cvc/core';
import { processAlive } from '@cvc/core/stage-run-lock';
import type { TrainableModel } from './model.ts';
import { loadStores, loadTensors, saveStores, saveTensors, type Tf } from './weights.ts';

export const STATE_FILE = 'state.json';
export const WEIGHTS = 'weights';

export interface CheckpointState<H> {
  /** Epochs completed. */
  epoch: number;
  history: H[];
}

/** state.json on disk: the state and the sha256 of each other file of the checkpoint. */
interface StateFile<H> extends CheckpointState<H> {
  files: Record<string, string>;
}

export const PREVIOUS_SUFFIX = '.previous';

/** Adam's private running powers of β1/β2: saved verbatim so a resumed run matches bit for bit. */
interface AdamPowers { accBeta1: tfTypes.Variable; accBeta2: tfTypes.Variable }

export async function saveCheckpoint<H>(dir: string, model: TrainableModel, state: CheckpointState<H>): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  saveStores(tmp, WEIGHTS, model.stores);
  for (const [name, opt] of Object.entries(model.optimizers)) {
    const powers = opt as unknown as AdamPowers;
    const weights = await opt.getWeights();
    saveTensors(tmp, `optimizer-${name}`, [
      ...weights,
      { name: 'accBeta1', tensor: powers.accBeta1 },
      { name: 'accBeta2', tensor: powers.accBeta2 },
    ]);
  }
  const files = Object.fromEntries(readdirSync(tmp).sort().map((name) => [name, sha256(readFileSync(join(tmp, name)))]));
  writeJsonAtomic(join(tmp, STATE_FILE), { ...state, files } satisfies StateFile<H>);
  // Newest → previous → gone; at every moment one complete checkpoint exists under one of the names.
  const previous = `${dir}${PREVIOUS_SUFFIX}`;
  if (existsSync(dir)) {
    rmSync(previous, { recursive: true, force: true });
    renameSync(dir, previous);
  }
  renameSync(tmp, dir);
}

/** Why the checkpoint in `dir` cannot be trusted, or undefined if every file matches state.json. */
export function checkpointProblem(dir: string): string | undefined {
  const stateFile = join(dir, STATE_FILE);
  if (!existsSync(stateFile)) return `${stateFile} is missing`;
  let state: StateFile<unknown>;
  try {
    state = JSON.parse(readFileSync(stateFile, 'utf8')) as StateFile<unknown>;
  } catch (err) {
    return `${stateFile} is not valid JSON (${(err as Error).message})`;
  }
  if (typeof state.epoch !== 'number') return `${stateFile} has no "epoch"`;
  if (typeof state.files !== 'object' || state.files === null) return `${stateFile} lists no file hashes (written by older code)`;
  for (const [name, hash] of Object.entries(state.files)) {
    const file = join(dir, name);
    if (!existsSync(file)) return `${file} is missing`;
    if (sha256(readFileSync(file)) !== hash) return `${file} does not match its sha256 in ${STATE_FILE} (truncated or overwritten)`;
  }
  return undefined;
}

/** Rename a damaged checkpoint to the first free `<dir>.corrupt-<n>`; returns the new path. */
function setAside(dir: string): string {
  let n = 1;
  while (existsSync(`${dir}.corrupt-${n}`)) n++;
  renameSync(dir, `${dir}.corrupt-${n}`);
  return `${dir}.corrupt-${n}`;
}

/**
 * Restore into `model` the newest intact checkpoint of `dir` (itself, else `<dir>.previous`);
 * returns its state, or undefined (train from scratch). Damaged ones are set aside with a warning.
 */
export async function loadCheckpoint<H>(
  tf: Tf,
  dir: string,
  model: TrainableModel,
  warn: (message: string) => void = (m) => process.stderr.write(`[generator] warning: ${m}\n`),
): Promise<CheckpointState<H> | undefined> {
  const candidates = [dir, `${dir}${PREVIOUS_SUFFIX}`].filter((c) => existsSync(c));
  for (const [i, candidate] of candidates.entries()) {
    const problem = checkpointProblem(candidate);
    if (problem === undefined) return restore<H>(tf, candidate, model);
    const aside = setAside(candidate);
    warn(`checkpoint ${candidate} is damaged: ${problem}. Set aside as ${basename(aside)}; ${i + 1 < candidates.length ? 'resuming from the one before it' : 'training starts from scratch'}.`);
  }
  return undefined;
}

/** Load a verified checkpoint folder into `model`. */
async function restore<H>(tf: Tf, dir: string, model: TrainableModel): Promise<CheckpointState<H>> {
  const { epoch, history } = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as StateFile<H>;
  loadStores(tf, dir, WEIGHTS, model.stores);
  for (const [name, opt] of Object.entries(model.optimizers)) {
    const saved = loadTensors(tf, dir, `optimizer-${name}`);
    const pick = (key: string) => {
      const t = saved.find((e) => e.name === key);
      if (!t) throw new Error(`${join(dir, `optimizer-${name}.json`)}: no "${key}"`);
      return t.tensor;
    };
    const b1 = pick('accBeta1');
    const b2 = pick('accBeta2');
    await opt.setWeights(saved.filter((e) => e.name !== 'accBeta1' && e.name !== 'accBeta2'));
    const powers = opt as unknown as AdamPowers;
    powers.accBeta1.assign(b1);
    powers.accBeta2.assign(b2);
    tf.dispose(saved.map((e) => e.tensor));
  }
  return { epoch, history };
}

/**
 * Remove stale checkpoints of one model kind: every sibling of `keep` under `kindDir` except the
 * `others` most recently written (a profile switch, e.g. smoke ↔ default, should not cost a
 * retrain). Any code or param change gives a new key, so without this the folder only grows.
 * Returns the removed folder names.
 */
export function pruneStaleCheckpoints(kindDir: string, keep: string, others = 2): string[] {
  if (!existsSync(kindDir)) return [];
  const written = (name: string): number => {
    const state = join(kindDir, name, STATE_FILE);
    return existsSync(state) ? statSync(state).mtimeMs : 0;
  };
  // A key's folder comes with `<key>.previous`, `<key>.corrupt-<n>` and `<key>.tmp-<pid>` beside it.
  const folders = readdirSync(kindDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  const keyOf = (name: string): string => name.split('.')[0]!;
  const tempOfDeadRun = (name: string): boolean => {
    const pid = /\.tmp-(\d+)$/.exec(name)?.[1];
    return pid !== undefined && !processAlive(Number(pid));
  };
  const keys = [...new Set(folders.map(keyOf))].filter((k) => k !== keep);
  const newest = (key: string): number => Math.max(...folders.filter((f) => keyOf(f) === key).map(written));
  const staleKeys = new Set(keys.sort((a, b) => newest(b) - newest(a) || a.localeCompare(b)).slice(others));
  const stale = folders.filter((f) => staleKeys.has(keyOf(f)) || tempOfDeadRun(f)).sort();
  for (const name of stale) rmSync(join(kindDir, name), { recursive: true, force: true });
  return stale;
}

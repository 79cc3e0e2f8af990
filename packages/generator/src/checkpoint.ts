// Training checkpoints: model weights + optimizer state + epoch, written to a temp folder and
// swapped in, so an interruption leaves the previous checkpoint intact.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { swapFolder, writeJsonAtomic } from '@cvc/core';
import type { TrainableModel } from './model.ts';
import { loadStores, loadTensors, saveStores, saveTensors, type Tf } from './weights.ts';

export const STATE_FILE = 'state.json';
export const WEIGHTS = 'weights';

export interface CheckpointState<H> {
  /** Epochs completed. */
  epoch: number;
  history: H[];
}

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
  writeJsonAtomic(join(tmp, STATE_FILE), state);
  swapFolder(tmp, dir);
}

/** Restore into `model` if `dir` holds a checkpoint; returns its state, or undefined. */
export async function loadCheckpoint<H>(tf: Tf, dir: string, model: TrainableModel): Promise<CheckpointState<H> | undefined> {
  const stateFile = join(dir, STATE_FILE);
  if (!existsSync(stateFile)) return undefined;
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as CheckpointState<H>;
  if (typeof state.epoch !== 'number') throw new Error(`${stateFile}: no "epoch"`);
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
  return state;
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
  const stale = readdirSync(kindDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== keep)
    .map((e) => ({ name: e.name, time: written(e.name) }))
    .sort((a, b) => b.time - a.time || a.name.localeCompare(b.name))
    .slice(others)
    .map((e) => e.name);
  for (const name of stale) rmSync(join(kindDir, name), { recursive: true, force: true });
  return stale;
}

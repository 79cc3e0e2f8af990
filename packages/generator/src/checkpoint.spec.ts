// Stale checkpoint pruning: the current key and the most recently written others survive.
// A damaged checkpoint is set aside and training resumes from the last intact one.
import { mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createRng, deriveSeed, type Progress } from '@cvc/core';
import { tempDir } from '@cvc/core/testing';
import { initCompute, tf } from '@cvc/core/backend';
import { PREVIOUS_SUFFIX, pruneStaleCheckpoints, STATE_FILE } from './checkpoint.ts';
import { createGan } from './gan.ts';
import type { TrainableModel } from './model.ts';
import { train } from './trainer.ts';
import { tinyGan, twoClassImages } from '../testing/fixtures.ts';

function fakeCheckpoint(kindDir: string, key: string, writtenAtSeconds: number): void {
  mkdirSync(join(kindDir, key), { recursive: true });
  const state = join(kindDir, key, STATE_FILE);
  writeFileSync(state, JSON.stringify({ epoch: 1, history: [] }));
  utimesSync(state, writtenAtSeconds, writtenAtSeconds);
}

describe('pruneStaleCheckpoints', () => {
  it('keeps the current key and the two newest others, removes the rest', () => {
    const kindDir = tempDir();
    fakeCheckpoint(kindDir, 'current', 100); // oldest, but it is the one being trained
    fakeCheckpoint(kindDir, 'old', 200);
    fakeCheckpoint(kindDir, 'newer', 300);
    fakeCheckpoint(kindDir, 'newest', 400);
    mkdirSync(join(kindDir, 'interrupted-before-first-save'));
    const removed = pruneStaleCheckpoints(kindDir, 'current');
    expect(removed.sort()).toEqual(['interrupted-before-first-save', 'old']);
    expect(readdirSync(kindDir).sort()).toEqual(['current', 'newer', 'newest']);
  });

  it('does nothing when the folder does not exist yet', () => {
    expect(pruneStaleCheckpoints(join(tempDir(), 'missing'), 'current')).toEqual([]);
  });
});

describe('a damaged checkpoint', () => {
  const quiet = { log: () => {}, progress: (): Progress => ({ tick: () => {}, done: () => {} }) };
  const rngs = (seed: number) => (purpose: string) => createRng(deriveSeed(seed, purpose));
  const weightsOf = (model: TrainableModel) => model.stores.flatMap((s) => [...s.vars.values()].map((v) => Array.from(v.dataSync())));
  const make = () => createGan(tf, tinyGan, createRng(3));
  const common = { data: twoClassImages(4), epochs: 3, batchSize: 4, checkpointEvery: 1, rng: rngs(5), ...quiet };

  /** Train 3 epochs after an interruption at epoch 2 and `damage` of the checkpoints; stderr captured. */
  async function resumeAfter(damage: (dir: string) => void): Promise<{ resumedFrom: number; weights: number[][]; stderr: string; dir: string }> {
    await initCompute(() => {});
    const dir = join(tempDir(), 'ck');
    const interrupted = make();
    await train(tf, { ...common, model: interrupted, checkpointDir: dir, stopAfter: 2 });
    interrupted.dispose();
    damage(dir);
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    const resumed = make();
    try {
      const { resumedFrom } = await train(tf, { ...common, model: resumed, checkpointDir: dir });
      return { resumedFrom, weights: weightsOf(resumed), stderr: written.join(''), dir };
    } finally {
      spy.mockRestore();
      resumed.dispose();
    }
  }

  let uninterrupted: number[][];
  beforeAll(async () => {
    await initCompute(() => {});
    const straight = make();
    await train(tf, { ...common, model: straight, checkpointDir: join(tempDir(), 'ck') });
    uninterrupted = weightsOf(straight);
    straight.dispose();
  });

  it('overwritten weights (same size): set aside with a warning, training resumes from the previous checkpoint and ends where an uninterrupted run does', async () => {
    const { resumedFrom, weights, stderr, dir } = await resumeAfter((d) => {
      const file = join(d, 'weights.bin');
      const bytes = readFileSync(file);
      bytes.fill(0, 0, 400);
      writeFileSync(file, bytes);
    });
    expect(stderr).toBe(`[generator] warning: checkpoint ${dir} is damaged: ${join(dir, 'weights.bin')} does not match its sha256 in state.json (truncated or overwritten). Set aside as ck.corrupt-1; resuming from the one before it.\n`);
    expect(resumedFrom).toBe(1);
    expect(weights).toEqual(uninterrupted);
    expect(readdirSync(dirname(dir)).sort()).toEqual(['ck', 'ck.corrupt-1', 'ck.previous']);
  }, 60_000);

  it('both checkpoints damaged (a truncated state.json, a missing optimizer file): both set aside, training starts from scratch, same result', async () => {
    const { resumedFrom, weights, stderr, dir } = await resumeAfter((d) => {
      truncateSync(join(d, STATE_FILE), 10);
      rmSync(join(`${d}${PREVIOUS_SUFFIX}`, 'optimizer-generator.bin'));
    });
    expect(stderr.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(new RegExp(`^\\[generator\\] warning: checkpoint ${dir} is damaged: ${join(dir, STATE_FILE)} is not valid JSON \\(.*\\)\\. Set aside as ck\\.corrupt-1; resuming from the one before it\\.$`)),
      `[generator] warning: checkpoint ${dir}.previous is damaged: ${join(`${dir}.previous`, 'optimizer-generator.bin')} is missing. Set aside as ck.previous.corrupt-1; training starts from scratch.`,
    ]);
    expect(resumedFrom).toBe(0);
    expect(weights).toEqual(uninterrupted);
  }, 60_000);

  it('a key\'s previous and set-aside folders stay with it when stale keys are pruned; temp folders of dead runs go', () => {
    const kindDir = tempDir();
    fakeCheckpoint(kindDir, 'current', 100);
    fakeCheckpoint(kindDir, 'current.previous', 90);
    fakeCheckpoint(kindDir, 'current.corrupt-1', 80);
    mkdirSync(join(kindDir, 'current.tmp-999999999'));
    fakeCheckpoint(kindDir, 'a', 200);
    fakeCheckpoint(kindDir, 'a.previous', 190);
    fakeCheckpoint(kindDir, 'b', 300);
    fakeCheckpoint(kindDir, 'c', 400);
    expect(pruneStaleCheckpoints(kindDir, 'current').sort()).toEqual(['a', 'a.previous', 'current.tmp-999999999']);
    expect(readdirSync(kindDir).sort()).toEqual(['b', 'c', 'current', 'current.corrupt-1', 'current.previous']);
  });
});

// Stale checkpoint pruning: the current key and the most recently written others survive.
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@cvc/core/testing';
import { pruneStaleCheckpoints, STATE_FILE } from './checkpoint.ts';

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

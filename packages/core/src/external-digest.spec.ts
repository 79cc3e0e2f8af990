// The data folder's digest (part of data-prep's cache key) sees what data-prep reads: linked files
// and folders count, a loop does not hang it, and a folder without links keeps its old digest.
import { describe, expect, it } from 'vitest';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { externalTreeDigest } from './external-digest.ts';
import { treeDigest } from './files.ts';
import { tempDir } from '../testing/fixtures.ts';

describe('externalTreeDigest', () => {
  it('equals treeDigest (hidden skipped) for a folder without links', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'clock', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'clock', 'a.png'), 'a');
    writeFileSync(join(dir, 'clock', 'sub', 'b.png'), 'b');
    writeFileSync(join(dir, 'clock', '.DS_Store'), 'hidden');
    expect(externalTreeDigest(dir)).toBe(treeDigest(dir, { skipHidden: true }));
  });

  it('changes when a linked image changes, and stops at a link loop', () => {
    const dir = tempDir();
    const outside = join(tempDir(), 'img.png');
    writeFileSync(outside, 'one');
    mkdirSync(join(dir, 'clock'));
    symlinkSync(outside, join(dir, 'clock', 'linked.png'));
    symlinkSync('..', join(dir, 'clock', 'loop'));
    const before = externalTreeDigest(dir);
    writeFileSync(outside, 'two');
    expect(externalTreeDigest(dir)).not.toBe(before);
  });
});

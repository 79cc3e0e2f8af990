import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { swapFolder, treeDigest, writeFileAtomic } from './files.ts';
import { tempDir } from '../testing/fixtures.ts';

describe('treeDigest', () => {
  it('changes when a file is changed, added, removed or renamed, and ignores hidden files when asked', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a', '1.png'), 'one');
    writeFileSync(join(dir, 'a', '2.png'), 'two');
    const seen = new Set<string>([treeDigest(dir)]);
    writeFileSync(join(dir, 'a', '2.png'), 'TWO');
    seen.add(treeDigest(dir));
    writeFileSync(join(dir, 'a', '3.png'), 'three');
    seen.add(treeDigest(dir));
    renameSync(join(dir, 'a', '3.png'), join(dir, 'a', '4.png'));
    seen.add(treeDigest(dir));
    rmSync(join(dir, 'a', '4.png'));
    expect(seen.size).toBe(4);
    expect(seen.has(treeDigest(dir))).toBe(true); // back to an earlier state, same digest
    const before = treeDigest(dir, { skipHidden: true });
    writeFileSync(join(dir, '.DS_Store'), 'x');
    expect(treeDigest(dir, { skipHidden: true })).toBe(before);
    expect(treeDigest(dir)).not.toBe(before);
  });
});

describe('atomic writes', () => {
  it('writes files through a temp path and leaves no temp file', () => {
    const dir = tempDir();
    writeFileAtomic(join(dir, 'x', 'f.json'), '{}');
    expect(readFileSync(join(dir, 'x', 'f.json'), 'utf8')).toBe('{}');
    expect(existsSync(join(dir, 'x', `f.json.tmp-${process.pid}`))).toBe(false);
  });

  it('swaps a fresh folder in place of the old one', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'old'));
    writeFileSync(join(dir, 'old', 'stale'), '1');
    mkdirSync(join(dir, 'fresh'));
    writeFileSync(join(dir, 'fresh', 'new'), '2');
    swapFolder(join(dir, 'fresh'), join(dir, 'old'));
    expect(existsSync(join(dir, 'old', 'new'))).toBe(true);
    expect(existsSync(join(dir, 'old', 'stale'))).toBe(false);
    expect(existsSync(join(dir, 'fresh'))).toBe(false);
  });
});

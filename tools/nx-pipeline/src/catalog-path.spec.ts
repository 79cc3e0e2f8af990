// Catalog paths are part of each stage's params digest (so of its Nx hash): renaming an artifact's
// file reruns its producer, which writes the new name, instead of a cache hit restoring the old
// name and the consumer failing with "run its producer first" (the loop reported in issue 16).
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@cvc/core/testing';
import { createNxWorkspace, nx, writeFixtureData } from '../testing/nx-workspace.ts';

describe('renaming an artifact in the catalog', { timeout: 240_000 }, () => {
  it('reruns its producer and consumer (no "run its producer first" loop); renaming it back restores from the cache', async () => {
    const root = tempDir('cvc-nx-catalog-');
    const file = createNxWorkspace(root, await writeFixtureData(join(root, 'data')));
    expect((await nx(root, ['run', 'pipeline:all'])).executed).toEqual(['data-prep', 'summary', 'report']);
    const original = readFileSync(file, 'utf8');
    const summary = join(root, 'artifacts', 'summary');

    writeFileSync(file, original.replace('artifacts/summary/counts.json', 'artifacts/summary/class-counts.json'));
    const renamed = await nx(root, ['run', 'pipeline:all'], { reject: false });
    expect(renamed.exitCode, renamed.output).toBe(0);
    expect(renamed.output).not.toContain('run its producer first');
    expect(renamed.executed).toEqual(['summary', 'report']);
    expect(renamed.cached).toEqual(['data-prep']);
    expect(existsSync(join(summary, 'class-counts.json'))).toBe(true);
    expect(existsSync(join(summary, 'counts.json'))).toBe(false);

    writeFileSync(file, original);
    const back = await nx(root, ['run', 'pipeline:all']);
    expect(back.executed).toEqual([]);
    expect(existsSync(join(summary, 'counts.json'))).toBe(true);
    expect(existsSync(join(summary, 'class-counts.json'))).toBe(false);
  });
});

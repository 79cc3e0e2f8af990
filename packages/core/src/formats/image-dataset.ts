// Format `image-dataset`: a folder with
//   images.u8      uint8 [N, H, W, 3], interleaved RGB, row-major (N*H*W*3 bytes, no header)
//   manifest.json  shape, dtype, sha256 of images.u8, files, labels, class names,
//                  per-channel mean/std (of the training split, in [0,1] units), splits and folds.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256, writeFileAtomic, writeJsonAtomic } from '../files.ts';

export interface DatasetSplits {
  train: number[];
  validation: number[];
  test: number[];
  /** k stratified folds over train ∪ validation (the test split is never in a fold). */
  folds: number[][];
}

export interface DatasetManifest {
  format: 'image-dataset';
  version: 1;
  shape: [number, number, number, number];
  dtype: 'uint8';
  layout: 'NHWC';
  sha256: string;
  /** sha256 of images and labels together: the dataset's identity. */
  contentHash: string;
  classNames: string[];
  classCounts: number[];
  files: string[];
  labels: number[];
  mean: [number, number, number];
  std: [number, number, number];
  splits: DatasetSplits;
  source: string;
}

export interface Dataset {
  manifest: DatasetManifest;
  /** [N, H, W, 3] uint8. */
  images: Uint8Array;
}

/** What a dataset's maker decides; `datasetOf` derives the rest (format fields, counts, hashes). */
export type DatasetContents = Pick<DatasetManifest, 'classNames' | 'files' | 'labels' | 'mean' | 'std' | 'splits' | 'source'> & {
  /** [N, size, size, 3] uint8. */
  images: Uint8Array;
  size: number;
};

/** A dataset with its manifest. The manifest's key order is fixed here: manifest.json is an artifact. */
export function datasetOf(c: DatasetContents): Dataset {
  const n = c.labels.length;
  const imagesHash = sha256(c.images);
  return {
    images: c.images,
    manifest: {
      format: 'image-dataset',
      version: 1,
      shape: [n, c.size, c.size, 3],
      dtype: 'uint8',
      layout: 'NHWC',
      sha256: imagesHash,
      contentHash: sha256(`${imagesHash}\n${JSON.stringify(c.labels)}\n${JSON.stringify(c.classNames)}`),
      classNames: c.classNames,
      classCounts: c.classNames.map((_, k) => c.labels.filter((l) => l === k).length),
      files: c.files,
      labels: c.labels,
      mean: c.mean,
      std: c.std,
      splits: c.splits,
      source: c.source,
    },
  };
}

export const IMAGES_FILE = 'images.u8';
export const MANIFEST_FILE = 'manifest.json';

export function writeImageDataset(dir: string, dataset: Dataset): void {
  writeFileAtomic(join(dir, IMAGES_FILE), dataset.images);
  writeJsonAtomic(join(dir, MANIFEST_FILE), dataset.manifest);
}

export function readImageDataset(dir: string): Dataset {
  const manifestFile = join(dir, MANIFEST_FILE);
  const imagesFile = join(dir, IMAGES_FILE);
  if (!existsSync(manifestFile)) throw new Error(`${manifestFile}: dataset manifest not found`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as DatasetManifest;
  if (manifest.format !== 'image-dataset') throw new Error(`${manifestFile}: format is "${manifest.format}", expected "image-dataset"`);
  if (!existsSync(imagesFile)) throw new Error(`${imagesFile}: image tensor file not found`);
  const buffer = readFileSync(imagesFile);
  const images = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const expected = manifest.shape.reduce((a, b) => a * b, 1);
  if (images.length !== expected) throw new Error(`${imagesFile}: ${images.length} bytes, manifest shape [${manifest.shape}] needs ${expected}`);
  if (sha256(images) !== manifest.sha256) throw new Error(`${imagesFile}: sha256 does not match manifest.json (file changed or corrupt)`);
  return { manifest, images };
}

/** Image `i` as [H, W, 3] bytes (a view, no copy). */
export function imageAt(dataset: Dataset, i: number): Uint8Array {
  const [, h, w, c] = dataset.manifest.shape;
  const size = h * w * c;
  return dataset.images.subarray(i * size, (i + 1) * size);
}

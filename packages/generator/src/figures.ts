// The pictures of one model: single hybrid PNGs, hybrid grid, best hybrids, class samples, strips.
import { join } from 'node:path';
import { encodePng, gridPng, writeFileAtomic } from '@cvc/core';
import { IMAGE_SIZE, imageAt } from './sample.ts';

const tiles = (images: Uint8Array, indices?: number[]): Uint8Array[] =>
  (indices ?? Array.from({ length: images.length / (IMAGE_SIZE * IMAGE_SIZE * 3) }, (_, i) => i)).map((i) => imageAt(images, i));

/** hybrids/hybrid-000.png … (32x32 each). */
export async function writeImageFiles(dir: string, prefix: string, images: Uint8Array): Promise<void> {
  const list = tiles(images);
  const digits = String(list.length - 1).length < 3 ? 3 : String(list.length - 1).length;
  for (const [i, image] of list.entries()) {
    writeFileAtomic(join(dir, `${prefix}-${String(i).padStart(digits, '0')}.png`), await encodePng(image, IMAGE_SIZE, IMAGE_SIZE));
  }
}

export async function writeGrid(file: string, images: Uint8Array, columns: number, indices?: number[]): Promise<void> {
  writeFileAtomic(file, await gridPng(tiles(images, indices), { columns, size: IMAGE_SIZE, scale: 3 }));
}

/**
 * Each best hybrid above its nearest training image: blocks of two rows, `columns` wide — a row of
 * hybrids (`hybridIdx` into `hybrids`), then the training image nearest to each (`nearestIdx` into `dataset`).
 */
export async function writeNearestStrip(file: string, hybrids: Uint8Array, hybridIdx: number[], dataset: Uint8Array, nearestIdx: number[], columns: number): Promise<void> {
  const top = tiles(hybrids, hybridIdx);
  const bottom = tiles(dataset, nearestIdx);
  const width = Math.min(columns, top.length);
  const blank = new Uint8Array(IMAGE_SIZE * IMAGE_SIZE * 3).fill(255);
  const row = (list: Uint8Array[], start: number) => Array.from({ length: width }, (_, k) => list[start + k] ?? blank); // a short last row is padded
  const ordered: Uint8Array[] = [];
  for (let start = 0; start < top.length; start += width) ordered.push(...row(top, start), ...row(bottom, start));
  writeFileAtomic(file, await gridPng(ordered, { columns: width, size: IMAGE_SIZE, scale: 3 }));
}

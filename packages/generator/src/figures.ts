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

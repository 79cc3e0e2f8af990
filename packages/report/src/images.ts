// Pictures inlined as data URIs: 32x32 dataset images stay 32x32 in the file and are
// enlarged by the browser with `image-rendering: pixelated` (class "px").
import { readFileSync } from 'node:fs';
import { encodePng, imageAt, type Dataset } from '@cvc/core';
import { dataUri, esc } from './html.ts';

export async function datasetImageUri(dataset: Dataset, index: number): Promise<string> {
  const [, h, w] = dataset.manifest.shape;
  return dataUri('image/png', await encodePng(imageAt(dataset, index), w, h));
}

/** An <img> of one dataset image, enlarged with pixelated rendering; `title` shows on hover. */
export async function datasetImg(dataset: Dataset, index: number, title: string): Promise<string> {
  const [, h, w] = dataset.manifest.shape;
  return `<img class="px" src="${await datasetImageUri(dataset, index)}" width="${w}" height="${h}" alt="${esc(title)}" title="${esc(title)}">`;
}

/** Width and height from a PNG's IHDR chunk; throws naming the file if it is not a PNG. */
export function pngSize(bytes: Uint8Array, path: string): { width: number; height: number } {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 24 || b.readUInt32BE(0) !== 0x89504e47 || b.toString('latin1', 12, 16) !== 'IHDR') throw new Error(`${path}: not a PNG file`);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/**
 * A PNG file written by another stage, inlined. `enlarge` shows it that many times bigger with
 * pixelated rendering (for sheets of small images); it never grows wider than the column.
 */
export function pngFileImg(path: string, alt: string, opts: { enlarge?: number; shrink?: number } = {}): string {
  const bytes = readFileSync(path);
  const { width, height } = pngSize(bytes, path);
  // `shrink`: a chart rendered at 2x for sharp text is shown at its design size.
  const k = (opts.enlarge ?? 1) / (opts.shrink ?? 1);
  const cls = k > 1 ? 'px-sheet' : 'plot';
  return `<img class="${cls}" src="${dataUri('image/png', bytes)}" width="${Math.round(width * k)}" height="${Math.round(height * k)}" alt="${esc(alt)}">`;
}

// Image decoding and encoding through sharp (libvips): any PNG/JPEG/WebP/GIF/TIFF, any size,
// any mode (grey, palette, alpha, 16-bit) in; 8-bit sRGB out.
import sharp from 'sharp';

/** Decode an image file to interleaved RGB bytes of size×size ([size, size, 3]). */
export async function decodeToRgb(file: string, size: number): Promise<Uint8Array> {
  let pipeline: sharp.Sharp;
  try {
    pipeline = sharp(file, { failOn: 'error' });
    const meta = await pipeline.metadata();
    if (!meta.width || !meta.height) throw new Error('no image dimensions');
  } catch (err) {
    throw new Error(`${file}: not a readable image (${(err as Error).message})`);
  }
  try {
    const { data, info } = await pipeline
      .rotate() // respect EXIF orientation
      .flatten({ background: '#ffffff' }) // alpha → composite on white
      .toColourspace('srgb')
      .resize(size, size, { fit: 'cover', position: 'centre', kernel: 'lanczos3' })
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== size * size * 3) {
      throw new Error(`decoded to ${info.width}x${info.height}x${info.channels}`);
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.length);
  } catch (err) {
    throw new Error(`${file}: could not be decoded (${(err as Error).message})`);
  }
}

/** Encode interleaved RGB bytes [height, width, 3] as PNG, optionally enlarged by nearest-neighbour `scale`. */
export async function encodePng(rgb: Uint8Array, width: number, height: number, scale = 1): Promise<Buffer> {
  let img = sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width, height, channels: 3 } });
  if (scale !== 1) img = img.resize(width * scale, height * scale, { kernel: 'nearest' });
  // Fixed compression settings and no metadata: the same pixels give the same bytes.
  return img.png({ compressionLevel: 9, adaptiveFiltering: false, palette: false }).toBuffer();
}

export interface GridOptions {
  /** Images per row. */
  columns: number;
  /** Side of each (square) image in pixels, before scaling. */
  size: number;
  /** Nearest-neighbour enlargement of each image. */
  scale?: number;
  /** Gap between tiles, in output pixels. */
  gap?: number;
  /** Background grey level 0..255. */
  background?: number;
}

/**
 * Tile square RGB images ([size, size, 3] each) into one RGB canvas, row-major.
 * Returns the canvas bytes and its width/height, ready for encodePng (scale 1).
 */
export function tileImages(images: Uint8Array[], opts: GridOptions): { rgb: Uint8Array; width: number; height: number } {
  const scale = opts.scale ?? 1;
  const gap = opts.gap ?? 2;
  const tile = opts.size * scale;
  const columns = Math.max(1, Math.min(opts.columns, images.length));
  const rows = Math.max(1, Math.ceil(images.length / columns));
  const width = columns * tile + (columns + 1) * gap;
  const height = rows * tile + (rows + 1) * gap;
  const rgb = new Uint8Array(width * height * 3).fill(opts.background ?? 255);
  images.forEach((image, index) => {
    const x0 = gap + (index % columns) * (tile + gap);
    const y0 = gap + Math.floor(index / columns) * (tile + gap);
    for (let y = 0; y < tile; y++) {
      const sy = Math.floor(y / scale);
      for (let x = 0; x < tile; x++) {
        const sx = Math.floor(x / scale);
        const src = (sy * opts.size + sx) * 3;
        const dst = ((y0 + y) * width + x0 + x) * 3;
        rgb[dst] = image[src]!;
        rgb[dst + 1] = image[src + 1]!;
        rgb[dst + 2] = image[src + 2]!;
      }
    }
  });
  return { rgb, width, height };
}

/** Encode a grid of square RGB images as one PNG. */
export async function gridPng(images: Uint8Array[], opts: GridOptions): Promise<Buffer> {
  const { rgb, width, height } = tileImages(images, opts);
  return encodePng(rgb, width, height);
}

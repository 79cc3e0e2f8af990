// Contact sheets: enlarged images in a grid, each framed in its class colour with a two-line
// caption, and a title. Pixels are placed here; text is an SVG overlay composited by sharp
// (DejaVu Sans through fontconfig), with fixed PNG settings so the same input gives the same bytes.
import sharp from 'sharp';

export interface SheetTile {
  /** [size, size, 3] RGB bytes. */
  rgb: Uint8Array;
  /** Frame colour, e.g. the class colour. */
  colour: [number, number, number];
  /** Caption lines under the image (1 or 2). */
  lines: string[];
}

export interface SheetOptions {
  title: string;
  /** A second line under the title, e.g. one sentence saying what the sheet ranks. */
  subtitle?: string;
  /** Side of each source image. */
  size: number;
  /** Nearest-neighbour enlargement. */
  scale: number;
  columns: number;
}

const GAP = 8;
const FRAME = 3;
const TITLE = 30;
const LINE = 15;
/** DejaVu Sans at 12 px averages under 7.2 px a character: the subtitle wraps at the sheet's width. */
const CHAR_WIDTH = 7.2;

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Greedy word wrap into lines of at most `maxChars` characters (a longer word gets a line of its own). */
export function wrapWords(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= maxChars) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

export async function contactSheet(tiles: SheetTile[], opts: SheetOptions): Promise<Buffer> {
  const side = opts.size * opts.scale + 2 * FRAME;
  const caption = 2 * LINE + 4;
  const columns = Math.max(1, Math.min(opts.columns, tiles.length));
  const rows = Math.max(1, Math.ceil(tiles.length / columns));
  const width = columns * (side + GAP) + GAP;
  const subtitle = opts.subtitle ? wrapWords(opts.subtitle, Math.floor((width - 2 * GAP) / CHAR_WIDTH)) : [];
  const top = TITLE + subtitle.length * (LINE + 2);
  const height = top + rows * (side + caption + GAP) + GAP;
  const canvas = new Uint8Array(width * height * 3).fill(255);
  const put = (x: number, y: number, rgb: ArrayLike<number>, offset = 0) => {
    const p = (y * width + x) * 3;
    canvas[p] = rgb[offset]!;
    canvas[p + 1] = rgb[offset + 1]!;
    canvas[p + 2] = rgb[offset + 2]!;
  };
  const texts: string[] = [];
  tiles.forEach((tile, t) => {
    const x0 = GAP + (t % columns) * (side + GAP);
    const y0 = top + Math.floor(t / columns) * (side + caption + GAP);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const inside = x >= FRAME && y >= FRAME && x < side - FRAME && y < side - FRAME;
        if (!inside) put(x0 + x, y0 + y, tile.colour);
        else put(x0 + x, y0 + y, tile.rgb, ((Math.floor((y - FRAME) / opts.scale) * opts.size + Math.floor((x - FRAME) / opts.scale)) * 3));
      }
    }
    tile.lines.slice(0, 2).forEach((line, l) => {
      const fill = l === 0 ? `rgb(${tile.colour.join(',')})` : '#333';
      const weight = l === 0 ? 'bold' : 'normal';
      texts.push(`<text x="${x0 + 1}" y="${y0 + side + LINE * (l + 1)}" fill="${fill}" font-weight="${weight}">${escapeXml(line)}</text>`);
    });
  });
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans" font-size="12">` +
    `<text x="${GAP}" y="21" font-size="16" font-weight="bold" fill="#111">${escapeXml(opts.title)}</text>` +
    subtitle.map((line, l) => `<text x="${GAP}" y="${21 + (l + 1) * (LINE + 2)}" fill="#333">${escapeXml(line)}</text>`).join('') +
    `${texts.join('')}</svg>`;
  return sharp(Buffer.from(canvas.buffer, canvas.byteOffset, canvas.byteLength), { raw: { width, height, channels: 3 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .removeAlpha()
    .png({ compressionLevel: 9, adaptiveFiltering: false, palette: false })
    .toBuffer();
}

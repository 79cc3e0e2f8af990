import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { contactSheet, escapeXml, wrapWords } from './contact-sheet.ts';

describe('contact sheet', () => {
  it('lays out framed, enlarged tiles with captions and a title', async () => {
    const grey = new Uint8Array(4 * 4 * 3).fill(128);
    const tiles = [0, 1, 2].map((i) => ({ rgb: grey, colour: [200, 0, 0] as [number, number, number], lines: [`#${i + 1} clock`, '0.5 · p 0.40'] }));
    const png = await contactSheet(tiles, { title: 'test <sheet>', size: 4, scale: 10, columns: 2 });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    // 2 columns of (40 + 2·3 frame) px with 8 px gaps; 2 rows with 34 px captions below a 30 px title.
    expect([info.width, info.height, info.channels]).toEqual([2 * 46 + 3 * 8, 30 + 2 * (46 + 34 + 8) + 8, 3]);
    const at = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3));
    expect(at(8, 30)).toEqual([200, 0, 0]); // frame corner of tile 1
    expect(at(8 + 20, 30 + 20)).toEqual([128, 128, 128]); // inside the enlarged image
    // Caption text is drawn: some dark-ish pixels in the caption band under tile 1.
    let inked = 0;
    for (let y = 30 + 46; y < 30 + 46 + 34; y++) for (let x = 8; x < 8 + 46; x++) if (at(x, y)[1]! < 150) inked++;
    expect(inked).toBeGreaterThan(20);
    expect(escapeXml('a<b & "c"')).toBe('a&lt;b &amp; &quot;c&quot;');
  });

  it('draws a subtitle line under the title and moves the tiles down by it', async () => {
    const grey = new Uint8Array(4 * 4 * 3).fill(128);
    const tile = { rgb: grey, colour: [0, 0, 200] as [number, number, number], lines: ['#1 crocodile'] };
    const png = await contactSheet([tile], { title: 'T', subtitle: 'What this sheet ranks, in one sentence.', size: 4, scale: 100, columns: 1 });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    // 30 px title + 17 px subtitle line (39 characters fit in 422 px), then the tile.
    expect(info.height).toBe(30 + 17 + 406 + 34 + 8 + 8);
    const at = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3));
    expect(at(8, 47)).toEqual([0, 0, 200]);
    let inked = 0;
    for (let y = 30; y < 47; y++) for (let x = 8; x < info.width; x++) if (at(x, y)[0]! < 150) inked++;
    expect(inked).toBeGreaterThan(20);
  });

  it('wraps a subtitle wider than the sheet into lines that fit, moving the tiles down by each', async () => {
    expect(wrapWords('a bb  ccc dddd eeeeeeeee', 6)).toEqual(['a bb', 'ccc', 'dddd', 'eeeeeeeee']);
    const grey = new Uint8Array(4 * 4 * 3).fill(128);
    const tile = { rgb: grey, colour: [0, 0, 200] as [number, number, number], lines: ['#1 crocodile'] };
    const sentence = 'Images that five models all find hard to call, among images that are not outliers in feature space.';
    // 2 columns of 46 px: 116 px wide, 13 characters a line.
    const png = await contactSheet([tile, tile], { title: 'T', subtitle: sentence, size: 4, scale: 10, columns: 2 });
    const lines = wrapWords(sentence, Math.floor((116 - 16) / 7.2));
    expect(lines.every((l) => l.length <= 13 || !l.includes(' '))).toBe(true);
    const { info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect(lines.length).toBeGreaterThan(5);
    expect(info.height).toBe(30 + lines.length * 17 + 46 + 34 + 8 + 8);
  });
});

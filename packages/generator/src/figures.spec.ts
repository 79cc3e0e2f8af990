// The nearest-training-image strip: each best hybrid above its nearest training image, in blocks of
// two rows; a short last block is padded with blank tiles so no image slides into the wrong row.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import sharp from 'sharp';
import { tempDir } from '@cvc/core/testing';
import { writeNearestStrip } from './figures.ts';

const PX = 32 * 32 * 3;
const flat = (values: number[]) => Uint8Array.from(values.flatMap((v) => Array(PX).fill(v)));

describe('writeNearestStrip', () => {
  it('puts hybrids in rows 1, 3, … and their nearest training images right below, padding a short last row', async () => {
    const hybrids = flat([10, 20, 30, 40]);
    const dataset = flat([100, 110, 120, 130, 140]);
    const file = join(tempDir(), 'strip.png');
    // Best hybrids 3, 0, 2 with nearest training images 4, 1, 0; 2 columns → rows: [40, 10], [140, 110], [30, blank], [100, blank].
    await writeNearestStrip(file, hybrids, [3, 0, 2], dataset, [4, 1, 0], 2);
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    const tile = 32 * 3, gap = 2;
    expect([info.width, info.height]).toEqual([2 * tile + 3 * gap, 4 * tile + 5 * gap]);
    const at = (row: number, col: number) => data[((gap + row * (tile + gap) + 10) * info.width + gap + col * (tile + gap) + 10) * info.channels]!;
    expect([[at(0, 0), at(0, 1)], [at(1, 0), at(1, 1)], [at(2, 0), at(2, 1)], [at(3, 0), at(3, 1)]]).toEqual([[40, 10], [140, 110], [30, 255], [100, 255]]);
  });
});

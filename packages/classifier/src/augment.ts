// Seeded augmentation on the JS side: flips, pad + random crop, cutout.
// Images are normalised float32 [H, W, 3]; "mean colour" is 0 after normalisation.
import type { Rng } from '@cvc/core';

export interface AugmentOptions {
  flip: boolean;
  pad: number;
  cutout: number;
}

/** Write an augmented copy of `src` ([size, size, 3]) into `dst` at `offset`. */
export function augmentInto(src: Float32Array, dst: Float32Array, offset: number, size: number, opts: AugmentOptions, rng: Rng): void {
  const flip = opts.flip && rng.next() < 0.5;
  const dx = opts.pad > 0 ? rng.int(2 * opts.pad + 1) - opts.pad : 0;
  const dy = opts.pad > 0 ? rng.int(2 * opts.pad + 1) - opts.pad : 0;
  let cx0 = -1, cy0 = -1;
  if (opts.cutout > 0) {
    // The square's centre may sit anywhere, so it is partly outside the image sometimes.
    cx0 = rng.int(size) - Math.floor(opts.cutout / 2);
    cy0 = rng.int(size) - Math.floor(opts.cutout / 2);
  }
  for (let y = 0; y < size; y++) {
    const sy = y + dy;
    for (let x = 0; x < size; x++) {
      const o = offset + (y * size + x) * 3;
      const inCutout = opts.cutout > 0 && x >= cx0 && x < cx0 + opts.cutout && y >= cy0 && y < cy0 + opts.cutout;
      let sx = x + dx;
      if (flip) sx = size - 1 - sx;
      if (inCutout || sy < 0 || sy >= size || sx < 0 || sx >= size) {
        dst[o] = 0;
        dst[o + 1] = 0;
        dst[o + 2] = 0;
      } else {
        const s = (sy * size + sx) * 3;
        dst[o] = src[s]!;
        dst[o + 1] = src[s + 1]!;
        dst[o + 2] = src[s + 2]!;
      }
    }
  }
}

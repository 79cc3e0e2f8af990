// Seeded augmentation on the JS side: flips, pad + random crop, cutout, and optionally a random
// zoom and rotation (bilinear; only drawn when enabled, so configs without them are unchanged).
// Images are normalised float32 [H, W, 3]; "mean colour" is 0 after normalisation.
import type { Rng } from '@cvc/core';
import { augmentCopyNative } from '@cvc/compute';

export interface AugmentOptions {
  flip: boolean;
  pad: number;
  cutout: number;
  /** Zoom factor drawn from [1 − scale, 1 + scale] (0 = off). */
  scale?: number;
  /** Rotation drawn from [−rotate, rotate] degrees (0 = off). */
  rotate?: number;
  /** Probability of replacing the colours by their channel mean (grey; 0 = off): pushes the model to shape cues. */
  grayscale?: number;
}

/** Write an augmented copy of `src` ([size, size, 3]) into `dst` at `offset`. */
export function augmentInto(src: Float32Array, dst: Float32Array, offset: number, size: number, opts: AugmentOptions, rng: Rng): void {
  geometryInto(src, dst, offset, size, opts, rng);
  // Drawn last and only when enabled, so configs without it keep their random streams.
  if ((opts.grayscale ?? 0) > 0 && rng.next() < opts.grayscale!) toGrey(dst, offset, size);
}

/**
 * A batch: images `indices` of `x` (each [size, size, 3]) augmented into a new float32
 * [n, size, size, 3], with exactly the random draws (and so the pixels) of augmentInto per image
 * in order. Flips, crops and cutout are copied natively when the addon is loaded.
 */
export function augmentBatch(x: Float32Array, indices: readonly number[], size: number, opts: AugmentOptions, rng: Rng): Float32Array {
  const px = size * size * 3;
  const out = new Float32Array(indices.length * px);
  if ((opts.scale ?? 0) > 0 || (opts.rotate ?? 0) > 0) {
    indices.forEach((i, j) => augmentInto(x.subarray(i * px, (i + 1) * px), out, j * px, size, opts, rng));
    return out;
  }
  // Per image, in augmentInto's order: flip, dx, dy, cutout corner, then the grayscale draw.
  const params = new Int32Array(indices.length * 5);
  const grey: number[] = [];
  indices.forEach((_, j) => {
    const q = j * 5;
    params[q] = opts.flip && rng.next() < 0.5 ? 1 : 0;
    params[q + 1] = opts.pad > 0 ? rng.int(2 * opts.pad + 1) - opts.pad : 0;
    params[q + 2] = opts.pad > 0 ? rng.int(2 * opts.pad + 1) - opts.pad : 0;
    params[q + 3] = params[q + 4] = -1;
    if (opts.cutout > 0) {
      params[q + 3] = rng.int(size) - Math.floor(opts.cutout / 2);
      params[q + 4] = rng.int(size) - Math.floor(opts.cutout / 2);
    }
    if ((opts.grayscale ?? 0) > 0 && rng.next() < opts.grayscale!) grey.push(j);
  });
  if (!augmentCopyNative(x, indices, params, opts.cutout, size, out)) {
    indices.forEach((i, j) => copyGeometry(x.subarray(i * px, (i + 1) * px), out, j * px, size, opts.cutout, params.subarray(j * 5, j * 5 + 5)));
  }
  for (const j of grey) toGrey(out, j * px, size);
  return out;
}

function toGrey(dst: Float32Array, offset: number, size: number): void {
  // The mean of the normalised channels: (near-)grey, since the channels' std are similar.
  for (let o = offset; o < offset + size * size * 3; o += 3) dst[o] = dst[o + 1] = dst[o + 2] = (dst[o]! + dst[o + 1]! + dst[o + 2]!) / 3;
}

function geometryInto(src: Float32Array, dst: Float32Array, offset: number, size: number, opts: AugmentOptions, rng: Rng): void {
  const flip = opts.flip && rng.next() < 0.5;
  const dx = opts.pad > 0 ? rng.int(2 * opts.pad + 1) - opts.pad : 0;
  const dy = opts.pad > 0 ? rng.int(2 * opts.pad + 1) - opts.pad : 0;
  let cx0 = -1, cy0 = -1;
  if (opts.cutout > 0) {
    // The square's centre may sit anywhere, so it is partly outside the image sometimes.
    cx0 = rng.int(size) - Math.floor(opts.cutout / 2);
    cy0 = rng.int(size) - Math.floor(opts.cutout / 2);
  }
  const scale = opts.scale ?? 0, rotate = opts.rotate ?? 0;
  if (scale > 0 || rotate > 0) {
    const zoom = 1 + (2 * rng.next() - 1) * scale;
    const angle = ((2 * rng.next() - 1) * rotate * Math.PI) / 180;
    warpInto(src, dst, offset, size, { flip, dx, dy, zoom, angle, cx0, cy0, cutout: opts.cutout });
    return;
  }
  copyGeometry(src, dst, offset, size, opts.cutout, [flip ? 1 : 0, dx, dy, cx0, cy0]);
}

/** The flip / shift / cutout copy for drawn parameters [flip, dx, dy, cx0, cy0] (zero outside the image and in the cutout). */
function copyGeometry(src: Float32Array, dst: Float32Array, offset: number, size: number, cutout: number, p: ArrayLike<number>): void {
  const flip = p[0] === 1, dx = p[1]!, dy = p[2]!, cx0 = p[3]!, cy0 = p[4]!;
  for (let y = 0; y < size; y++) {
    const sy = y + dy;
    for (let x = 0; x < size; x++) {
      const o = offset + (y * size + x) * 3;
      const inCutout = cutout > 0 && x >= cx0 && x < cx0 + cutout && y >= cy0 && y < cy0 + cutout;
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

interface Warp { flip: boolean; dx: number; dy: number; zoom: number; angle: number; cx0: number; cy0: number; cutout: number }

/** The general path: output pixel → source point (inverse zoom + rotation about the centre, then shift and flip), bilinear, 0 outside. */
function warpInto(src: Float32Array, dst: Float32Array, offset: number, size: number, w: Warp): void {
  const c = (size - 1) / 2;
  const cos = Math.cos(w.angle) / w.zoom, sin = Math.sin(w.angle) / w.zoom;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const o = offset + (y * size + x) * 3;
      dst[o] = dst[o + 1] = dst[o + 2] = 0;
      if (w.cutout > 0 && x >= w.cx0 && x < w.cx0 + w.cutout && y >= w.cy0 && y < w.cy0 + w.cutout) continue;
      const u = x - c, v = y - c;
      let sx = cos * u + sin * v + c + w.dx;
      const sy = -sin * u + cos * v + c + w.dy;
      if (w.flip) sx = size - 1 - sx;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      const fx = sx - x0, fy = sy - y0;
      for (const [px, py, weight] of [[x0, y0, (1 - fx) * (1 - fy)], [x0 + 1, y0, fx * (1 - fy)], [x0, y0 + 1, (1 - fx) * fy], [x0 + 1, y0 + 1, fx * fy]] as const) {
        if (weight === 0 || px < 0 || px >= size || py < 0 || py >= size) continue;
        const s = (py * size + px) * 3;
        for (let ch = 0; ch < 3; ch++) dst[o + ch] = dst[o + ch]! + weight * src[s + ch]!;
      }
    }
  }
}

// The pixel copying of batch augmentation (flip, pad + crop, cutout) in native code when the
// addon is loaded: the per-pixel JavaScript loop was ≈ 3 ms of the JS thread per batch of 128,
// time no second core can share. The random draws stay with the caller (same seeded stream).
import { loadAddon } from './addon.ts';

/**
 * dst[j] = src image indices[j] ([size, size, 3] each) flipped if params[5j], shifted by
 * (params[5j+1], params[5j+2]) with zero fill, cutout square at (params[5j+3], params[5j+4]).
 * Returns false (nothing written) without the native addon.
 */
export function augmentCopyNative(src: Float32Array, indices: ArrayLike<number>, params: Int32Array, cutout: number, size: number, dst: Float32Array): boolean {
  const { addon } = loadAddon();
  if (!addon) return false;
  addon.augmentCopy(src, Int32Array.from(indices), params, cutout, size, dst);
  return true;
}

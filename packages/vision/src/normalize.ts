// Images as the models see them: float32, normalised per channel with the dataset's mean/std.
import type { Dataset } from '@cvc/core';
import type { Normalization } from '@cvc/artifacts/model-files';

export type { Normalization };

/** uint8 [N, H, W, 3] → float32 [N, H, W, 3] with (x/255 − mean) / std per channel. */
export function normalizeImages(images: Uint8Array, norm: Normalization): Float32Array {
  const out = new Float32Array(images.length);
  const scale = norm.std.map((s) => 1 / (255 * s));
  const shift = norm.mean.map((m, c) => m / norm.std[c]!);
  for (let i = 0; i < images.length; i++) {
    const c = i % 3;
    out[i] = images[i]! * scale[c]! - shift[c]!;
  }
  return out;
}

/** The dataset's images normalised with its own (training-split) statistics. */
export function modelInputs(dataset: Dataset): { x: Float32Array; size: number; norm: Normalization } {
  const norm = { mean: dataset.manifest.mean, std: dataset.manifest.std };
  return { x: normalizeImages(dataset.images, norm), size: dataset.manifest.shape[1], norm };
}

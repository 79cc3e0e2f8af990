// Diversity of a set of images: mean pairwise distance (collapse → near 0). Compared with the
// same number for real images of the class, it says whether samples vary as much as the data.

/**
 * Mean over all pairs of rows [n, dim] of the Euclidean distance of (row a − row b) / scale,
 * or of its RMS (divided by dim under the root) when `rms` is set.
 */
function meanPairwiseDistance(rows: ArrayLike<number>, dim: number, scale: number, rms: boolean): number {
  const n = rows.length / dim;
  if (n < 2) return 0;
  let sum = 0;
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      let d = 0;
      for (let k = 0; k < dim; k++) {
        const v = (rows[a * dim + k]! - rows[b * dim + k]!) / scale;
        d += v * v;
      }
      sum += Math.sqrt(rms ? d / dim : d);
    }
  }
  return sum / ((n * (n - 1)) / 2);
}

/** Mean pairwise RMS distance of uint8 images [n, 32·32·3] (or any rows of `dim`), in 0–1 units. */
export function pixelDiversity(images: Uint8Array, dim = 32 * 32 * 3): number {
  return meanPairwiseDistance(images, dim, 255, true);
}

/** Mean pairwise Euclidean distance of feature rows [n, dim]. */
export function featureDiversity(features: Float32Array, dim: number): number {
  return meanPairwiseDistance(features, dim, 1, false);
}

// Diversity of a set of images: mean pairwise RMS distance (collapse → near 0). Compared with the
// same number for real images of the class, it says whether samples vary as much as the data.

/** Mean pairwise RMS distance of uint8 images [n, 32·32·3] (or any rows of `dim`), in 0–1 units. */
export function pixelDiversity(images: Uint8Array, dim = 32 * 32 * 3): number {
  const n = images.length / dim;
  if (n < 2) return 0;
  let sum = 0;
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      let d = 0;
      for (let k = 0; k < dim; k++) {
        const v = (images[a * dim + k]! - images[b * dim + k]!) / 255;
        d += v * v;
      }
      sum += Math.sqrt(d / dim);
    }
  }
  return sum / ((n * (n - 1)) / 2);
}

/** Mean pairwise Euclidean distance of feature rows [n, dim]. */
export function featureDiversity(features: Float32Array, dim: number): number {
  const n = features.length / dim;
  if (n < 2) return 0;
  let sum = 0;
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      let d = 0;
      for (let k = 0; k < dim; k++) {
        const v = features[a * dim + k]! - features[b * dim + k]!;
        d += v * v;
      }
      sum += Math.sqrt(d);
    }
  }
  return sum / ((n * (n - 1)) / 2);
}

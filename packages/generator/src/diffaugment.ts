// DiffAugment (Zhao et al. 2020): the same random, differentiable colour / translation / cutout
// applied to real and fake images before the discriminator, so D cannot memorise ~700 images.
// Images in [-1, 1]; random parameters are drawn per sample from the seeded rng.
import type * as tfTypes from '@tensorflow/tfjs';
import type { Rng } from '@cvc/core';
import type { Tf } from './weights.ts';

export interface AugmentPolicy {
  color: boolean;
  translation: boolean;
  cutout: boolean;
}

function perSample(tf: Tf, n: number, rng: Rng): tfTypes.Tensor4D {
  return tf.tensor4d(Float32Array.from({ length: n }, () => rng.next()), [n, 1, 1, 1]);
}

/** Brightness ±0.5, saturation ×[0, 2), contrast ×[0.5, 1.5) (the paper's ranges). */
function color(tf: Tf, x: tfTypes.Tensor4D, rng: Rng): tfTypes.Tensor4D {
  const n = x.shape[0];
  let t = tf.add(x, tf.sub(perSample(tf, n, rng), 0.5));
  const grey = tf.mean(t, 3, true);
  t = tf.add(tf.mul(tf.sub(t, grey), tf.mul(perSample(tf, n, rng), 2)), grey);
  const mean = tf.mean(t, [1, 2, 3], true);
  return tf.add(tf.mul(tf.sub(t, mean), tf.add(perSample(tf, n, rng), 0.5)), mean) as tfTypes.Tensor4D;
}

/** Shift matrices [n, size, size]: row i of sample b picks source i − shift_b (none → zero fill). */
export function shiftMatrices(shifts: number[], size: number): Float32Array {
  const m = new Float32Array(shifts.length * size * size);
  shifts.forEach((d, b) => {
    for (let i = 0; i < size; i++) {
      const k = i - d;
      if (k >= 0 && k < size) m[(b * size + i) * size + k] = 1;
    }
  });
  return m;
}

/** Column-shift matrices acting on rows of w·c values: [n, w·c, w·c], the shift of each pixel applied to its c channels. */
export function columnShiftMatrices(shifts: number[], w: number, c: number): Float32Array {
  const wc = w * c;
  const m = new Float32Array(shifts.length * wc * wc);
  shifts.forEach((d, b) => {
    for (let j = 0; j < w; j++) {
      const k = j - d;
      if (k >= 0 && k < w) for (let ch = 0; ch < c; ch++) m[(b * wc + k * c + ch) * wc + j * c + ch] = 1; // source column k → column j
    }
  });
  return m;
}

/**
 * Per-sample shift of up to ±1/8 of the side with zero fill, as two batched matmuls on the
 * [n, h, w·c] view: rows from the left, columns from the right. No transposes (tfjs's Transpose
 * runs in plain JS and cost ~0.15 s per GAN step); differentiable on every backend.
 */
function translate(tf: Tf, x: tfTypes.Tensor4D, rng: Rng): tfTypes.Tensor4D {
  const [n, h, w, c] = x.shape;
  const m = Math.floor(h / 8);
  const dy = Array.from({ length: n }, () => rng.int(2 * m + 1) - m);
  const dx = Array.from({ length: n }, () => rng.int(2 * m + 1) - m);
  const rows = tf.matMul(tf.tensor3d(shiftMatrices(dy, h), [n, h, h]), x.reshape([n, h, w * c])); // [n, h, w·c]
  const shifted = tf.matMul(rows, tf.tensor3d(columnShiftMatrices(dx, w, c), [n, w * c, w * c])); // [n, h, w·c]
  return shifted.reshape([n, h, w, c]) as tfTypes.Tensor4D;
}

/** Cutout mask [n, h, w, 1]: a square of half the side zeroed per sample; it may hang over the border (as in the paper). */
export function cutoutMask(n: number, h: number, w: number, rng: Rng): Float32Array {
  const mask = new Float32Array(n * h * w).fill(1);
  const cut = Math.floor(h / 2);
  for (let b = 0; b < n; b++) {
    const cy = rng.int(h + 1) - Math.floor(cut / 2);
    const cx = rng.int(w + 1) - Math.floor(cut / 2);
    for (let i = Math.max(0, cy); i < Math.min(h, cy + cut); i++) {
      for (let j = Math.max(0, cx); j < Math.min(w, cx + cut); j++) mask[(b * h + i) * w + j] = 0;
    }
  }
  return mask;
}

export function diffAugment(tf: Tf, x: tfTypes.Tensor4D, rng: Rng, policy: AugmentPolicy): tfTypes.Tensor4D {
  let t = policy.color ? color(tf, x, rng) : x;
  if (policy.translation) t = translate(tf, t, rng);
  if (policy.cutout) {
    const [n, h, w] = t.shape;
    t = tf.mul(t, tf.tensor4d(cutoutMask(n, h, w, rng), [n, h, w, 1]));
  }
  return t;
}

// Logits for a set of images, in batches, optionally averaged over test-time views: the mirror
// image (tta) and the image shifted by `shift` pixels in each of 4 directions.
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '@cvc/core/backend';

export interface PredictOptions {
  tta: boolean;
  /** Pixels of the 4 extra shifted views (0 = none). */
  shift?: number;
  batchSize?: number;
}

/** Images [n, size, size, 3] moved by (dx, dy) pixels, the uncovered border 0 (the mean colour after normalisation). In JS: tfjs's pad/slice are slow pure-JS kernels here. */
export function shifted(data: Float32Array, n: number, size: number, dx: number, dy: number): Float32Array {
  const out = new Float32Array(data.length);
  const row = size * 3;
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < size; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= size) continue;
      const x0 = Math.max(0, dx), x1 = Math.min(size, size + dx); // destination columns with a source pixel
      const dst = i * size * row + y * row;
      const src = i * size * row + sy * row;
      out.set(data.subarray(src + (x0 - dx) * 3, src + (x1 - dx) * 3), dst + x0 * 3);
    }
  }
  return out;
}

/** Images [n, size, size, 3] flipped along W. In JS: tfjs's Reverse kernel is pure JS and ~100x slower. */
export function mirrored(data: Float32Array, n: number, size: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < n * size; r++) {
    const base = r * size * 3;
    for (let x = 0; x < size; x++) {
      const d = base + x * 3, s = base + (size - 1 - x) * 3;
      out[d] = data[s]!;
      out[d + 1] = data[s + 1]!;
      out[d + 2] = data[s + 2]!;
    }
  }
  return out;
}

/** Logits [indices.length] of `model` (a logit model, see models.ts) for images `indices` of `x` ([N, size, size, 3]). */
export async function predictLogits(model: tfTypes.LayersModel, x: Float32Array, size: number, indices: readonly number[], opts: PredictOptions): Promise<Float32Array> {
  const batchSize = opts.batchSize ?? 128;
  const shift = opts.shift ?? 0;
  const pixels = size * size * 3;
  const out = new Float32Array(indices.length);
  for (let start = 0; start < indices.length; start += batchSize) {
    const batch = indices.slice(start, start + batchSize);
    const data = new Float32Array(batch.length * pixels);
    batch.forEach((index, j) => data.set(x.subarray(index * pixels, (index + 1) * pixels), j * pixels));
    const offsets: [number, number][] = shift > 0 ? [[shift, 0], [-shift, 0], [0, shift], [0, -shift]] : [];
    const viewData = [data, ...offsets.map(([dx, dy]) => shifted(data, batch.length, size, dx, dy))];
    if (opts.tta) viewData.push(...viewData.map((d) => mirrored(d, batch.length, size)));
    const logits = tf.tidy(() => {
      const views = viewData.map((d) => tf.tensor4d(d, [batch.length, size, size, 3]));
      const sum = views.map((v) => model.predict(v) as tfTypes.Tensor).reduce((a, b) => tf.add(a, b)); // [batch, 1]
      return tf.div(sum, views.length).reshape([-1]);
    });
    out.set(await logits.data(), start);
    logits.dispose();
  }
  return out;
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

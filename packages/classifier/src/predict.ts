// Logits for a set of images, in batches, optionally averaged with their mirror images (TTA).
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '@cvc/core/backend';

/** Logits [indices.length] of `model` (a logit model, see models.ts) for images `indices` of `x` ([N, size, size, 3]). */
export async function predictLogits(model: tfTypes.LayersModel, x: Float32Array, size: number, indices: readonly number[], opts: { tta: boolean; batchSize?: number }): Promise<Float32Array> {
  const batchSize = opts.batchSize ?? 128;
  const pixels = size * size * 3;
  const out = new Float32Array(indices.length);
  for (let start = 0; start < indices.length; start += batchSize) {
    const batch = indices.slice(start, start + batchSize);
    const data = new Float32Array(batch.length * pixels);
    batch.forEach((index, j) => data.set(x.subarray(index * pixels, (index + 1) * pixels), j * pixels));
    const logits = tf.tidy(() => {
      const images = tf.tensor4d(data, [batch.length, size, size, 3]);
      const plain = model.predict(images) as tfTypes.Tensor; // [batch, 1]
      if (!opts.tta) return plain.reshape([-1]);
      const mirrored = model.predict(tf.reverse(images, 2)) as tfTypes.Tensor; // flip along W
      return tf.add(plain, mirrored).div(2).reshape([-1]);
    });
    out.set(await logits.data(), start);
    logits.dispose();
  }
  return out;
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

// Interpolation strips clock → crocodile. Models with an encoder (the VAE) walk between the
// latents of a real clock and a real crocodile, framed by the two real images; the others keep
// z fixed per strip and move the label (the GAN's class embedding).
import { shuffled, type Dataset, type Rng } from '@cvc/core';
import { mixLabels, type TrainableModel } from './model.ts';
import { imageAt, labelStrips, latentStrips } from './sample.ts';
import type { Tf } from './weights.ts';

export function interpolationStrips(tf: Tf, model: TrainableModel, dataset: Dataset, strips: number, steps: number, rng: Rng): { images: Uint8Array; columns: number } {
  if (!model.encode) return { images: labelStrips(tf, model, strips, steps, rng), columns: steps };
  const { labels, splits } = dataset.manifest;
  const pick = (label: number) => shuffled(splits.train.filter((i) => labels[i] === label), rng).slice(0, strips);
  const clocks = pick(0);
  const crocs = pick(1);
  const count = Math.min(clocks.length, crocs.length);
  const encode = (idx: number[], mix: number): Float32Array =>
    tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from(idx.flatMap((i) => Array.from(imageAt(dataset.images, i))), (v) => v / 255), [idx.length, 32, 32, 3]);
      return model.encode!({ x, y: mixLabels(tf, Array(idx.length).fill(mix)) }).dataSync() as Float32Array;
    });
  const walked = latentStrips(tf, model, encode(clocks.slice(0, count), 0), encode(crocs.slice(0, count), 1), steps);
  // Each row: real clock | steps decoded | real crocodile.
  const px = 32 * 32 * 3;
  const images = new Uint8Array(count * (steps + 2) * px);
  for (let s = 0; s < count; s++) {
    const row = s * (steps + 2);
    images.set(imageAt(dataset.images, clocks[s]!), row * px);
    images.set(walked.subarray(s * steps * px, (s + 1) * steps * px), (row + 1) * px);
    images.set(imageAt(dataset.images, crocs[s]!), (row + steps + 1) * px);
  }
  return { images, columns: steps + 2 };
}

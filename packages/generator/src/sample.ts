// Drawing images from a conditional generator: hybrids, class samples, interpolation strips.
import type * as tfTypes from '@tensorflow/tfjs';
import type { Rng } from '@cvc/core';
import { mixLabels, normalLatents, type ConditionalGenerator, type TrainableModel } from './model.ts';
import type { Tf } from './weights.ts';

export const IMAGE_SIZE = 32;
const PIXELS = IMAGE_SIZE * IMAGE_SIZE * 3;

/** [n, 32, 32, 3] in [0, 1] → uint8 bytes. */
export function toBytes(images: tfTypes.Tensor4D): Uint8Array {
  const data = images.dataSync();
  return Uint8Array.from(data, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
}

/** Decode latents z (row-major [n, latentDim]) at the given mixes, in batches; uint8 [n, 32, 32, 3]. */
export function decodeImages(tf: Tf, gen: ConditionalGenerator, z: Float32Array, mixes: number[]): Uint8Array {
  const n = mixes.length;
  const out = new Uint8Array(n * PIXELS);
  for (let start = 0; start < n; start += 64) {
    const m = Math.min(64, n - start);
    const bytes = tf.tidy(() => {
      const zt = tf.tensor2d(z.subarray(start * gen.latentDim, (start + m) * gen.latentDim), [m, gen.latentDim]);
      return toBytes(gen.decode(zt, mixLabels(tf, mixes.slice(start, start + m))));
    });
    out.set(bytes, start * PIXELS);
  }
  return out;
}

export function sampleLatents(tf: Tf, n: number, dim: number, rng: Rng): Float32Array {
  return tf.tidy(() => normalLatents(tf, n, dim, rng).dataSync() as Float32Array);
}

/** n images at one mix (0 = clock … 1 = crocodile). */
export function sampleAtMix(tf: Tf, gen: ConditionalGenerator, n: number, mix: number, rng: Rng): Uint8Array {
  return decodeImages(tf, gen, sampleLatents(tf, n, gen.latentDim, rng), Array(n).fill(mix));
}

/** n hybrids: the model's own way when it has one (hybridsFor; it draws from `rng` after z), else decoded at mix ½. */
export function sampleHybrids(tf: Tf, gen: ConditionalGenerator & Pick<TrainableModel, 'hybridsFor'>, n: number, rng: Rng): Uint8Array {
  const z = sampleLatents(tf, n, gen.latentDim, rng);
  if (!gen.hybridsFor) return decodeImages(tf, gen, z, Array(n).fill(0.5));
  const out = new Uint8Array(n * PIXELS);
  for (let start = 0; start < n; start += 64) {
    const m = Math.min(64, n - start);
    const zt = tf.tensor2d(z.subarray(start * gen.latentDim, (start + m) * gen.latentDim), [m, gen.latentDim]);
    const { images } = gen.hybridsFor(zt, rng);
    out.set(toBytes(images), start * PIXELS);
    tf.dispose([zt, images]);
  }
  return out;
}

export function imageAt(images: Uint8Array, i: number): Uint8Array {
  return images.subarray(i * PIXELS, (i + 1) * PIXELS);
}

/** Linear steps 0 … 1. */
export function mixSteps(steps: number): number[] {
  return Array.from({ length: steps }, (_, i) => i / (steps - 1));
}

/** Strips with the label going clock → crocodile under a fixed z per strip: [strips × steps] images. */
export function labelStrips(tf: Tf, gen: ConditionalGenerator, strips: number, steps: number, rng: Rng): Uint8Array {
  const z0 = sampleLatents(tf, strips, gen.latentDim, rng);
  const z = new Float32Array(strips * steps * gen.latentDim);
  for (let s = 0; s < strips; s++) for (let t = 0; t < steps; t++) z.set(z0.subarray(s * gen.latentDim, (s + 1) * gen.latentDim), (s * steps + t) * gen.latentDim);
  return decodeImages(tf, gen, z, Array.from({ length: strips }, () => mixSteps(steps)).flat());
}

/** Strips between encoded latents (a real clock → a real crocodile), latent and label moving together. */
export function latentStrips(tf: Tf, gen: ConditionalGenerator, from: Float32Array, to: Float32Array, steps: number): Uint8Array {
  const d = gen.latentDim;
  const strips = from.length / d;
  const z = new Float32Array(strips * steps * d);
  const mixes = mixSteps(steps);
  for (let s = 0; s < strips; s++) {
    mixes.forEach((t, k) => {
      for (let j = 0; j < d; j++) z[(s * steps + k) * d + j] = (1 - t) * from[s * d + j]! + t * to[s * d + j]!;
    });
  }
  return decodeImages(tf, gen, z, Array.from({ length: strips }, () => mixes).flat());
}

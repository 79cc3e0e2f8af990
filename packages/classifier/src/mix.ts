// Mixup and CutMix on a batch, seeded: each image is blended with another image of the same
// batch (a seeded permutation), and its target with that image's target, by one λ ~ Beta(α, α).
import type { Rng } from '@cvc/core';

export interface MixOptions {
  kind: 'none' | 'mixup' | 'cutmix';
  alpha: number;
}

/** Gamma(shape, 1) by Marsaglia–Tsang (shape < 1 via the u^(1/shape) boost). */
export function sampleGamma(shape: number, rng: Rng): number {
  if (shape < 1) return sampleGamma(shape + 1, rng) * Math.pow(1 - rng.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

export function sampleBeta(alpha: number, rng: Rng): number {
  const a = sampleGamma(alpha, rng);
  const b = sampleGamma(alpha, rng);
  return a / (a + b);
}

/**
 * Mix `data` ([n, size, size, 3]) and `targets` ([n]) in place. Mixup: x = λ·x_i + (1−λ)·x_π(i).
 * CutMix: a box of area ≈ (1−λ) of the image comes from x_π(i), and λ becomes the kept area.
 */
export function mixBatch(data: Float32Array, targets: Float32Array, size: number, opts: MixOptions, rng: Rng): void {
  const n = targets.length;
  if (opts.kind === 'none' || n < 2) return;
  const pixels = size * size * 3;
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  let lambda = sampleBeta(opts.alpha, rng);
  const src = data.slice(); // the partners are read from the unmixed batch
  const srcTargets = targets.slice();
  if (opts.kind === 'mixup') {
    for (let i = 0; i < n; i++) {
      const a = i * pixels, b = perm[i]! * pixels;
      for (let p = 0; p < pixels; p++) data[a + p] = lambda * src[a + p]! + (1 - lambda) * src[b + p]!;
    }
  } else {
    const cut = Math.round(size * Math.sqrt(1 - lambda)); // box side
    const cx = rng.int(size), cy = rng.int(size);
    const x0 = Math.max(0, cx - (cut >> 1)), x1 = Math.min(size, cx - (cut >> 1) + cut);
    const y0 = Math.max(0, cy - (cut >> 1)), y1 = Math.min(size, cy - (cut >> 1) + cut);
    for (let i = 0; i < n; i++) {
      const a = i * pixels, b = perm[i]! * pixels;
      for (let y = y0; y < y1; y++) {
        const row = (y * size + x0) * 3;
        data.set(src.subarray(b + row, b + row + (x1 - x0) * 3), a + row);
      }
    }
    lambda = 1 - ((x1 - x0) * (y1 - y0)) / (size * size); // the box may be clipped at the border
  }
  for (let i = 0; i < n; i++) targets[i] = lambda * srcTargets[i]! + (1 - lambda) * srcTargets[perm[i]!]!;
}

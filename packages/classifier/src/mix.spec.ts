import { describe, expect, it } from 'vitest';
import { createRng } from '@cvc/core';
import { mixBatch, sampleBeta } from './mix.ts';

/** n images of `size`² pixels whose every value is that image's label (0 or 1). */
function labelImages(labels: number[], size: number) {
  const pixels = size * size * 3;
  const data = new Float32Array(labels.length * pixels);
  labels.forEach((l, i) => data.fill(l, i * pixels, (i + 1) * pixels));
  return { data, targets: Float32Array.from(labels), pixels };
}

const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;

describe('mixup and CutMix', () => {
  it('Beta(α, α) samples lie in (0, 1) with mean ½; small α pushes them to the ends', () => {
    const rng = createRng(1);
    const one = Array.from({ length: 4000 }, () => sampleBeta(1, rng));
    expect(Math.min(...one)).toBeGreaterThan(0);
    expect(Math.max(...one)).toBeLessThan(1);
    expect(one.reduce((a, b) => a + b, 0) / one.length).toBeCloseTo(0.5, 1);
    const small = Array.from({ length: 4000 }, () => sampleBeta(0.2, rng));
    expect(small.filter((v) => v < 0.1 || v > 0.9).length / small.length).toBeGreaterThan(0.6);
  });

  it('mixup: every pixel and the target get the same blend', () => {
    const labels = [0, 1, 1, 0, 1, 0, 0, 1];
    const { data, targets, pixels } = labelImages(labels, 4);
    mixBatch(data, targets, 4, { kind: 'mixup', alpha: 1 }, createRng(2));
    expect(Array.from(targets).some((t) => t > 0.01 && t < 0.99)).toBe(true);
    labels.forEach((_, i) => {
      const image = data.subarray(i * pixels, (i + 1) * pixels);
      for (const v of image) expect(v).toBeCloseTo(targets[i]!, 5);
    });
  });

  it('CutMix: the target is the pasted share of the image', () => {
    const labels = [0, 1, 0, 1, 0, 1];
    const { data, targets, pixels } = labelImages(labels, 8);
    let mixed = 0;
    for (let seed = 0; seed < 5; seed++) {
      const d = data.slice(), t = targets.slice();
      mixBatch(d, t, 8, { kind: 'cutmix', alpha: 1 }, createRng(seed));
      labels.forEach((_, i) => {
        expect(mean(d.subarray(i * pixels, (i + 1) * pixels))).toBeCloseTo(t[i]!, 5);
        if (t[i]! !== labels[i]!) mixed++;
      });
    }
    expect(mixed).toBeGreaterThan(0);
  });

  it('kind none leaves the batch alone', () => {
    const { data, targets } = labelImages([0, 1], 4);
    const before = data.slice();
    mixBatch(data, targets, 4, { kind: 'none', alpha: 1 }, createRng(3));
    expect(data).toEqual(before);
    expect(Array.from(targets)).toEqual([0, 1]);
  });
});

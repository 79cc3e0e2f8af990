// Shared by the specs: a trivially separable synthetic set (reddish vs bluish noise images).
import { createRng } from '@cvc/core';

/** n images [n, size, size, 3] as uint8: even indices reddish (label 0), odd bluish (label 1). */
export function redBlueImages(n: number, size = 32, seed = 7): { images: Uint8Array; labels: number[] } {
  const rng = createRng(seed);
  const images = new Uint8Array(n * size * size * 3);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    labels.push(label);
    const base = label === 0 ? [170, 90, 90] : [90, 90, 170];
    for (let p = 0; p < size * size; p++) {
      for (let c = 0; c < 3; c++) images[(i * size * size + p) * 3 + c] = Math.max(0, Math.min(255, Math.round(base[c]! + (rng.next() - 0.5) * 160)));
    }
  }
  return { images, labels };
}

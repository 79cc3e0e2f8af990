// A tiny prepared dataset (the data-prep stage's artifact) for specs of the stages downstream of it.
import { createRng } from '../src/random.ts';
import { datasetOf, writeImageDataset, type Dataset } from '../src/formats/image-dataset.ts';

/**
 * Noisy 32x32 images, clocks reddish, crocodiles greenish: `perClass` of each (clocks first),
 * or one per entry of a label list (0 = clock, 1 = crocodile).
 */
export function tinyDataset(perClassOrLabels: number | number[], seed = 1): Dataset {
  const rng = createRng(seed);
  const size = 32;
  const labelList = typeof perClassOrLabels === 'number' ? Array.from({ length: 2 * perClassOrLabels }, (_, i) => (i < perClassOrLabels ? 0 : 1)) : perClassOrLabels;
  const n = labelList.length;
  const images = new Uint8Array(n * size * size * 3);
  const labels: number[] = [];
  const files: string[] = [];
  const seen = [0, 0];
  for (let i = 0; i < n; i++) {
    const label = labelList[i]!;
    labels.push(label);
    files.push(label === 0 ? `clock/clock.${seen[0]!++}.png` : `crocodile/crocodile.${seen[1]!++}.png`);
    const base = label === 0 ? [190, 60, 50] : [60, 150, 70];
    for (let p = 0; p < size * size; p++) {
      for (let c = 0; c < 3; c++) images[(i * size * size + p) * 3 + c] = Math.max(0, Math.min(255, Math.round(base[c]! + (rng.next() - 0.5) * 120)));
    }
  }
  const all = labels.map((_, i) => i);
  return datasetOf({
    images,
    size,
    classNames: ['clock', 'crocodile'],
    files,
    labels,
    mean: [0.5, 0.4, 0.25],
    std: [0.25, 0.25, 0.2],
    splits: { train: all, validation: [], test: [], folds: [all.filter((i) => i % 2 === 0), all.filter((i) => i % 2 === 1)] },
    source: 'folder',
  });
}

export function writeTinyDataset(dir: string, perClassOrLabels: number | number[], seed = 1): Dataset {
  const dataset = tinyDataset(perClassOrLabels, seed);
  writeImageDataset(dir, dataset);
  return dataset;
}

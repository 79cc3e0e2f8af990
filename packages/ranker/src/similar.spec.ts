import { describe, expect, it } from 'vitest';
import { findDatasetImage, similarImages } from './similar.ts';
import { syntheticSet } from './scorers/synthetic.ts';
import { row } from './vectors.ts';

describe('similar: perceptual search over the dataset', () => {
  const files = ['clock/clock.1.png', 'clock/clock.2.png', 'crocodile/crocodile.1.png'];

  it('finds a dataset image by manifest path, by a path ending in it, or by a unique file name', () => {
    expect(findDatasetImage(files, 'clock/clock.2.png')).toBe(1);
    expect(findDatasetImage(files, '/data/clocks-crocodiles/crocodile/crocodile.1.png')).toBe(2);
    expect(findDatasetImage(files, 'clock.2.png')).toBe(1);
    expect(findDatasetImage(files, 'elsewhere/photo.png')).toBeUndefined();
    expect(() => findDatasetImage(['a/x.png', 'b/x.png'], 'x.png')).toThrow('x.png: 2 dataset images have this file name (a/x.png, b/x.png)');
  });

  it('returns same-cluster neighbours for a cluster member, without the query itself', () => {
    const set = syntheticSet();
    const found = similarImages(set.features, row(set.features, 5), { k: 8, metric: 'euclidean', exclude: 5 });
    expect(found).toHaveLength(8);
    expect(found.map((n) => n.index)).not.toContain(5);
    expect(found.every((n) => set.labels[n.index] === 0 && n.index < 60)).toBe(true);
    expect(found.map((n) => n.distance)).toEqual(found.map((n) => n.distance).sort((a, b) => a - b));
    const cosine = similarImages(set.features, row(set.features, 70), { k: 5, metric: 'cosine', exclude: 70 });
    expect(cosine.every((n) => set.labels[n.index] === 1)).toBe(true);
    expect(() => similarImages(set.features, [1, 2], { k: 3, metric: 'cosine' })).toThrow('query has 2 features, the embeddings have 8');
  });
});

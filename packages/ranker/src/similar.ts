// Perceptual search over the dataset: the images nearest to a query in an embedding layer.
// The query is a dataset image (by its manifest path, a path ending in it, or a unique file
// name) or any image file, which the caller embeds with the same model.
import { basename } from 'node:path';
import { type Matrix, type Neighbour, l2Normalized, nearest, row } from './vectors.ts';

/** Index of the dataset image `query` names, or undefined if it names none. Throws if ambiguous. */
export function findDatasetImage(files: readonly string[], query: string): number | undefined {
  const posix = query.split('\\').join('/');
  const exact = files.indexOf(posix);
  if (exact >= 0) return exact;
  const suffix = files.findIndex((f) => posix.endsWith(`/${f}`));
  if (suffix >= 0) return suffix;
  const byName = files.map((f, i) => [f, i] as const).filter(([f]) => basename(f) === basename(posix));
  if (byName.length > 1) throw new Error(`${query}: ${byName.length} dataset images have this file name (${byName.map(([f]) => f).join(', ')}); give the class folder too`);
  return byName[0]?.[1];
}

export interface SimilarOptions {
  k: number;
  metric: 'cosine' | 'euclidean';
  /** Dataset index of the query (left out of the results), if it is a dataset image. */
  exclude?: number;
}

/** The k nearest dataset rows to `query` ([dim]); cosine compares unit-length vectors. */
export function similarImages(features: Matrix, query: ArrayLike<number>, opts: SimilarOptions): Neighbour[] {
  if (query.length !== features.dim) throw new Error(`similar: query has ${query.length} features, the embeddings have ${features.dim}`);
  if (opts.metric === 'euclidean') return nearest(features, query, opts.k, opts.exclude ?? -1);
  const unit = l2Normalized(features);
  const q = l2Normalized({ data: Float64Array.from(query), rows: 1, dim: features.dim });
  return nearest(unit, row(q, 0), opts.k, opts.exclude ?? -1);
}

// @cvc/ranker: scorers, rankings and nearest-neighbour search over the embeddings (used by `cvc similar`).
export { rankerParams, type RankerParams } from './params.ts';
export { nearest, l2Normalized, matrix, row, type Matrix, type Neighbour } from './vectors.ts';
export { rankOrder, averageRanks } from './rank.ts';
export { centroidDifference } from './scorers/centroid-difference.ts';
export { uncertainty } from './scorers/uncertainty.ts';
export { neighbourhood } from './scorers/neighbourhood.ts';
export { bothNotNeither } from './scorers/both-not-neither.ts';
export { SCORER_NAMES, type ScorerName, type ScorerResult } from './scorers/types.ts';
export { contactSheet, type SheetTile } from './contact-sheet.ts';
export { findDatasetImage, similarImages, type SimilarOptions } from './similar.ts';

// Fixtures for specs of packages that train or read classifier models.
export { redBlueImages } from './red-blue-images.ts';
export { tinyClassifier, tinyMetadata, TINY_NORMALIZATION, writeTinyClassifierModels } from './tiny-classifier.ts';

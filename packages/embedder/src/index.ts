// @cvc/embedder: the stage, and readers of its artifact for the ranker and the CLI.
export { readEmbeddings, readEmbeddingIndex, writeEmbeddings, type Embeddings, type EmbeddingIndex, type EmbeddingManifest } from './embeddings.ts';
export { extractEmbeddings, featureModel, type Normalization } from './extract.ts';
export { selectModel, readBestModel, modelLayerNames, oofAccuracies, type ModelChoice } from './select-model.ts';
export { modelNormalization, type ModelMetadata } from './metadata.ts';

// Test fixtures for the embedder stage: a workspace whose pipeline has the embedder and its
// upstream artifacts (written by the test; their producers never run).
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testWorkspace } from '@cvc/core/testing';
export { tinyDataset, writeTinyDataset } from '@cvc/core/testing';
export { tinyClassifier, TINY_NORMALIZATION, writeTinyClassifierModels } from '@cvc/vision/testing';

/** The embedder's own package folder (for pipeline files written by tests). */
export const EMBEDDER_PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * A test workspace whose pipeline has the embedder stage and its upstream artifacts (written by
 * the test; their producers are never run). `embedderParams` is the YAML flow mapping of its params.
 */
export function embedderWorkspace(prefix: string, seed: number, embedderParams?: string): { root: string; pipelineFile: string } {
  return testWorkspace(prefix, (root) => [
    `seed: ${seed}`,
    'artifacts:',
    '  dataset: { path: artifacts/data-prep/dataset, format: image-dataset }',
    '  classifier_models: { path: artifacts/classifier/models, format: folder }',
    '  classifier_oof: { path: artifacts/classifier/oof-predictions.json, format: json }',
    '  embeddings: { path: artifacts/embedder/embeddings, format: folder }',
    'stages:',
    '  data-prep: { package: upstream/data-prep, outs: [dataset] }',
    '  classifier: { package: upstream/classifier, deps: [dataset], outs: [classifier_models, classifier_oof] }',
    '  embedder:',
    `    package: ${relative(root, EMBEDDER_PACKAGE_DIR)}`,
    ...(embedderParams === undefined ? [] : [`    params: ${embedderParams}`]),
    '    deps: [dataset, classifier_models, classifier_oof]',
    '    outs: [embeddings]',
  ]);
}

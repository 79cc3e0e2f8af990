// Where the pipeline's catalog puts an artifact, for commands that read one (errors say what to run).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadPipeline, resolveFromRoot, type Pipeline } from '@cvc/core';
import { bestModelDir } from '@cvc/vision/classifier-model';
import { checkArtifactFiles } from './checked-artifact.ts';

export function artifactPath(pipeline: Pipeline, name: string, producer: string): string {
  const artifact = pipeline.artifacts[name];
  if (!artifact) throw new Error(`${pipeline.file}: no artifact "${name}" in the catalog (is the ${producer} stage in the pipeline?)`);
  const path = resolveFromRoot(pipeline, artifact.path);
  if (!existsSync(path)) throw new Error(`${path}: not built yet; run \`npx nx run ${producer}:stage\``);
  return path;
}

/** The pipeline's best classifier: the full model of models/best.json's model. */
export function defaultModelDir(pipelineFile: string): string {
  const pipeline = loadPipeline(pipelineFile);
  const modelsDir = artifactPath(pipeline, 'classifier_models', 'classifier');
  checkArtifactFiles(pipeline, [join(modelsDir, 'best.json')]);
  return bestModelDir(modelsDir);
}

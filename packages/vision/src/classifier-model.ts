// The classifier stage's saved models, as every reader gets them: the embedder, the generator's
// judge, `cvc classify` and `cvc similar` all load through loadClassifierModel.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { readJsonArtifact } from '@cvc/core';
import { bestModel, classifierModelMetadata, type ClassifierModelMetadata } from '@cvc/artifacts/classifier-models';
import { loadModel, saveModel } from './saved-model.ts';
import { logitModel } from './models.ts';

export interface ClassifierModel {
  dir: string;
  metadata: ClassifierModelMetadata;
  /** The whole model: [batch, 32, 32, 3] normalised → p(class 1) [batch, 1]; layers 'fc7', 'pooled', 'logit' by name. */
  model: tfTypes.LayersModel;
  /** The same weights, output 'logit' [batch, 1]. */
  logits: tfTypes.LayersModel;
}

export async function loadClassifierModel(dir: string): Promise<ClassifierModel> {
  const { model, metadata } = await loadModel(dir, classifierModelMetadata);
  return { dir, metadata, model, logits: logitModel(model) };
}

export function saveClassifierModel(model: tfTypes.LayersModel, dir: string, metadata: Omit<ClassifierModelMetadata, 'parameterCount' | 'layers'>): Promise<void> {
  return saveModel(model, dir, classifierModelMetadata, metadata);
}

/** `<modelsDir>/best.json`'s model, as `<modelsDir>/<model>/<variant>` (errors name the file). */
export function bestModelDir(modelsDir: string, variant = 'full'): string {
  const best = readJsonArtifact(join(modelsDir, 'best.json'), bestModel);
  const dir = join(modelsDir, best.model, variant);
  if (!existsSync(join(dir, 'model.json'))) throw new Error(`${join(dir, 'model.json')}: best.json names "${best.model}", which has no ${variant} model`);
  return dir;
}

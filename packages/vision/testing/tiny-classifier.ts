// A tiny classifier saved like the classifier stage's models (layers 'pooled' and 'fc7', metadata
// checked against its schema), for specs of the packages that read classifier models.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeJsonAtomic } from '@cvc/core';
import type { ClassifierModelMetadata, Normalization } from '@cvc/artifacts';
import { saveClassifierModel } from '../src/classifier-model.ts';

/** image → conv 'conv1' → 'pooled' [batch, 4] → 'fc7' [batch, 6] → 'logit' [batch, 1] → 'probability' (sigmoid), as buildModel names them. */
export function tinyClassifier(seed = 7): tf.LayersModel {
  const input = tf.input({ shape: [32, 32, 3], name: 'image' });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }), name: 'conv1' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'pooled' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 6, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), biasInitializer: 'ones', name: 'fc7' }).apply(x) as tf.SymbolicTensor;
  const logit = tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }), name: 'logit' }).apply(x) as tf.SymbolicTensor;
  const y = tf.layers.activation({ activation: 'sigmoid', name: 'probability' }).apply(logit) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: y });
}

export const TINY_NORMALIZATION: Normalization = { mean: [0.5, 0.4, 0.25], std: [0.25, 0.25, 0.2] };

/** Metadata as the classifier stage writes it, for a model named `name` trained on nothing in particular. */
export function tinyMetadata(name: string, extra: Partial<ClassifierModelMetadata> = {}): Omit<ClassifierModelMetadata, 'parameterCount' | 'layers'> {
  return {
    classes: ['clock', 'crocodile'],
    inputSize: 32,
    normalization: TINY_NORMALIZATION,
    output: 'sigmoid',
    model: name,
    fold: 'full',
    epochs: 1,
    trainedOn: 12,
    temperature: 1,
    tta: false,
    ttaShift: 0,
    ensemble: 1,
    params: {},
    dataset: 'tiny',
    ...extra,
  };
}

/** models/<name>/full/ (tfjs-model + metadata) and models/best.json, as the classifier stage writes them. */
export async function writeTinyClassifierModels(modelsDir: string, name = 'tiny'): Promise<tf.LayersModel> {
  await tf.setBackend('cpu');
  const model = tinyClassifier();
  await saveClassifierModel(model, join(modelsDir, name, 'full'), tinyMetadata(name));
  writeJsonAtomic(join(modelsDir, 'best.json'), { model: name, folds: 2 });
  return model;
}
